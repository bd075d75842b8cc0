import Foundation

/// An sRGB colour with straight (not premultiplied) alpha; every component lies in 0...1.
public struct Color: Equatable, Hashable, Sendable {
    public var red: Double
    public var green: Double
    public var blue: Double
    public var alpha: Double

    public init(red: Double, green: Double, blue: Double, alpha: Double = 1) {
        self.red = red.clamped01
        self.green = green.clamped01
        self.blue = blue.clamped01
        self.alpha = alpha.clamped01
    }

    /// A colour from six hexadecimal digits ("1f77b4", optionally with a leading "#").
    /// Colours are written as literals in code, so a malformed string is a programming
    /// error and traps; use `init?(parsing:)` for input that comes from outside.
    public init(hex: String) {
        guard let color = Color(parsing: hex) else {
            preconditionFailure("Color(hex:): '\(hex)' is not six hexadecimal digits")
        }
        self = color
    }

    /// A colour from six hexadecimal digits, or nil when the string is not of that form.
    public init?(parsing hex: String) {
        let digits = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
        guard digits.count == 6, let value = UInt32(digits, radix: 16) else { return nil }
        self.init(red: Double((value >> 16) & 0xff) / 255,
                  green: Double((value >> 8) & 0xff) / 255,
                  blue: Double(value & 0xff) / 255)
    }

    /// The same colour with another opacity.
    public func withAlpha(_ alpha: Double) -> Color {
        Color(red: red, green: green, blue: blue, alpha: alpha)
    }

    /// Relative luminance (ITU-R BT.709 weights on the gamma-encoded values), used to pick
    /// black or white annotation text that stays readable on a cell of this colour.
    public var luminance: Double { 0.2126 * red + 0.7152 * green + 0.0722 * blue }

    public static let white = Color(red: 1, green: 1, blue: 1)
    public static let black = Color(red: 0, green: 0, blue: 0)
    /// Grid lines (matplotlib's grid.color).
    public static let gridGrey = Color(hex: "b0b0b0")
    /// Legend frame edge (matplotlib's legend.edgecolor 0.8).
    public static let legendEdge = Color(hex: "cccccc")

    /// matplotlib's default colour cycle ("tab10"); series without a colour take these in turn.
    public static let tab10: [Color] = [
        "1f77b4", "ff7f0e", "2ca02c", "d62728", "9467bd",
        "8c564b", "e377c2", "7f7f7f", "bcbd22", "17becf",
    ].map { Color(hex: $0) }

    /// Linear interpolation between two colours, `t` in 0...1.
    static func mix(_ a: Color, _ b: Color, _ t: Double) -> Color {
        Color(red: a.red + (b.red - a.red) * t,
              green: a.green + (b.green - a.green) * t,
              blue: a.blue + (b.blue - a.blue) * t,
              alpha: a.alpha + (b.alpha - a.alpha) * t)
    }
}

/// Maps a value in 0...1 to a colour by piecewise-linear interpolation between anchors.
public enum ColorMap: Sendable, Equatable {
    /// Black (0) to white (1), like matplotlib's "gray".
    case grey
    /// White (0) to black (1), like "gray_r": dark ink on white paper.
    case greyInverted
    /// Blue (0) through near-white (0.5) to red (1): ColorBrewer RdBu reversed, for values
    /// symmetric around zero such as weights (negative blue, positive red).
    case diverging
    /// White to dark blue (ColorBrewer Blues), for counts such as a confusion matrix.
    case blues
    /// Perceptually uniform dark purple to yellow, an approximation of matplotlib's viridis.
    case viridis

    private static let divergingAnchors: [Color] = [
        "053061", "2166ac", "4393c3", "92c5de", "d1e5f0", "f7f7f7",
        "fddbc7", "f4a582", "d6604d", "b2182b", "67001f",
    ].map { Color(hex: $0) }
    private static let bluesAnchors: [Color] = [
        "f7fbff", "deebf7", "c6dbef", "9ecae1", "6baed6", "4292c6", "2171b5", "08519c", "08306b",
    ].map { Color(hex: $0) }
    private static let viridisAnchors: [Color] = [
        "440154", "482878", "3e4989", "31688e", "26828e", "1f9e89", "35b779", "6ece58",
        "b5de2b", "fde725",
    ].map { Color(hex: $0) }

    /// The colour for `t`; values outside 0...1 are clamped and NaN maps to mid-grey-ish 0.5.
    public func color(at t: Double) -> Color {
        let t = t.isNaN ? 0.5 : t.clamped01
        switch self {
        case .grey: return Color(red: t, green: t, blue: t)
        case .greyInverted: return Color(red: 1 - t, green: 1 - t, blue: 1 - t)
        case .diverging: return Self.interpolate(Self.divergingAnchors, t)
        case .blues: return Self.interpolate(Self.bluesAnchors, t)
        case .viridis: return Self.interpolate(Self.viridisAnchors, t)
        }
    }

    private static func interpolate(_ anchors: [Color], _ t: Double) -> Color {
        let position = t * Double(anchors.count - 1)
        let index = min(Int(position), anchors.count - 2)
        return Color.mix(anchors[index], anchors[index + 1], position - Double(index))
    }
}

extension Double {
    var clamped01: Double { isNaN ? 0 : Swift.min(1, Swift.max(0, self)) }
}
