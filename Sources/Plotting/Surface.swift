import CCairo
import Foundation

/// The vector formats Cairo can draw a figure to, beside the PNG.
public enum VectorFormat: String, Sendable {
    /// A one-page PDF, `width` x `height` inches (72 pt each); fonts embedded as subsets.
    case pdf
    /// An SVG document in points; Cairo writes glyphs as outlines (`<symbol>` paths), so
    /// text is vector but not selectable.
    case svg
}

extension Figure {
    /// The figure drawn by the same layout and drawing code as the PNG (`draw(on:)`), on a
    /// Cairo vector surface of width * 72 x height * 72 points: lines, bands and bars are
    /// paths, text is glyphs of the embedded font, and only image grids and heat maps (whose
    /// data are pixels) are images. Returns the file's bytes.
    ///
    /// Layout is measured on a raster canvas of the PNG's density, exactly as `renderRGB`
    /// does, so the vector figure has the PNG's layout to the last bit.
    public func renderVector(_ format: VectorFormat, title documentTitle: String? = nil) -> [UInt8] {
        let sink = ByteSink()
        let closure = Unmanaged.passRetained(sink)
        defer { closure.release() }
        let write: cairo_write_func_t = { closure, data, length in
            guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
            Unmanaged<ByteSink>.fromOpaque(closure).takeUnretainedValue()
                .bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
            return CAIRO_STATUS_SUCCESS
        }
        let points = (width: width * 72, height: height * 72)
        let surface: OpaquePointer
        switch format {
        case .pdf:
            surface = cairo_pdf_surface_create_for_stream(write, closure.toOpaque(), points.width, points.height)
            // No clock in the file: Cairo would otherwise stamp the current time.
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, "")
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, PNGWriter.software)
            let heading = documentTitle ?? title ?? axes.compactMap(\.title).joined(separator: " | ")
            if !heading.isEmpty { cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, heading) }
        case .svg:
            surface = cairo_svg_surface_create_for_stream(write, closure.toOpaque(), points.width, points.height)
            cairo_svg_surface_set_document_unit(surface, CAIRO_SVG_UNIT_PT)
        }
        do {
            let canvas = Canvas(vectorSurface: surface, widthPoints: points.width, heightPoints: points.height,
                                pixelsPerPoint: pixelsPerPoint)
            let measuring = Canvas(pixelWidth: 1, pixelHeight: 1, pixelsPerPoint: pixelsPerPoint)
            draw(on: canvas, measuring: measuring)
            cairo_surface_finish(surface)
        }
        return sink.bytes
    }

    /// Writes the figure as a vector file (see `renderVector`), atomically. Throws
    /// `PlotError` naming the path.
    public func writeVector(_ format: VectorFormat, to url: URL, title documentTitle: String? = nil) throws {
        let bytes = renderVector(format, title: documentTitle)
        guard !bytes.isEmpty else {
            throw PlotError.writeFailed(path: url.path, reason: "Cairo produced no \(format.rawValue.uppercased()) output")
        }
        try PNGWriter.writeAtomically(bytes, to: url)
    }
}

/// Accumulates what a Cairo stream surface writes.
private final class ByteSink { var bytes: [UInt8] = [] }
