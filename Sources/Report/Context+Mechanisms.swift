import Experiments
import Foundation
import NeuralNet

// The numbers task 3's "because" sentences are chosen by: how saturated the hidden layer of
// a row is when training starts and when it ends (`LayerDiagnostics`, measured on the first
// validation images at every evaluation). A sentence names a mechanism only when these
// numbers show it; results cached before the diagnostics existed give "available": false.

/// A row's first hidden layer at the first and the last evaluation, means over its seeds.
struct LayerStateContext: Codable {
    var startSaturated: String
    var endSaturated: String
    var startSlope: String
    var endSlope: String
    var startSpread: String
    var seeds: String
    /// Every (image, unit) pair saturated, up to 1 %: the layer outputs nearly the same
    /// vector for every image, so what follows it cannot tell the images apart.
    var allSaturated: Bool
}

/// Which of two rows is more saturated, by at least `ContextBuilder.saturationMargin`;
/// exactly one of the three is true.
struct SaturationOrder: Codable {
    var more: Bool
    var less: Bool
    var alike: Bool
}

/// Two rows' hidden layers side by side (`a` the first row given). Not available, and
/// the rest absent, when either row's results predate the diagnostics.
struct SaturationComparison: Codable {
    var available: Bool
    var a: LayerStateContext?
    var b: LayerStateContext?
    var start: SaturationOrder?
    var end: SaturationOrder?
    var margin: String?

    static let unavailable = SaturationComparison(available: false)
}

extension ContextBuilder {
    /// The numbers behind a `LayerStateContext`: saturated shares and mean relative slopes.
    struct LayerState {
        var startSaturated: Double, endSaturated: Double, startSlope: Double, endSlope: Double
        var context: LayerStateContext
    }

    /// Mean over a row's seeds of its first hidden layer's diagnostics at the first and the
    /// last evaluation; nil when its results predate the diagnostics.
    func layerState(_ row: RowOutcome) -> LayerState? {
        let firsts = row.runs.compactMap { $0.history.points.first?.layers?.first }
        let lasts = row.runs.compactMap { $0.history.points.last?.layers?.first }
        guard !firsts.isEmpty, firsts.count == lasts.count else { return nil }
        func mean(_ d: [LayerDiagnostics], _ value: (LayerDiagnostics) -> Double) -> Double { Summary(d.map(value)).mean }
        let startSaturated = mean(firsts, \.saturatedFraction), endSaturated = mean(lasts, \.saturatedFraction)
        let startSlope = mean(firsts, \.meanRelativeSlope), endSlope = mean(lasts, \.meanRelativeSlope)
        return LayerState(
            startSaturated: startSaturated, endSaturated: endSaturated, startSlope: startSlope, endSlope: endSlope,
            context: LayerStateContext(
                startSaturated: Format.percent(startSaturated, decimals: 1),
                endSaturated: Format.percent(endSaturated, decimals: 1),
                startSlope: String(format: "%.2f", startSlope),
                endSlope: String(format: "%.2f", endSlope),
                startSpread: Format.significant(mean(firsts, \.preActivationSpread)),
                seeds: Words.count(firsts.count, "seed"),
                allSaturated: endSaturated >= 0.99))
    }

    /// Two rows' hidden layers side by side, with which one is more saturated at the start
    /// and at the end. "Clearly" means by at least `saturationMargin` (a share of the
    /// (image, unit) pairs); closer than that the sentence says the two are alike.
    func saturationComparison(_ a: RowOutcome, _ b: RowOutcome) -> SaturationComparison {
        guard let x = layerState(a), let y = layerState(b) else { return .unavailable }
        func order(_ d: Double) -> SaturationOrder {
            SaturationOrder(more: d >= Self.saturationMargin, less: d <= -Self.saturationMargin, alike: abs(d) < Self.saturationMargin)
        }
        return SaturationComparison(available: true, a: x.context, b: y.context,
                                    start: order(x.startSaturated - y.startSaturated), end: order(x.endSaturated - y.endSaturated),
                                    margin: Format.rate(100 * Self.saturationMargin))
    }

    /// |z| beyond which a unit counts as saturated (slope under `LayerDiagnostics.saturationThreshold`
    /// of its largest), solved in closed form: the sigmoid's 4 s (1 - s) = t, and the improved
    /// sigmoid's sech²(2z/3) = t.
    static func saturationOnset() -> (sigmoid: Double, improved: Double) {
        let t = LayerDiagnostics.saturationThreshold
        let s = (1 - (1 - t).squareRoot()) / 2
        return (-log(s / (1 - s)), 1.5 * acosh(1 / t.squareRoot()))
    }

    /// Five points of the (image, unit) pairs: a smaller gap is not called a difference in saturation.
    static let saturationMargin = 0.05
}
