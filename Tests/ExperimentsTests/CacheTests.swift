import XCTest
import ExperimentsTestSupport
import NeuralNet
@testable import Experiments

final class CacheTests: XCTestCase {
    func testSecondRunTrainsNothingAndOutcomesAreComplete() throws {
        let dir = temporaryDirectory()
        let (first, log1) = try runExperiments(tinyParameters(), store: dir)
        XCTAssertTrue(first.isComplete, "missing: \(first.missing)")
        XCTAssertFalse(log1.ran.isEmpty)
        XCTAssertEqual(first.tricks.map(\.id), ["B", "S", "I", "N", "M"])
        let (second, log2) = try runExperiments(tinyParameters(), store: dir)
        XCTAssertEqual(log2.ran, [], "a second run must reuse every result")
        XCTAssertTrue(log2.notes.contains { $0.hasPrefix("task 3: 0 ran") })
        XCTAssertEqual(second.keys, first.keys)
    }

    func testChangingOneParameterRerunsExactlyTheDependentExperiments() throws {
        let dir = temporaryDirectory()
        _ = try runExperiments(tinyParameters(), store: dir)
        var p = tinyParameters()
        p.tricks.momentum = 0.5   // used by row M, M at the base rate, the bonus (built on M) and R-M
        let (_, log) = try runExperiments(p, store: dir)
        let ran = log.ranNames
        XCTAssertFalse(ran.isEmpty)
        for name in ran {
            XCTAssertTrue(name.hasPrefix("3/M") || name.hasPrefix("5/") || name.hasPrefix("R/R-M"), "\(name) does not use the momentum")
        }
        // (When M's chosen rate is the base rate, its plotted run is M@base's: one run, two names.)
        XCTAssertTrue(ran.contains("3/M/seed=1") || ran.contains("3/M@base/seed=1"))
        XCTAssertTrue(ran.contains("3/M/lr=0.5/seed=1/sweep"))
        XCTAssertTrue(ran.contains("R/R-M/seed=1"))
        XCTAssertTrue(log.ran.contains { $0.contains("changed: momentum 0.9 -> 0.5") }, "the reason names the change: \(log.ran)")
        // Nothing that does not depend on it: base, gradient check, B/S/I/N, task 4.
        XCTAssertFalse(ran.contains { $0.hasPrefix("2") || $0.hasPrefix("4/") || $0.hasPrefix("3/B") || $0.hasPrefix("3/N") })
    }

    func testChangedDatasetChecksumInvalidatesEverything() throws {
        let dir = temporaryDirectory()
        let (first, log1) = try runExperiments(tinyParameters(), store: dir)
        let (_, log2) = try runExperiments(tinyParameters(), store: dir, provider: SyntheticData(checksum: "cccc"))
        XCTAssertEqual(log2.ranNames, log1.ranNames)
        XCTAssertGreaterThanOrEqual(log2.ranNames.count, first.keys.count)
        XCTAssertTrue(log2.ran.allSatisfy { $0.contains("dataset changed") }, log2.ran.first ?? "")
    }

    func testCorruptEntryIsReportedAndRecomputed() throws {
        let dir = temporaryDirectory()
        let (first, _) = try runExperiments(tinyParameters(), store: dir)
        let key = first.base!.runs[0].key
        try Data("{ \"key\": \"truncated".utf8).write(to: dir.appendingPathComponent("\(key).json"))
        let (second, log) = try runExperiments(tinyParameters(), store: dir)
        XCTAssertTrue(log.notes.contains { $0.contains("corrupt cache entry \(key).json") })
        XCTAssertEqual(log.ranNames, ["2/base/seed=1"])
        XCTAssertEqual(second.base!.runs[0].history.points, first.base!.runs[0].history.points)
    }

    func testParallelJobsGiveTheSameResultsAsSerial() throws {
        let (serial, _) = try runExperiments(tinyParameters(), store: temporaryDirectory(), jobs: 1, only: [.tricks])
        let (parallel, _) = try runExperiments(tinyParameters(), store: temporaryDirectory(), jobs: 2, only: [.tricks])
        XCTAssertEqual(serial.tricks.count, 5)
        for (a, b) in zip(serial.tricks, parallel.tricks) {
            XCTAssertEqual(a.chosenLearningRate, b.chosenLearningRate)
            XCTAssertEqual(a.runs.map(\.history.points), b.runs.map(\.history.points), a.id)
        }
    }

    func testOnlyRunsTheNamedGroupAndReportsTheRestMissing() throws {
        let (outcomes, log) = try runExperiments(tinyParameters(), store: temporaryDirectory(), only: [.gradientCheck])
        XCTAssertEqual(log.ranNames, ["2b/gradient-check"])
        XCTAssertNotNil(outcomes.gradientCheck)
        XCTAssertTrue(outcomes.missing.contains(.tricks))
        XCTAssertFalse(outcomes.isComplete)
    }

    func testSweepRunMatchesThePlottedRunAtTheChosenRate() throws {
        // Evaluation never changes training: the chosen-rate run must end with the same
        // validation accuracy as its sweep point.
        let (o, _) = try runExperiments(tinyParameters(), store: temporaryDirectory(), only: [.tricks])
        for row in o.tricks {
            let point = row.sweep.first { $0.learningRate == row.chosenLearningRate }!
            XCTAssertEqual(point.finalValidationAccuracy[0], row.runs[0].history.final("validation")?.accuracy, row.id)
        }
    }
}
