import XCTest
import Foundation
import MatrixCore
import NeuralNet
@testable import Experiments

/// Retrains committed sweep grids as grids (`Runner.trainGrid`) on the real MNIST files and
/// compares every evaluation point with the committed result's, byte for byte of its JSON
/// (epoch, iteration, loss and accuracy; the hidden layers' diagnostics too where the committed
/// result recorded them).
/// Off by default (a grid of the 64-unit net takes about half a minute): set
/// GRID_CHECK_RESULTS to a results folder (report/results; read only, nothing is written) and
/// optionally GRID_CHECK_HIDDEN (hidden widths, "5,32,64"; default 5) and GRID_CHECK_SEEDS
/// (default "1"). The MNIST files come from data/mnist (or GRID_CHECK_DATA).
final class CommittedGridTests: XCTestCase {
    func testCommittedSweepsAreReproducedAsGrids() throws {
        let env = ProcessInfo.processInfo.environment
        guard let folder = env["GRID_CHECK_RESULTS"] else { throw XCTSkip("set GRID_CHECK_RESULTS to a results folder to run") }
        let widths = Set((env["GRID_CHECK_HIDDEN"] ?? "5").split(separator: ",").compactMap { Int($0) })
        let seeds = Set((env["GRID_CHECK_SEEDS"] ?? "1").split(separator: ",").compactMap { UInt64($0) })
        let data = MNISTProvider(directory: URL(fileURLWithPath: env["GRID_CHECK_DATA"] ?? "data/mnist"), writesMemo: false)
        let checksums = try data.checksums()

        // The committed sweep results (validation only), grouped by what a grid shares.
        var grids: [RunSpec: [RunResult]] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: folder) where file.hasSuffix(".json") {
            guard let bytes = FileManager.default.contents(atPath: folder + "/" + file),
                  let r = try? JSONDecoder.tolerant.decode(RunResult.self, from: bytes),
                  r.spec.evaluationSets == ["validation"], r.datasetChecksums == checksums,
                  r.codeVersion == TrainingCode.version,
                  r.spec.hiddenUnits.count == 1, widths.contains(r.spec.hiddenUnits[0]), seeds.contains(r.spec.seed),
                  let identity = r.spec.gridIdentity else { continue }
            grids[identity, default: []].append(r)
        }
        XCTAssertFalse(grids.isEmpty, "no committed sweep of widths \(widths.sorted()) and seeds \(seeds.sorted()) in \(folder)")
        let encoder = JSONEncoder.canonical
        for (_, committed) in grids.sorted(by: { $0.value[0].spec.summary < $1.value[0].spec.summary }) where committed.count > 1 {
            let members = committed.sorted { $0.spec.learningRate > $1.spec.learningRate }
            let specs = members.map(\.spec)
            let split = try data.split(seed: specs[0].seed, validationImages: specs[0].validationImages, subset: specs[0].subset)
            let start = ContinuousClock.now
            let results = Runner.trainGrid(specs, data: split, keys: members.map(\.key), checksums: checksums,
                                           provenance: members[0].provenance, observers: specs.map { _ in nil })
            let seconds = (ContinuousClock.now - start).seconds
            for (old, new) in zip(members, results) {
                // Results from before the diagnostics were recorded hold none: compare what they hold.
                var points = new.history.points
                for i in points.indices where old.history.points.indices.contains(i) && old.history.points[i].layers == nil {
                    points[i].layers = nil
                }
                XCTAssertEqual(try encoder.encode(points), try encoder.encode(old.history.points),
                               "\(old.spec.summary): the grid's points differ from the committed result \(old.key)")
                XCTAssertEqual(new.history.divergence, old.history.divergence, old.spec.summary)
            }
            print(String(format: "grid of %d rates, %@: %.1f s grouped (committed runs alone: %.1f s), %d points each compared",
                         specs.count, specs[0].summary, seconds, members.map(\.wallSeconds).reduce(0, +),
                         members[0].history.points.count))
        }
    }
}
