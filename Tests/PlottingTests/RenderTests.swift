import Foundation
import XCTest
@testable import Plotting

/// Renders figures to PNG, reads them back through libpng and checks pixels against the
/// axes' data -> pixel transform.
final class RenderTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("PlottingTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func write(_ figure: Figure, _ name: String = "figure.png", metadata: [String: String] = [:]) throws -> PNGImage {
        let url = directory.appendingPathComponent(name)
        try figure.writePNG(to: url, metadata: metadata)
        return try PNGImage.read(url.path)
    }

    private func rgb(_ image: PNGImage, _ x: Double, _ y: Double) -> [Int] {
        let p = image.pixel(x: Int(x), y: Int(y))
        return [Int(p.r), Int(p.g), Int(p.b)]
    }

    private func rgb(_ color: Color) -> [Int] {
        [color.red, color.green, color.blue].map { Int(($0 * 255).rounded()) }
    }

    private func isWhite(_ c: [Int]) -> Bool { c.allSatisfy { $0 >= 250 } }

    func testDefaultSizeIs1280x960() throws {
        let image = try write(Figure())
        XCTAssertEqual(image.width, 1280)
        XCTAssertEqual(image.height, 960)
    }

    func testHorizontalLinePassesThroughTransformedPixels() throws {
        let figure = Figure(scale: 1)
        let ax = figure.axes[0]
        let red = Color(hex: "d62728")
        ax.plot(x: [0, 10], y: [5, 5], color: red)
        ax.yLimits = 0...10
        ax.legend = .none
        let image = try write(figure)
        for x in stride(from: 0.5, through: 9.5, by: 1.0) {
            let p = try XCTUnwrap(ax.pixel(x: x, y: 5))
            XCTAssertEqual(rgb(image, p.x, p.y), rgb(red), "at data x=\(x), pixel \(p)")
            // 1.5 pt at 100 dpi is ~2 px: four pixels above and below is background.
            XCTAssertTrue(isWhite(rgb(image, p.x, p.y - 4)), "above the line at x=\(x)")
            XCTAssertTrue(isWhite(rgb(image, p.x, p.y + 4)), "below the line at x=\(x)")
        }
        // The transform maps the y limits onto the frame's edges.
        let frame = try XCTUnwrap(ax.pixelFrame)
        let bottom = try XCTUnwrap(ax.pixel(x: 0, y: 0)), top = try XCTUnwrap(ax.pixel(x: 0, y: 10))
        XCTAssertEqual(bottom.y, frame.maxY, accuracy: 1e-9)
        XCTAssertEqual(top.y, frame.minY, accuracy: 1e-9)
        // Spines are black on the frame's left edge.
        XCTAssertEqual(rgb(image, frame.minX, frame.midY), [0, 0, 0])
    }

    func testNaNLeavesGapAndDoesNotStretchAxes() throws {
        let figure = Figure(scale: 1)
        let ax = figure.axes[0]
        let blue = Color.tab10[0]
        ax.plot(x: [0, 1, 2, 3, 4, 5, 6], y: [1, 1, 1, .nan, 1, .infinity, 1], color: blue)
        ax.yLimits = 0...2
        let image = try write(figure)
        XCTAssertEqual(ax.xView!.lowerBound, -0.3, accuracy: 1e-9)
        XCTAssertEqual(ax.xView!.upperBound, 6.3, accuracy: 1e-9)
        let drawn = try XCTUnwrap(ax.pixel(x: 1, y: 1))
        XCTAssertEqual(rgb(image, drawn.x, drawn.y), rgb(blue))
        let gap = try XCTUnwrap(ax.pixel(x: 3, y: 1))
        XCTAssertTrue(isWhite(rgb(image, gap.x, gap.y)), "NaN point must leave a gap")
    }

    func testFarOutsidePointsDoNotCorruptTheVisibleLine() throws {
        // A diverged value under a zoomed axis lies ~1e300 px away, far beyond cairo's
        // fixed-point range; the visible part must still be drawn where it belongs.
        let figure = Figure(scale: 1)
        let ax = figure.axes[0]
        let green = Color.tab10[2]
        ax.plot(x: [0, 10, 11], y: [0.9, 0.9, 1e300], color: green)
        ax.band(x: [0, 10, 11], lower: [0.85, 0.85, -1e300], upper: [0.95, 0.95, 1e300], color: green)
        ax.yLimits = 0.8...1.0
        ax.xLimits = 0...12
        let image = try write(figure)
        for x in [1.0, 5.0, 9.0] {
            let p = try XCTUnwrap(ax.pixel(x: x, y: 0.9))
            XCTAssertEqual(rgb(image, p.x, p.y), rgb(green), "line at x=\(x)")
            let inBand = try XCTUnwrap(ax.pixel(x: x, y: 0.87))
            let c = rgb(image, inBand.x, inBand.y)
            XCTAssertFalse(isWhite(c), "band at x=\(x)")
            let outside = try XCTUnwrap(ax.pixel(x: x, y: 0.82))
            XCTAssertTrue(isWhite(rgb(image, outside.x, outside.y)), "below the band at x=\(x)")
        }
    }

    func testLinesInUpperRightPushLegendElsewhere() throws {
        let figure = Figure(scale: 1)
        let ax = figure.axes[0]
        let xs = (0...50).map { Double($0) / 50 }
        ax.plot(x: xs, y: xs.map { $0 * $0 * $0 }, label: "Cubic")
        ax.plot(x: xs, y: xs.map { $0 > 0.7 ? 1 : 0.2 }, label: "Step")
        let image = try write(figure)
        XCTAssertNotEqual(ax.resolvedLegendPlacement, .upperRight)
        let box = try XCTUnwrap(ax.legendPixelFrame)
        for x in xs {
            for y in [x * x * x, x > 0.7 ? 1 : 0.2] {
                let p = try XCTUnwrap(ax.pixel(x: x, y: y))
                XCTAssertFalse(box.contains(x: p.x, y: p.y), "data point (\(x), \(y)) under the legend")
            }
        }
        // The box is drawn where layout says: grey edge, white inside.
        let frame = try XCTUnwrap(ax.pixelFrame)
        XCTAssertTrue(frame.contains(x: box.minX, y: box.minY) && frame.contains(x: box.maxX, y: box.maxY))
        XCTAssertTrue(isWhite(rgb(image, box.maxX - 3, box.maxY - 3)))
        let edge = rgb(image, box.midX, box.maxY)
        XCTAssertTrue(edge.allSatisfy { $0 < 250 && $0 > 150 }, "legend edge should be light grey, got \(edge)")
    }

    func testNamedLegendCornerAndEmptyDataKeepUpperRight() throws {
        let figure = Figure(scale: 1, columns: 2)
        figure.axes[0].plot(x: [0, 1], y: [0, 1], label: "a")
        figure.axes[0].legend = .lowerRight
        figure.axes[1].plot(x: [0, 1], y: [0, 0], label: "b")
        figure.layout()
        let frame = try XCTUnwrap(figure.axes[0].pixelFrame), box = try XCTUnwrap(figure.axes[0].legendPixelFrame)
        XCTAssertGreaterThan(box.midX, frame.midX)
        XCTAssertGreaterThan(box.midY, frame.midY)
        XCTAssertEqual(figure.axes[1].resolvedLegendPlacement, .upperRight)
    }

    func testTallBarsOnTheRightPushLegendElsewhere() throws {
        let figure = Figure(scale: 1)
        let ax = figure.axes[0]
        ax.bars(categories: ["a", "b", "c", "d"], series: [("Train", [0.2, 0.3, 0.5, 1.0]), ("Test", [0.1, 0.2, 0.4, 0.9])])
        figure.layout()
        XCTAssertNotEqual(ax.resolvedLegendPlacement, .upperRight)
        XCTAssertEqual(ax.yView?.lowerBound, 0, "bars stand on zero without a margin below")
        XCTAssertEqual(ax.xTickLabels, ["a", "b", "c", "d"])
    }

    func testAxesWithoutDataIsValidImage() throws {
        let figure = Figure(scale: 1)
        figure.axes[0].title = "Nothing"
        let image = try write(figure)
        XCTAssertEqual(image.width, 640)
        XCTAssertEqual(image.height, 480)
        XCTAssertEqual(figure.axes[0].xTickLabels, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        let frame = try XCTUnwrap(figure.axes[0].pixelFrame)
        XCTAssertTrue(isWhite(rgb(image, frame.midX, frame.midY)))
        XCTAssertEqual(rgb(image, frame.midX, frame.maxY), [0, 0, 0])
    }

    func testSameFigureGivesIdenticalBytes() throws {
        func make() -> Figure {
            let figure = Figure(rows: 1, columns: 2, title: "Twice")
            figure.axes[0].plot(x: [0, 1, 2], y: [3, 1, 2], label: "Loss")
            figure.axes[0].band(x: [0, 1, 2], lower: [2.5, 0.5, 1.5], upper: [3.5, 1.5, 2.5])
            figure.axes[1].heatmap(values: [[1, 2], [3, 4]], annotate: true)
            return figure
        }
        let a = directory.appendingPathComponent("a.png"), b = directory.appendingPathComponent("b.png")
        try make().writePNG(to: a, metadata: ["Source": "x"])
        try make().writePNG(to: b, metadata: ["Source": "x"])
        XCTAssertEqual(try Data(contentsOf: a), try Data(contentsOf: b))
    }

    func testDegenerateInputsRenderValidPNGs() throws {
        let cases: [(String, [Double], [Double])] = [
            ("empty", [], []),
            ("one", [3], [0.5]),
            ("constant", [0, 1, 2], [2, 2, 2]),
            ("zero", [0, 1, 2], [0, 0, 0]),
            ("nan", [0, 1, 2], [.nan, .nan, .nan]),
            ("inf", [.infinity, 1], [1, -.infinity]),
            ("tiny", [0, 1, 2], [1, 1 + 1e-9, 1 + 5e-10]),
            ("huge", [0, 1, 2], [0, 1e9, 3e9]),
            ("nearzero", [0, 1], [0, 1e-9]),
        ]
        for (name, x, y) in cases {
            for scale in [AxisScale.linear, .log(base: 10)] {
                let figure = Figure(scale: 1)
                let ax = figure.axes[0]
                ax.yScale = scale
                ax.plot(x: x, y: y, label: name, marker: .circle)
                let image = try write(figure, "\(name).png")
                XCTAssertEqual(image.width, 640, name)
                let view = try XCTUnwrap(ax.yView, name)
                XCTAssertTrue(view.lowerBound.isFinite && view.upperBound.isFinite && view.lowerBound < view.upperBound, name)
                XCTAssertGreaterThanOrEqual(ax.yTicks.count, 2, "\(name) \(scale)")
                XCTAssertEqual(Set(ax.yTickLabels).count, ax.yTickLabels.count, "\(name): \(ax.yTickLabels)")
                XCTAssertTrue(ax.yTickLabels.allSatisfy { $0.count <= 8 }, "\(name): \(ax.yTickLabels)")
            }
        }
        let constant = Figure(scale: 1)
        constant.axes[0].plot(x: [0, 1], y: [2, 2])
        constant.layout()
        XCTAssertEqual(constant.axes[0].yView!.lowerBound, 2 - 0.1 - 0.01, accuracy: 1e-12)
        XCTAssertEqual(constant.axes[0].yView!.upperBound, 2 + 0.1 + 0.01, accuracy: 1e-12)
    }

    func testDegenerateImagesAndBars() throws {
        let figure = Figure(scale: 1, rows: 2, columns: 2)
        figure.axes[0].imageGrid(images: [], width: 28, height: 28, columns: 8)
        figure.axes[1].imageGrid(images: [[1, 1, 1, 1], [.nan]], width: 2, height: 2, columns: 4, colorMap: .diverging, symmetric: true)
        figure.axes[2].heatmap(values: [[]], annotate: true)
        figure.axes[3].bars(categories: [], series: [])
        XCTAssertEqual(try write(figure).height, 480)
    }

    func testLogAxisPositions() throws {
        let figure = Figure(scale: 1)
        let ax = figure.axes[0]
        ax.xScale = .log(base: 2)
        ax.plot(x: [1, 2, 4, 8, 16, 32, 64, 128], y: [1, 2, 3, 4, 5, 6, 7, 8])
        figure.layout()
        XCTAssertEqual(ax.xTickLabels, ["1", "2", "4", "8", "16", "32", "64", "128"])
        let p1 = try XCTUnwrap(ax.pixel(x: 1, y: 1)), p2 = try XCTUnwrap(ax.pixel(x: 2, y: 1))
        let p4 = try XCTUnwrap(ax.pixel(x: 4, y: 1))
        XCTAssertEqual(p2.x - p1.x, p4.x - p2.x, accuracy: 1e-9, "powers of two are evenly spaced")
        XCTAssertNil(ax.pixel(x: 0, y: 1), "zero has no place on a log axis")
    }

    func testHeatmapCellsAndImageTilesUseTheColourMap() throws {
        let figure = Figure(scale: 1, columns: 2)
        let heat = figure.axes[0]
        heat.heatmap(values: [[0, 10], [5, 10]], rowLabels: ["a", "b"], columnLabels: ["x", "y"], colorBar: true)
        let tiles = figure.axes[1]
        tiles.imageGrid(images: [[Double](repeating: 2, count: 16), [Double](repeating: -3, count: 16)],
                        width: 4, height: 4, columns: 2, colorMap: .diverging, symmetric: true)
        let image = try write(figure)
        let frame = try XCTUnwrap(heat.pixelFrame)
        XCTAssertEqual(frame.width, frame.height, accuracy: 1e-6, "square cells")
        // Row 0 at the top: cell (0, 0) holds the minimum, the lightest blue.
        let topLeft = try XCTUnwrap(heat.pixel(x: 0, y: 0))
        XCTAssertLessThan(topLeft.y, frame.midY)
        XCTAssertEqual(rgb(image, topLeft.x, topLeft.y), rgb(ColorMap.blues.color(at: 0)))
        let bottomRight = try XCTUnwrap(heat.pixel(x: 1, y: 1))
        XCTAssertEqual(rgb(image, bottomRight.x, bottomRight.y), rgb(ColorMap.blues.color(at: 1)))
        // Each tile is scaled symmetric about zero on its own: all-positive -> darkest red.
        let tileFrame = try XCTUnwrap(tiles.pixelFrame)
        let firstTile = rgb(image, tileFrame.minX + tileFrame.width * 0.2, tileFrame.midY)
        XCTAssertEqual(firstTile, rgb(ColorMap.diverging.color(at: 1)))
        let secondTile = rgb(image, tileFrame.maxX - tileFrame.width * 0.2, tileFrame.midY)
        XCTAssertEqual(secondTile, rgb(ColorMap.diverging.color(at: 0)))
    }

    /// A shared range puts zero at the map's middle in every tile, and its colour bar is
    /// drawn beside the grid: the bar's top is the range's top colour, its middle white-ish.
    func testImageGridWithASharedRangeHasItsColorBar() throws {
        let figure = Figure(scale: 1, rows: 1, columns: 2)
        let plain = figure.axes[0], barred = figure.axes[1]
        let tiles = [[Double](repeating: 0, count: 16), [Double](repeating: 0.5, count: 16)]
        plain.imageGrid(images: tiles, width: 4, height: 4, columns: 2, colorMap: .diverging, range: -1...1)
        barred.imageGrid(images: tiles, width: 4, height: 4, columns: 2, colorMap: .diverging, range: -1...1, colorBar: true)
        let image = try write(figure)
        let frame = try XCTUnwrap(barred.pixelFrame)
        // Zero maps to the middle colour even though no tile reaches -1 or 1.
        XCTAssertEqual(rgb(image, frame.minX + frame.width * 0.2, frame.midY), rgb(ColorMap.diverging.color(at: 0.5)))
        XCTAssertEqual(rgb(image, frame.maxX - frame.width * 0.2, frame.midY), rgb(ColorMap.diverging.color(at: 0.75)))
        // The bar sits right of the frame; the plain grid has none.
        let ppp = figure.pixelsPerPoint
        let barX = frame.maxX + (10 + 6) * ppp
        for fraction in [0.02, 0.5, 0.98] {   // from the top
            let y = frame.minY + fraction * frame.height
            let seen = rgb(image, barX, y), expected = rgb(ColorMap.diverging.color(at: 1 - fraction))
            XCTAssertTrue(zip(seen, expected).allSatisfy { abs($0 - $1) <= 6 }, "bar at \(fraction) from the top: \(seen), expected \(expected)")
        }
        let plainFrame = try XCTUnwrap(plain.pixelFrame)
        XCTAssertEqual(rgb(image, plainFrame.maxX + (10 + 6) * ppp, plainFrame.minY + 2), [255, 255, 255], "no bar without colorBar")
    }

    func testMetadataReadsBack() throws {
        let figure = Figure(scale: 1, title: "Task 2c")
        figure.axes[0].plot(x: [0, 1], y: [0, 1])
        let image = try write(figure, metadata: ["Source": "3-B,3-S", "Comment": "σ across seeds"])
        XCTAssertEqual(image.text["Title"], "Task 2c")
        XCTAssertEqual(image.text["Software"], "make-report Plotting 1.0")
        XCTAssertEqual(image.text["Source"], "3-B,3-S")
        XCTAssertEqual(image.text["Comment"], "σ across seeds")
        XCTAssertNil(image.text["Creation Time"])
        let bytes = try Data(contentsOf: directory.appendingPathComponent("figure.png"))
        XCTAssertNil(bytes.range(of: Data("tIME".utf8)), "no time stamp chunk")
    }

    func testAtomicWriteLeavesOnlyTheFile() throws {
        let figure = Figure(scale: 0.5)
        _ = try write(figure, "one.png")
        _ = try write(figure, "one.png")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        XCTAssertEqual(names, ["one.png"])
    }

    func testFailedWritesThrowErrorsNamingThePath() throws {
        let figure = Figure(scale: 0.25)
        let missing = directory.appendingPathComponent("no/such/dir/figure.png")
        XCTAssertThrowsError(try figure.writePNG(to: missing)) { error in
            guard let plotError = error as? PlotError, case .writeFailed = plotError else {
                return XCTFail("unexpected error \(error)")
            }
            XCTAssertEqual(plotError.path, missing.path)
            XCTAssertTrue("\(plotError)".contains(missing.path))
        }
        // A regular file where a directory should be fails even for root.
        let file = directory.appendingPathComponent("plain")
        try Data("x".utf8).write(to: file)
        let under = file.appendingPathComponent("figure.png")
        XCTAssertThrowsError(try figure.writePNG(to: under)) { error in
            XCTAssertEqual((error as? PlotError)?.path, under.path)
        }
        XCTAssertThrowsError(try figure.writePNG(to: directory.appendingPathComponent("k.png"), metadata: [" bad": "x"])) { error in
            guard case .invalidMetadataKey(_, let key)? = error as? PlotError else { return XCTFail("\(error)") }
            XCTAssertEqual(key, " bad")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["plain"])
    }

    func testReadingGarbageThrows() throws {
        let file = directory.appendingPathComponent("garbage.png")
        try Data([137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13]).write(to: file)
        XCTAssertThrowsError(try PNGImage.read(file.path))
        XCTAssertThrowsError(try PNGImage.read(directory.appendingPathComponent("none.png").path))
    }
}
