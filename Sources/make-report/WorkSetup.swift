import ArgumentParser
import Datasets
import Experiments
import Foundation
import MatrixCore
import NeuralNet
#if canImport(Glibc)
import Glibc
#endif

/// What plan, slurm and worker need to build and run the job graph, made from the shared
/// selection options exactly as the main command makes it (same output root, parameters,
/// data checksums, planner).
struct WorkSetup {
    var cwd: URL
    var outputRoot: URL
    var graph: JobGraph
    var runner: JobRunner
    var selection: Selection

    /// `writable: false` (plan) creates, marks and memoizes nothing; slurm and worker create
    /// the output root (a --quick submission without --output gets a new temporary folder)
    /// and its results folder.
    init(_ options: SelectionOptions, writable: Bool) throws {
        cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let planner = try options.planner(cwd: cwd)
        BLAS.threads = 1
        outputRoot = try OutputGuard.root(quick: options.quick, output: options.output, project: cwd, create: writable)
        let resultsDir = outputRoot.appendingPathComponent("report/results")
        let data = MNISTProvider(directory: URL(fileURLWithPath: options.dataDir, relativeTo: cwd),
                                 checksumMemo: resultsDir.appendingPathComponent("mnist-checksums.json"), writesMemo: writable)
        let checksums = try data.checksums()
        let store = try ResultStore(directory: resultsDir, readOnly: !writable)
        runner = JobRunner(data: data, store: store, checksums: checksums, provenance: ProvenanceProbe.current(repository: cwd))
        graph = JobGraph(planner: planner, checksums: checksums)
        selection = Selection(force: options.force, only: options.groups)
    }

    /// One planned line of work: a job of a stage, whether it runs, and its expected time.
    struct Line {
        var stage: Stage
        var job: GraphJob
        /// nil: reused from the cache.
        var reason: String?
        var seconds: Double
        /// The key is known (false: forecast with stand-in rates; known when the stage starts).
        var resolved: Bool
    }

    /// Every training stage's jobs as far as the cache resolves them; later stages forecast.
    func lines() -> [Line] {
        var out: [Line] = []
        var earlierRuns = false
        for stage in Stage.training {
            let exact = graph.jobs(stage, results: runner.cachedRun)
            let forecast = graph.jobs(stage, results: runner.cachedRun, standIn: true)
            let exactNames = Set(exact.map(\.name))
            let estimate = WorkEstimate(store: runner.store, jobs: forecast)
            var seen: Set<String> = []
            var stageRuns = false
            for job in forecast where seen.insert(job.key).inserted {
                let resolved = exactNames.contains(job.name)
                var reason = selection.reason(job, runner: runner)
                // A forecast job runs unless its name's last result is usable and nothing it
                // depends on retrains.
                if !resolved && selection.selects(job.group) {
                    let previous = runner.store.previousKey(name: job.name)
                    let usable = previous.map { key -> Bool in var old = job; old.key = key; return runner.isCached(old) } ?? false
                    reason = (!usable || earlierRuns || selection.force) ? "rates chosen when stage \(stage.previous!.rawValue) is done" : nil
                }
                if reason != nil { stageRuns = true }
                out.append(Line(stage: stage, job: job, reason: reason, seconds: estimate.estimate(job).seconds, resolved: resolved))
            }
            earlierRuns = earlierRuns || stageRuns
        }
        return out
    }
}
