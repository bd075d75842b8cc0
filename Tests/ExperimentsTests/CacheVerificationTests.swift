import XCTest
import ExperimentsTestSupport
import NeuralNet
@testable import Experiments

/// Issue 18.3: a cached result is believed only when it belongs to its key. Every way a file
/// can lie (an edited number, another seed's result under this name, a changed spec or code
/// version with the digest recomputed, no digest at all) is rejected by name, never rendered,
/// and trained again.
final class CacheVerificationTests: XCTestCase {
    /// A store after a complete tiny run, and the base run's seed-1 and seed-2 files.
    private func cachedRun() throws -> (dir: URL, outcomes: Outcomes, seed1: URL, seed2: URL) {
        let dir = temporaryDirectory()
        let (outcomes, _) = try runExperiments(tinyParameters(seeds: 2), store: dir)
        let runs = outcomes.base!.runs
        return (dir, outcomes, dir.appendingPathComponent("\(runs[0].key).json"), dir.appendingPathComponent("\(runs[1].key).json"))
    }

    private func json(_ url: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    /// Re-runs, and checks that the note names the file and the reason, that only the base
    /// run's seed 1 trained again, and that the outcome is the original result, not the lie.
    private func assertRejectedAndRetrained(_ c: (dir: URL, outcomes: Outcomes, seed1: URL, seed2: URL), reason: String,
                                            file: StaticString = #filePath, line: UInt = #line) throws {
        let (again, log) = try runExperiments(tinyParameters(seeds: 2), store: c.dir)
        let name = c.seed1.lastPathComponent
        XCTAssertTrue(log.notes.contains { $0.contains(name) && $0.contains(reason) }, "\(log.notes)", file: file, line: line)
        XCTAssertEqual(log.ranNames, ["2/base/seed=1"], file: file, line: line)
        XCTAssertEqual(again.base!.runs[0].history.points, c.outcomes.base!.runs[0].history.points, file: file, line: line)
        // The retrained file is sealed again and accepted.
        let store = try ResultStore(directory: c.dir)
        guard case .found = store.load(RunResult.self, key: c.outcomes.base!.runs[0].key) else {
            return XCTFail("the retrained result is not accepted", file: file, line: line)
        }
    }

    func testAnEditedNumberIsRejectedAsTampered() throws {
        let c = try cachedRun()
        var text = try String(contentsOf: c.seed1, encoding: .utf8)
        let range = text.range(of: #""accuracy" : 0\.[0-9]+"#, options: .regularExpression)!
        text.replaceSubrange(range, with: #""accuracy" : 0.999"#)
        try text.write(to: c.seed1, atomically: true, encoding: .utf8)
        let store = try ResultStore(directory: c.dir)
        guard case .corrupt(let message) = store.load(RunResult.self, key: c.outcomes.base!.runs[0].key) else {
            return XCTFail("an edited result was believed")
        }
        XCTAssertTrue(message.hasPrefix(c.seed1.lastPathComponent + ": tampered"), message)
        XCTAssertEqual(store.rejections[c.outcomes.base!.runs[0].key], .edited)
        try assertRejectedAndRetrained(c, reason: "tampered")
    }

    func testAnotherSeedsResultCopiedUnderThisNameIsRejected() throws {
        let c = try cachedRun()
        try FileManager.default.removeItem(at: c.seed1)
        try FileManager.default.copyItem(at: c.seed2, to: c.seed1)
        try assertRejectedAndRetrained(c, reason: "misplaced")
    }

    func testAChangedSpecOrCodeVersionIsRejectedEvenWithItsDigestRecomputed() throws {
        for field in ["codeVersion", "spec.seed"] {
            let c = try cachedRun()
            // Forge a consistent-looking file: change the field, keep the key, seal it again.
            var record = try JSONDecoder.tolerant.decode(RunResult.self, from: Data(contentsOf: c.seed1))
            if field == "codeVersion" { record.codeVersion -= 1 } else { record.spec.seed = 7 }
            let sealed = Sealed(value: record, contentDigest: try CacheVerification.digest(record))
            try JSONEncoder.readable.encode(sealed).write(to: c.seed1)
            try assertRejectedAndRetrained(c, reason: "stale or tampered")
        }
    }

    func testAFileWithoutADigestIsNotBelieved() throws {
        let c = try cachedRun()
        var object = try json(c.seed1)
        XCTAssertNotNil(object.removeValue(forKey: "contentDigest"), "results are written with their digest")
        try JSONSerialization.data(withJSONObject: object).write(to: c.seed1)
        try assertRejectedAndRetrained(c, reason: "unverifiable")
    }

    func testTheDigestIsNotPartOfTheKey() throws {
        // Sealing changed no key: the key is the hash of the spec, checksums and code version only.
        let c = try cachedRun()
        let record = try JSONDecoder.tolerant.decode(RunResult.self, from: Data(contentsOf: c.seed1))
        XCTAssertEqual(ResultStore.key(kind: "run", spec: record.spec, checksums: record.datasetChecksums, codeVersion: record.codeVersion),
                       record.key)
        XCTAssertEqual(try json(c.seed1)["contentDigest"] as? String, try CacheVerification.digest(record))
    }

    func testTheGradientCheckRecordIsVerifiedToo() throws {
        let dir = temporaryDirectory()
        let (outcomes, _) = try runExperiments(tinyParameters(), store: dir, only: [.gradientCheck])
        let key = outcomes.gradientCheck!.key
        let url = dir.appendingPathComponent("\(key).json")
        var text = try String(contentsOf: url, encoding: .utf8)
        text = text.replacingOccurrences(of: #""images" : 5"#, with: #""images" : 6"#)
        try text.write(to: url, atomically: true, encoding: .utf8)
        let store = try ResultStore(directory: dir)
        guard case .corrupt(let m) = store.load(GradientCheckRecord.self, key: key) else { return XCTFail("believed") }
        XCTAssertTrue(m.contains("tampered"), m)
    }

    func testAReadOnlyStoreWritesNothing() throws {
        let dir = temporaryDirectory().appendingPathComponent("absent")
        let store = try ResultStore(directory: dir, readOnly: true)
        try store.saveIndex()
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.path))
    }
}
