import Foundation
import ExperimentsTestSupport
import MatrixCore
import NeuralNet
@testable import Experiments

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
