import XCTest
import Experiments
import ExperimentsTestSupport
import NeuralNet
@testable import Report

/// Task 3's "because" sentences are chosen by the runs' own layer diagnostics.
final class MechanismContextTests: XCTestCase {
    private func outcomes() throws -> Outcomes {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mr-mech-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let e = Experimenter(planner: Planner(parameters: tinyParameters(seeds: 2)), store: try ResultStore(directory: dir),
                             data: SyntheticData(), options: ExperimentOptions(jobs: 2, only: [.tricks]), log: RecordingLog(),
                             provenance: testProvenance)
        return try e.run()
    }

    func testSaturationComparisonQuotesTheRunsOwnDiagnosticsAndOrdersThem() throws {
        let o = try outcomes()
        XCTAssertEqual(o.tricks.count, 5)
        let (s, i) = (o.tricks[1], o.tricks[2])
        let builder = ContextBuilder(outcomes: o)
        let c = builder.saturationComparison(i, s)
        XCTAssertTrue(c.available)
        func start(_ r: RowOutcome) -> Double { Summary(r.runs.map { $0.history.points.first!.layers!.first!.saturatedFraction }).mean }
        func end(_ r: RowOutcome) -> Double { Summary(r.runs.map { $0.history.points.last!.layers!.first!.saturatedFraction }).mean }
        let a = try XCTUnwrap(c.a), b = try XCTUnwrap(c.b)
        XCTAssertEqual(a.startSaturated, Format.percent(start(i), decimals: 1), "a is the first row given (I)")
        XCTAssertEqual(b.endSaturated, Format.percent(end(s), decimals: 1))
        for (moment, order, d) in [("start", c.start, start(i) - start(s)), ("end", c.end, end(i) - end(s))] {
            let order = try XCTUnwrap(order)
            XCTAssertEqual([order.more, order.less, order.alike].filter { $0 }.count, 1, "exactly one of more, less, alike")
            XCTAssertEqual(order.more, d >= ContextBuilder.saturationMargin, moment)
            XCTAssertEqual(order.less, d <= -ContextBuilder.saturationMargin, moment)
        }
        // Swapped rows swap the order.
        let swapped = builder.saturationComparison(s, i)
        XCTAssertEqual(swapped.end?.more, c.end?.less)
    }

    /// Results cached before the diagnostics existed give no mechanism sentence.
    func testRowsWithoutDiagnosticsAreNotAvailable() throws {
        let o = try outcomes()
        var s = o.tricks[1]
        for k in s.runs.indices { for p in s.runs[k].history.points.indices { s.runs[k].history.points[p].layers = nil } }
        XCTAssertFalse(ContextBuilder(outcomes: o).saturationComparison(o.tricks[2], s).available)
    }

    func testSaturationOnsetSolvesTheThreshold() {
        let (sigmoid, improved) = ContextBuilder.saturationOnset()
        let t = LayerDiagnostics.saturationThreshold
        let s = 1 / (1 + exp(-sigmoid))
        XCTAssertEqual(4 * s * (1 - s), t, accuracy: 1e-12)
        XCTAssertEqual(1 / pow(cosh(2 * improved / 3), 2), t, accuracy: 1e-12)
    }
}
