import Foundation
import XCTest
@testable import Plotting

/// The vector outputs: the same figure as the PNG, drawn as paths and text on Cairo's PDF
/// and SVG surfaces.
final class VectorTests: XCTestCase {
    private func sample() -> Figure {
        let f = Figure(width: 6.4, height: 4.8, title: "Vector check")
        let ax = f.axes(row: 0, column: 0)
        ax.title = "Loss"; ax.xLabel = "Epoch"; ax.yLabel = "Value"; ax.grid = true
        ax.band(x: [0, 1, 2, 3], lower: [0.5, 0.3, 0.2, 0.1], upper: [0.9, 0.6, 0.4, 0.3], color: Color.tab10[0])
        ax.plot(x: [0, 1, 2, 3], y: [0.7, 0.45, 0.3, 0.2], label: "train", color: Color.tab10[0])
        return f
    }

    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    func testPDFIsOnePageOfTheFigureSizeWithEmbeddedFontAndNoImage() throws {
        let pdf = sample().renderVector(.pdf)
        let s = String(decoding: pdf, as: Unicode.ASCII.self)
        XCTAssertTrue(s.hasPrefix("%PDF-"))
        // 6.4 x 4.8 in at 72 pt per inch.
        XCTAssertTrue(s.contains("/MediaBox [ 0 0 460.8 345.6 ]"), "page size in points")
        XCTAssertEqual(s.components(separatedBy: "/Type /Page\n").count - 1 + s.components(separatedBy: "/Type /Page ").count - 1, 1)
        // Text stays text: a font resource with its glyphs embedded, and no raster image.
        XCTAssertTrue(s.contains("/FontFile"), "the font is embedded")
        XCTAssertTrue(s.contains("DejaVuSans"))
        XCTAssertFalse(s.contains("/Subtype /Image"), "a vector figure holds no image")
    }

    /// The PDF goes into report.pdf, which must be reproducible. (Cairo numbers SVG glyph
    /// ids by a counter global to the process, so an SVG's bytes depend on what was drawn before.)
    func testPDFOutputIsDeterministic() {
        XCTAssertTrue(sample().renderVector(.pdf) == sample().renderVector(.pdf), "two renderings of one figure differ")
    }

    func testVectorAndPNGShareOneLayout() {
        let raster = sample()
        _ = raster.renderRGB()
        let vector = sample()
        _ = vector.renderVector(.pdf)
        XCTAssertEqual(raster.axes[0].pixelFrame, vector.axes[0].pixelFrame)
        XCTAssertEqual(raster.axes[0].legendPixelFrame, vector.axes[0].legendPixelFrame)
        XCTAssertNotNil(vector.axes[0].pixelFrame)
    }

    func testSVGIsInPointsAndDrawsPaths() {
        let svg = text(sample().renderVector(.svg))
        XCTAssertTrue(svg.contains("<svg"))
        XCTAssertTrue(svg.contains("width=\"460.8pt\""), String(svg.prefix(300)))
        XCTAssertTrue(svg.contains("<path"))
        XCTAssertFalse(svg.contains("<image"), "a vector figure holds no image")
    }

    func testWriteVectorWritesTheFileAndNamesAPathItCannotWrite() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vector-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("f.pdf")
        try sample().writeVector(.pdf, to: url)
        XCTAssertEqual(try Data(contentsOf: url).prefix(5), Data("%PDF-".utf8))
        let bad = dir.appendingPathComponent("missing/f.pdf")
        XCTAssertThrowsError(try sample().writeVector(.pdf, to: bad)) { error in
            XCTAssertEqual((error as? PlotError)?.path, bad.path)
        }
    }
}
