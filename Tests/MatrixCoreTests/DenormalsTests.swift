import XCTest
@testable import MatrixCore

final class DenormalsTests: XCTestCase {
    /// 1 x 1 x 1 product through BLAS: opaque to the optimiser, so it runs on this thread's mode.
    private func product(_ a: Float, _ b: Float) -> Float {
        var c: Float = 0
        withUnsafePointer(to: a) { ap in withUnsafePointer(to: b) { bp in
            Float.gemm(transposeA: false, transposeB: false, m: 1, n: 1, k: 1, alpha: 1, a: ap, lda: 1,
                       b: bp, ldb: 1, beta: 0, c: &c, ldc: 1)
        } }
        return c
    }

    func testSubnormalResultsAreFlushedInsideAndKeptOutside() throws {
        #if !(arch(x86_64) || arch(i386))
        throw XCTSkip("flushing is an x86 control-register setting")
        #endif
        try XCTSkipUnless(Denormals.flushingEnabled, "MAKE_REPORT_KEEP_DENORMALS=1 is set")
        let tiny = Float.leastNormalMagnitude
        XCTAssertEqual(product(tiny, 0.25), tiny / 4, "outside: gradual underflow, as IEEE 754 says")
        XCTAssertGreaterThan(product(tiny, 0.25), 0)
        let inside = Denormals.flushed { product(tiny, 0.25) }
        XCTAssertEqual(inside, 0, "inside: flushed to zero")
        // Nested regions restore the outer mode, and the thread's mode afterwards is the old one.
        let nested = Denormals.flushed { () -> (Float, Float) in
            let inner = Denormals.flushed { product(tiny, 0.25) }
            return (inner, product(tiny, 0.25))
        }
        XCTAssertEqual(nested.0, 0)
        XCTAssertEqual(nested.1, 0)
        XCTAssertEqual(product(tiny, 0.25), tiny / 4, "mode restored")
        XCTAssertEqual(Denormals.flushed { product(2, 3) }, 6, "normal numbers are untouched")
    }
}
