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

    /// `spread` stands in for the pooled standard deviation when a side has a single seed
    /// (the one-seed replication borrows the spread of the same rows' mini-batch seeds);
    /// without it, one seed has no spread to compare against and nothing counts as different.
    public init(_ a: Summary, versus b: Summary, spread: Double? = nil) {
        let diff = a.mean - b.mean
        let pooled: Double
        if a.count >= 2 && b.count >= 2 { pooled = ((a.sd * a.sd + b.sd * b.sd) / 2).squareRoot() }
        else if let spread { pooled = spread }
        else { self = .indistinguishable; return }
        if !diff.isFinite || abs(diff) <= 2 * pooled { self = .indistinguishable }
        else { self = diff > 0 ? .higher : .lower }
    }

    /// The root mean square of standard deviations: the spread of several rows together.
    public static func pooled(_ sds: [Double]) -> Double {
        sds.isEmpty ? 0 : (sds.map { $0 * $0 }.reduce(0, +) / Double(sds.count)).squareRoot()
    }
}
