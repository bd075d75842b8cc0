import Foundation
import XCTest

/// plan, slurm and worker take the main command's selection options (one definition): the
/// same bad input is refused by all four with the same words, so a cluster submission can
/// never accept what a local run refuses (or the other way round).
final class SelectionOptionsTests: CommandTestCase {
    static let commands: [[String]] = [[], ["plan"], ["slurm"], ["worker", "--stage", "sweeps", "--task", "0", "--manifest", "/nonexistent/manifest.json"]]

    func assertAllRefuse(_ arguments: [String], saying expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
        for command in Self.commands {
            let r = try run(command + arguments)
            let name = (["make-report"] + command.prefix(1)).joined(separator: " ")
            XCTAssertNotEqual(r.status, 0, "\(name) \(arguments) was accepted", file: file, line: line)
            XCTAssertTrue(r.error.contains(expected), "\(name) \(arguments): \(r.error)", file: file, line: line)
            XCTAssertFalse(r.error.contains("ValidationError") || r.error.contains("CocoaError"), r.error, file: file, line: line)
        }
    }

    func testSeedsOutsideOneToHundredAreRefusedByEveryCommand() throws {
        try assertAllRefuse(["--seeds", "101"], saying: "--seeds must be between 1 and 100")
        try assertAllRefuse(["--seeds", "0"], saying: "--seeds must be between 1 and 100")
    }

    func testOnlyIsRepeatableAndCheckedTheSameWay() throws {
        try assertAllRefuse(["--only", "3", "--only", "9z"], saying: "unknown task '9z' in --only")
        try assertAllRefuse(["--only", "2,,3"], saying: "with none empty")
    }

    func testEmptyOutputAndQuickIntoTheProjectAreRefused() throws {
        try assertAllRefuse(["--output", ""], saying: "--output is empty")
        try assertAllRefuse(["--quick", "--output", "report"], saying: "must not write into the project")
    }

    func testPlanTakesRepeatedOnlyLikeTheMainCommand() throws {
        let r = try run(["plan", "--only", "2", "--only", "R", "--force"])
        XCTAssertEqual(r.status, 0, r.error)
        let running = r.output.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: "\t") }
            .filter { $0.count > 4 && $0[4] == "run" }
        XCTAssertEqual(Set(running.map { String($0[2]) }), ["2", "R"], r.output)
    }
}
