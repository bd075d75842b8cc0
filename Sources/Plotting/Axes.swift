import Foundation

/// One plotting area of a figure: data series, axis settings and, after the figure has
/// been laid out, the transform from data to image pixels.
///
/// An axes shows either x/y data (lines, bands, scatter, bars), an image grid, or a
/// heatmap; adding an image grid or heatmap replaces whatever else was there.
public final class Axes {
    public let row: Int
    public let column: Int

    public var title: String?
    public var xLabel: String?
    public var yLabel: String?
    /// Fixed view limits in data units; nil means automatic (data range plus 5 % margins).
    public var xLimits: ClosedRange<Double>?
    public var yLimits: ClosedRange<Double>?
    public var xScale: AxisScale = .linear
    public var yScale: AxisScale = .linear
    public var xFormat: TickFormat = .automatic
    public var yFormat: TickFormat = .automatic
    /// Ticks exactly at these values (matplotlib's `set_xticks`), labelled as plain numbers in
    /// the axis format, e.g. every learning rate of a sweep on a log axis; nil: automatic.
    public var xTickValues: [Double]?
    /// The same for the y axis (matplotlib's `set_yticks`), e.g. accuracy ticks that stop at
    /// 100 % on an axis with room above it for a legend.
    public var yTickValues: [Double]?
    /// Only whole-number ticks (matplotlib's `MaxNLocator(integer=True)`), e.g. epochs.
    public var xIntegerTicks = false
    /// Light grey grid lines at the major ticks, drawn under the data.
    public var grid = false
    public var legend: LegendPlacement = .automatic

    var lines: [LineSeries] = []
    var bands: [Band] = []
    var barCharts: [BarChart] = []
    var imageGrid: ImageGrid?
    var heatmap: Heatmap?
    private var cycleIndex = 0

    /// Set by `Figure.layout()`.
    var geometry: AxesGeometry?

    init(row: Int, column: Int) {
        self.row = row
        self.column = column
    }

    /// The next colour of the tab10 cycle, advancing the cycle.
    public func nextColor() -> Color {
        defer { cycleIndex += 1 }
        return Color.tab10[cycleIndex % Color.tab10.count]
    }

    private var peekColor: Color { Color.tab10[cycleIndex % Color.tab10.count] }

    // MARK: Adding data

    /// A line through (x[i], y[i]); extra elements of the longer array are ignored.
    /// Non-finite points leave gaps. `width` is in points.
    public func plot(x: [Double], y: [Double], label: String? = nil, color: Color? = nil,
                     width: Double = 1.5, style: LineStyle = .solid, marker: Marker = .none) {
        let n = min(x.count, y.count)
        lines.append(LineSeries(x: Array(x.prefix(n)), y: Array(y.prefix(n)), label: label,
                                color: color ?? nextColor(), width: width, style: style,
                                marker: marker, connect: true))
    }

    /// Markers only, no connecting line (e.g. crosses where a run diverged).
    public func scatter(x: [Double], y: [Double], label: String? = nil, color: Color? = nil,
                        marker: Marker = .circle) {
        let n = min(x.count, y.count)
        lines.append(LineSeries(x: Array(x.prefix(n)), y: Array(y.prefix(n)), label: label,
                                color: color ?? nextColor(), width: 1.5, style: .solid,
                                marker: marker == .none ? .circle : marker, connect: false))
    }

    /// A translucent fill between `lower` and `upper` (e.g. mean -/+ sd across seeds).
    /// Bands are always drawn beneath lines. Without a colour the band takes the colour
    /// the next `plot` will get, so `band(...)` then `plot(...)` pairs them; the cycle
    /// does not advance. Points where any value is non-finite split the band.
    public func band(x: [Double], lower: [Double], upper: [Double], color: Color? = nil,
                     alpha: Double = 0.2, label: String? = nil) {
        let n = min(x.count, lower.count, upper.count)
        bands.append(Band(x: Array(x.prefix(n)), lower: Array(lower.prefix(n)),
                          upper: Array(upper.prefix(n)), color: color ?? peekColor,
                          alpha: alpha, label: label))
    }

    /// Grouped bars: category i gets one bar per series side by side, series coloured
    /// from the cycle and listed in the legend. `errors[s][i]` is a symmetric error bar
    /// (e.g. the sd across seeds) on bar i of series s. Non-finite values draw no bar.
    public func bars(categories: [String], series: [(label: String, values: [Double])],
                     errors: [[Double]]? = nil) {
        let colors = series.map { _ in nextColor() }
        barCharts.append(BarChart(categories: categories, series: series, errors: errors, colors: colors))
    }

    /// A grid of small images (e.g. 28 x 28 digits or weight tiles), `columns` per row,
    /// with equal aspect and no axis ticks. Each image is `width * height` values in
    /// row-major order, top row first. With `range` all images share that value range;
    /// otherwise each image is scaled to its own range, and `symmetric` centres that range
    /// on zero (-max|v|...max|v|) so zero always maps to the colour map's middle.
    /// `colorBar` draws the shared `range`'s scale on the right (ignored without a `range`).
    public func imageGrid(images: [[Double]], width: Int, height: Int, columns: Int,
                          colorMap: ColorMap = .grey, symmetric: Bool = false,
                          range: ClosedRange<Double>? = nil, colorBar: Bool = false) {
        clearForImage()
        imageGrid = ImageGrid(images: images, width: max(0, width), height: max(0, height),
                              columns: max(1, columns), colorMap: colorMap, symmetric: symmetric, range: range,
                              colorBar: colorBar && range != nil)
    }

    /// The scale a colour bar shows, when this axes has one.
    var colorScale: ColorScale? {
        if let heatmap, heatmap.colorBar { return ColorScale(map: heatmap.colorMap, limits: heatmap.limits) }
        if let grid = imageGrid, grid.colorBar, let range = grid.range {
            return ColorScale(map: grid.colorMap, limits: Ticks.nonsingular(range.lowerBound, range.upperBound))
        }
        return nil
    }

    /// A matrix of coloured cells, row 0 at the top, with the labels as tick labels,
    /// optionally each cell's value written in it (integers when all values are whole,
    /// otherwise two decimals) and a colour bar on the right.
    public func heatmap(values: [[Double]], rowLabels: [String] = [], columnLabels: [String] = [],
                        annotate: Bool = false, colorBar: Bool = true, colorMap: ColorMap = .blues) {
        clearForImage()
        let finite = values.flatMap { $0 }.filter(\.isFinite)
        let limits = Ticks.nonsingular(finite.min() ?? 0, finite.max() ?? 1)
        heatmap = Heatmap(values: values, rowLabels: rowLabels, columnLabels: columnLabels,
                          annotate: annotate, colorBar: colorBar, colorMap: colorMap, limits: limits)
    }

    private func clearForImage() {
        lines = []; bands = []; barCharts = []; imageGrid = nil; heatmap = nil
    }

    // MARK: After layout

    /// The axes' plotting rectangle in image pixels (y down), once the figure is laid out.
    public var pixelFrame: Rect? {
        geometry.map { $0.frame.scaled(by: $0.pixelsPerPoint) }
    }

    /// The legend box in image pixels, or nil without a legend or before layout.
    public var legendPixelFrame: Rect? {
        guard let g = geometry, let box = g.legendFrame else { return nil }
        return box.scaled(by: g.pixelsPerPoint)
    }

    /// Where the legend was placed (resolving `.automatic`), after layout.
    public var resolvedLegendPlacement: LegendPlacement? { geometry?.legendPlacement }

    /// View limits in data units after layout.
    public var xView: ClosedRange<Double>? { geometry.map { $0.x.view.0...$0.x.view.1 } }
    public var yView: ClosedRange<Double>? { geometry.map { $0.y.view.0...$0.y.view.1 } }
    /// Tick positions (data units) and labels after layout.
    public var xTicks: [Double] { geometry?.x.ticks ?? [] }
    public var yTicks: [Double] { geometry?.y.ticks ?? [] }
    public var xTickLabels: [String] { geometry?.x.labels.labels ?? [] }
    public var yTickLabels: [String] { geometry?.y.labels.labels ?? [] }

    /// The image pixel position of a data point (continuous coordinates: pixel (i, j)
    /// covers [i, i+1) x [j, j+1)), or nil before layout or for a point the scales cannot
    /// show (NaN, or <= 0 on a log axis).
    public func pixel(x: Double, y: Double) -> (x: Double, y: Double)? {
        guard let g = geometry, let p = g.point(x: x, y: y) else { return nil }
        return (p.0 * g.pixelsPerPoint, p.1 * g.pixelsPerPoint)
    }

    // MARK: Data extent

    var isXY: Bool { imageGrid == nil && heatmap == nil }

    /// Finite data extent along each axis in data units, in the axis' scale; nil when
    /// there is nothing to show. Bars pin y to include zero.
    func dataExtent() -> (x: (Double, Double)?, y: (Double, Double)?) {
        var xs = Extent(), ys = Extent()
        for line in lines {
            for (x, y) in zip(line.x, line.y) {
                let tx = xScale.forward(x), ty = yScale.forward(y)
                if tx.isFinite && ty.isFinite { xs.add(x); ys.add(y) }
            }
        }
        for band in bands {
            for i in band.x.indices {
                let tx = xScale.forward(band.x[i])
                let lo = yScale.forward(band.lower[i]), hi = yScale.forward(band.upper[i])
                if tx.isFinite && lo.isFinite && hi.isFinite {
                    xs.add(band.x[i]); ys.add(band.lower[i]); ys.add(band.upper[i])
                }
            }
        }
        for chart in barCharts where !chart.categories.isEmpty {
            xs.add(-chart.groupWidth / 2)
            xs.add(Double(chart.categories.count - 1) + chart.groupWidth / 2)
            if !yScale.isLog { ys.add(0) }
            for (s, series) in chart.series.enumerated() {
                for (i, v) in series.values.prefix(chart.categories.count).enumerated() where v.isFinite {
                    let e = chart.errors.flatMap { s < $0.count && i < $0[s].count ? abs($0[s][i]) : nil } ?? 0
                    let err = e.isFinite ? e : 0
                    ys.add(v + err); ys.add(v - err)
                }
            }
        }
        return (xs.range, ys.range)
    }

    var hasBars: Bool { barCharts.contains { !$0.categories.isEmpty } }
}

/// Running min/max of finite values.
struct Extent {
    var lo = Double.infinity
    var hi = -Double.infinity
    mutating func add(_ v: Double) {
        guard v.isFinite else { return }
        lo = min(lo, v); hi = max(hi, v)
    }
    var range: (Double, Double)? { lo <= hi ? (lo, hi) : nil }
}
