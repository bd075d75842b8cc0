import ExperimentsTestSupport
import NeuralNet
import Foundation
import XCTest
@testable import Experiments

/// The Slurm worker's pieces that need no cluster: the refusal on a node with other data,
/// the stage plan's split by cached wall times, and re-runs that train only what is missing.
final class WorkerTests: XCTestCase {
    let sums = ["train-images-idx3-ubyte.gz": "aa", "train-labels-idx1-ubyte.gz": "bb"]

    func manifest(_ checksums: [String: String], code: Int = TrainingCode.version) -> SlurmManifest {
        SlurmManifest(checksums: checksums, codeVersion: code, taskCounts: [.sweeps: 2], createdBy: "login pid 1")
    }

    func testAWorkerWhoseDataChecksumsDifferRefusesNamingTheFiles() throws {
        XCTAssertNoThrow(try Worker.verify(manifest(sums), checksums: sums, codeVersion: TrainingCode.version, dataDirectory: "data/mnist"))
        var other = sums
        other["train-labels-idx1-ubyte.gz"] = "cc"
        XCTAssertThrowsError(try Worker.verify(manifest(sums), checksums: other, codeVersion: TrainingCode.version, dataDirectory: "/node/data")) {
            let text = ($0 as? WorkerRefusal)?.message ?? ""
            XCTAssertTrue(text.contains("train-labels-idx1-ubyte.gz") && text.contains("/node/data") && text.contains("nothing was trained"), text)
            XCTAssertFalse(text.contains("train-images"), "an equal file named as differing: \(text)")
        }
        var missing = sums
        missing["train-images-idx3-ubyte.gz"] = nil
        XCTAssertThrowsError(try Worker.verify(manifest(sums), checksums: missing, codeVersion: TrainingCode.version, dataDirectory: "d"))
        XCTAssertThrowsError(try Worker.verify(manifest(sums, code: TrainingCode.version + 1), checksums: sums,
                                               codeVersion: TrainingCode.version, dataDirectory: "d")) {
            XCTAssertTrue(($0 as? WorkerRefusal)?.message.contains("training-code version") ?? false)
        }
    }

    /// A finished synthetic run and the runner, graph and store around it.
    func setUpRun() throws -> (JobRunner, JobGraph, URL) {
        let dir = temporaryDirectory()
        _ = try runExperiments(tinyParameters(), store: dir)
        let data = SyntheticData()
        let runner = JobRunner(data: data, store: try ResultStore(directory: dir), checksums: try data.checksums(), provenance: testProvenance)
        return (runner, JobGraph(planner: Planner(parameters: tinyParameters()), checksums: try data.checksums()), dir)
    }

    func testWallTimesComeFromTheCacheAndTheSplitBalancesThem() throws {
        let (runner, graph, _) = try setUpRun()
        let jobs = graph.jobs(.sweeps, results: runner.cachedRun)
        let estimate = WorkEstimate(store: runner.store, jobs: jobs)
        for job in jobs {
            let e = estimate.estimate(job)
            XCTAssertTrue(e.measured, job.name)
            XCTAssertEqual(e.seconds, WorkEstimate.cachedSeconds(job, store: runner.store), job.name)
        }
        // --force: every key runs; 3 tasks share them, each key once, balanced by those times.
        let plan = StagePlan.make(stage: .sweeps, graph: graph, runner: runner, selection: Selection(force: true), taskCount: 3)
        let keys = Set(jobs.map(\.key))
        XCTAssertEqual(plan.tasks.count, 3)
        XCTAssertEqual(plan.tasks.flatMap { $0 }.count, keys.count)
        XCTAssertEqual(Set(plan.tasks.flatMap { $0 }), keys)
        let seconds = Dictionary(jobs.map { ($0.key, estimate.estimate($0).seconds) }, uniquingKeysWith: { a, _ in a })
        let loads = plan.tasks.map { $0.map { seconds[$0]! }.reduce(0, +) }
        let total = loads.reduce(0, +)
        XCTAssertLessThanOrEqual(loads.max()!, max(total / 3 * 4 / 3, seconds.values.max()!) + 1e-9, "\(loads)")
        // Without --force nothing is missing, so nothing is planned.
        let nothing = StagePlan.make(stage: .sweeps, graph: graph, runner: runner, selection: Selection(), taskCount: 3)
        XCTAssertTrue(nothing.tasks.allSatisfy(\.isEmpty))
    }

    func testAWorkerRunsOnlyTheMissingKeysAndLeavesNoClaimOrTemporaryFile() throws {
        let (runner, graph, dir) = try setUpRun()
        let jobs = graph.jobs(.sweeps, results: runner.cachedRun).filter { if case .train = $0.work { return true }; return false }
        let gone = Array(jobs.prefix(2))
        for job in gone { try FileManager.default.removeItem(at: runner.store.url(for: job.key)) }
        let plan = StagePlan.make(stage: .sweeps, graph: graph, runner: runner, selection: Selection(), taskCount: 1)
        XCTAssertEqual(Set(plan.tasks[0]), Set(gone.map(\.key)))
        let log = RecordingLog()
        let summary = try Worker(graph: graph, runner: runner, selection: Selection(), log: log, claimTimeout: 60).run(task: 0, of: plan)
        XCTAssertEqual(Set(summary.ran), Set(gone.map(\.name)))
        for job in gone { XCTAssertTrue(runner.isCached(job), job.name) }
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".tmp") }
            + ((try? FileManager.default.contentsOfDirectory(atPath: ClaimFile.directory(in: dir).path)) ?? [])
        XCTAssertEqual(left, [])
        // The same task again: everything is cached, nothing trains.
        let again = try Worker(graph: graph, runner: runner, selection: Selection(), log: log, claimTimeout: 60).run(task: 0, of: plan)
        XCTAssertEqual(again.ran, [])
        XCTAssertEqual(Set(again.skipped), Set(gone.map(\.name)))
    }

    /// A grid's missing rates go to one array task whole, and its worker trains them as one
    /// unit (the log says so), each result bit for bit the one trained alone before.
    func testAStagePlanKeepsAGridInOneTaskAndTheWorkerTrainsItAsOne() throws {
        let (runner, graph, _) = try setUpRun()
        var seen = Set<String>()
        let jobs = graph.jobs(.sweeps, results: runner.cachedRun).filter { seen.insert($0.key).inserted }   // a run in two rows once
        let grid = try XCTUnwrap(GridGrouping.units(jobs, spec: GridGrouping.spec).first { $0.count > 1 })
        let before = try grid.map { try Data(contentsOf: runner.store.url(for: $0.key)) }
        for job in grid { try FileManager.default.removeItem(at: runner.store.url(for: job.key)) }
        // A lone run of another grid goes missing too, so that two tasks have work to share.
        let lone = try XCTUnwrap(jobs.first { GridGrouping.spec($0) != nil && !grid.map(\.key).contains($0.key) })
        try FileManager.default.removeItem(at: runner.store.url(for: lone.key))
        let plan = StagePlan.make(stage: .sweeps, graph: graph, runner: runner, selection: Selection(), taskCount: grid.count + 1)
        let task = try XCTUnwrap(plan.tasks.firstIndex { $0.contains(grid[0].key) })
        XCTAssertEqual(Set(plan.tasks[task]).intersection(grid.map(\.key)).count, grid.count, "the grid is split: \(plan.tasks)")
        let log = RecordingLog()
        let summary = try Worker(graph: graph, runner: runner, selection: Selection(), log: log, claimTimeout: 60).run(task: task, of: plan)
        XCTAssertTrue(Set(grid.map(\.name)).isSubset(of: Set(summary.ran)))
        XCTAssertEqual(log.ran.filter { $0.contains("in a grid of \(grid.count) rates") }.count, grid.count, "\(log.ran)")
        for (job, old) in zip(grid, before) {
            let new = try Data(contentsOf: runner.store.url(for: job.key))
            let history = { (d: Data) in try JSONDecoder().decode(RunResult.self, from: d).history }
            XCTAssertEqual(try history(new).points, try history(old).points, job.name)   // every metric's bits; not the times
            XCTAssertEqual(try history(new).divergence, try history(old).divergence, job.name)
        }
    }

    func testTheFirstStagePlanWrittenIsTheOneEveryTaskUses() throws {
        let dir = temporaryDirectory()
        let url = dir.appendingPathComponent("sweeps.1.plan.json")
        let first = StagePlan(stage: .sweeps, tasks: [["a"], ["b"]], reasons: ["a": "no cached result", "b": "no cached result"])
        let second = StagePlan(stage: .sweeps, tasks: [["a", "b"]], reasons: [:])
        XCTAssertEqual(try StagePlan.settle(first, at: url), first)
        XCTAssertEqual(try StagePlan.settle(second, at: url), first)
    }
}
