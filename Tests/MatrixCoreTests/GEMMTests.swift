import XCTest
@testable import MatrixCore

/// Products through BLAS (on whichever kernel BLAS.kernel chose) against a plain loop.
final class GEMMTests: XCTestCase {
    private func naive<S: MatrixScalar>(_ a: Matrix<S>, _ b: Matrix<S>, ta: Bool, tb: Bool) -> [Double] {
        let m = ta ? a.columns : a.rows, k = ta ? a.rows : a.columns, n = tb ? b.rows : b.columns
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n {
            var s = 0.0
            for p in 0..<k { s += Double(ta ? a[p, i] : a[i, p]) * Double(tb ? b[j, p] : b[p, j]) }
            c[i * n + j] = s
        } }
        return c
    }

    private func random<S: MatrixScalar>(_ rows: Int, _ cols: Int, _ g: inout SeededGenerator) -> Matrix<S> {
        Matrix(rows: rows, columns: cols, storage: (0..<(rows * cols)).map { _ in S(g.uniform(-1, 1)) })
    }

    private func check<S: MatrixScalar>(_: S.Type, tolerance: Double) {
        var g = SeededGenerator(seed: 42)
        for (m, n, k) in [(1, 1, 1), (7, 5, 3), (128, 64, 784), (33, 10, 64), (200, 17, 129)] {
            for ta in [false, true] { for tb in [false, true] {
                let a: Matrix<S> = ta ? random(k, m, &g) : random(m, k, &g)
                let b: Matrix<S> = tb ? random(n, k, &g) : random(k, n, &g)
                var c = Matrix<S>(rows: m, columns: n, repeating: 0.5)
                a.storage.withUnsafeBufferPointer { ap in b.storage.withUnsafeBufferPointer { bp in
                    c.storage.withUnsafeMutableBufferPointer { cp in
                        S.gemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 2,
                               a: ap.baseAddress!, lda: a.columns, b: bp.baseAddress!, ldb: b.columns,
                               beta: 1, c: cp.baseAddress!, ldc: n)
                    }
                } }
                let expected = naive(a, b, ta: ta, tb: tb)
                for i in 0..<(m * n) {
                    XCTAssertEqual(Double(c.storage[i]), 2 * expected[i] + 0.5, accuracy: tolerance * Double(k),
                                   "\(S.self) \(m)x\(n)x\(k) ta=\(ta) tb=\(tb) element \(i)")
                }
            } }
        }
    }

    func testFloatProductsAgreeWithPlainLoop() { check(Float.self, tolerance: 1e-5) }
    func testDoubleProductsAgreeWithPlainLoop() { check(Double.self, tolerance: 1e-12) }

    func testKernelFixReplacesTheGenericFallback() {
        let report = BLAS.kernel
        XCTAssertFalse(report.active.isEmpty)
        let flags = BLAS.cpuFlags()
        if report.detected.lowercased() == "prescott", let expected = BLAS.coreType(forCPUFlags: flags) {
            // The fix ran: the active kernel is the one the CPU flags call for.
            XCTAssertNotNil(report.override)
            XCTAssertEqual(report.active.lowercased(), expected.lowercased())
        } else {
            XCTAssertNil(report.override, "no override unless OpenBLAS fell back on its own")
        }
    }

    func testCoreTypeChoiceFromFlags() {
        let avx512: Set = ["avx2", "fma", "avx", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
        XCTAssertEqual(BLAS.coreType(forCPUFlags: avx512), "SkylakeX")
        XCTAssertEqual(BLAS.coreType(forCPUFlags: avx512.union(["avx512_bf16"])), "Cooperlake")
        XCTAssertEqual(BLAS.coreType(forCPUFlags: ["avx", "avx2", "fma"]), "Haswell")
        XCTAssertEqual(BLAS.coreType(forCPUFlags: ["avx"]), "SandyBridge")
        XCTAssertNil(BLAS.coreType(forCPUFlags: ["sse2", "sse3"]))
    }

    func testThreadCountIsASetting() {
        let before = BLAS.threads
        BLAS.threads = 1
        XCTAssertEqual(BLAS.threads, 1)
        BLAS.threads = before
    }
}

final class GEMVTests: XCTestCase {
    func testMatrixVectorProductsAgreeWithPlainLoop() {
        var g = SeededGenerator(seed: 9)
        let m = 37, n = 11
        let a = (0..<(m * n)).map { _ in g.uniform(-1, 1) }
        let x = (0..<m).map { _ in g.uniform(-1, 1) }, z = (0..<n).map { _ in g.uniform(-1, 1) }
        var yt = [Double](repeating: 1, count: n), y = [Double](repeating: 1, count: m)
        Double.gemv(transpose: true, m: m, n: n, alpha: 1, a: a, lda: n, x: x, beta: 1, y: &yt)
        Double.gemv(transpose: false, m: m, n: n, alpha: 2, a: a, lda: n, x: z, beta: 0, y: &y)
        for j in 0..<n { XCTAssertEqual(yt[j], 1 + (0..<m).map { a[$0 * n + j] * x[$0] }.reduce(0, +), accuracy: 1e-12) }
        for i in 0..<m { XCTAssertEqual(y[i], 2 * (0..<n).map { a[i * n + $0] * z[$0] }.reduce(0, +), accuracy: 1e-12) }
    }
}
