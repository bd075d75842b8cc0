import CCairo
import Foundation

/// A rectangle with y growing downwards. Inside the library it is in points (1/72 in)
/// from the figure's top-left corner; public API gives it in image pixels.
public struct Rect: Equatable, Sendable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }

    public var minX: Double { x }
    public var maxX: Double { x + width }
    public var minY: Double { y }
    public var maxY: Double { y + height }
    public var midX: Double { x + width / 2 }
    public var midY: Double { y + height / 2 }

    public func contains(x px: Double, y py: Double) -> Bool {
        px >= minX && px <= maxX && py >= minY && py <= maxY
    }

    func scaled(by factor: Double) -> Rect {
        Rect(x: x * factor, y: y * factor, width: width * factor, height: height * factor)
    }

    func inset(by d: Double) -> Rect {
        Rect(x: x + d, y: y + d, width: max(0, width - 2 * d), height: max(0, height - 2 * d))
    }
}

enum HorizontalAnchor { case left, center, right }
/// `top`/`bottom` are the cap height above and the descent below the baseline, so that
/// text blocks line up regardless of which glyphs they contain; `center` centres digits
/// and capitals on the point.
enum VerticalAnchor { case top, center, baseline, bottom }

/// A cairo context drawing in points on an ARGB32 image surface of the figure's pixel size.
/// It also measures text, so layout and drawing agree on sizes.
final class Canvas {
    let surface: OpaquePointer
    let context: OpaquePointer
    let pixelWidth: Int
    let pixelHeight: Int
    /// Image pixels per point: dpi * scale / 72.
    let pixelsPerPoint: Double
    private(set) var fontSize: Double = 10

    /// `pixelWidth` x `pixelHeight` image pixels; pass 1 x 1 to get a canvas that only
    /// measures text.
    init(pixelWidth: Int, pixelHeight: Int, pixelsPerPoint: Double) {
        self.pixelWidth = max(1, pixelWidth)
        self.pixelHeight = max(1, pixelHeight)
        self.pixelsPerPoint = pixelsPerPoint
        surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(self.pixelWidth), Int32(self.pixelHeight))
        context = cairo_create(surface)
        cairo_scale(context, pixelsPerPoint, pixelsPerPoint)
        configureText()
    }

    /// A canvas on a vector surface (PDF, SVG) whose user unit is already the point, so no
    /// scale is applied. `pixelsPerPoint` is the raster figure's density, kept only so that
    /// geometry in image pixels reads the same as for the PNG. Takes ownership of `surface`.
    init(vectorSurface: OpaquePointer, widthPoints: Double, heightPoints: Double, pixelsPerPoint: Double) {
        surface = vectorSurface
        pixelWidth = max(1, Int((widthPoints * pixelsPerPoint).rounded()))
        pixelHeight = max(1, Int((heightPoints * pixelsPerPoint).rounded()))
        self.pixelsPerPoint = pixelsPerPoint
        context = cairo_create(surface)
        configureText()
    }

    /// Font options and the default font, the same on every surface, so that measuring and
    /// drawing agree whatever the output.
    private func configureText() {
        // Unhinted metrics: text widths scale exactly with size, so layout does not depend
        // on the output scale and rendering is the same on every run.
        let options = cairo_font_options_create()
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY)
        cairo_set_font_options(context, options)
        cairo_font_options_destroy(options)
        setFont(size: 10)
    }

    deinit {
        cairo_destroy(context)
        cairo_surface_destroy(surface)
    }

    /// Selects DejaVu Sans at `size` points (cairo's toy font API).
    func setFont(size: Double, bold: Bool = false) {
        fontSize = size
        cairo_select_font_face(context, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                               bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(context, size)
    }

    /// Advance width of `text` at the current font, in points.
    func textWidth(_ text: String) -> Double {
        var extents = cairo_text_extents_t()
        cairo_text_extents(context, text, &extents)
        return extents.x_advance
    }

    /// Height of digits and capitals above the baseline, in points.
    var capHeight: Double {
        var extents = cairo_text_extents_t()
        cairo_text_extents(context, "0", &extents)
        return -extents.y_bearing
    }

    /// Depth of descenders below the baseline, in points.
    var descent: Double {
        var extents = cairo_font_extents_t()
        cairo_font_extents(context, &extents)
        return extents.descent
    }

    /// Height of a line of text as laid out (cap height plus descent), in points.
    var textHeight: Double { capHeight + descent }

    func setColor(_ color: Color) {
        cairo_set_source_rgba(context, color.red, color.green, color.blue, color.alpha)
    }

    /// Draws `text` anchored at (x, y), optionally rotated by `angle` radians
    /// (counter-clockwise on screen, so pi/2 reads bottom to top).
    func drawText(_ text: String, x: Double, y: Double, horizontal: HorizontalAnchor = .left,
                  vertical: VerticalAnchor = .baseline, angle: Double = 0, color: Color = .black) {
        guard !text.isEmpty else { return }
        let width = textWidth(text)
        let dx: Double
        switch horizontal {
        case .left: dx = 0
        case .center: dx = -width / 2
        case .right: dx = -width
        }
        let dy: Double
        switch vertical {
        case .top: dy = capHeight
        case .center: dy = capHeight / 2
        case .baseline: dy = 0
        case .bottom: dy = -descent
        }
        cairo_save(context)
        cairo_translate(context, x, y)
        cairo_rotate(context, -angle)
        cairo_move_to(context, dx, dy)
        setColor(color)
        cairo_show_text(context, text)
        cairo_new_path(context)
        cairo_restore(context)
    }

    func fill(_ rect: Rect, color: Color) {
        setColor(color)
        cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
        cairo_fill(context)
    }

    /// Strokes straight segments between consecutive points with butt caps.
    func strokeLine(_ points: [(Double, Double)], color: Color, width: Double,
                    dash: [Double] = [], cap: cairo_line_cap_t = CAIRO_LINE_CAP_BUTT) {
        guard points.count >= 2 else { return }
        cairo_new_path(context)
        cairo_move_to(context, points[0].0, points[0].1)
        for p in points.dropFirst() { cairo_line_to(context, p.0, p.1) }
        setColor(color)
        cairo_set_line_width(context, width)
        cairo_set_line_cap(context, cap)
        cairo_set_line_join(context, CAIRO_LINE_JOIN_ROUND)
        dash.withUnsafeBufferPointer { cairo_set_dash(context, $0.baseAddress, Int32($0.count), 0) }
        cairo_stroke(context)
        cairo_set_dash(context, nil, 0, 0)
    }

    /// Fills the polygon through `points`.
    func fillPolygon(_ points: [(Double, Double)], color: Color) {
        guard points.count >= 3 else { return }
        cairo_new_path(context)
        cairo_move_to(context, points[0].0, points[0].1)
        for p in points.dropFirst() { cairo_line_to(context, p.0, p.1) }
        cairo_close_path(context)
        setColor(color)
        cairo_fill(context)
    }

    /// A rectangle with corners rounded by `radius`, filled and then outlined.
    func roundedRect(_ rect: Rect, radius: Double, fill: Color, edge: Color, edgeWidth: Double) {
        let r = min(radius, rect.width / 2, rect.height / 2)
        cairo_new_path(context)
        cairo_arc(context, rect.maxX - r, rect.minY + r, r, -Double.pi / 2, 0)
        cairo_arc(context, rect.maxX - r, rect.maxY - r, r, 0, Double.pi / 2)
        cairo_arc(context, rect.minX + r, rect.maxY - r, r, Double.pi / 2, Double.pi)
        cairo_arc(context, rect.minX + r, rect.minY + r, r, Double.pi, 3 * Double.pi / 2)
        cairo_close_path(context)
        setColor(fill)
        cairo_fill_preserve(context)
        setColor(edge)
        cairo_set_line_width(context, edgeWidth)
        cairo_stroke(context)
    }

    func clip(to rect: Rect) {
        cairo_save(context)
        cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
        cairo_clip(context)
    }

    func unclip() { cairo_restore(context) }

    /// Draws a marker centred at (x, y); `size` is its width in points.
    func drawMarker(_ marker: Marker, x: Double, y: Double, size: Double, color: Color, lineWidth: Double) {
        switch marker {
        case .none:
            return
        case .circle:
            cairo_new_path(context)
            cairo_arc(context, x, y, size / 2, 0, 2 * Double.pi)
            setColor(color)
            cairo_fill(context)
        case .cross:
            let h = size / 2
            cairo_new_path(context)
            cairo_move_to(context, x - h, y - h); cairo_line_to(context, x + h, y + h)
            cairo_move_to(context, x - h, y + h); cairo_line_to(context, x + h, y - h)
            setColor(color)
            cairo_set_line_width(context, lineWidth)
            cairo_set_line_cap(context, CAIRO_LINE_CAP_BUTT)
            cairo_stroke(context)
        case .square:
            let h = size / 2 * 0.9
            fillPolygon([(x - h, y - h), (x + h, y - h), (x + h, y + h), (x - h, y + h)], color: color)
        case .triangle:
            let h = size / 2
            fillPolygon([(x, y - h), (x + h, y + h * 0.8), (x - h, y + h * 0.8)], color: color)
        case .diamond:
            let h = size / 2 * 1.1
            fillPolygon([(x, y - h), (x + h * 0.75, y), (x, y + h), (x - h * 0.75, y)], color: color)
        case .ring:
            cairo_new_path(context)
            cairo_arc(context, x, y, size * 2 / 3, 0, 2 * Double.pi)
            setColor(color)
            cairo_set_line_width(context, lineWidth)
            cairo_stroke(context)
        }
    }

    /// Paints a w x h grid of colours (row-major, top row first) into `rect` with no
    /// smoothing, so every source pixel becomes a crisp block.
    func drawPixels(_ colors: [Color], width: Int, height: Int, into rect: Rect) {
        guard width > 0, height > 0, colors.count == width * height,
              rect.width > 0, rect.height > 0, rect.width.isFinite, rect.height.isFinite else { return }
        let image = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(width), Int32(height))
        cairo_surface_flush(image)
        let stride = Int(cairo_image_surface_get_stride(image))
        if let data = cairo_image_surface_get_data(image) {
            for row in 0..<height {
                let line = data.advanced(by: row * stride).withMemoryRebound(to: UInt32.self, capacity: width) { $0 }
                for column in 0..<width {
                    let c = colors[row * width + column]
                    let r = UInt32((c.red * 255).rounded()), g = UInt32((c.green * 255).rounded())
                    let b = UInt32((c.blue * 255).rounded())
                    line[column] = 0xff00_0000 | (r << 16) | (g << 8) | b
                }
            }
        }
        cairo_surface_mark_dirty(image)
        cairo_save(context)
        cairo_translate(context, rect.x, rect.y)
        cairo_scale(context, rect.width / Double(width), rect.height / Double(height))
        cairo_set_source_surface(context, image, 0, 0)
        cairo_pattern_set_filter(cairo_get_source(context), CAIRO_FILTER_NEAREST)
        cairo_rectangle(context, 0, 0, Double(width), Double(height))
        cairo_fill(context)
        cairo_restore(context)
        cairo_surface_destroy(image)
    }

    /// The finished image as RGB bytes composited on white (cairo stores premultiplied
    /// ARGB32 in native byte order; premultiplied c over white is c + (255 - a)).
    func rgbBytes() -> [UInt8] {
        cairo_surface_flush(surface)
        let stride = Int(cairo_image_surface_get_stride(surface))
        var out = [UInt8](repeating: 255, count: pixelWidth * pixelHeight * 3)
        guard let data = cairo_image_surface_get_data(surface) else { return out }
        for row in 0..<pixelHeight {
            let line = data.advanced(by: row * stride).withMemoryRebound(to: UInt32.self, capacity: pixelWidth) { $0 }
            for column in 0..<pixelWidth {
                let pixel = line[column]
                let a = (pixel >> 24) & 0xff
                let base = (row * pixelWidth + column) * 3
                out[base] = UInt8(min(255, ((pixel >> 16) & 0xff) + 255 - a))
                out[base + 1] = UInt8(min(255, ((pixel >> 8) & 0xff) + 255 - a))
                out[base + 2] = UInt8(min(255, (pixel & 0xff) + 255 - a))
            }
        }
        return out
    }
}
