import Foundation
import MatrixCore
import NeuralNet
@testable import Experiments

/// Records what the experimenter says.
final class RecordingLog: ExperimentLog, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var ran: [String] = []
    private(set) var notes: [String] = []
    func note(_ line: String) { lock.lock(); notes.append(line); lock.unlock() }
    func started(job: String, summary: String, epochs: Int) {}
    func event(job: String, _ event: TrainingEvent) {}
    func finished(job: String, seconds: Double, outcome: String) { lock.lock(); ran.append(job + " " + outcome); lock.unlock() }
    var ranNames: Set<String> { Set(ran.map { String($0.split(separator: " ")[0]) }) }
}

/// Parameters small enough for tests: 1 seed, 2 epochs, two learning rates, small nets.
func tinyParameters() -> Parameters {
    var p = Parameters()
    p.seeds = 1
    p.base.epochs = 2
    p.base.batchSize = 50
    p.learningRateGrid = [0.5, 0.1]
    p.topologies.hiddenUnits = [5, 64]
    p.topologies.twoLayerExtra = []
    p.bonus.hiddenUnits = 32
    p.bonus.epochs = 1
    p.bonus.learningRateGrid = [0.1]
    p.gradientCheck.images = 5
    p.evaluation.basePerEpoch = 2
    p.evaluation.firstEpoch = 2
    p.evaluation.plottedPerEpoch = 1
    p.replication.seeds = 1
    return p
}

let testProvenance = Provenance(commit: "test", dirty: false, swiftVersion: "test", blas: "test", blasKernel: "test",
                                blasThreads: 1, machine: "test")

func runExperiments(_ p: Parameters, store: URL, provider: DataProvider = SyntheticData(), jobs: Int = 1,
                    only: Set<ExperimentGroup>? = nil, force: Bool = false) throws -> (Outcomes, RecordingLog) {
    let log = RecordingLog()
    let e = Experimenter(planner: Planner(parameters: p), store: try ResultStore(directory: store), data: provider,
                         options: ExperimentOptions(jobs: jobs, force: force, only: only), log: log, provenance: testProvenance)
    return (try e.run(), log)
}

func temporaryDirectory() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("mr-test-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
