import XCTest
import Foundation
@testable import MatrixCore

final class FastMathTests: XCTestCase {
    func testExpIsAccurateAcrossTheRange() {
        var worst: Double = 0
        let xs = stride(from: Float(-87), to: 87.99, by: 0.00731).map { $0 }
        var e = xs
        e.withUnsafeMutableBufferPointer { FastMath.exp($0.baseAddress!, count: $0.count) }
        for (x, y) in zip(xs, e) {
            let truth = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(y) - truth) / truth)
        }
        XCTAssertLessThan(worst, 2e-7)
    }

    func testExtremesClampInsteadOfOverflowing() {
        var v: [Float] = [1000, -1000, -.infinity, .infinity]
        v.withUnsafeMutableBufferPointer { FastMath.exp($0.baseAddress!, count: $0.count) }
        XCTAssertTrue(v[0].isFinite && v[0] > 1e38)
        XCTAssertTrue(v[1] >= 0 && v[1] < 1e-37)
        XCTAssertFalse(v[2].isNaN)
        XCTAssertTrue(v[3].isFinite)
    }

    func testSigmoidAndTanhKernelsMatchScalarFormulas() {
        var g = SeededGenerator(seed: 4)
        let xs = (0..<1003).map { _ in Float(g.uniform(-12, 12)) }
        var s = xs, t = xs
        s.withUnsafeMutableBufferPointer { FastMath.sigmoid($0.baseAddress!, count: $0.count) }
        t.withUnsafeMutableBufferPointer { FastMath.scaledTanh($0.baseAddress!, count: $0.count, a: 1.7159, b: 2.0 / 3) }
        for i in xs.indices {
            let x = Double(xs[i])
            XCTAssertEqual(Double(s[i]), 1 / (1 + Foundation.exp(-x)), accuracy: 2e-7)
            XCTAssertEqual(Double(t[i]), 1.7159 * Foundation.tanh(2 * x / 3), accuracy: 4e-7)
        }
    }
}
