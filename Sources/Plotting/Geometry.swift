import Foundation

/// Typographic constants of the figure in points, after matplotlib's rcParams defaults.
enum Style {
    static let fontSize = 10.0          // ticks, labels, legend
    static let titleSize = 12.0         // axes title and suptitle ("large")
    static let lineWidth = 1.5
    static let spineWidth = 0.8
    static let tickLength = 3.5
    static let tickWidth = 0.8
    static let tickPad = 3.5            // tick to its label
    static let labelPad = 4.0           // tick labels to axis label
    static let titlePad = 6.0           // axes top to title
    static let figurePad = 8.0          // figure edge to outermost text
    static let cellGap = 14.0           // between neighbouring axes' decorations
    static let markerSize = 6.0
    static let gridWidth = 0.8
    static let margin = 0.05            // autoscale margin per side, fraction of data range
    static let minimumTickGap = 4.0     // horizontal space between neighbouring x tick labels
}

/// One axis after layout: view limits, scale, ticks and their labels.
struct AxisGeometry {
    var view: (Double, Double)
    var scale: AxisScale
    var ticks: [Double]
    var labels: TickLabels
    /// Draw the view's first value at the top (heatmaps) instead of at the bottom.
    var inverted = false
    /// Rotation of tick labels in radians (long category names on x).
    var labelAngle = 0.0

    /// Position along the axis as a fraction of its length (0 at the view's first
    /// value), or nil when the scale cannot place the value.
    func fraction(_ value: Double) -> Double? {
        let t = scale.forward(value)
        let t0 = scale.forward(view.0), t1 = scale.forward(view.1)
        guard t.isFinite, t0.isFinite, t1.isFinite, t1 != t0 else { return nil }
        return (t - t0) / (t1 - t0)
    }

    static let empty = AxisGeometry(view: (0, 1), scale: .linear, ticks: [],
                                    labels: TickLabels(labels: [], offsetText: nil))
}

/// An axes after layout, in points from the figure's top-left corner.
struct AxesGeometry {
    var frame: Rect
    var x: AxisGeometry
    var y: AxisGeometry
    var pixelsPerPoint: Double
    var legendFrame: Rect?
    var legendPlacement: LegendPlacement?
    var colorBar: ColorBarGeometry?

    /// Data -> points. Values outside the view map outside the frame (drawing clips).
    func point(x: Double, y: Double) -> (Double, Double)? {
        guard let fx = self.x.fraction(x), let fy = self.y.fraction(y) else { return nil }
        let px = frame.minX + fx * frame.width
        let py = self.y.inverted ? frame.minY + fy * frame.height : frame.maxY - fy * frame.height
        return (px, py)
    }

    func xPosition(_ x: Double) -> Double? { self.x.fraction(x).map { frame.minX + $0 * frame.width } }

    func yPosition(_ y: Double) -> Double? {
        self.y.fraction(y).map { self.y.inverted ? frame.minY + $0 * frame.height : frame.maxY - $0 * frame.height }
    }
}

/// The colour scale next to a heatmap or an image grid with a shared range.
struct ColorBarGeometry {
    var frame: Rect
    var axis: AxisGeometry
}
