import Foundation

/// Student's t distribution, as far as the report's tests need it: the two-sided tail
/// probability and the two-sided critical value. Written here because no Swift package in
/// reach has it; checked in the tests against published t tables.
public enum StudentT {
    /// P(|T| > t) for T with `df` degrees of freedom (df > 0, need not be an integer, as
    /// Welch's df is not): I_{df/(df+t²)}(df/2, 1/2), the regularised incomplete beta.
    public static func twoSidedP(t: Double, df: Double) -> Double {
        guard df > 0, t.isFinite else { return t.isNaN ? .nan : 0 }
        return incompleteBeta(x: df / (df + t * t), a: df / 2, b: 0.5)
    }

    /// The t with P(|T| > t) = 1 - confidence (4.303 for 95 % and 2 df).
    public static func criticalValue(confidence: Double, df: Double) -> Double {
        let alpha = 1 - confidence
        var lo = 0.0, hi = 1.0
        while twoSidedP(t: hi, df: df) > alpha { hi *= 2 }
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if twoSidedP(t: mid, df: df) > alpha { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    /// Regularised incomplete beta I_x(a, b) by its continued fraction (modified Lentz),
    /// using the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) where the fraction converges slowly.
    static func incompleteBeta(x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logBeta: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let logFront: Double = logBeta + a * log(x) + b * log(1 - x)
        if x > (a + 1) / (a + b + 2) { return 1 - incompleteBeta(x: 1 - x, a: b, b: a) }
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var f = d
        for m in 1...300 {
            let m = Double(m)
            let even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + even * d; if abs(d) < tiny { d = tiny }
            c = 1 + even / c; if abs(c) < tiny { c = tiny }
            d = 1 / d; f *= d * c
            let odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + odd * d; if abs(d) < tiny { d = tiny }
            c = 1 + odd / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let step = d * c
            f *= step
            if abs(step - 1) < 1e-15 { break }
        }
        return exp(logFront) * f / a
    }
}

/// The difference of two rows' means, mean(a) - mean(b), with its confidence interval and
/// two-sided p-value for "no difference".
///
/// - Paired by seed when both rows draw the same split, initial weights and batch order from
///   a seed (the caller decides; see `RunSpec.sharesRandomDraws`): the differences of the
///   seeds both rows have are tested against 0 with n - 1 degrees of freedom.
/// - Otherwise Welch's t (unequal variances) with the Welch-Satterthwaite degrees of freedom.
///
/// Each side needs at least two values (one run has no spread of its own to test with, and
/// no other run's spread is borrowed); otherwise there is no test.
public struct MeanDifference: Codable, Hashable, Sendable {
    public enum Method: String, Codable, Sendable { case welch, paired }
    public var method: Method
    /// mean(a) - mean(b), in the values' own unit (fractions for accuracies).
    public var estimate: Double
    public var low: Double
    public var high: Double
    public var degreesOfFreedom: Double
    public var pValue: Double
    /// Values on each side (for paired: the seeds both have).
    public var countA: Int
    public var countB: Int
    public var confidence: Double

    /// `a` and `b` map seed -> value (runs that diverged are simply absent).
    public static func test(_ a: [UInt64: Double], _ b: [UInt64: Double], paired: Bool,
                            confidence: Double = 0.95) -> MeanDifference? {
        if paired {
            let seeds = Set(a.keys).intersection(b.keys).sorted()
            guard seeds.count >= 2 else { return nil }
            let d = seeds.map { a[$0]! - b[$0]! }
            let s = Summary(d)
            let se = s.sd / Double(d.count).squareRoot()
            return make(.paired, estimate: s.mean, se: se, df: Double(d.count - 1), na: d.count, nb: d.count, confidence: confidence)
        }
        let va = a.keys.sorted().map { a[$0]! }, vb = b.keys.sorted().map { b[$0]! }
        guard va.count >= 2, vb.count >= 2 else { return nil }
        let sa = Summary(va), sb = Summary(vb)
        let qa = sa.sd * sa.sd / Double(va.count), qb = sb.sd * sb.sd / Double(vb.count)
        let se = (qa + qb).squareRoot()
        let df = (qa + qb) * (qa + qb) / (qa * qa / Double(va.count - 1) + qb * qb / Double(vb.count - 1))
        return make(.welch, estimate: sa.mean - sb.mean, se: se, df: df.isFinite ? df : Double(va.count + vb.count - 2),
                    na: va.count, nb: vb.count, confidence: confidence)
    }

    private static func make(_ method: Method, estimate: Double, se: Double, df: Double, na: Int, nb: Int,
                             confidence: Double) -> MeanDifference {
        // No spread at all (identical values): the difference is exact.
        if se == 0 {
            return MeanDifference(method: method, estimate: estimate, low: estimate, high: estimate, degreesOfFreedom: df,
                                  pValue: estimate == 0 ? 1 : 0, countA: na, countB: nb, confidence: confidence)
        }
        let half = StudentT.criticalValue(confidence: confidence, df: df) * se
        return MeanDifference(method: method, estimate: estimate, low: estimate - half, high: estimate + half,
                              degreesOfFreedom: df, pValue: StudentT.twoSidedP(t: estimate / se, df: df),
                              countA: na, countB: nb, confidence: confidence)
    }
}

/// Holm's step-down correction: controls the chance of any false "different" across a
/// family of m tests at the stated level, without assuming the tests are independent.
public enum Holm {
    /// Adjusted p-values, in the input's order: sorted ascending, the i-th (from 0) becomes
    /// max over j <= i of min(1, (m - j) p_(j)).
    public static func adjust(_ p: [Double]) -> [Double] {
        let m = p.count
        let order = p.indices.sorted { (p[$0], $0) < (p[$1], $1) }
        var adjusted = [Double](repeating: 1, count: m)
        var running = 0.0
        for (rank, index) in order.enumerated() {
            running = max(running, min(1, Double(m - rank) * p[index]))
            adjusted[index] = running
        }
        return adjusted
    }
}
