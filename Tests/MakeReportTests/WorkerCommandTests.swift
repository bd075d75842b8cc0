import Foundation
import XCTest

/// `make-report worker` as a Slurm task runs it (with --task instead of SLURM_ARRAY_TASK_ID),
/// on the quick plan: killed mid-run it leaves no partial result, and the next worker takes
/// its keys over; on a node with other data it refuses before training.
final class WorkerCommandTests: CommandTestCase {
    /// A quick submission's folder (scripts and manifest, not submitted) under a new output.
    func submission() throws -> (output: URL, manifest: URL) {
        let out = temporaryDirectory().appendingPathComponent("quick")
        let r = try run(["slurm", "--quick", "--output", out.path, "--binary", CommandTestCase.executable.path])
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertTrue(r.output.contains("sbatch --parsable --array=0-"), r.output)
        let slurm = out.appendingPathComponent(".slurm")
        let stamp = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: slurm.path).first)
        return (out, slurm.appendingPathComponent(stamp).appendingPathComponent("manifest.json"))
    }

    func worker(_ s: (output: URL, manifest: URL)) -> [String] {
        ["worker", "--stage", "sweeps", "--task", "0", "--manifest", s.manifest.path, "--quick", "--output", s.output.path]
    }

    func resultFiles(_ out: URL) -> [String] {
        let dir = out.appendingPathComponent("report/results")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.range(of: #"^[0-9a-f]{16}\.json$"#, options: .regularExpression) != nil }
    }

    func testAKilledWorkerLeavesOnlyWholeResultsAndTheNextOneFinishes() throws {
        let s = try submission()
        let p = Process()
        p.executableURL = CommandTestCase.executable
        p.arguments = worker(s)
        p.currentDirectoryURL = CommandTestCase.root
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Kill it (SIGKILL: no handler runs) once it has written a few results, mid-training.
        let deadline = Date().addingTimeInterval(120)
        while resultFiles(s.output).count < 3 && Date() < deadline && p.isRunning { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertTrue(p.isRunning, "the worker finished before it could be killed")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let results = s.output.appendingPathComponent("report/results")
        let killedWith = resultFiles(s.output)
        for f in killedWith {
            let data = try Data(contentsOf: results.appendingPathComponent(f))
            XCTAssertNoThrow(try JSONSerialization.jsonObject(with: data), "\(f) is not a whole result")
        }
        let claims = (try? FileManager.default.contentsOfDirectory(atPath: results.appendingPathComponent(".claims").path)) ?? []
        XCTAssertEqual(claims.filter { $0.hasSuffix(".claim") }.count, 1, "the killed worker's claim: \(claims)")

        // The next worker takes the dead process's claim over at once and trains only the rest.
        let again = try run(worker(s))
        XCTAssertEqual(again.status, 0, again.error)
        let trained = try XCTUnwrap(again.output.firstMatch(of: try Regex("task 0 done: ([0-9]+) trained"))?[1].substring)
        XCTAssertEqual(Int(trained), resultFiles(s.output).count - killedWith.count, again.output)
        XCTAssertFalse(again.output.contains("waiting for it"), again.output)
        // SIGKILL may leave the killed writer's temporary file (ignored by the cache, removed by
        // the render job); the clean run leaves none of its own.
        let left = try FileManager.default.contentsOfDirectory(atPath: results.path).filter { $0.hasSuffix(".tmp") }
        XCTAssertTrue(left.allSatisfy { $0.hasSuffix(".\(p.processIdentifier).tmp") }, "temporary files left: \(left)")
    }

    func testAWorkerOnANodeWithOtherDataRefusesAndTrainsNothing() throws {
        let s = try submission()
        var manifest = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: s.manifest)) as? [String: Any])
        var sums = try XCTUnwrap(manifest["checksums"] as? [String: String])
        let file = try XCTUnwrap(sums.keys.sorted().first)
        sums[file] = String(repeating: "0", count: 64)
        manifest["checksums"] = sums
        try JSONSerialization.data(withJSONObject: manifest).write(to: s.manifest)
        let r = try run(worker(s))
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.error.contains("differ from the ones the submission was planned with (\(file))"), r.error)
        XCTAssertEqual(resultFiles(s.output), [])
    }
}
