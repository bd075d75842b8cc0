import Foundation
import XCTest

/// Issue 18, points 1-3 and 8, as a user meets them: runs of the real executable on a copy of
/// the project with the committed cache, checked file by file afterwards.
class ProjectCopyTestCase: CommandTestCase {
    /// A copy of the project with the committed results, report and figures.
    func committedProject() throws -> URL {
        let dir = try scratchProject()
        let fm = FileManager.default
        for f in ["report/results", "report/report.md", "figures"] {
            try fm.copyItem(at: CommandTestCase.root.appendingPathComponent(f), to: dir.appendingPathComponent(f))
        }
        try? fm.removeItem(at: dir.appendingPathComponent("report/results/.lock"))
        return dir
    }

    /// Every file and folder under `root` except data/ (relative path -> bytes; folders: empty).
    func snapshot(_ root: URL) -> [String: Data] {
        var out: [String: Data] = [:]
        let base = root.resolvingSymlinksInPath().path + "/"
        let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isDirectoryKey])!
        for case let url as URL in e {
            let path = String(url.resolvingSymlinksInPath().path.dropFirst(base.count))
            if path.hasPrefix("data") { continue }
            let isDirectory = (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) ?? false
            out[path] = isDirectory ? Data() : (try? Data(contentsOf: url)) ?? Data("unreadable".utf8)
        }
        return out
    }

    func assertSame(_ before: [String: Data], _ after: [String: Data], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let added = Set(after.keys).subtracting(before.keys).sorted(), removed = Set(before.keys).subtracting(after.keys).sorted()
        let changed = before.keys.filter { after[$0] != nil && after[$0] != before[$0] }.sorted()
        XCTAssertTrue(added.isEmpty && removed.isEmpty && changed.isEmpty,
                      "\(what): added \(added.prefix(5)), removed \(removed.prefix(5)) (\(removed.count)), changed \(changed.prefix(5))",
                      file: file, line: line)
    }

    func results(_ project: URL) -> Set<String> {
        Set(((try? FileManager.default.contentsOfDirectory(atPath: project.appendingPathComponent("report/results").path)) ?? [])
            .filter { $0.count == 21 && $0.hasSuffix(".json") })
    }
}

final class CacheSafetyTests: ProjectCopyTestCase {
    /// 18.1: --quick never writes into the project, whatever --output says.
    func testQuickRefusesAnEmptyOrProjectOutputAndTouchesNothing() throws {
        let project = try committedProject()
        let link = temporaryDirectory().appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: project)
        let before = snapshot(project)
        for (output, expected) in [("", "--output is empty"), (".", "is the project itself"), (project.path, "is the project itself"),
                                   ("report", "is inside it"), ("figures/x", "is inside it"), (link.path, "is the project itself")] {
            let r = try run(["--quick", "--output", output], in: project)
            XCTAssertNotEqual(r.status, 0, "--output '\(output)'")
            XCTAssertTrue(r.error.contains(expected), "--output '\(output)': \(r.error)")
            XCTAssertFalse(r.output.contains("ran ("), "--output '\(output)' trained")
        }
        // An existing folder that a quick run did not make is refused too.
        let home = temporaryDirectory()
        try Data("mine".utf8).write(to: home.appendingPathComponent("notes.txt"))
        let r = try run(["--quick", "--output", home.path], in: project)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.error.contains("already holds files that no --quick run made (notes.txt)"), r.error)
        // An empty --output without --quick is refused as well (it would mean the project).
        let plain = try run(["--output", ""], in: project)
        XCTAssertNotEqual(plain.status, 0)
        XCTAssertTrue(plain.error.contains("--output is empty"), plain.error)
        assertSame(before, snapshot(project), "refused --quick runs")
    }

    /// 18.2: --seeds and --params plan other runs; they must not delete the shared cache's results.
    func testOverridesNeverPruneAndPruneRemovesOnlyUnreferencedResults() throws {
        let project = try committedProject()
        let committed = results(project)
        XCTAssertGreaterThan(committed.count, 300)
        // --only 3: one seed chooses some of task 3's rates differently and trains those few
        // runs; task 5's choices on one seed would retrain its 50-epoch ablation (half an hour).
        let seeds = try run(["--seeds", "1", "--only", "3"], in: project)
        XCTAssertEqual(seeds.status, 0, seeds.error)
        XCTAssertFalse(seeds.output.contains("removed"), seeds.output)
        // (One seed may choose other learning rates, whose runs are added; nothing is removed.)
        XCTAssertTrue(committed.isSubset(of: results(project)), "--seeds 1 removed \(committed.subtracting(results(project)).count) results")
        let params = project.appendingPathComponent("other.yaml")
        try "seeds: 1\n".write(to: params, atomically: true, encoding: .utf8)
        let other = try run(["--params", params.path, "--only", "3"], in: project)
        XCTAssertEqual(other.status, 0, other.error)
        XCTAssertTrue(committed.isSubset(of: results(project)), "--params removed \(committed.subtracting(results(project)).count) results")
        let added = results(project).subtracting(committed)

        // --prune, with the project's parameters, lists and removes only what no plan uses.
        let stray = "0123456789abcdef.json"
        try FileManager.default.copyItem(at: project.appendingPathComponent("report/results/\(committed.sorted()[0])"),
                                         to: project.appendingPathComponent("report/results/\(stray)"))
        let listed = try run(["--prune", "--dry-run"], in: project)
        XCTAssertEqual(listed.status, 0, listed.error)
        XCTAssertTrue(listed.output.contains("would remove \(project.appendingPathComponent("report/results/\(stray)").path)"), listed.output)
        XCTAssertTrue(listed.output.contains("would remove \(added.count + 1) cached results"), listed.output)
        XCTAssertTrue(results(project) == committed.union(added).union([stray]), "--prune --dry-run removed files")
        let pruned = try run(["--prune"], in: project)
        XCTAssertEqual(pruned.status, 0, pruned.error)
        XCTAssertTrue(pruned.output.contains("removed \(added.count + 1) cached results"), pruned.output)
        XCTAssertTrue(results(project) == committed, "--prune kept or removed the wrong files")
        let refused = try run(["--prune", "--seeds", "1"], in: project)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.error.contains("--prune keeps what the project's own parameters use"), refused.error)
    }

    /// 18.3: --check fails on a tampered or swapped result, naming it, and never advises a commit.
    func testCheckRejectsTamperedAndSwappedResults() throws {
        let project = try committedProject()
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: project.appendingPathComponent("report/results/index.json"))) as! [String: String]
        let seed1 = project.appendingPathComponent("report/results/\(index["2/base/seed=1"]!).json")
        let seed2 = project.appendingPathComponent("report/results/\(index["2/base/seed=2"]!).json")
        let original = try Data(contentsOf: seed1)
        var text = String(decoding: original, as: UTF8.self)
        text.replaceSubrange(text.range(of: #""accuracy" : 0\.[0-9]+"#, options: .regularExpression)!, with: #""accuracy" : 0.5"#)
        try text.write(to: seed1, atomically: true, encoding: .utf8)
        let tampered = try run(["--check"], in: project)
        XCTAssertEqual(tampered.status, 1)
        XCTAssertTrue(tampered.error.contains("\(seed1.path): tampered"), tampered.error)
        XCTAssertTrue(tampered.error.contains("1 cached result failed verification"), tampered.error)
        XCTAssertFalse(tampered.error.contains("commit"), tampered.error)

        try FileManager.default.removeItem(at: seed1)
        try FileManager.default.copyItem(at: seed2, to: seed1)
        let swapped = try run(["--check"], in: project)
        XCTAssertEqual(swapped.status, 1)
        XCTAssertTrue(swapped.error.contains("\(seed1.path): misplaced"), swapped.error)

        try original.write(to: seed1)
        let restored = try run(["--check"], in: project)
        XCTAssertEqual(restored.status, 0, restored.error)
    }

    /// 18.8: --check and --dry-run create nothing and take no write lock.
    func testReadOnlyModesWriteNothing() throws {
        let project = try committedProject()
        try FileManager.default.removeItem(at: project.appendingPathComponent("report/results/mnist-checksums.json"))
        let before = snapshot(project)
        let check = try run(["--check"], in: project)
        XCTAssertEqual(check.status, 0, check.error)
        let dry = try run(["--dry-run", "--only", "2b", "--only", "3"], in: project)
        XCTAssertEqual(dry.status, 0, dry.error)
        XCTAssertTrue(dry.output.contains("dry run: nothing trained, nothing written."), dry.output)
        let fresh = temporaryDirectory()
        let quickDry = try run(["--quick", "--dry-run", "--output", fresh.appendingPathComponent("new").path], in: project)
        XCTAssertEqual(quickDry.status, 0, quickDry.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: fresh.appendingPathComponent("new").path), "--quick --dry-run created its folder")
        assertSame(before, snapshot(project), "--check and --dry-run")
    }

    /// 18.8: --check runs for a user who may not write anywhere in the project.
    func testCheckWorksForAReadOnlyUser() throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
            throw XCTSkip("needs root and setpriv to run as another user")
        }
        let project = try committedProject()
        let chmod = Process()
        chmod.executableURL = URL(fileURLWithPath: "/bin/chmod")
        chmod.arguments = ["-R", "a+rX,go-w", project.deletingLastPathComponent().path == "/" ? project.path : project.path]
        try chmod.run(); chmod.waitUntilExit()
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: project.path)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        p.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", CommandTestCase.executable.path, "--check"]
        p.currentDirectoryURL = project
        var env = ProcessInfo.processInfo.environment
        env["TMPDIR"] = "/tmp"
        p.environment = env
        let err = Pipe(), out = Pipe()
        p.standardError = err; p.standardOutput = out
        try p.run()
        let o = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        if e.contains("Permission denied") && e.contains(CommandTestCase.executable.lastPathComponent) {
            throw XCTSkip("the built executable is not reachable by another user here")
        }
        XCTAssertEqual(p.terminationStatus, 0, e)
        XCTAssertTrue(o.contains("check passed"), o + e)
    }
}
