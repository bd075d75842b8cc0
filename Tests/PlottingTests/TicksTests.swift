import XCTest
@testable import Plotting

/// Tick placement and labels. Unless stated, ranges are view limits and the locator gets
/// matplotlib's maximum of 9 intervals (a typical default-size axis).
final class TicksTests: XCTestCase {
    private func assertTicks(_ ticks: [Double], _ expected: [Double], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(ticks.count, expected.count, "\(ticks) vs \(expected)", file: file, line: line)
        for (a, b) in zip(ticks, expected) {
            XCTAssertEqual(a, b, accuracy: 1e-9 * max(1, abs(b)), "\(ticks) vs \(expected)", file: file, line: line)
        }
    }

    func testLinearTable() {
        let table: [(Double, Double, Int, [Double], [String])] = [
            (0, 1, 9, [0, 0.2, 0.4, 0.6, 0.8, 1.0], ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]),
            (-0.05, 1.05, 9, [0, 0.2, 0.4, 0.6, 0.8, 1.0], ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]),
            (0.8, 1.0, 9, [0.8, 0.825, 0.85, 0.875, 0.9, 0.925, 0.95, 0.975, 1.0],
             ["0.800", "0.825", "0.850", "0.875", "0.900", "0.925", "0.950", "0.975", "1.000"]),
            // A short axis (room for 5 intervals) gets the coarser step.
            (0.8, 1.0, 5, [0.8, 0.85, 0.9, 0.95, 1.0], ["0.80", "0.85", "0.90", "0.95", "1.00"]),
            (0, 2.3, 9, [0, 0.5, 1, 1.5, 2], ["0.0", "0.5", "1.0", "1.5", "2.0"]),
            (0, 3000, 9, [0, 500, 1000, 1500, 2000, 2500, 3000], ["0", "500", "1000", "1500", "2000", "2500", "3000"]),
            (-1, 1, 9, [-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1],
             ["−1.00", "−0.75", "−0.50", "−0.25", "0.00", "0.25", "0.50", "0.75", "1.00"]),
            (0, 100, 9, [0, 20, 40, 60, 80, 100], ["0", "20", "40", "60", "80", "100"]),
            (2.85, 3.15, 9, [2.85, 2.9, 2.95, 3.0, 3.05, 3.1, 3.15],
             ["2.85", "2.90", "2.95", "3.00", "3.05", "3.10", "3.15"]),
        ]
        for (lo, hi, bins, ticks, labels) in table {
            let got = Ticks.linear(min: lo, max: hi, maxIntervals: bins)
            assertTicks(got, ticks)
            XCTAssertEqual(Ticks.labels(got), labels, "\(lo)...\(hi) with \(bins) intervals")
        }
    }

    func testTickCountStaysWithinBounds() {
        for (lo, hi) in [(0.0, 1.0), (0.123, 0.9876), (-37.0, 412.0), (1e-7, 3e-7), (5.0, 5.0001), (-1e12, 1e12)] {
            for bins in 1...9 {
                let ticks = Ticks.linear(min: lo, max: hi, maxIntervals: bins)
                XCTAssertGreaterThanOrEqual(ticks.count, 2, "\(lo)...\(hi) bins \(bins)")
                XCTAssertLessThanOrEqual(ticks.count, bins + 2, "\(lo)...\(hi) bins \(bins)")
                XCTAssertTrue(ticks.allSatisfy { $0 >= lo - 1e-9 * (hi - lo) && $0 <= hi + 1e-9 * (hi - lo) })
            }
        }
    }

    func testAutoIntervalsFollowAxisLength() {
        XCTAssertEqual(Ticks.maxIntervals(axisLength: 357, vertical: false), 9)
        XCTAssertEqual(Ticks.maxIntervals(axisLength: 150, vertical: false), 5)
        XCTAssertEqual(Ticks.maxIntervals(axisLength: 150, vertical: true), 7)
        XCTAssertEqual(Ticks.maxIntervals(axisLength: 5, vertical: true), 1)
    }

    func testLogTicks() {
        assertTicks(Ticks.log(min: 1, max: 128, base: 2), [1, 2, 4, 8, 16, 32, 64, 128])
        XCTAssertEqual(Ticks.logLabels(Ticks.log(min: 1, max: 128, base: 2), base: 2),
                       ["1", "2", "4", "8", "16", "32", "64", "128"])
        assertTicks(Ticks.log(min: 0.7, max: 1500, base: 10), [1, 10, 100, 1000])
        XCTAssertEqual(Ticks.logLabels([0.001, 1, 1e4, 1e9], base: 10), ["0.001", "1", "10000", "10⁹"])
        XCTAssertEqual(Ticks.logLabels([0.0625, 1.0 / 1024], base: 2), ["0.0625", "2⁻¹⁰"])
        // 13 decades do not fit 10 ticks: every second power.
        let wide = Ticks.log(min: 1e-3, max: 1e9, base: 10)
        assertTicks(wide, [1e-2, 1, 1e2, 1e4, 1e6, 1e8])
        // Within one decade: 1-2-5 multiples, never a bare axis.
        assertTicks(Ticks.log(min: 1.5, max: 9, base: 10), [2, 5])
        XCTAssertGreaterThanOrEqual(Ticks.log(min: 3, max: 3.5, base: 2).count, 2)
        XCTAssertEqual(Ticks.log(min: -1, max: 10, base: 10), [])
    }

    func testPercentLabels() {
        XCTAssertEqual(Ticks.labels([0.8, 0.85, 0.9, 0.95, 1.0], format: .percent), ["80%", "85%", "90%", "95%", "100%"])
        XCTAssertEqual(Ticks.labels([0.8, 0.825, 0.85], format: .percent), ["80.0%", "82.5%", "85.0%"])
        XCTAssertEqual(Ticks.labels([0.9], format: .percent), ["90%"])
    }

    func testLargeAndTinyRangesUseMultiplierOrOffset() {
        let big = Ticks.format([0, 1e9, 2e9, 3e9])
        XCTAssertEqual(big.labels, ["0", "1", "2", "3"])
        XCTAssertEqual(big.offsetText, "1e9")
        let tiny = Ticks.format([0, 2e-10, 4e-10, 6e-10])
        XCTAssertEqual(tiny.labels, ["0", "2", "4", "6"])
        XCTAssertEqual(tiny.offsetText, "1e−10")
        // 1 + (0...1e-9): an offset keeps the labels short and distinct.
        let ticks = Ticks.linear(min: 1, max: 1 + 1e-9)
        let near = Ticks.format(ticks)
        XCTAssertEqual(Set(near.labels).count, ticks.count)
        XCTAssertTrue(near.offsetText?.contains("+1") ?? false, "\(near)")
        XCTAssertTrue(near.labels.allSatisfy { $0.count <= 5 }, "\(near.labels)")
        // Ordinary numbers get neither.
        XCTAssertNil(Ticks.format([0, 500, 1000]).offsetText)
    }

    func testNonsingularAndAutoLimits() {
        let c = Ticks.nonsingular(3, 3)
        XCTAssertEqual(c.0, 2.85, accuracy: 1e-12); XCTAssertEqual(c.1, 3.15, accuracy: 1e-12)
        let z = Ticks.nonsingular(0, 0)
        XCTAssertEqual(z.0, -0.05); XCTAssertEqual(z.1, 0.05)
        let n = Ticks.nonsingular(.nan, 1)
        XCTAssertEqual(n.0, -0.05); XCTAssertEqual(n.1, 0.05)
        let m = Ticks.autoLimits(min: 0, max: 1)
        XCTAssertEqual(m.0, -0.05, accuracy: 1e-12); XCTAssertEqual(m.1, 1.05, accuracy: 1e-12)
        // Log margins are equal in decades: 1...100 gains 0.1 decade each side.
        let l = Ticks.autoLimits(min: 1, max: 100, scale: .log(base: 10))
        XCTAssertEqual(log10(l.0), -0.1, accuracy: 1e-12); XCTAssertEqual(log10(l.1), 2.1, accuracy: 1e-12)
    }

    func testColors() {
        XCTAssertEqual(Color.tab10.count, 10)
        XCTAssertEqual(Color.tab10[0], Color(hex: "1f77b4"))
        XCTAssertEqual(Color(hex: "#ff0000"), Color(red: 1, green: 0, blue: 0))
        XCTAssertNil(Color(parsing: "12345"))
        XCTAssertEqual(ColorMap.grey.color(at: 0), .black)
        XCTAssertEqual(ColorMap.diverging.color(at: 0.5), Color(hex: "f7f7f7"))
    }
}
