import Foundation
import XCTest

/// Issue 18.4: SIGINT and SIGTERM at random moments of a re-render leave report.md and the
/// figures all old or all new, never a mixture; no staging folder, temporary file or
/// temporary folder survives; the exit status is 130 / 143 (or 0 when the run had finished).
final class SignalTests: ProjectCopyTestCase {
    func testSignalsDuringTheWritePhaseLeaveAllOldOrAllNewOutputs() throws {
        let project = try committedProject()
        let outputs = ["report/report.md"] + ((try? FileManager.default.contentsOfDirectory(atPath: project.appendingPathComponent("figures").path)) ?? [])
            .filter { $0.hasSuffix(".png") }.map { "figures/" + $0 }
        let fresh = Dictionary(uniqueKeysWithValues: try outputs.map { ($0, try Data(contentsOf: project.appendingPathComponent($0))) })
        func makeOld() throws { for path in outputs { try Data("old \(path)".utf8).write(to: project.appendingPathComponent(path)) } }
        func state() -> String {
            let now = outputs.map { try? Data(contentsOf: project.appendingPathComponent($0)) }
            if zip(outputs, now).allSatisfy({ $0.1 == Data("old \($0.0)".utf8) }) { return "old" }
            if zip(outputs, now).allSatisfy({ $0.1 == fresh[$0.0] }) { return "new" }
            return "mixed"
        }
        let tmp = temporaryDirectory()
        var environment = ProcessInfo.processInfo.environment
        environment["TMPDIR"] = tmp.path
        func start() throws -> Process {
            let p = Process()
            p.executableURL = CommandTestCase.executable
            p.currentDirectoryURL = project
            p.environment = environment
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }
        // How long an uninterrupted re-render takes here, to spread the signals over it.
        try makeOld()
        let began = Date()
        let whole = try start()
        whole.waitUntilExit()
        XCTAssertEqual(whole.terminationStatus, 0)
        let duration = Date().timeIntervalSince(began)
        XCTAssertEqual(state(), "new")
        var seen: [String: Int] = [:]
        var generator = SystemRandomNumberGenerator()
        /// Waits until the render's scratch folder appears (figures are being written into it),
        /// the moment a signal once left that folder behind; false if the run ended first.
        func waitForScratch(_ p: Process) -> Bool {
            while p.isRunning {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? []
                if names.contains(where: { $0.hasPrefix("make-report-render") }) { return true }
                Thread.sleep(forTimeInterval: 0.002)
            }
            return false
        }
        for round in 0..<16 {
            try makeOld()
            let signal = round % 2 == 0 ? SIGINT : SIGTERM
            let p = try start()
            // Rounds alternate: a random moment of the whole run, or a random moment of the render.
            if round % 4 < 2 {
                Thread.sleep(forTimeInterval: Double.random(in: 0.3...max(0.4, duration * 1.1), using: &generator))
            } else if waitForScratch(p) {
                Thread.sleep(forTimeInterval: Double.random(in: 0...0.4, using: &generator))
            }
            kill(p.processIdentifier, signal)
            p.waitUntilExit()
            let s = state()
            seen[s, default: 0] += 1
            XCTAssertNotEqual(s, "mixed", "round \(round): a signal left old and new outputs side by side")
            XCTAssertTrue([0, 128 + signal].contains(p.terminationStatus), "round \(round): status \(p.terminationStatus)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: project.appendingPathComponent(".make-report-publish").path), "round \(round)")
            // (Foundation's Process leaves a "TemporaryDirectory.*" of its own when make-report starts git; not ours.)
            let ours = try FileManager.default.contentsOfDirectory(atPath: tmp.path).filter { $0.hasPrefix("make-report") }
            XCTAssertEqual(ours, [], "round \(round): temporary folders left")
            for dir in ["figures", "report", "report/results"] {
                let left = try FileManager.default.contentsOfDirectory(atPath: project.appendingPathComponent(dir).path).filter { $0.hasSuffix(".tmp") }
                XCTAssertEqual(left, [], "round \(round): \(dir)")
            }
        }
        print("signal rounds ended with outputs: \(seen)")
    }
}
