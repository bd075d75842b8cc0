import Foundation
import NeuralNet

/// Computes one job of the graph and stores its result: the one place where a job turns
/// into a cache entry, used by the local experimenter and by the Slurm worker alike, so a
/// result trained on a cluster node is the same file a local run writes.
public struct JobRunner: Sendable {
    public let data: DataProvider
    public let store: ResultStore
    public let checksums: [String: String]
    public let provenance: Provenance

    public init(data: DataProvider, store: ResultStore, checksums: [String: String], provenance: Provenance) {
        self.data = data; self.store = store; self.checksums = checksums; self.provenance = provenance
    }

    /// Trains (or checks) `job`, writes its result atomically under its key and tells `log`
    /// (started, events, finished with `why`). Returns the run's result (nil for the
    /// gradient check, whose record is not a run).
    @discardableResult
    public func perform(_ job: GraphJob, why: String, log: ExperimentLog) throws -> RunResult? {
        let start = ContinuousClock.now
        switch job.work {
        case .train(let spec):
            let split = try data.split(seed: spec.seed, validationImages: spec.validationImages, subset: spec.subset)
            log.started(job: job.name, summary: spec.summary, epochs: spec.epochs)
            let result = Runner.train(spec, data: split, key: job.key, checksums: checksums, provenance: provenance) { [log] e in
                log.event(job: job.name, e)
            }
            try store.save(result, key: job.key, name: job.name)
            log.finished(job: job.name, seconds: (ContinuousClock.now - start).seconds, outcome: "ran (\(why)): \(Self.outcome(result))")
            return result
        case .check(let spec):
            let split = try data.split(seed: spec.seed, validationImages: spec.validationImages, subset: nil)
            log.started(job: job.name, summary: job.work.summary, epochs: 0)
            let record = Runner.gradientCheck(spec, data: split, key: job.key, checksums: checksums, provenance: provenance)
            try store.save(record, key: job.key, name: job.name)
            let worst = record.results.map(\.maxAbsoluteDifference).max() ?? .nan
            log.finished(job: job.name, seconds: (ContinuousClock.now - start).seconds,
                         outcome: "ran (\(why)): max difference \(String(format: "%.2e", worst))")
            return nil
        case .inspect(let spec):
            let run = spec.run
            let split = try data.split(seed: run.seed, validationImages: run.validationImages, subset: run.subset)
            log.started(job: job.name, summary: job.work.summary, epochs: run.epochs)
            let runKey = ResultStore.key(kind: RunResult.cacheKind, spec: run, checksums: checksums, codeVersion: TrainingCode.version)
            let record = Runner.inspect(spec, data: split, key: job.key, runKey: runKey, checksums: checksums,
                                        provenance: provenance) { [log] e in log.event(job: job.name, e) }
            try store.save(record, key: job.key, name: job.name)
            var outcome = String(format: "test accuracy %.2f %%, %d of %d test images wrong", 100 * record.accuracy,
                                 record.testImages - record.correct, record.testImages)
            if case .found(let cached) = store.load(RunResult.self, key: runKey),
               let accuracy = cached.history.final("test")?.accuracy, accuracy != record.trainedTestAccuracy {
                outcome += String(format: "; its run recorded %.4f %%: the network was not reproduced bit for bit", 100 * accuracy)
            }
            log.finished(job: job.name, seconds: (ContinuousClock.now - start).seconds, outcome: "ran (\(why)): \(outcome)")
            return nil
        }
    }

    /// Trains the runs of `jobs` as one learning-rate grid (`Runner.canTrainAsGrid` of their
    /// specs, see `GridTrainer`) and writes each result under its own key, the same file
    /// `perform` writes for it alone apart from the times (`Runner.trainGrid` says how a
    /// member's time is counted). `why[i]` is job i's reason to run.
    @discardableResult
    public func performGrid(_ jobs: [GraphJob], why: [String], log: ExperimentLog) throws -> [RunResult] {
        let specs = jobs.map { job -> RunSpec in
            guard case .train(let spec) = job.work else { preconditionFailure("\(job.name) is not a training run") }
            return spec
        }
        precondition(Runner.canTrainAsGrid(specs) && why.count == jobs.count, "these runs do not form a grid")
        let lead = specs[0]
        let split = try data.split(seed: lead.seed, validationImages: lead.validationImages, subset: lead.subset)
        for (job, spec) in zip(jobs, specs) { log.started(job: job.name, summary: spec.summary, epochs: spec.epochs) }
        let observers: [((TrainingEvent) -> Void)?] = jobs.map { job in { [log] e in log.event(job: job.name, e) } }
        let results = Runner.trainGrid(specs, data: split, keys: jobs.map(\.key), checksums: checksums,
                                       provenance: provenance, observers: observers)
        for (i, (job, result)) in zip(jobs, results).enumerated() {
            try store.save(result, key: job.key, name: job.name)
            log.finished(job: job.name, seconds: result.wallSeconds,
                         outcome: "ran (\(why[i]); in a grid of \(jobs.count) rates): \(Self.outcome(result))")
        }
        return results
    }

    /// How a finished run ended, for its log line.
    static func outcome(_ result: RunResult) -> String {
        let set = result.spec.evaluationSets.contains("test") ? "test" : "validation"
        return result.history.divergence.map { "\($0)" }
            ?? String(format: "final %@ accuracy %.2f %%", set, 100 * (result.history.final(set)?.accuracy ?? .nan))
    }

    /// Whether `job`'s result is cached and decodes.
    public func isCached(_ job: GraphJob) -> Bool {
        switch job.work {
        case .train: if case .found = store.load(RunResult.self, key: job.key) { return true }
        case .check: if case .found = store.load(GradientCheckRecord.self, key: job.key) { return true }
        case .inspect: if case .found = store.load(InspectionRecord.self, key: job.key) { return true }
        }
        return false
    }
}
