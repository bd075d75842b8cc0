import Foundation

/// How tick values become text.
public enum TickFormat: Sendable, Equatable {
    /// Plain numbers with the fewest decimals that are exact for the tick step, with a
    /// shared offset ("+1") or power-of-ten multiplier ("1e9") shown once per axis when the
    /// numbers would otherwise be long (like matplotlib's ScalarFormatter).
    case automatic
    /// Fractions as percentages: 0.9 -> "90%".
    case percent
}

/// Tick labels of one axis plus the text shown once at the end of the axis (multiplier
/// and/or offset, e.g. "1e9" meaning every label is to be multiplied by 10^9).
public struct TickLabels: Equatable, Sendable {
    public var labels: [String]
    public var offsetText: String?
}

/// Pure functions that place and label ticks. They follow matplotlib's defaults:
/// MaxNLocator with steps 1, 2, 2.5, 5, 10 for linear axes, integer powers of the base for
/// log axes, ScalarFormatter-like labels.
public enum Ticks {
    /// matplotlib's limit on intervals for an automatic axis (MaxNLocator nbins 'auto' is
    /// clamped to 9).
    public static let defaultMaxIntervals = 9
    /// Unicode minus, as matplotlib typesets negative numbers.
    static let minus = "\u{2212}"

    /// The number of tick intervals an axis of this length has room for, matplotlib's
    /// 'auto' rule: one interval per three font sizes along x (labels are wide) and per two
    /// font sizes along y, clamped to 1...9. Lengths and font size are in points.
    public static func maxIntervals(axisLength: Double, fontSize: Double = 10, vertical: Bool) -> Int {
        let per = fontSize * (vertical ? 2 : 3)
        guard axisLength.isFinite, per > 0 else { return defaultMaxIntervals }
        return max(1, min(defaultMaxIntervals, Int((axisLength / per).rounded(.down))))
    }

    /// matplotlib's `nonsingular`: widens an empty or vanishing interval so that it can be
    /// divided into ticks. A zero-width interval at v becomes v -/+ 5 % of |v|, or -0.05...0.05
    /// at zero; non-finite bounds give -0.05...0.05.
    public static func nonsingular(_ a: Double, _ b: Double, expander: Double = 0.05) -> (Double, Double) {
        guard a.isFinite, b.isFinite else { return (-expander, expander) }
        var lo = min(a, b), hi = max(a, b)
        let maxAbs = max(abs(lo), abs(hi))
        if maxAbs < 1e-290 {
            return (-expander, expander)
        }
        if hi - lo <= maxAbs * 1e-15 {
            lo -= expander * abs(lo)
            hi += expander * abs(hi)
        }
        return (lo, hi)
    }

    /// View limits for data spanning `min...max`: made nonsingular, then widened by
    /// `margin` of the range on each side, both in the scale's linear space (so a log axis
    /// gets equal margins in decades).
    public static func autoLimits(min: Double, max: Double, scale: AxisScale = .linear,
                                  margin: Double = 0.05) -> (Double, Double) {
        var t0 = scale.forward(min), t1 = scale.forward(max)
        (t0, t1) = nonsingular(t0, t1)
        let delta = (t1 - t0) * margin
        return (scale.inverse(t0 - delta), scale.inverse(t1 + delta))
    }

    // MARK: Linear locator

    /// Tick positions for a linear axis showing `min...max`, at multiples of the smallest
    /// step from {1, 2, 2.5, 5, 10} x 10^n that needs at most `maxIntervals` intervals to
    /// cover the range (and yields at least two ticks inside it). Only ticks inside the view
    /// (within rounding) are returned.
    public static func linear(min: Double, max: Double, maxIntervals: Int = defaultMaxIntervals) -> [Double] {
        let (lo, hi) = nonsingular(min, max)
        let tolerance = (hi - lo) * 1e-9
        return linearCovering(lo, hi, maxIntervals: maxIntervals)
            .filter { $0 >= lo - tolerance && $0 <= hi + tolerance }
    }

    /// All ticks of the chosen step from the last one at or below `lo` to the first at or
    /// above `hi`. Large values far from zero are handled relative to a power-of-ten offset
    /// so that tiny steps keep their precision.
    static func linearCovering(_ lo: Double, _ hi: Double, maxIntervals: Int) -> [Double] {
        let bins = Double(Swift.max(1, maxIntervals))
        let span = hi - lo
        guard span > 0, span.isFinite else { return [] }
        let mean = (hi + lo) / 2
        var offset = 0.0
        if abs(mean) / span >= 100 {
            offset = copysign(pow(10, floor(log10(abs(mean)))), mean)
        }
        let scale = pow(10, floor(log10(span / bins)))
        let low = lo - offset, high = hi - offset
        let steps = [0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20].map { $0 * scale }
        let rawStep = (high - low) / bins
        let first = steps.firstIndex { $0 >= rawStep } ?? steps.count - 1
        var ticks: [Double] = []
        for step in steps[0...first].reversed() {
            let base = floor(low / step) * step
            let tolerance = Swift.max(1e-10, offset != 0 ? pow(10, log10(abs(offset) / step) - 12) : 0)
            let from = edgeBelow(low - base, step: step, tolerance: tolerance)
            let to = edgeAbove(high - base, step: step, tolerance: tolerance)
            guard to >= from, to - from < 10_000 else { continue }
            ticks = (from...to).map { Double($0) * step + base }
            let inside = ticks.filter { $0 >= low && $0 <= high }.count
            if inside >= 2 { break }
        }
        return ticks.map { tick in
            let value = tick + offset
            // Multiples of the step that should be zero come out as 1e-17 and print as "-0".
            return abs(value) < span * 1e-12 ? 0 : value
        }
    }

    /// Index of the last multiple of `step` at or below x, treating near-multiples as exact.
    private static func edgeBelow(_ x: Double, step: Double, tolerance: Double) -> Int {
        let d = floor(x / step), remainder = x - d * step
        return Int(abs(remainder / step - 1) < tolerance ? d + 1 : d)
    }

    /// Index of the first multiple of `step` at or above x, treating near-multiples as exact.
    private static func edgeAbove(_ x: Double, step: Double, tolerance: Double) -> Int {
        let d = floor(x / step), remainder = x - d * step
        return Int(abs(remainder / step) < tolerance ? d : d + 1)
    }

    // MARK: Log locator

    /// Tick positions for a log axis showing `min...max` (both > 0): the integer powers of
    /// `base` inside the view, thinned to every k-th power when there are more than
    /// `maxTicks`. When fewer than two powers fall inside (a range within one decade),
    /// 1-2-5 multiples (base 10) or linear ticks are used instead so the axis is never bare.
    public static func log(min: Double, max: Double, base: Double = 10,
                           maxTicks: Int = defaultMaxIntervals + 1) -> [Double] {
        guard min > 0, max > min, min.isFinite, max.isFinite, base > 1 else { return [] }
        let lb = Foundation.log(base)
        let e0 = Int((Foundation.log(min) / lb - 1e-9).rounded(.up))
        let e1 = Int((Foundation.log(max) / lb + 1e-9).rounded(.down))
        if e1 - e0 + 1 >= 2 {
            let count = e1 - e0 + 1
            let stride = Swift.max(1, Int((Double(count) / Double(Swift.max(1, maxTicks))).rounded(.up)))
            return (e0...e1).filter { $0 % stride == 0 }.map { exactPower(base, $0) }
        }
        if base == 10 {
            let decades = (e0 - 1)...(e1 + 1)
            let candidates = decades.flatMap { e in [1.0, 2, 5].map { $0 * exactPower(10, e) } }
            let inside = candidates.filter { $0 >= min * (1 - 1e-9) && $0 <= max * (1 + 1e-9) }
            if inside.count >= 2 { return inside }
        }
        return linear(min: min, max: max, maxIntervals: Swift.max(1, maxTicks - 1)).filter { $0 > 0 }
    }

    /// base^exponent, exact for powers of ten where `pow` is not (pow(10, -3) != 0.001).
    static func exactPower(_ base: Double, _ exponent: Int) -> Double {
        if base == 10 {
            return exponent >= 0 ? pow(10, Double(exponent)) : 1 / pow(10, Double(-exponent))
        }
        return pow(base, Double(exponent))
    }

    // MARK: Labels

    /// Labels for linear ticks without a shared offset or multiplier (see `format` for
    /// the axis form that adds them when numbers would be long).
    public static func labels(_ ticks: [Double], format: TickFormat = .automatic) -> [String] {
        self.format(ticks, format: format).labels
    }

    /// Labels for linear ticks with the fewest decimals that print every tick exactly and
    /// tell them apart. With `.automatic`, ticks that share many leading digits are shown
    /// relative to an offset, and values of magnitude >= 1e6 or < 1e-4 are divided by a
    /// power of ten; both are returned as `offsetText` ("1e9", "+1", "1e−9+1").
    public static func format(_ ticks: [Double], format: TickFormat = .automatic) -> TickLabels {
        guard !ticks.isEmpty else { return TickLabels(labels: [], offsetText: nil) }
        let sorted = ticks.sorted()
        let step = smallestGap(sorted)
        switch format {
        case .percent:
            let values = ticks.map { $0 * 100 }
            return TickLabels(labels: fixed(values, step: step * 100).map { $0 + "%" }, offsetText: nil)
        case .automatic:
            var offset = 0.0
            let lo = sorted.first!, hi = sorted.last!
            if sorted.count >= 2, hi > lo {
                let unit = pow(10, floor(log10(hi - lo)) + 1)
                let candidate = (((lo + hi) / 2) / unit).rounded(.down) * unit
                // Worth it only when it removes at least four shared leading digits.
                if candidate != 0, log10(abs(candidate)) - log10(hi - lo) >= 4 {
                    offset = candidate
                }
            }
            var values = ticks.map { $0 - offset }
            var scaledStep = step
            var multiplierExponent = 0
            let largest = values.map(abs).max() ?? 0
            if largest > 0 {
                let order = Int(floor(log10(largest)))
                if order >= 6 || order <= -5 {
                    multiplierExponent = order
                    let factor = pow(10, Double(order))
                    values = values.map { $0 / factor }
                    scaledStep = step / factor
                }
            }
            var parts: [String] = []
            if multiplierExponent != 0 { parts.append("1e" + signed(multiplierExponent)) }
            if offset != 0 { parts.append((offset > 0 ? "+" : Ticks.minus) + shortNumber(abs(offset))) }
            return TickLabels(labels: fixed(values, step: scaledStep),
                              offsetText: parts.isEmpty ? nil : parts.joined(separator: " "))
        }
    }

    /// Labels for ticks on a log axis: plain numbers while they stay short (1, 2, ..., 128;
    /// 0.001 ... 10000), otherwise the power written with superscripts ("10⁹", "2⁻⁸").
    public static func logLabels(_ ticks: [Double], base: Double, format: TickFormat = .automatic) -> [String] {
        logFormat(ticks, base: base, format: format).labels
    }

    /// Log-axis labels with an offset text when needed: powers and short numbers as in
    /// `logLabels`, but ticks from the linear fallback (a range far narrower than a
    /// decade) that would print alike are labelled like a linear axis.
    public static func logFormat(_ ticks: [Double], base: Double, format: TickFormat = .automatic) -> TickLabels {
        if format == .percent { return self.format(ticks, format: .percent) }
        let labels = powerLabels(ticks, base: base)
        if Set(labels).count == Set(ticks).count && labels.allSatisfy({ $0.count <= 8 }) {
            return TickLabels(labels: labels, offsetText: nil)
        }
        return self.format(ticks, format: format)
    }

    private static func powerLabels(_ ticks: [Double], base: Double) -> [String] {
        let lb = Foundation.log(base)
        return ticks.map { tick in
            let exponent = Foundation.log(tick) / lb
            let k = Int(exponent.rounded())
            guard abs(exponent - Double(k)) < 1e-9 else {
                return shortNumber(tick)
            }
            let plainRange = base == 10 ? (-3...4) : (-4...16)
            if plainRange.contains(k) {
                return shortNumber(exactPower(base, k))
            }
            let baseText = base == Foundation.exp(1) ? "e" : shortNumber(base)
            return baseText + superscript(k)
        }
    }

    /// Smallest positive difference between sorted ticks; the magnitude of a lone tick.
    private static func smallestGap(_ sorted: [Double]) -> Double {
        var gap = Double.infinity
        for (a, b) in zip(sorted, sorted.dropFirst()) where b - a > 0 {
            gap = Swift.min(gap, b - a)
        }
        if gap.isFinite { return gap }
        let magnitude = abs(sorted.first ?? 1)
        return magnitude > 0 ? pow(10, floor(log10(magnitude))) : 1
    }

    /// Fixed-point labels with the fewest decimals (0...15) that print each value to within
    /// a millionth of the step and keep the labels distinct.
    static func fixed(_ values: [Double], step: Double) -> [String] {
        let tolerance = Swift.max(abs(step) * 1e-6, 1e-300)
        for decimals in 0...15 {
            let texts = values.map { fixedText($0, decimals: decimals, zeroBelow: tolerance) }
            let exact = zip(values, texts).allSatisfy { value, _ in
                let rounded = (value * pow(10, Double(decimals))).rounded() / pow(10, Double(decimals))
                return abs(rounded - value) <= tolerance
            }
            if exact && Set(texts).count == Set(values).count { return texts }
        }
        return values.map { fixedText($0, decimals: 15, zeroBelow: tolerance) }
    }

    private static func fixedText(_ value: Double, decimals: Int, zeroBelow tolerance: Double) -> String {
        let v = abs(value) < tolerance ? 0 : value
        let text = String(format: "%.\(decimals)f", abs(v))
        let isZero = text.allSatisfy { $0 == "0" || $0 == "." }
        return (v < 0 && !isZero ? minus : "") + text
    }

    /// A number in its shortest exact-looking form: "2", "0.125", "1.5e12".
    static func shortNumber(_ value: Double) -> String {
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e-4 && magnitude < 1e7 {
            for decimals in 0...10 {
                let text = String(format: "%.\(decimals)f", magnitude)
                if abs((Double(text) ?? 0) - magnitude) <= magnitude * 1e-12 {
                    return (value < 0 ? minus : "") + text
                }
            }
        }
        var exponent = Int(floor(log10(magnitude)))
        var mantissa = magnitude / pow(10, Double(exponent))
        if mantissa >= 9.9999999995 { mantissa /= 10; exponent += 1 }
        var mantissaText = String(format: "%.9f", mantissa)
        while mantissaText.hasSuffix("0") { mantissaText.removeLast() }
        if mantissaText.hasSuffix(".") { mantissaText.removeLast() }
        return (value < 0 ? minus : "") + mantissaText + "e" + signed(exponent)
    }

    private static func signed(_ n: Int) -> String { n < 0 ? minus + String(-n) : String(n) }

    private static func superscript(_ n: Int) -> String {
        let digits: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
        let body = String(abs(n)).map { digits[Int(String($0))!] }
        return (n < 0 ? "⁻" : "") + String(body)
    }
}
