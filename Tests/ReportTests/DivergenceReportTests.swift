import XCTest
import Experiments
import NeuralNet
@testable import Report

/// A run whose loss becomes NaN: it is recorded as diverged, the table says so, the
/// figures draw what came before, and the rest of the report is still produced.
final class DivergenceReportTests: XCTestCase {
    func testDivergedBaseRunIsShownAsDiverged() throws {
        var p = Parameters()
        p.seeds = 1
        p.base.epochs = 2
        p.base.batchSize = 50
        p.base.learningRate = 1e300  // in Float this step is infinite: the loss becomes NaN
        p.evaluation.basePerEpoch = 3
        let spec = Planner(parameters: p).plottedSpec(Planner(parameters: p).baseRun, learningRate: nil, seed: 1)
        let data = try SyntheticData().split(seed: 1, validationImages: 100, subset: nil)
        let result = Runner.train(spec, data: data, key: "k", checksums: [:],
                                  provenance: Provenance(commit: "c", dirty: false, swiftVersion: "s", blas: "b",
                                                         blasKernel: "k", blasThreads: 1, machine: "m"))
        let divergence = try XCTUnwrap(result.history.divergence)
        XCTAssertEqual(divergence.epoch, 1)
        XCTAssertFalse(result.history.points.isEmpty, "the evaluation before the first update is kept")

        let row = RowOutcome(plan: Planner(parameters: p).baseRun, sweep: [], chosenLearningRate: 1e300, runs: [result])
        var outcomes = Outcomes(parameters: p, planner: Planner(parameters: p))
        outcomes.base = row
        let context = ContextBuilder(outcomes: outcomes).build()
        let base = try XCTUnwrap(context.base)
        XCTAssertTrue(base.diverged)
        XCTAssertTrue(base.table.contains("| diverged |"), base.table)
        // The figure still renders from the points before the divergence.
        let figure = Figures.baseCurves(row, seeds: 1)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("diverged-\(UUID().uuidString).png")
        XCTAssertNoThrow(try figure.figure.writePNG(to: url))
    }
}
