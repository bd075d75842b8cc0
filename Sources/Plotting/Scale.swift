import Foundation

/// How data values map onto an axis before the linear map to pixels.
public enum AxisScale: Sendable, Equatable {
    case linear
    /// Logarithmic with the given base (2 or 10 in practice). Values <= 0 cannot be shown
    /// and are treated like NaN: they leave a gap in a line.
    case log(base: Double)

    /// The value in the scale's linear space (the logarithm for log scales), or NaN when
    /// the value cannot be placed on this axis.
    func forward(_ value: Double) -> Double {
        switch self {
        case .linear:
            return value.isFinite ? value : .nan
        case .log(let base):
            guard value.isFinite, value > 0 else { return .nan }
            return Foundation.log(value) / Foundation.log(base)
        }
    }

    /// The data value for a position in the scale's linear space.
    func inverse(_ t: Double) -> Double {
        switch self {
        case .linear: return t
        case .log(let base): return pow(base, t)
        }
    }

    var isLog: Bool { if case .log = self { return true } else { return false } }
}
