import XCTest
import ExperimentsTestSupport
import MatrixCore
import NeuralNet
@testable import Experiments

/// The experimenter trains a learning-rate grid of one row and seed as one `GridTrainer`
/// (`Experimenter.units`), and still caches each rate under its own key with the result the
/// rate gets trained alone.
final class GridExecutionTests: XCTestCase {
    /// Three rates, so each row and seed of tasks 3 and 4 is a grid of three.
    func parameters() -> Parameters {
        var p = tinyParameters()
        p.learningRateGrid = [0.5, 0.2, 0.1]
        return p
    }

    func testGridResultsAreTheRunsAlone() throws {
        let dir = temporaryDirectory()
        let (_, log) = try runExperiments(parameters(), store: dir, only: [.tricks, .topologies])
        let grouped = log.ran.filter { $0.contains("in a grid of 3 rates") }
        XCTAssertFalse(grouped.isEmpty, "the sweeps should run as grids: \(log.ran)")
        XCTAssertTrue(grouped.allSatisfy { $0.split(separator: " ")[0].hasSuffix("/sweep") })

        let data = SyntheticData()
        let checksums = try data.checksums()
        let graph = JobGraph(planner: Planner(parameters: parameters()), checksums: checksums)
        let store = try ResultStore(directory: dir)
        var compared = 0
        for job in graph.jobs(.sweeps, results: { _ in nil }) where job.name.hasSuffix("/sweep") && job.group != .bonus {
            guard case .train(let spec) = job.work, case .found(let cached) = store.load(RunResult.self, key: job.key) else {
                XCTFail("\(job.name) not cached"); continue
            }
            let split = try data.split(seed: spec.seed, validationImages: spec.validationImages, subset: spec.subset)
            let alone = Runner.train(spec, data: split, key: job.key, checksums: checksums, provenance: testProvenance)
            XCTAssertEqual(cached.history.points, alone.history.points, job.name)
            XCTAssertEqual(cached.history.divergence, alone.history.divergence, job.name)
            XCTAssertEqual(cached.spec, spec)
            compared += 1
        }
        XCTAssertGreaterThanOrEqual(compared, 3 * 5, "task 3's five rows at three rates at least")
    }

    func testAChangedRateRerunsThatMemberAlone() throws {
        let dir = temporaryDirectory()
        _ = try runExperiments(parameters(), store: dir, only: [.tricks])
        var p = parameters()
        p.learningRateGrid = [0.5, 0.2, 0.05]
        let (_, log) = try runExperiments(p, store: dir, only: [.tricks])
        let sweeps = log.ran.filter { $0.split(separator: " ")[0].hasSuffix("/sweep") }
        XCTAssertFalse(sweeps.isEmpty)
        for line in sweeps {
            XCTAssertTrue(line.contains("/lr=0.05/"), "only the new rate trains: \(line)")
            XCTAssertFalse(line.contains("in a grid"), line)
        }
    }

    func testOnlyRunsThatShareTheirBatchesFormAGrid() {
        var a = Planner(parameters: parameters()).sweepSpec(Planner(parameters: parameters()).trickRows[0], learningRate: 0.5, seed: 1)
        var b = a
        b.learningRate = 0.1
        XCTAssertTrue(Runner.canTrainAsGrid([a, b]))
        b.seed = 2
        XCTAssertFalse(Runner.canTrainAsGrid([a, b]))
        b = a
        b.learningRate = 0.1
        b.shiftPixels = 2
        XCTAssertFalse(Runner.canTrainAsGrid([a, b]))
        a.updateRule = .perSample
        b = a
        b.learningRate = 0.1
        XCTAssertFalse(Runner.canTrainAsGrid([a, b]))
    }
}
