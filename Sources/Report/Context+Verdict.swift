import Experiments
import Foundation

/// A verdict as the template uses it: direction flags, the two means, the interval
/// sentence. `available` is false (and every field a dash) when the family lacks it: a
/// matched-rate comparison exists only when two rows chose different rates.
///
/// Sections hold their verdicts as named properties (`v3bFirstMatched` for
/// "3b.first@matched", `VerdictFamily.key`), one per comparison `VerdictFamily.build` can
/// make for that task, so the template's verdict names are checked like any other.
struct VerdictContext: Codable {
    var available: Bool
    var higher: Bool
    var lower: Bool
    var same: Bool
    var untestable: Bool
    var a: String
    var b: String
    var interval: String

    static let unavailable = VerdictContext(available: false, higher: false, lower: false, same: false, untestable: false,
                                            a: "–", b: "–", interval: "–")
}

extension ContextBuilder {
    func verdict(_ id: String) -> VerdictContext {
        guard let v = family[id] else { return .unavailable }
        let d = v.direction
        return VerdictContext(available: true, higher: d == .higher, lower: d == .lower, same: d == .indistinguishable,
                              untestable: d == .untestable, a: Format.percent(v.a), b: Format.percent(v.b),
                              interval: Format.interval(v))
    }
}
