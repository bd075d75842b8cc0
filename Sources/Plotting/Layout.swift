import Foundation

/// Space an axes needs around its plotting rectangle for ticks, labels and titles, in points.
struct Margins {
    var left = 0.0, right = 0.0, top = 0.0, bottom = 0.0

    static func max(_ a: Margins, _ b: Margins) -> Margins {
        Margins(left: Swift.max(a.left, b.left), right: Swift.max(a.right, b.right),
                top: Swift.max(a.top, b.top), bottom: Swift.max(a.bottom, b.bottom))
    }
}

extension Axes {
    /// Axis geometry for a plotting rectangle of the given size (points): limits, ticks
    /// and labels. Numeric x ticks are thinned until their labels no longer touch.
    func axes(for frame: Rect, canvas: Canvas) -> (x: AxisGeometry, y: AxisGeometry) {
        if let heatmap {
            let rows = heatmap.values.count
            let columns = heatmap.values.map(\.count).max() ?? 0
            var x = categoryAxis(count: columns, labels: heatmap.columnLabels)
            var y = categoryAxis(count: rows, labels: heatmap.rowLabels)
            y.inverted = true
            x.labelAngle = categoryAngle(x, length: frame.width, canvas: canvas)
            return (x, y)
        }
        if imageGrid != nil { return (.empty, .empty) }

        let extent = dataExtent()
        let xView = viewLimits(fixed: xLimits, data: extent.x, scale: xScale, sticky: false)
        let yView = viewLimits(fixed: yLimits, data: extent.y, scale: yScale, sticky: hasBars)
        var x: AxisGeometry
        if hasBars && xLimits == nil && !xScale.isLog {
            let chart = barCharts.first { !$0.categories.isEmpty }!
            x = categoryAxis(count: chart.categories.count, labels: chart.categories)
            x.view = xView
            x.labelAngle = categoryAngle(x, length: frame.width, canvas: canvas)
        } else {
            x = numericAxis(view: xView, scale: xScale, format: xFormat,
                            maxIntervals: Ticks.maxIntervals(axisLength: frame.width, vertical: false),
                            length: frame.width, canvas: canvas, checkOverlap: true)
            if let values = xTickValues {
                let inside = values.filter { $0 >= Swift.min(xView.0, xView.1) && $0 <= Swift.max(xView.0, xView.1) }.sorted()
                let labels = xScale.isLog ? TickLabels(labels: inside.map(Ticks.shortNumber), offsetText: nil)
                                         : Ticks.format(inside, format: xFormat)
                x = AxisGeometry(view: xView, scale: xScale, ticks: inside, labels: labels)
            } else if xIntegerTicks {
                let whole = x.ticks.filter { $0 == $0.rounded() }
                if whole.count >= 2 { x = AxisGeometry(view: xView, scale: xScale, ticks: whole, labels: Ticks.format(whole, format: xFormat)) }
            }
        }
        var y = numericAxis(view: yView, scale: yScale, format: yFormat,
                            maxIntervals: Ticks.maxIntervals(axisLength: frame.height, vertical: true),
                            length: frame.height, canvas: canvas, checkOverlap: false)
        if let values = yTickValues {
            let inside = values.filter { $0 >= Swift.min(yView.0, yView.1) && $0 <= Swift.max(yView.0, yView.1) }.sorted()
            let labels = yScale.isLog ? TickLabels(labels: inside.map(Ticks.shortNumber), offsetText: nil)
                                     : Ticks.format(inside, format: yFormat)
            y = AxisGeometry(view: yView, scale: yScale, ticks: inside, labels: labels)
        }
        return (x, y)
    }

    /// Fixed limits when valid for the scale, else the data range with margins, else
    /// matplotlib's empty-axes default (0...1, or 1...base on a log axis).
    private func viewLimits(fixed: ClosedRange<Double>?, data: (Double, Double)?, scale: AxisScale,
                            sticky: Bool) -> (Double, Double) {
        if let fixed, fixed.lowerBound.isFinite, fixed.upperBound.isFinite,
           scale.forward(fixed.lowerBound).isFinite {
            let (lo, hi) = fixed.lowerBound < fixed.upperBound
                ? (fixed.lowerBound, fixed.upperBound)
                : Ticks.nonsingular(fixed.lowerBound, fixed.upperBound)
            return (lo, hi)
        }
        guard let data else {
            if case .log(let base) = scale { return (1, base) }
            return (0, 1)
        }
        var (lo, hi) = Ticks.autoLimits(min: data.0, max: data.1, scale: scale, margin: Style.margin)
        // Bars stand on zero: the margin must not push the axis below (or above) it.
        if sticky && !scale.isLog {
            if data.0 >= 0 && lo < 0 { lo = 0 }
            if data.1 <= 0 && hi > 0 { hi = 0 }
        }
        return (lo, hi)
    }

    private func numericAxis(view: (Double, Double), scale: AxisScale, format: TickFormat,
                             maxIntervals: Int, length: Double, canvas: Canvas,
                             checkOverlap: Bool) -> AxisGeometry {
        var intervals = maxIntervals
        while true {
            let ticks: [Double]
            let labels: TickLabels
            switch scale {
            case .linear:
                ticks = Ticks.linear(min: view.0, max: view.1, maxIntervals: intervals)
                labels = Ticks.format(ticks, format: format)
            case .log(let base):
                ticks = Ticks.log(min: view.0, max: view.1, base: base, maxTicks: intervals + 1)
                labels = Ticks.logFormat(ticks, base: base, format: format)
            }
            let axis = AxisGeometry(view: view, scale: scale, ticks: ticks, labels: labels)
            if !checkOverlap || intervals <= 1 || !labelsOverlap(axis, length: length, canvas: canvas) {
                return axis
            }
            intervals -= 1
        }
    }

    /// Whether neighbouring horizontal tick labels would touch on an axis `length` long.
    private func labelsOverlap(_ axis: AxisGeometry, length: Double, canvas: Canvas) -> Bool {
        canvas.setFont(size: Style.fontSize)
        var previous: (end: Double, set: Bool) = (0, false)
        for (tick, label) in zip(axis.ticks, axis.labels.labels) {
            guard let f = axis.fraction(tick) else { continue }
            let center = f * length, half = canvas.textWidth(label) / 2
            if previous.set && center - half < previous.end + Style.minimumTickGap { return true }
            previous = (center + half, true)
        }
        return false
    }

    /// Ticks at 0..<count labelled with `labels` (or the indices), view -0.5...count-0.5.
    private func categoryAxis(count: Int, labels: [String]) -> AxisGeometry {
        let ticks = (0..<count).map(Double.init)
        let names = (0..<count).map { $0 < labels.count ? labels[$0] : String($0) }
        return AxisGeometry(view: (-0.5, Double(max(count, 1)) - 0.5), scale: .linear, ticks: ticks,
                            labels: TickLabels(labels: names, offsetText: nil))
    }

    /// 0, or 45 degrees when horizontal category names would collide.
    private func categoryAngle(_ axis: AxisGeometry, length: Double, canvas: Canvas) -> Double {
        labelsOverlap(axis, length: length, canvas: canvas) ? Double.pi / 4 : 0
    }

    /// Room needed around a plotting rectangle of size `frame` for this axes' decorations.
    func margins(for frame: Rect, canvas: Canvas) -> Margins {
        let (x, y) = axes(for: frame, canvas: canvas)
        var m = Margins()
        canvas.setFont(size: Style.fontSize)
        let textHeight = canvas.textHeight
        let tickSpace = Style.tickLength + Style.tickPad
        if !y.ticks.isEmpty {
            m.left += tickSpace + (y.labels.labels.map(canvas.textWidth).max() ?? 0)
        }
        if yLabel?.isEmpty == false { m.left += Style.labelPad + textHeight }
        if !x.ticks.isEmpty {
            let widest = x.labels.labels.map(canvas.textWidth).max() ?? 0
            let height = x.labelAngle == 0 ? textHeight
                : widest * sin(x.labelAngle) + textHeight * cos(x.labelAngle)
            m.bottom += tickSpace + height
            if x.labelAngle == 0, let last = x.labels.labels.last, let lastTick = x.ticks.last,
               let f = x.fraction(lastTick) {
                m.right = max(m.right, canvas.textWidth(last) / 2 - (1 - f) * frame.width)
            }
            if x.labelAngle != 0, let first = x.labels.labels.first {
                // Rotated labels hang to the left of their tick.
                m.left = max(m.left, canvas.textWidth(first) * cos(x.labelAngle) - frame.width / Double(max(1, x.ticks.count)) / 2)
            }
        }
        if xLabel?.isEmpty == false || x.labels.offsetText != nil { m.bottom += Style.labelPad + textHeight }
        var top = 0.0
        if y.labels.offsetText != nil { top = Style.labelPad + textHeight }
        if let title, !title.isEmpty {
            canvas.setFont(size: Style.titleSize)
            top = max(top, Style.titlePad + canvas.textHeight)
            canvas.setFont(size: Style.fontSize)
        }
        m.top = top
        if let scale = colorScale {
            let bar = colorBarAxis(scale, length: frame.height)
            m.right += ColorBarMetrics.pad + ColorBarMetrics.width + tickSpace
                + (bar.labels.labels.map(canvas.textWidth).max() ?? 0)
        }
        return m
    }

    func colorBarAxis(_ scale: ColorScale, length: Double) -> AxisGeometry {
        let view = scale.limits
        let ticks = Ticks.linear(min: view.0, max: view.1,
                                 maxIntervals: Ticks.maxIntervals(axisLength: length, vertical: true))
        return AxisGeometry(view: view, scale: .linear, ticks: ticks, labels: Ticks.format(ticks))
    }

    /// Width over height of the content when it must keep square pixels/cells, else nil.
    var contentAspect: Double? {
        if let heatmap {
            let rows = max(1, heatmap.values.count)
            let columns = max(1, heatmap.values.map(\.count).max() ?? 1)
            return Double(columns) / Double(rows)
        }
        if let grid = imageGrid, grid.width > 0, grid.height > 0 {
            let (columns, rows) = grid.shape
            let gap = ImageGridMetrics.gapFraction
            let w = Double(columns) * Double(grid.width) + Double(columns - 1) * gap * Double(grid.width)
            let h = Double(rows) * Double(grid.height) + Double(rows - 1) * gap * Double(grid.height)
            return w / h
        }
        return nil
    }
}

enum ColorBarMetrics {
    static let pad = 10.0      // axes right edge to colour bar, points
    static let width = 12.0
}

enum ImageGridMetrics {
    /// Gap between tiles as a fraction of a tile's size.
    static let gapFraction = 0.12
}

extension ImageGrid {
    /// (columns, rows) actually used: never more columns than images.
    var shape: (Int, Int) {
        let count = max(1, images.count)
        let columns = max(1, min(self.columns, count))
        return (columns, (count + columns - 1) / columns)
    }
}
