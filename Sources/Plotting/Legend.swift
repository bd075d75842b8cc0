import Foundation

/// One row of a legend: a sample of the series' look and its label.
struct LegendEntry {
    enum Handle {
        case line(color: Color, width: Double, style: LineStyle, marker: Marker, connect: Bool)
        case patch(color: Color)
    }
    var handle: Handle
    var label: String
}

/// Legend geometry in points, after matplotlib's legend defaults for a 10 pt font
/// (border pad 0.4 em, label spacing 0.5 em, handle 2 em, handle-to-text 0.8 em, 0.5 em
/// from the axes edge, frame alpha 0.8).
enum LegendMetrics {
    static let borderPad = 4.0
    static let labelSpacing = 5.0
    static let handleLength = 20.0
    static let handleTextPad = 8.0
    static let axesPad = 5.0
    static let cornerRadius = 2.0
    static let frameAlpha = 0.8
    /// Bars closer than this to a candidate box count as covered (points).
    static let clearance = 2.0
}

extension Axes {
    /// Labelled series in the order they were added (bands first, as they are drawn first).
    var legendEntries: [LegendEntry] {
        var entries: [LegendEntry] = []
        for band in bands {
            if let label = band.label, !label.isEmpty {
                entries.append(LegendEntry(handle: .patch(color: band.color.withAlpha(band.alpha)), label: label))
            }
        }
        for chart in barCharts {
            for (series, color) in zip(chart.series, chart.colors) where !series.label.isEmpty {
                entries.append(LegendEntry(handle: .patch(color: color), label: series.label))
            }
        }
        for line in lines {
            if let label = line.label, !label.isEmpty {
                entries.append(LegendEntry(handle: .line(color: line.color, width: line.width, style: line.style,
                                                         marker: line.marker, connect: line.connect),
                                           label: label))
            }
        }
        return entries
    }

    /// Size of the legend box for `entries`, in points.
    func legendSize(_ entries: [LegendEntry], canvas: Canvas) -> (width: Double, height: Double) {
        canvas.setFont(size: Style.fontSize)
        let labelWidth = entries.map { canvas.textWidth($0.label) }.max() ?? 0
        let rows = Double(entries.count)
        let width = 2 * LegendMetrics.borderPad + LegendMetrics.handleLength + LegendMetrics.handleTextPad + labelWidth
        let height = 2 * LegendMetrics.borderPad + rows * canvas.textHeight + max(0, rows - 1) * LegendMetrics.labelSpacing
        return (width, height)
    }

    /// The legend box for a placement inside `frame`.
    static func legendBox(_ placement: LegendPlacement, size: (width: Double, height: Double), frame: Rect) -> Rect {
        let pad = LegendMetrics.axesPad
        let left = frame.minX + pad, right = frame.maxX - pad - size.width, midX = frame.midX - size.width / 2
        let top = frame.minY + pad, bottom = frame.maxY - pad - size.height, midY = frame.midY - size.height / 2
        let (x, y): (Double, Double)
        switch placement {
        case .upperRight, .none, .automatic: (x, y) = (right, top)
        case .upperLeft: (x, y) = (left, top)
        case .lowerLeft: (x, y) = (left, bottom)
        case .lowerRight: (x, y) = (right, bottom)
        case .right, .centerRight: (x, y) = (right, midY)
        case .centerLeft: (x, y) = (left, midY)
        case .lowerCenter: (x, y) = (midX, bottom)
        case .upperCenter: (x, y) = (midX, top)
        case .center: (x, y) = (midX, midY)
        }
        return Rect(x: x, y: y, width: size.width, height: size.height)
    }

    /// How much of the data a box would hide: data points inside it, line segments that
    /// cross it, and bars it overlaps (matplotlib's "best" location counts the same things).
    func legendBadness(_ box: Rect, geometry g: AxesGeometry) -> Int {
        var badness = 0
        for line in lines {
            var previous: (Double, Double)?
            for (x, y) in zip(line.x, line.y) {
                guard let p = g.point(x: x, y: y), p.0.isFinite, p.1.isFinite else { previous = nil; continue }
                if box.contains(x: p.0, y: p.1) { badness += 1 }
                if line.connect, let q = previous, Clipping.segment(q, p, to: box) != nil { badness += 1 }
                previous = p
            }
        }
        for band in bands {
            for i in band.x.indices {
                for v in [band.lower[i], band.upper[i]] {
                    if let p = g.point(x: band.x[i], y: v), box.contains(x: p.0, y: p.1) { badness += 1 }
                }
            }
        }
        for bar in barRects(g) {
            // A bar with its error bar; a bar merely touching the box counts too.
            var r = bar.rect
            if bar.error > 0, let top = g.yPosition(bar.value + bar.error), let bottom = g.yPosition(bar.value - bar.error) {
                let lo = min(r.minY, top, bottom), hi = max(r.maxY, top, bottom)
                r = Rect(x: r.x, y: lo, width: r.width, height: hi - lo)
            }
            let clear = LegendMetrics.clearance
            if r.maxX > box.minX - clear && r.minX < box.maxX + clear && r.maxY > box.minY - clear && r.minY < box.maxY + clear {
                badness += 1
            }
        }
        return badness
    }

    /// Resolves the placement and returns the legend box, or nil when there is no legend.
    func placeLegend(geometry g: AxesGeometry, canvas: Canvas) -> (LegendPlacement, Rect)? {
        let entries = legendEntries
        guard legend != .none, !entries.isEmpty, isXY else { return nil }
        let size = legendSize(entries, canvas: canvas)
        if legend != .automatic {
            return (legend, Axes.legendBox(legend, size: size, frame: g.frame))
        }
        var best: (LegendPlacement, Rect, Int)?
        for candidate in LegendPlacement.candidates {
            let box = Axes.legendBox(candidate, size: size, frame: g.frame)
            let badness = legendBadness(box, geometry: g)
            if best == nil || badness < best!.2 { best = (candidate, box, badness) }
            if badness == 0 { break }
        }
        return best.map { ($0.0, $0.1) }
    }

    func drawLegend(canvas: Canvas, box: Rect) {
        let entries = legendEntries
        canvas.roundedRect(box, radius: LegendMetrics.cornerRadius,
                           fill: Color.white.withAlpha(LegendMetrics.frameAlpha),
                           edge: Color.legendEdge.withAlpha(LegendMetrics.frameAlpha), edgeWidth: Style.spineWidth)
        canvas.setFont(size: Style.fontSize)
        let rowHeight = canvas.textHeight
        for (i, entry) in entries.enumerated() {
            let top = box.minY + LegendMetrics.borderPad + Double(i) * (rowHeight + LegendMetrics.labelSpacing)
            let midY = top + canvas.capHeight / 2 + 0.5
            let x0 = box.minX + LegendMetrics.borderPad, x1 = x0 + LegendMetrics.handleLength
            switch entry.handle {
            case .line(let color, let width, let style, let marker, let connect):
                if connect {
                    canvas.strokeLine([(x0, midY), (x1, midY)], color: color, width: width,
                                      dash: style == .dashed ? [3.7 * width, 1.6 * width] : [])
                }
                canvas.drawMarker(marker, x: (x0 + x1) / 2, y: midY, size: Style.markerSize,
                                  color: color, lineWidth: Style.lineWidth)
            case .patch(let color):
                canvas.fill(Rect(x: x0, y: midY - 3.5, width: LegendMetrics.handleLength, height: 7), color: color)
            }
            canvas.drawText(entry.label, x: x1 + LegendMetrics.handleTextPad, y: top, vertical: .top)
        }
    }
}
