import XCTest
import Foundation
@testable import MatrixCore

final class FastMathTests: XCTestCase {
    func testExpIsAccurateAcrossTheRange() {
        var worst: Double = 0
        var x: Float = -87
        while x < 87.9 {
            let v = FastMath.Vector((0..<16).map { x + Float($0) * 0.0037 })
            let e = FastMath.exp(v)
            for i in 0..<16 {
                let truth = Foundation.exp(Double(v[i]))
                worst = max(worst, abs(Double(e[i]) - truth) / truth)
            }
            x += 0.0593
        }
        XCTAssertLessThan(worst, 2e-7)
    }

    func testExtremesClampInsteadOfOverflowing() {
        let e = FastMath.exp(FastMath.Vector(repeating: 1000))
        XCTAssertTrue(e[0].isFinite)
        let z = FastMath.exp(FastMath.Vector(repeating: -1000))
        XCTAssertTrue(z[0] >= 0 && z[0] < 1e-37)
        XCTAssertFalse(FastMath.exp(FastMath.Vector(repeating: -.infinity))[0].isNaN)
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
