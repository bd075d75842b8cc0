import XCTest
@testable import Experiments
import MatrixCore
import NeuralNet
@testable import Report

/// Task 5's pictures and the numbers their discussion quotes.
final class InspectionTests: XCTestCase {
    static let results = ReportRenderingTests.root.appendingPathComponent("report/results")

    /// The committed record of the base net's inspection (decoded, not re-verified: these
    /// tests change its weights on purpose).
    private func baseRecord() throws -> InspectionRecord {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.results.path).filter { $0.hasSuffix(".json") && $0 != "index.json" }
        for name in names {
            let data = try Data(contentsOf: Self.results.appendingPathComponent(name))
            guard data.count > 100_000, let r = try? JSONDecoder().decode(InspectionRecord.self, from: data), r.hiddenUnits == 64 else { continue }
            return r
        }
        throw XCTSkip("no committed inspection record of the base net")
    }

    func testConfusionPairsRankTheOffDiagonalCells() {
        var m = [[Int]](repeating: [Int](repeating: 0, count: 10), count: 10)
        for d in 0..<10 { m[d][d] = 100 }
        m[4][9] = 7; m[9][4] = 7; m[5][3] = 9; m[2][8] = 1
        let pairs = ConfusionPairs(m)
        XCTAssertEqual(pairs.errors, 24)
        // Largest first; the tie 4 -> 9 / 9 -> 4 by true digit. The diagonal is never a pair.
        XCTAssertEqual(pairs.top(3).map(\.text), ["5 → 3 (9)", "4 → 9 (7)", "9 → 4 (7)"])
        XCTAssertEqual(pairs.share(of: 2), 16.0 / 24, accuracy: 1e-12)
        XCTAssertTrue(pairs.mutual(within: 3)! == (4, 9))
        XCTAssertNil(pairs.mutual(within: 2))
    }

    func testPredictionsCountEveryImageAndKeepOnlyWrongOnesMostConfidentFirst() {
        // 6 images, 3 classes; logits chosen so images 1, 3 and 4 are wrong.
        let logits = Matrix<Float>(rows: 6, columns: 3, storage: [
            5, 0, 0,   0, 0, 3,   0, 4, 0,   2, 0, 0,   0, 9, 0,   0, 0, 1,
        ])
        let labels: [Int32] = [0, 1, 1, 2, 0, 2]
        let (confusion, wrong) = Inspection.predictions(logits: logits, labels: labels, classes: 3, keep: 2)
        XCTAssertEqual(confusion.joined().reduce(0, +), 6)
        XCTAssertEqual(confusion, [[1, 1, 0], [0, 1, 1], [1, 0, 1]])
        XCTAssertEqual(wrong.map(\.index), [4, 1], "most confident first, cut at keep")
        XCTAssertTrue(wrong.allSatisfy { $0.label != $0.predicted })
        XCTAssertEqual(wrong[0].probability, 1 / (1 + 2 * exp(-9.0)), accuracy: 1e-9)
    }

    /// The change is measured against the initial draw, exactly: the record's own initial
    /// weights give zero change, and a shift added only inside the digit box shows there only.
    func testWeightChangeIsMeasuredFromTheSeedsInitialWeights() throws {
        var record = try baseRecord()
        let w0 = Runner.model(for: record.spec.run).parameters[0].value.storage
        record.firstLayerWeights = Inspection.encodeFloats(w0)
        let still = WeightRegions(record)
        XCTAssertEqual(still.centre.change, 0)
        XCTAssertEqual(still.frame.change, 0)
        XCTAssertEqual(still.centre.initial, (1.0 / 3).squareRoot(), accuracy: 0.01, "uniform on [-1, 1]")
        let h = record.hiddenUnits
        var shifted = w0
        for pixel in 0..<784 where (4..<24).contains(pixel / 28) && (4..<24).contains(pixel % 28) {
            for u in 0..<h { shifted[pixel * h + u] += 0.25 }
        }
        record.firstLayerWeights = Inspection.encodeFloats(shifted)
        let moved = WeightRegions(record)
        XCTAssertEqual(moved.centre.change, 0.25, accuracy: 1e-6)
        XCTAssertEqual(moved.frame.change, 0)
    }

    func testTheThreeFiguresShowTheRecordsData() throws {
        let record = try baseRecord()
        let weights = Figures.firstLayerWeights(base: record, final: record, finalLabel: "x")
        XCTAssertEqual(weights.figure.axes.count, 2)
        let confusion = Figures.confusion(record, label: "x")
        XCTAssertEqual(confusion.sources, [record.key])
        let wrong = Figures.mostWrong(record, label: "x")
        XCTAssertEqual(wrong.figure.axes.count, record.mostConfidentlyWrong.count)
        XCTAssertEqual(wrong.figure.axes.first?.title?.hasPrefix("\(record.mostConfidentlyWrong[0].label) → "), true)
        // Every figure draws (a PNG comes back).
        for f in [weights, confusion, wrong] { XCTAssertGreaterThan(f.figure.renderRGB().rgb.count, 0, f.file) }
    }
}
