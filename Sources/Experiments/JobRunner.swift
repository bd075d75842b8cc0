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
            let set = spec.evaluationSets.contains("test") ? "test" : "validation"
            let outcome = result.history.divergence.map { "\($0)" }
                ?? String(format: "final %@ accuracy %.2f %%", set, 100 * (result.history.final(set)?.accuracy ?? .nan))
            log.finished(job: job.name, seconds: (ContinuousClock.now - start).seconds, outcome: "ran (\(why)): \(outcome)")
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
