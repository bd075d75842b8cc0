import CCairo
import Foundation

extension Axes {
    /// Rectangles of all bars in points, with their colour and the data needed for error bars.
    func barRects(_ g: AxesGeometry) -> [(rect: Rect, color: Color, center: Double, value: Double, error: Double)] {
        var out: [(rect: Rect, color: Color, center: Double, value: Double, error: Double)] = []
        let base = yScale.isLog ? g.y.view.0 : 0
        for chart in barCharts where !chart.series.isEmpty {
            let barWidth = chart.groupWidth / Double(chart.series.count)
            for (s, series) in chart.series.enumerated() {
                for (i, value) in series.values.prefix(chart.categories.count).enumerated() where value.isFinite {
                    let left = Double(i) - chart.groupWidth / 2 + Double(s) * barWidth
                    guard let x0 = g.xPosition(left), let x1 = g.xPosition(left + barWidth),
                          let y0 = g.yPosition(base), let y1 = g.yPosition(value) else { continue }
                    let e = chart.errors.flatMap { s < $0.count && i < $0[s].count ? abs($0[s][i]) : nil } ?? 0
                    out.append((Rect(x: x0, y: min(y0, y1), width: x1 - x0, height: abs(y1 - y0)),
                                chart.colors[s], left + barWidth / 2, value, e.isFinite ? e : 0))
                }
            }
        }
        return out
    }

    /// Draws the whole axes: grid, data (clipped to the frame), spines, ticks, labels,
    /// title and legend.
    func draw(canvas: Canvas) {
        guard let g = geometry else { return }
        if let grid = imageGrid {
            drawImageGrid(grid, canvas: canvas, g: g)
            if let map = colorScale?.map { drawColorBar(map, canvas: canvas, g: g) }
        } else if let heatmap {
            drawHeatmap(heatmap, canvas: canvas, g: g)
            drawSpines(canvas: canvas, frame: g.frame)
            drawTicks(canvas: canvas, g: g)
        } else {
            if grid { drawGrid(canvas: canvas, g: g) }
            canvas.clip(to: g.frame)
            drawData(canvas: canvas, g: g)
            canvas.unclip()
            drawSpines(canvas: canvas, frame: g.frame)
            drawTicks(canvas: canvas, g: g)
            if let box = g.legendFrame { drawLegend(canvas: canvas, box: box) }
        }
        drawTitle(canvas: canvas, g: g)
    }

    private func drawGrid(canvas: Canvas, g: AxesGeometry) {
        let f = g.frame
        for tick in g.x.ticks { if let x = g.xPosition(tick) {
            canvas.strokeLine([(x, f.minY), (x, f.maxY)], color: .gridGrey, width: Style.gridWidth, cap: CAIRO_LINE_CAP_SQUARE)
        } }
        for tick in g.y.ticks { if let y = g.yPosition(tick) {
            canvas.strokeLine([(f.minX, y), (f.maxX, y)], color: .gridGrey, width: Style.gridWidth, cap: CAIRO_LINE_CAP_SQUARE)
        } }
    }

    private func drawData(canvas: Canvas, g: AxesGeometry) {
        // Geometry is cut a little outside the frame (so line caps at the edge look
        // right); the canvas clip does the exact cut.
        let bounds = g.frame.inset(by: -2 * Style.markerSize)
        for band in bands {
            for run in runs(count: band.x.count, point: { i -> ((Double, Double), (Double, Double))? in
                guard let lo = g.point(x: band.x[i], y: band.lower[i]),
                      let hi = g.point(x: band.x[i], y: band.upper[i]) else { return nil }
                return (lo, hi)
            }) {
                let outline = run.map(\.0) + run.map(\.1).reversed()
                canvas.fillPolygon(Clipping.polygon(outline, to: bounds), color: band.color.withAlpha(band.alpha))
            }
        }
        for bar in barRects(g) {
            if let visible = Clipping.rect(bar.rect, bounds) { canvas.fill(visible, color: bar.color) }
        }
        for bar in barRects(g) where bar.error > 0 {
            guard let x = g.xPosition(bar.center), let y0 = g.yPosition(bar.value - bar.error),
                  let y1 = g.yPosition(bar.value + bar.error) else { continue }
            let clamp = { (y: Double) in min(max(y, bounds.minY), bounds.maxY) }
            canvas.strokeLine([(x, clamp(y0)), (x, clamp(y1))], color: .black, width: 1)
            for y in [y0, y1] where bounds.contains(x: x, y: y) {
                canvas.strokeLine([(x - 3, y), (x + 3, y)], color: .black, width: 1)
            }
        }
        for line in lines {
            let dash = line.style == .dashed ? [3.7 * line.width, 1.6 * line.width] : []
            let points = runs(count: line.x.count) { i in g.point(x: line.x[i], y: line.y[i]) }
            if line.connect {
                for run in points {
                    for piece in Clipping.polyline(run, to: bounds) {
                        canvas.strokeLine(piece, color: line.color, width: line.width, dash: dash,
                                          cap: line.style == .solid ? CAIRO_LINE_CAP_SQUARE : CAIRO_LINE_CAP_BUTT)
                    }
                }
            }
            for p in points.joined() where bounds.contains(x: p.0, y: p.1) {
                canvas.drawMarker(line.marker, x: p.0, y: p.1, size: Style.markerSize,
                                  color: line.color, lineWidth: Style.lineWidth)
            }
        }
    }

    /// Consecutive indices whose points can be placed, split wherever one cannot.
    private func runs<P>(count: Int, point: (Int) -> P?) -> [[P]] {
        var result: [[P]] = [], current: [P] = []
        for i in 0..<count {
            if let p = point(i) { current.append(p) } else if !current.isEmpty { result.append(current); current = [] }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    private func drawSpines(canvas: Canvas, frame f: Rect) {
        canvas.strokeLine([(f.minX, f.minY), (f.maxX, f.minY), (f.maxX, f.maxY), (f.minX, f.maxY), (f.minX, f.minY)],
                          color: .black, width: Style.spineWidth, cap: CAIRO_LINE_CAP_SQUARE)
    }

    private func drawTicks(canvas: Canvas, g: AxesGeometry) {
        let f = g.frame
        canvas.setFont(size: Style.fontSize)
        let labelTop = f.maxY + Style.tickLength + Style.tickPad
        for (tick, label) in zip(g.x.ticks, g.x.labels.labels) {
            guard let x = g.xPosition(tick), x >= f.minX - 0.01, x <= f.maxX + 0.01 else { continue }
            canvas.strokeLine([(x, f.maxY), (x, f.maxY + Style.tickLength)], color: .black, width: Style.tickWidth)
            if g.x.labelAngle == 0 {
                canvas.drawText(label, x: x, y: labelTop, horizontal: .center, vertical: .top)
            } else {
                canvas.drawText(label, x: x + canvas.capHeight / 2 * sin(g.x.labelAngle), y: labelTop,
                                horizontal: .right, vertical: .top, angle: g.x.labelAngle)
            }
        }
        var yLabelWidth = 0.0
        for (tick, label) in zip(g.y.ticks, g.y.labels.labels) {
            guard let y = g.yPosition(tick), y >= f.minY - 0.01, y <= f.maxY + 0.01 else { continue }
            canvas.strokeLine([(f.minX - Style.tickLength, y), (f.minX, y)], color: .black, width: Style.tickWidth)
            canvas.drawText(label, x: f.minX - Style.tickLength - Style.tickPad, y: y,
                            horizontal: .right, vertical: .center)
            yLabelWidth = max(yLabelWidth, canvas.textWidth(label))
        }
        let textHeight = canvas.textHeight
        var xLabelTop = f.maxY
        if !g.x.ticks.isEmpty {
            let widest = g.x.labels.labels.map(canvas.textWidth).max() ?? 0
            xLabelTop = labelTop + (g.x.labelAngle == 0 ? textHeight
                : widest * sin(g.x.labelAngle) + textHeight * cos(g.x.labelAngle)) + Style.labelPad
        }
        if let xLabel { canvas.drawText(xLabel, x: f.midX, y: xLabelTop, horizontal: .center, vertical: .top) }
        if let offset = g.x.labels.offsetText {
            canvas.drawText(offset, x: f.maxX, y: xLabelTop, horizontal: .right, vertical: .top)
        }
        if let yLabel {
            let right = f.minX - (g.y.ticks.isEmpty ? 0 : Style.tickLength + Style.tickPad + yLabelWidth) - Style.labelPad
            canvas.drawText(yLabel, x: right, y: f.midY, horizontal: .center, vertical: .bottom, angle: Double.pi / 2)
        }
        if let offset = g.y.labels.offsetText {
            canvas.drawText(offset, x: f.minX, y: f.minY - Style.labelPad, horizontal: .left, vertical: .bottom)
        }
    }

    private func drawTitle(canvas: Canvas, g: AxesGeometry) {
        guard let title, !title.isEmpty else { return }
        canvas.setFont(size: Style.titleSize)
        canvas.drawText(title, x: g.frame.midX, y: g.frame.minY - Style.titlePad, horizontal: .center, vertical: .bottom)
        canvas.setFont(size: Style.fontSize)
    }

    private func drawImageGrid(_ grid: ImageGrid, canvas: Canvas, g: AxesGeometry) {
        guard grid.width > 0, grid.height > 0 else { return }
        let (columns, rows) = grid.shape
        let gap = ImageGridMetrics.gapFraction
        let tileWidth = g.frame.width / (Double(columns) + Double(columns - 1) * gap)
        let tileHeight = g.frame.height / (Double(rows) + Double(rows - 1) * gap)
        let n = grid.width * grid.height
        for (index, image) in grid.images.enumerated() {
            let values = Array(image.prefix(n)) + Array(repeating: Double.nan, count: max(0, n - image.count))
            let finite = values.filter(\.isFinite)
            var lo: Double, hi: Double
            if let range = grid.range {
                (lo, hi) = (range.lowerBound, range.upperBound)
            } else if grid.symmetric {
                let m = finite.map(abs).max() ?? 1
                (lo, hi) = (-m, m)
            } else {
                (lo, hi) = (finite.min() ?? 0, finite.max() ?? 1)
            }
            if !(hi > lo) { (lo, hi) = Ticks.nonsingular(lo, hi) }
            let colors = values.map { grid.colorMap.color(at: ($0 - lo) / (hi - lo)) }
            let column = index % columns, row = index / columns
            let rect = Rect(x: g.frame.minX + Double(column) * tileWidth * (1 + gap),
                            y: g.frame.minY + Double(row) * tileHeight * (1 + gap),
                            width: tileWidth, height: tileHeight)
            canvas.drawPixels(colors, width: grid.width, height: grid.height, into: rect)
        }
    }

    private func drawHeatmap(_ heatmap: Heatmap, canvas: Canvas, g: AxesGeometry) {
        let rows = heatmap.values.count
        let columns = heatmap.values.map(\.count).max() ?? 0
        guard rows > 0, columns > 0 else { return }
        let (lo, hi) = heatmap.limits
        func color(_ v: Double) -> Color {
            v.isFinite ? heatmap.colorMap.color(at: (v - lo) / (hi - lo)) : .white
        }
        var cells: [Color] = []
        for row in heatmap.values {
            for c in 0..<columns { cells.append(color(c < row.count ? row[c] : .nan)) }
        }
        canvas.drawPixels(cells, width: columns, height: rows, into: g.frame)
        if heatmap.annotate {
            let all = heatmap.values.flatMap { $0 }.filter(\.isFinite)
            let whole = all.allSatisfy { $0 == $0.rounded() && abs($0) < 1e15 }
            let texts = heatmap.values.map { $0.map { v -> String in
                guard v.isFinite else { return "" }
                return whole ? String(Int(v)) : String(format: "%.2f", v)
            } }
            let cellWidth = g.frame.width / Double(columns), cellHeight = g.frame.height / Double(rows)
            canvas.setFont(size: Style.fontSize)
            let widest = texts.joined().map(canvas.textWidth).max() ?? 1
            let size = min(Style.fontSize, cellHeight * 0.5, Style.fontSize * cellWidth * 0.85 / max(widest, 1))
            canvas.setFont(size: size)
            for (r, row) in texts.enumerated() {
                for (c, text) in row.enumerated() {
                    let v = heatmap.values[r][c]
                    let ink: Color = color(v).luminance < 0.5 ? .white : .black
                    canvas.drawText(text, x: g.frame.minX + (Double(c) + 0.5) * cellWidth,
                                    y: g.frame.minY + (Double(r) + 0.5) * cellHeight,
                                    horizontal: .center, vertical: .center, color: ink)
                }
            }
            canvas.setFont(size: Style.fontSize)
        }
        if let map = colorScale?.map { drawColorBar(map, canvas: canvas, g: g) }
    }
    private func drawColorBar(_ map: ColorMap, canvas: Canvas, g: AxesGeometry) {
        guard let bar = g.colorBar else { return }
        let steps = 256
        let gradient = (0..<steps).map { map.color(at: 1 - (Double($0) + 0.5) / Double(steps)) }
        canvas.drawPixels(gradient, width: 1, height: steps, into: bar.frame)
        drawSpines(canvas: canvas, frame: bar.frame)
        canvas.setFont(size: Style.fontSize)
        for (tick, label) in zip(bar.axis.ticks, bar.axis.labels.labels) {
            guard let f = bar.axis.fraction(tick) else { continue }
            let y = bar.frame.maxY - f * bar.frame.height
            canvas.strokeLine([(bar.frame.maxX, y), (bar.frame.maxX + Style.tickLength, y)],
                              color: .black, width: Style.tickWidth)
            canvas.drawText(label, x: bar.frame.maxX + Style.tickLength + Style.tickPad, y: y,
                            horizontal: .left, vertical: .center)
        }
    }
}
