/// Stroke pattern of a line.
public enum LineStyle: Sendable, Equatable {
    case solid
    /// matplotlib's "--": dashes of 3.7 line widths separated by gaps of 1.6 line widths.
    case dashed
}

/// Symbol drawn at each data point.
public enum Marker: Sendable, Equatable {
    case none
    /// Filled circle, 6 pt across (matplotlib's markersize 6).
    case circle
    /// An "x" cross, 6 pt across; used to mark diverged runs.
    case cross
    /// Filled square, triangle (apex up) and diamond, 6 pt across (matplotlib's "s", "^", "D"):
    /// with circles, distinct shapes tell apart lines that lie on top of each other.
    case square, triangle, diamond
    /// A ring, 8 pt across, drawn over a point (used to mark oscillating runs).
    case ring

    /// The filled shapes in the order lines take them, so that coinciding lines differ in shape.
    public static let cycle: [Marker] = [.circle, .square, .triangle, .diamond]
}

/// Where the legend goes inside the axes.
public enum LegendPlacement: Sendable, Equatable, CaseIterable {
    /// No legend.
    case none
    /// The candidate position (in the order below) that covers the fewest data points.
    case automatic
    case upperRight, upperLeft, lowerLeft, lowerRight, right
    case centerLeft, centerRight, lowerCenter, upperCenter, center

    /// matplotlib's order of candidates for loc="best"; ties go to the earlier one.
    public static let candidates: [LegendPlacement] = [
        .upperRight, .upperLeft, .lowerLeft, .lowerRight, .right,
        .centerLeft, .centerRight, .lowerCenter, .upperCenter, .center,
    ]
}

/// A polyline in data coordinates; non-finite points (or points <= 0 on a log axis)
/// split it into separate runs.
struct LineSeries {
    var x: [Double]
    var y: [Double]
    var label: String?
    var color: Color
    var width: Double
    var style: LineStyle
    var marker: Marker
    /// False for scatter: markers only.
    var connect: Bool
}

/// A filled region between two curves (mean -/+ sd), drawn under lines.
struct Band {
    var x: [Double]
    var lower: [Double]
    var upper: [Double]
    var color: Color
    var alpha: Double
    var label: String?
}

/// Grouped bars: one group per category, one bar per series in each group.
struct BarChart {
    var categories: [String]
    var series: [(label: String, values: [Double])]
    var errors: [[Double]]?
    var colors: [Color]
    /// Fraction of the unit category spacing taken by a group (matplotlib's 0.8 bar width).
    var groupWidth: Double = 0.8
}

/// Small images laid out left to right, top to bottom, each `width` x `height` pixels in
/// row-major order.
struct ImageGrid {
    var images: [[Double]]
    var width: Int
    var height: Int
    var columns: Int
    var colorMap: ColorMap
    var symmetric: Bool
    var range: ClosedRange<Double>?
    /// A colour bar for `range` (only with a shared range: per-image scales have no one bar).
    var colorBar: Bool
}

/// The value range a colour map spans, for drawing and for a colour bar beside the axes.
struct ColorScale {
    var map: ColorMap
    var limits: (Double, Double)
}

/// A matrix of coloured cells with row 0 at the top, like matplotlib's imshow.
struct Heatmap {
    var values: [[Double]]
    var rowLabels: [String]
    var columnLabels: [String]
    var annotate: Bool
    var colorBar: Bool
    var colorMap: ColorMap
    /// Finite (min, max) of the values, widened when constant.
    var limits: (Double, Double)
}
