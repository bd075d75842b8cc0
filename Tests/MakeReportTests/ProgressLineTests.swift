import Foundation
import XCTest

/// The whole run's progress line, as CI sees it (standard output is a pipe, not a terminal).
final class ProgressLineTests: CommandTestCase {
    func progressLines(_ output: String) -> [String] {
        output.components(separatedBy: "\n").filter { $0.hasPrefix("progress: ") }
    }

    func testPlainProgressLinesCountEveryRunAndEstimateFromCachedRuns() throws {
        let out = temporaryDirectory()
        let start = Date()
        let first = try run(["--quick", "--output", out.path, "--jobs", "2"])
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(first.status, 0, first.error)
        let ran = first.output.components(separatedBy: "\n").filter { $0.contains(": ran (") }.count
        let lines = progressLines(first.output)
        XCTAssertGreaterThan(ran, 20)
        // From the first line on, the total is every run the whole command trains, later
        // phases included (forecast before their rates are chosen).
        XCTAssertTrue(lines.first?.hasPrefix("progress: 0/\(ran) runs done") ?? false, "\(lines)")
        XCTAssertEqual(lines.last, "progress: \(ran)/\(ran) runs done")
        // At most one line every 30 s, plus the closing one.
        XCTAssertLessThanOrEqual(lines.count, 2 + Int(elapsed / 30), "\(lines)")
        XCTAssertTrue(lines.first?.contains("time left not known yet") ?? false, "nothing cached to estimate from: \(lines)")

        // Retrained: every run has a comparable cached one, so the time left is known at once.
        let again = try run(["--quick", "--output", out.path, "--jobs", "2", "--force"])
        XCTAssertEqual(again.status, 0, again.error)
        let estimate = try XCTUnwrap(progressLines(again.output).first)
        XCTAssertNotNil(estimate.range(of: #"^progress: 0/\d+ runs done, \d+ running, about \d+ s left$"#, options: .regularExpression), estimate)

        // Nothing to train: no progress line at all.
        let cached = try run(["--quick", "--output", out.path])
        XCTAssertEqual(cached.status, 0, cached.error)
        XCTAssertEqual(progressLines(cached.output), [])
    }
}
