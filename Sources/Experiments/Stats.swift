import Foundation

/// Mean and sample standard deviation (n - 1) of per-seed values; sd is 0 for one seed.
public struct Summary: Codable, Hashable, Sendable {
    public var mean: Double
    public var sd: Double
    public var count: Int

    public init(_ values: [Double]) {
        count = values.count
        mean = values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
        if values.count > 1 {
            let m = mean
            sd = (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
        } else {
            sd = 0
        }
    }
}

/// How two rows compare, by the report's stated rule: a difference counts when it is
/// larger than twice the pooled standard deviation of the seeds, sqrt((sd_a^2 + sd_b^2)/2).
public enum Comparison: String, Codable, Sendable {
    case higher, lower, indistinguishable

    public static let ruleDescription =
        "a difference counts when it exceeds twice the pooled standard deviation across seeds, 2·sqrt((sd_a² + sd_b²)/2)"

    public init(_ a: Summary, versus b: Summary) {
        let pooled = ((a.sd * a.sd + b.sd * b.sd) / 2).squareRoot()
        let diff = a.mean - b.mean
        // With one seed there is no spread to compare against: then nothing is "clearly" different.
        if a.count < 2 || b.count < 2 || !diff.isFinite || abs(diff) <= 2 * pooled { self = .indistinguishable }
        else { self = diff > 0 ? .higher : .lower }
    }
}
