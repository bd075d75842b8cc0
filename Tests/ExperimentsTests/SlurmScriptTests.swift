import Foundation
import XCTest
@testable import Experiments

/// The sbatch scripts and submit lines `make-report slurm` writes: the flags a cluster needs
/// (one CPU, memory, time, partition/account, a log per task) and the afterok chain that
/// keeps a stage from starting before the rates it needs are chosen.
final class SlurmScriptTests: XCTestCase {
    func script(partition: String? = nil, account: String? = nil, time: String? = nil, throttle: Int = 5) -> SlurmScript {
        var r = SlurmScript.Resources()
        r.memory = "3G"; r.partition = partition; r.account = account; r.time = time; r.throttle = throttle
        return SlurmScript(binary: "/shared/mr/.build/release/make-report", workingDirectory: "/shared/mr", directory: "/shared/out/.slurm/x",
                           selectionArguments: ["--quick", "--output", "/shared/out"], renderArguments: ["--quick", "--output", "/shared/out"],
                           resources: r, stages: [(.sweeps, 7, 100), (.bonusDropout, 1, 20), (.bonusAnneal, 1, 20), (.plotted, 3, 50)])
    }

    func directives(_ text: String) -> [String] { text.split(separator: "\n").filter { $0.hasPrefix("#SBATCH ") }.map { String($0.dropFirst(8)) } }

    func testEveryArrayTaskAsksForOneCPUTheMemoryAndALogOfItsOwn() {
        let text = script().script(.sweeps, longestSeconds: 100)
        let d = directives(text)
        XCTAssertTrue(d.contains("--cpus-per-task=1"), "\(d)")
        XCTAssertTrue(d.contains("--mem=3G"), "\(d)")
        XCTAssertTrue(d.contains("--output=/shared/out/.slurm/x/logs/sweeps-%A_%a.out"), "\(d)")
        XCTAssertTrue(d.contains("--job-name=make-report-sweeps"), "\(d)")
        XCTAssertTrue(text.contains("exec /shared/mr/.build/release/make-report worker --stage sweeps --manifest /shared/out/.slurm/x/manifest.json --quick --output /shared/out"), text)
        XCTAssertTrue(directives(script().script(.render)).contains("--output=/shared/out/.slurm/x/logs/render-%j.out"))
    }

    func testTimeLimitIsThreeTimesTheLongestTaskPlusTenMinutesUnlessGiven() {
        XCTAssertEqual(SlurmScript.timeLimit(seconds: 100), "00:15:00")
        XCTAssertEqual(SlurmScript.timeLimit(seconds: 86_400), "3-00:10:00")
        XCTAssertEqual(SlurmScript.timeLimit(seconds: 0.2), "00:10:01")
        XCTAssertTrue(directives(script().script(.sweeps, longestSeconds: 100)).contains("--time=00:15:00"))
        XCTAssertTrue(directives(script(time: "02:00:00").script(.sweeps, longestSeconds: 100)).contains("--time=02:00:00"))
    }

    func testPartitionAndAccountArePassedThroughOnlyWhenGiven() {
        let plain = directives(script().script(.plotted, longestSeconds: 1))
        XCTAssertFalse(plain.contains { $0.hasPrefix("--partition") || $0.hasPrefix("--account") }, "\(plain)")
        let given = directives(script(partition: "gpu q", account: "ntnu-123").script(.plotted, longestSeconds: 1))
        XCTAssertTrue(given.contains("--partition=gpu q") && given.contains("--account=ntnu-123"), "\(given)")
    }

    func testStagesAreArraysWithAThrottleChainedByAfterOK() {
        let lines = script(throttle: 5).submitLines(wait: false)
        XCTAssertEqual(lines, [
            "job1=$(sbatch --parsable --array=0-6%5 /shared/out/.slurm/x/sweeps.sbatch)",
            "job2=$(sbatch --parsable --array=0-0%5 --dependency=afterok:$job1 --kill-on-invalid-dep=yes /shared/out/.slurm/x/bonus-dropout.sbatch)",
            "job3=$(sbatch --parsable --array=0-0%5 --dependency=afterok:$job2 --kill-on-invalid-dep=yes /shared/out/.slurm/x/bonus-anneal.sbatch)",
            "job4=$(sbatch --parsable --array=0-2%5 --dependency=afterok:$job3 --kill-on-invalid-dep=yes /shared/out/.slurm/x/plotted.sbatch)",
            "sbatch --parsable --dependency=afterok:$job4 --kill-on-invalid-dep=yes /shared/out/.slurm/x/render.sbatch",
        ])
        XCTAssertEqual(script().submitLines(wait: true).last,
                       "sbatch --parsable --dependency=afterok:$job4 --kill-on-invalid-dep=yes --wait /shared/out/.slurm/x/render.sbatch")
    }

    func testOnlyARenderLogThatReachedTheEndCountsAsPublished() throws {
        let logs = temporaryDirectory()
        XCTAssertFalse(SlurmScript.renderPublished(logDirectory: logs.path), "no render log: the job was cancelled")
        try "stage sweeps task 0 done\n".write(to: logs.appendingPathComponent("sweeps-4_0.out"), atomically: true, encoding: .utf8)
        try "task 5: 0 ran, 3 reused\n".write(to: logs.appendingPathComponent("render-9.out"), atomically: true, encoding: .utf8)
        XCTAssertFalse(SlurmScript.renderPublished(logDirectory: logs.path), "a render job that stopped early")
        try "task 5: 0 ran\nwrote /o/report/report.md and 11 figures in /o/figures (0.4 s)\n"
            .write(to: logs.appendingPathComponent("render-10.out"), atomically: true, encoding: .utf8)
        XCTAssertTrue(SlurmScript.renderPublished(logDirectory: logs.path))
    }

    func testShellQuotingKeepsOddPathsOneArgument() {
        XCTAssertEqual(shellQuoted("/a/b-c_d.e"), "/a/b-c_d.e")
        XCTAssertEqual(shellQuoted("my results"), "'my results'")
        XCTAssertEqual(shellQuoted("it's"), "'it'\\''s'")
        XCTAssertEqual(shellQuoted(""), "''")
    }
}

/// Splitting a stage's keys into array tasks of about equal time.
final class ChunkingTests: XCTestCase {
    func testTaskCountAimsAtTheTargetSecondsAndNeverExceedsTheJobs() {
        XCTAssertEqual(Chunking.taskCount(totalSeconds: 1000, jobs: 10, target: 300), 4)
        XCTAssertEqual(Chunking.taskCount(totalSeconds: 1000, jobs: 2, target: 300), 2)
        XCTAssertEqual(Chunking.taskCount(totalSeconds: 5, jobs: 10, target: 300), 1)
        XCTAssertEqual(Chunking.taskCount(totalSeconds: 0, jobs: 0, target: 300), 1)
    }

    func testLongestFirstSplitUsesEveryJobOnceAndBalancesTheLoad() {
        let seconds: [Double] = [5, 4, 3, 3, 3, 1, 9, 2]
        let tasks = Chunking.split(seconds, into: 3)
        XCTAssertEqual(tasks.count, 3)
        XCTAssertEqual(tasks.flatMap { $0 }.sorted(), Array(seconds.indices))
        let loads = tasks.map { $0.map { seconds[$0] }.reduce(0, +) }
        // 30 s over 3 tasks: the best split is 10 each; LPT stays within 4/3 of it.
        XCTAssertLessThanOrEqual(loads.max()!, 10 * 4 / 3, "\(loads)")
        XCTAssertEqual(tasks[0].first, 6, "the longest job goes first onto the first task")
        XCTAssertEqual(Chunking.split([1, 1], into: 4).filter(\.isEmpty).count, 2)
    }
}
