import Foundation
import Plotting
import XCTest

/// make-report as a user runs it: the real executable, real MNIST (a subset in --quick),
/// real files; bad inputs must fail with a clear message and leave the report untouched.
class CommandTestCase: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var executable: URL {
        let build = root.appendingPathComponent(".build")
        for config in ["debug", "release"] {
            let url = build.appendingPathComponent(config).appendingPathComponent("make-report")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return build.appendingPathComponent("debug/make-report")
    }

    struct Outcome { var status: Int32; var output: String; var error: String }

    /// Runs make-report in `directory` (default: the package root) with `arguments`.
    func run(_ arguments: [String], in directory: URL? = nil) throws -> Outcome {
        let p = Process()
        p.executableURL = CommandTestCase.executable
        p.arguments = arguments
        p.currentDirectoryURL = directory ?? CommandTestCase.root
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Outcome(status: p.terminationStatus, output: String(decoding: o, as: UTF8.self), error: String(decoding: e, as: UTF8.self))
    }

    func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mr-cmd-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A project folder with the template, parameters and a copy of the data, so tests can
    /// break things without touching the repository.
    func scratchProject() throws -> URL {
        let dir = temporaryDirectory()
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("report"), withIntermediateDirectories: true)
        for f in ["report/template.md", "report/parameters.yaml"] {
            try fm.copyItem(at: CommandTestCase.root.appendingPathComponent(f), to: dir.appendingPathComponent(f))
        }
        try fm.copyItem(at: CommandTestCase.root.appendingPathComponent("data"), to: dir.appendingPathComponent("data"))
        return dir
    }

}

final class CommandTests: CommandTestCase {
    func testQuickRunProducesACompleteReportAndSecondRunTrainsNothing() throws {
        let out = temporaryDirectory()
        let first = try run(["--quick", "--output", out.path, "--jobs", "2"])
        XCTAssertEqual(first.status, 0, first.error)
        XCTAssertTrue(first.output.contains("ran (no cached result)"))
        let report = try String(contentsOf: out.appendingPathComponent("report/report.md"), encoding: .utf8)
        XCTAssertFalse(report.contains("{{"))
        for heading in ["## Task 1", "## Task 2", "### 2b Gradient check", "### 2c Training curves", "## Task 3", "## Task 4",
                        "## Task 5", "## Replicating the 2019 training rule", "## Claims ledger", "## Provenance"] {
            XCTAssertTrue(report.contains(heading), heading)
        }
        let links = report.components(separatedBy: "](../figures/").dropFirst().map { String($0.prefix { $0 != ")" }) }
        XCTAssertGreaterThanOrEqual(links.count, 10)
        for name in links {
            let png = try PNGImage.read(out.appendingPathComponent("figures").appendingPathComponent(name).path)
            XCTAssertGreaterThan(png.width, 100, name)
        }
        // The real report was not touched by --quick.
        XCTAssertFalse(first.output.contains(CommandTestCase.root.appendingPathComponent("report/report.md").path))

        let second = try run(["--quick", "--output", out.path])
        XCTAssertEqual(second.status, 0, second.error)
        XCTAssertFalse(second.output.contains("ran ("), "second run trained:\n\(second.output)")
        XCTAssertTrue(second.output.contains("task 3: 0 ran"))
        let again = try String(contentsOf: out.appendingPathComponent("report/report.md"), encoding: .utf8)
        XCTAssertEqual(again, report, "re-rendering from the cache gives the same report")
    }

    func testBadDataFailsClearlyAndChangesNothing() throws {
        let project = try scratchProject()
        let out = temporaryDirectory()
        try Data().write(to: out.appendingPathComponent(".make-report-quick"))
        // A report to protect.
        try FileManager.default.createDirectory(at: out.appendingPathComponent("report"), withIntermediateDirectories: true)
        try Data("previous report\n".utf8).write(to: out.appendingPathComponent("report/report.md"))
        let labels = project.appendingPathComponent("data/mnist/t10k-labels-idx1-ubyte.gz")
        let bytes = try Data(contentsOf: labels)
        try bytes.prefix(bytes.count / 2).write(to: labels)   // truncated gzip
        let r = try run(["--quick", "--output", out.path], in: project)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.error.contains("t10k-labels-idx1-ubyte.gz"), r.error)
        XCTAssertTrue(r.error.lowercased().contains("truncated"), r.error)
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("report/report.md"), encoding: .utf8), "previous report\n")

        try FileManager.default.removeItem(at: labels)
        let missing = try run(["--quick", "--output", out.path], in: project)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.error.contains("t10k-labels-idx1-ubyte.gz"), missing.error)
    }

    /// The template is checked against the context's types before anything trains: a
    /// misspelt tag stops the run at once, naming file, line and tag, with nothing written.
    func testAMisspeltTagStopsTheRunBeforeTraining() throws {
        let project = try scratchProject()
        let template = project.appendingPathComponent("report/template.md")
        var text = try String(contentsOf: template, encoding: .utf8)
        text = text.replacingOccurrences(of: "{{params.epochs}}", with: "{{params.epoch}}")
        try text.write(to: template, atomically: true, encoding: .utf8)
        let line = text.components(separatedBy: "\n").firstIndex { $0.contains("{{params.epoch}}") }! + 1
        let out = temporaryDirectory().appendingPathComponent("quick")
        let r = try run(["--quick", "--output", out.path], in: project)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.error.contains("template.md:\(line): unknown tag 'params.epoch'"), r.error)
        let results = (try? FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("report/results").path)) ?? []
        XCTAssertEqual(results.filter { $0.hasSuffix(".json") }, [], "nothing trained")
    }

    func testBadParametersNameKeyAndLine() throws {
        let project = try scratchProject()
        let params = project.appendingPathComponent("report/parameters.yaml")
        var text = try String(contentsOf: params, encoding: .utf8)
        text = text.replacingOccurrences(of: "  learning_rate: 0.5\n  batch_size", with: "  learning_rat: 0.5\n  batch_size")
        try text.write(to: params, atomically: true, encoding: .utf8)
        let line = text.components(separatedBy: "\n").firstIndex { $0.contains("learning_rat:") }! + 1
        let r = try run(["--quick", "--output", temporaryDirectory().path], in: project)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.error.contains("parameters.yaml:\(line): 'base.learning_rat': unknown key; did you mean 'learning_rate'?"), r.error)
    }

    func testCommandLineValidation() throws {
        let r = try run(["--only", "3,9z"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.error.contains("unknown task '9z' in --only"), r.error)
        XCTAssertTrue(r.error.contains("Usage:"), r.error)
        let j = try run(["--jobs", "0"])
        XCTAssertNotEqual(j.status, 0)
        XCTAssertTrue(j.error.contains("--jobs must be at least 1"), j.error)
    }
}

/// Interruption and concurrent use, with real processes.
final class InterruptionTests: CommandTestCase {
    func testInterruptedRunKeepsFinishedResultsAndResumes() throws {
        let out = temporaryDirectory()
        let p = Process()
        p.executableURL = CommandTestCase.executable
        p.arguments = ["--quick", "--output", out.path, "--jobs", "1"]
        p.currentDirectoryURL = CommandTestCase.root
        let pipe = Pipe(), err = Pipe()
        p.standardOutput = pipe
        p.standardError = err
        try p.run()
        // Wait until a few experiments have finished, then interrupt.
        var seen = ""
        while p.isRunning && seen.components(separatedBy: "ran (").count < 4 {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        XCTAssertTrue(p.isRunning, "the quick run finished before it could be interrupted")
        p.interrupt()
        p.waitUntilExit()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(p.terminationStatus, 130)
        XCTAssertTrue(message.contains("stopped by SIGINT"), message)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("report/report.md").path),
                       "no report is written by an interrupted run")
        // Every cached file is whole JSON; no temporary files are left.
        let results = out.appendingPathComponent("report/results")
        let files = try FileManager.default.contentsOfDirectory(atPath: results.path)
        XCTAssertFalse(files.contains { $0.hasSuffix(".tmp") }, "\(files)")
        let cached = files.filter { $0.hasSuffix(".json") && $0 != "index.json" }
        XCTAssertGreaterThanOrEqual(cached.count, 3)
        for f in cached {
            let data = try Data(contentsOf: results.appendingPathComponent(f))
            XCTAssertNoThrow(try JSONSerialization.jsonObject(with: data), f)
        }
        // The next run resumes: what finished is reused.
        let resumed = try run(["--quick", "--output", out.path, "--jobs", "2"])
        XCTAssertEqual(resumed.status, 0, resumed.error)
        let reused = resumed.output.components(separatedBy: "\n").filter { $0.hasPrefix("task ") }
            .compactMap { line -> Int? in
                guard let r = line.range(of: #"(\d+) reused"#, options: .regularExpression) else { return nil }
                return Int(line[r].split(separator: " ")[0])
            }.reduce(0, +)
        XCTAssertGreaterThanOrEqual(reused, cached.count - 1, resumed.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("report/report.md").path))
    }

    func testWritingRunWaitsForTheLockAndReadOnlyRunsSaySoInstead() throws {
        let out = temporaryDirectory()
        try Data().write(to: out.appendingPathComponent(".make-report-quick"))
        let results = out.appendingPathComponent("report/results")
        try FileManager.default.createDirectory(at: results, withIntermediateDirectories: true)
        let fd = open(results.appendingPathComponent(".lock").path, O_CREAT | O_RDWR, 0o644)
        XCTAssertEqual(flock(fd, LOCK_EX), 0)
        defer { flock(fd, LOCK_UN); close(fd) }
        // --dry-run takes no write lock and does not wait: it says why it stops.
        let dry = try run(["--quick", "--output", out.path, "--dry-run"])
        XCTAssertNotEqual(dry.status, 0)
        XCTAssertTrue(dry.error.contains("another make-report is writing in \(results.path); --dry-run reads without waiting"), dry.error)
        // A writing run waits, and says so; SIGTERM stops it with 143.
        let p = Process()
        p.executableURL = CommandTestCase.executable
        p.arguments = ["--quick", "--output", out.path]
        p.currentDirectoryURL = CommandTestCase.root
        let err = Pipe(), pipe = Pipe()
        p.standardError = err
        p.standardOutput = pipe
        try p.run()
        let first = String(decoding: err.fileHandleForReading.availableData, as: UTF8.self)
        XCTAssertTrue(first.contains("another make-report is working"), first)
        XCTAssertTrue(p.isRunning, "it waits while the lock is held")
        p.terminate()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 143)
        XCTAssertEqual(p.terminationReason, .exit)
    }
}
