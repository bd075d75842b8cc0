import XCTest
import ExperimentsTestSupport
@testable import NeuralNet
@testable import Experiments

/// Task 5's ablation plan and the grid-edge rule: pure functions of the parameters and the
/// results, checked on specs and on synthetic sweep results.
final class AblationPlanTests: XCTestCase {
    let planner = Planner(parameters: Parameters())

    func testRateLadderStepsOneValuePastEitherEdge() {
        XCTAssertEqual(RateLadder.step(from: 1, up: true), 2)
        XCTAssertEqual(RateLadder.step(from: 2, up: true), 5)
        XCTAssertEqual(RateLadder.step(from: 0.5, up: true), 1)
        XCTAssertEqual(RateLadder.step(from: 0.01, up: false), 0.005)
        XCTAssertEqual(RateLadder.step(from: 0.02, up: false), 0.01)
        XCTAssertEqual(RateLadder.step(from: 0.05, up: false), 0.02)
        XCTAssertEqual(RateLadder.step(from: 0.03, up: true), 0.05)
    }

    /// The field names `RunSpec.differences` reports between two specs.
    private func changed(_ a: RunSpec, _ b: RunSpec) -> [String] {
        a.differences(from: b).map { String($0.split(separator: " ")[0]) }
    }

    func testEveryChainStepChangesOneThingOfItsBaseline() throws {
        let chain = planner.bonusRows(learningRate: 0.02, dropout: 0.2, annealing: 4220)
        XCTAssertEqual(chain.map(\.id), ["ReLU", "Init", "OtherInit", "Wide", "Dropout", "Anneal", "Shift", Planner.finalBonusID])
        XCTAssertEqual(chain.map(\.template.epochs), [20, 20, 20, 20, 20, 20, 20, 50])
        for row in chain.dropFirst() {
            let base = try XCTUnwrap(chain.first { $0.id == row.baseline }, row.id)
            XCTAssertEqual(changed(row.template, base.template).count, 1, "\(row.id) against \(base.id): \(changed(row.template, base.template))")
        }
        XCTAssertEqual(chain[1].template.initializer, "he")
        XCTAssertEqual(chain[2].template.initializer, "xavier")
        XCTAssertEqual(chain[0].template.activation, "relu")
    }

    func testEachLeaveOneOutRowTakesBackExactlyItsStepsChange() throws {
        let chain = planner.bonusRows(learningRate: 0.02, dropout: 0.2, annealing: 4220)
        let final = try XCTUnwrap(chain.last)
        let m = planner.trickRows[4].template
        let rows = planner.bonusLeaveOneOutRows(chain: chain)
        XCTAssertEqual(rows.compactMap(\.removes), ["ReLU", "Init", "Wide", "Dropout", "Anneal", "Shift", Planner.finalBonusID])
        for row in rows {
            let diff = changed(row.template, final.template)
            XCTAssertEqual(diff.count, 1, "\(row.id): \(diff)")
            let step = try XCTUnwrap(chain.first { $0.id == row.removes })
            // The field the step changed is the one its removal changes back.
            let stepChange = step.baseline.flatMap { id in chain.first { $0.id == id } }.map { changed(step.template, $0.template) }
                ?? ["activation"]
            XCTAssertEqual(diff, stepChange, row.id)
        }
        // Taken back, each change returns to row M's value, or to the chain's shorter schedule.
        XCTAssertEqual(rows[0].template.activation, m.activation)
        XCTAssertEqual(rows[1].template.initializer, m.initializer)
        XCTAssertEqual(rows[2].template.hiddenUnits, m.hiddenUnits)
        XCTAssertEqual(rows.last?.template, chain.first { $0.id == "Shift" }?.template)
    }

    // MARK: Grid edges

    private func result(_ spec: RunSpec, accuracy: Double) -> RunResult {
        var h = TrainingHistory()
        h.points = (1...spec.epochs).map { e in
            EvaluationPoint(epoch: Double(e), iteration: e, metrics: ["validation": Metrics(loss: 1, accuracy: accuracy)])
        }
        return RunResult(key: "k", spec: spec, datasetChecksums: [:], codeVersion: TrainingCode.version, history: h,
                         parameterCount: 0, wallSeconds: 0, provenance: testProvenance)
    }

    /// Sweep results where every row's validation accuracy is `accuracy(rate)`.
    private func results(_ graph: JobGraph, stages: [Stage], accuracy: (Double) -> Double) -> [String: RunResult] {
        var out: [String: RunResult] = [:]
        for stage in stages {
            for job in graph.jobs(stage, results: { out[$0] }) {
                if case .train(let spec) = job.work { out[job.key] = result(spec, accuracy: accuracy(spec.learningRate)) }
            }
        }
        return out
    }

    func testAChoiceOnAnEdgeAddsTheNextRateAndIsRedoneWithIt() throws {
        var p = tinyParameters()
        p.learningRateGrid = [0.5, 0.2, 0.1]
        let graph = JobGraph(planner: Planner(parameters: p), checksums: [:])
        // The largest rate is best: each swept row (task 3 and 4) gets lr 1, and nothing else.
        let best = results(graph, stages: [.sweeps], accuracy: { $0 })
        let edges = graph.jobs(.sweepEdges, results: { best[$0] })
        let swept = graph.planner.trickRows.count + graph.planner.topologyRows.count
        XCTAssertEqual(edges.count, swept)
        XCTAssertTrue(edges.allSatisfy { $0.name.contains("/lr=1/") && $0.stage == .sweepEdges }, edges.map(\.name).joined(separator: " "))
        // With lr 1 better still, the choice moves there; with it worse, it stays at 0.5.
        for (accuracyAtOne, expected) in [(0.9, 1.0), (0.3, 0.5)] {
            var all = best
            for job in edges { if case .train(let spec) = job.work { all[job.key] = result(spec, accuracy: accuracyAtOne) } }
            let d = graph.decisions(results: { all[$0] }, through: .sweepEdges)
            XCTAssertEqual(d.rates[RowID(.tricks, "B")]?.rate, expected)
            XCTAssertEqual(d.rates[RowID(.tricks, "B")]?.sweep.map(\.learningRate), [1, 0.5, 0.2, 0.1])
            XCTAssertFalse(d.missing.contains(.tricks))
        }
        // Before the extension's runs exist, the group's choice is not final.
        XCTAssertTrue(graph.decisions(results: { best[$0] }, through: .sweepEdges).missing.contains(.tricks))
    }

    func testNoExtensionInsideTheGridOrWhenTurnedOff() {
        var p = tinyParameters()
        p.learningRateGrid = [0.5, 0.2, 0.1]
        let middle = JobGraph(planner: Planner(parameters: p), checksums: [:])
        let peaked = results(middle, stages: [.sweeps], accuracy: { $0 == 0.2 ? 0.9 : 0.5 })
        XCTAssertEqual(middle.jobs(.sweepEdges, results: { peaked[$0] }).count, 0)
        p.gridEdgeSteps = 0
        let off = JobGraph(planner: Planner(parameters: p), checksums: [:])
        let best = results(off, stages: [.sweeps], accuracy: { $0 })
        XCTAssertEqual(off.jobs(.sweepEdges, results: { best[$0] }).count, 0)
        // The smallest rate best: one step down the ladder.
        p.gridEdgeSteps = 1
        let down = JobGraph(planner: Planner(parameters: p), checksums: [:])
        let low = results(down, stages: [.sweeps], accuracy: { 1 - $0 })
        XCTAssertTrue(down.jobs(.sweepEdges, results: { low[$0] }).allSatisfy { $0.name.contains("/lr=0.05/") })
    }

    func testAGridWhereEveryRateCollapsedExtendsDownwards() {
        var p = tinyParameters()
        p.learningRateGrid = [0.5, 0.2, 0.1]
        let graph = JobGraph(planner: Planner(parameters: p), checksums: [:])
        let collapsed = results(graph, stages: [.sweeps], accuracy: { _ in 0.1 })
        let edges = graph.jobs(.sweepEdges, results: { collapsed[$0] })
        XCTAssertFalse(edges.isEmpty)
        XCTAssertTrue(edges.allSatisfy { $0.name.contains("/lr=0.05/") }, edges.map(\.name).joined(separator: " "))
    }

    func testGridEdgeStepsIsReadAndBounded() throws {
        XCTAssertEqual(try Parameters.parse("grid_edge_steps: 0\n").gridEdgeSteps, 0)
        XCTAssertThrowsError(try Parameters.parse("grid_edge_steps: 2\n"))
        XCTAssertThrowsError(try Parameters.parse("bonus:\n  epochs: 20\n  final_epochs: 20\n"))
        XCTAssertEqual(try Parameters.parse("bonus:\n  initializer: He\n").bonus.initializer, "he")
    }
}
