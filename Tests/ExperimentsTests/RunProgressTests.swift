import Experiments
import XCTest

/// The whole run's progress: runs done of all phases, and the time left.
final class RunProgressTests: XCTestCase {
    func run(_ name: String, _ seconds: Double?, cost: Double = 1) -> PlannedRun {
        PlannedRun(name: name, expectedSeconds: seconds, cost: cost)
    }

    func testForecastIsReplacedWhenItsPhaseBegins() {
        var p = RunProgress()
        p.plan([run("a", 10), run("b", 10)], phase: "1")
        p.plan([run("c", nil), run("d", nil), run("e", nil)], phase: "2")
        XCTAssertEqual(p.total, 5)
        p.start("a", at: 0)
        p.finish("a", seconds: 10)
        XCTAssertEqual(p.done, 1)
        p.plan([run("c", nil)], phase: "2")
        XCTAssertEqual(p.total, 3)
        XCTAssertEqual(p.line(now: 10).prefix(16), "1/3 runs done, a")
    }

    func testTimeLeftFromComparableRunsSharedAmongWorkers() throws {
        var p = RunProgress()
        p.workers = 2
        p.plan([run("a", 30), run("b", 50), run("c", 20)], phase: "1")
        XCTAssertEqual(try XCTUnwrap(p.secondsLeft(now: 0)), 50, accuracy: 1e-9)
        // A running job's used time comes off its expected time.
        p.start("a", at: 0)
        XCTAssertEqual(try XCTUnwrap(p.secondsLeft(now: 10)), 45, accuracy: 1e-9)
        p.finish("a", seconds: 30)
        XCTAssertEqual(try XCTUnwrap(p.secondsLeft(now: 30)), 35, accuracy: 1e-9)
        p.finish("b", seconds: 50); p.finish("c", seconds: 20)
        XCTAssertEqual(p.secondsLeft(now: 100), 0)
        XCTAssertEqual(p.line(now: 100), "3/3 runs done")
    }

    func testRunsWithoutAComparableOneScaleByCost() throws {
        var p = RunProgress()
        p.plan([run("new", nil, cost: 4)], phase: "1")
        XCTAssertNil(p.secondsLeft(now: 0), "nothing to estimate from yet")
        XCTAssertTrue(p.line(now: 0).hasSuffix("time left not known yet"))
        // A comparable run of cost 2 took 10 s: 5 s per unit, so the new one about 20 s.
        p.plan([run("known", 10, cost: 2)], phase: "0")
        XCTAssertEqual(try XCTUnwrap(p.secondsLeft(now: 0)), 30, accuracy: 1e-9)
        // Once runs finish here, their times set the rate: 1 s per unit.
        p.start("known", at: 0)
        p.finish("known", seconds: 2)
        XCTAssertEqual(try XCTUnwrap(p.secondsLeft(now: 2)), 4, accuracy: 1e-9)
        XCTAssertEqual(p.line(now: 2), "1/2 runs done, about 4 s left")
    }

    func testDurations() {
        XCTAssertEqual(RunProgress.duration(42), "42 s")
        XCTAssertEqual(RunProgress.duration(600), "10 min")
        XCTAssertEqual(RunProgress.duration(3900), "1 h 05 min")
    }
}
