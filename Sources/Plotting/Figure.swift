import Foundation

/// A figure: a grid of axes on a white page, optionally with a title over all of them.
///
/// Sizes are in inches at `dpi` dots per inch; `scale` multiplies the pixel density
/// without changing the layout (scale 2 of the 6.4 x 4.8 in default gives 1280 x 960 px,
/// the same picture as 640 x 480 at twice the resolution). A length of p points is
/// p * dpi * scale / 72 pixels.
public final class Figure {
    public let width: Double
    public let height: Double
    public let dpi: Double
    public let scale: Double
    public let rows: Int
    public let columns: Int
    /// The figure title (matplotlib's suptitle), 12 pt above all axes.
    public var title: String?
    /// All axes, row by row.
    public let axes: [Axes]

    public init(width: Double = 6.4, height: Double = 4.8, dpi: Double = 100, scale: Double = 2,
                rows: Int = 1, columns: Int = 1, title: String? = nil) {
        self.width = width.isFinite && width > 0 ? width : 6.4
        self.height = height.isFinite && height > 0 ? height : 4.8
        self.dpi = dpi.isFinite && dpi > 0 ? dpi : 100
        self.scale = scale.isFinite && scale > 0 ? scale : 1
        self.rows = max(1, rows)
        self.columns = max(1, columns)
        self.title = title
        var axes: [Axes] = []
        for r in 0..<self.rows { for c in 0..<self.columns { axes.append(Axes(row: r, column: c)) } }
        self.axes = axes
    }

    /// The axes in grid cell (row, column); out-of-range indices are a programming error.
    public func axes(row: Int, column: Int) -> Axes {
        precondition((0..<rows).contains(row) && (0..<columns).contains(column),
                     "Figure.axes(row: \(row), column: \(column)) outside a \(rows) x \(columns) grid")
        return axes[row * columns + column]
    }

    /// Image pixels per point.
    public var pixelsPerPoint: Double { dpi * scale / 72 }
    public var pixelWidth: Int { Int((width * dpi * scale).rounded()) }
    public var pixelHeight: Int { Int((height * dpi * scale).rounded()) }

    // MARK: Layout

    /// Places every axes: measures tick labels, titles and colour bars and shrinks each
    /// grid cell by what its decorations need (like matplotlib's tight_layout), keeping
    /// axes in one row aligned top and bottom and in one column left and right. Called by
    /// `render`; call it directly to query `Axes.pixel(x:y:)` without drawing.
    public func layout() {
        let canvas = Canvas(pixelWidth: 1, pixelHeight: 1, pixelsPerPoint: pixelsPerPoint)
        layout(canvas: canvas)
    }

    private func layout(canvas: Canvas) {
        let pageWidth = width * 72, pageHeight = height * 72
        var top = Style.figurePad
        if let title, !title.isEmpty {
            canvas.setFont(size: Style.titleSize)
            top += canvas.textHeight + Style.titlePad
        }
        let area = Rect(x: Style.figurePad, y: top, width: pageWidth - 2 * Style.figurePad,
                        height: pageHeight - top - Style.figurePad)
        let cellWidth = (area.width - Double(columns - 1) * Style.cellGap) / Double(columns)
        let cellHeight = (area.height - Double(rows - 1) * Style.cellGap) / Double(rows)
        func cell(_ a: Axes) -> Rect {
            Rect(x: area.minX + Double(a.column) * (cellWidth + Style.cellGap),
                 y: area.minY + Double(a.row) * (cellHeight + Style.cellGap),
                 width: cellWidth, height: cellHeight)
        }
        func frames(_ margins: [Margins]) -> [Rect] {
            // Shared margins per row (top, bottom) and column (left, right) keep neighbours aligned.
            var rowMargins = [Margins](repeating: Margins(), count: rows)
            var columnMargins = [Margins](repeating: Margins(), count: columns)
            for (a, m) in zip(axes, margins) {
                rowMargins[a.row] = Margins.max(rowMargins[a.row], m)
                columnMargins[a.column] = Margins.max(columnMargins[a.column], m)
            }
            return axes.map { a in
                let c = cell(a)
                let l = columnMargins[a.column].left, r = columnMargins[a.column].right
                let t = rowMargins[a.row].top, b = rowMargins[a.row].bottom
                return Rect(x: c.minX + l, y: c.minY + t,
                            width: max(1, c.width - l - r), height: max(1, c.height - t - b))
            }
        }
        // Provisional frames from matplotlib-like fixed margins, then two refinements:
        // tick density depends on the frame, and label sizes depend on the ticks.
        var current = axes.map { a -> Rect in
            let c = cell(a)
            return Rect(x: c.minX + 40, y: c.minY + 24, width: max(1, c.width - 50), height: max(1, c.height - 54))
        }
        for _ in 0..<2 {
            let margins = zip(axes, current).map { $0.margins(for: $1, canvas: canvas) }
            current = frames(margins)
        }
        for (a, frame) in zip(axes, current) {
            var frame = frame
            if let aspect = a.contentAspect {
                if frame.width / frame.height > aspect {
                    let w = frame.height * aspect
                    frame = Rect(x: frame.midX - w / 2, y: frame.minY, width: w, height: frame.height)
                } else {
                    let h = frame.width / aspect
                    frame = Rect(x: frame.minX, y: frame.midY - h / 2, width: frame.width, height: h)
                }
            }
            let (x, y) = a.axes(for: frame, canvas: canvas)
            var g = AxesGeometry(frame: frame, x: x, y: y, pixelsPerPoint: pixelsPerPoint)
            if let scale = a.colorScale {
                let bar = Rect(x: frame.maxX + ColorBarMetrics.pad, y: frame.minY,
                               width: ColorBarMetrics.width, height: frame.height)
                g.colorBar = ColorBarGeometry(frame: bar, axis: a.colorBarAxis(scale, length: frame.height))
            }
            if let (placement, box) = a.placeLegend(geometry: g, canvas: canvas) {
                g.legendPlacement = placement
                g.legendFrame = box
            }
            a.geometry = g
        }
    }

    // MARK: Output

    /// Lays out and draws the figure; returns RGB bytes (row-major, no padding) on white.
    public func renderRGB() -> (width: Int, height: Int, rgb: [UInt8]) {
        let canvas = Canvas(pixelWidth: pixelWidth, pixelHeight: pixelHeight, pixelsPerPoint: pixelsPerPoint)
        draw(on: canvas)
        return (canvas.pixelWidth, canvas.pixelHeight, canvas.rgbBytes())
    }

    /// Lays out and draws the whole figure on `canvas`, in points: the one drawing path of
    /// the PNG (`renderRGB`) and the vector outputs (`renderVector`). Text is measured for
    /// the layout on `measuring` (default: `canvas` itself).
    func draw(on canvas: Canvas, measuring: Canvas? = nil) {
        canvas.fill(Rect(x: 0, y: 0, width: width * 72, height: height * 72), color: .white)
        layout(canvas: measuring ?? canvas)
        for a in axes { a.draw(canvas: canvas) }
        if let title, !title.isEmpty {
            canvas.setFont(size: Style.titleSize)
            canvas.drawText(title, x: width * 36, y: Style.figurePad, horizontal: .center, vertical: .top)
        }
    }

    /// Renders the figure and writes it as a PNG, atomically (temporary file in the same
    /// directory, then rename). The file carries tEXt chunks: "Title" (the figure title,
    /// else the axes titles joined with " | "), "Software" ("make-report Plotting 1.0")
    /// and every `metadata` key; no time stamp, so equal figures give equal bytes.
    /// Throws `PlotError` naming the path.
    public func writePNG(to url: URL, metadata: [String: String] = [:]) throws {
        let (w, h, rgb) = renderRGB()
        var text = metadata
        let titles = axes.compactMap(\.title).filter { !$0.isEmpty }
        let figureTitle = title.flatMap { $0.isEmpty ? nil : $0 } ?? (titles.isEmpty ? nil : titles.joined(separator: " | "))
        if let figureTitle, text["Title"] == nil { text["Title"] = figureTitle }
        text["Software"] = PNGWriter.software
        let data = try PNGWriter.encode(width: w, height: h, rgb: rgb, text: text, path: url.path)
        try PNGWriter.writeAtomically(data, to: url)
    }
}
