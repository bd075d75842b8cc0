import Foundation
import NeuralNet
import Experiments

/// Shared by the experiment and report tests: parameters small enough to run every task
/// in seconds on `SyntheticData`, a fixed provenance, and a log that records what ran.

/// 2 epochs, two learning rates, small nets, quick evaluation schedules.
public func tinyParameters(seeds: Int = 1) -> Parameters {
    var p = Parameters()
    p.seeds = seeds
    p.base.epochs = 2
    p.base.batchSize = 50
    p.learningRateGrid = [0.5, 0.1]
    p.topologies.hiddenUnits = [5, 64]
    p.topologies.twoLayerExtra = []
    p.bonus.hiddenUnits = 32
    p.bonus.epochs = 1
    p.bonus.finalEpochs = 2
    p.bonus.learningRateGrid = [0.1]
    p.gradientCheck.images = 5
    p.evaluation.basePerEpoch = 2
    p.evaluation.firstEpoch = 2
    p.evaluation.plottedPerEpoch = 1
    p.replication.seeds = 1
    return p
}

public let testProvenance = Provenance(commit: "test", dirty: false, swiftVersion: "test", blas: "test",
                                       blasKernel: "test", blasThreads: 1, machine: "test")

/// Records what the experimenter says.
public final class RecordingLog: ExperimentLog, @unchecked Sendable {
    private let lock = NSLock()
    public private(set) var ran: [String] = []
    public private(set) var notes: [String] = []
    public init() {}
    public func note(_ line: String) { lock.lock(); notes.append(line); lock.unlock() }
    public func started(job: String, summary: String, epochs: Int) {}
    public func event(job: String, _ event: TrainingEvent) {}
    public func finished(job: String, seconds: Double, outcome: String) { lock.lock(); ran.append(job + " " + outcome); lock.unlock() }
    public var ranNames: Set<String> { Set(ran.map { String($0.split(separator: " ")[0]) }) }
}
