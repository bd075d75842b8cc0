import XCTest
@testable import MatrixCore

/// The Float GEMM of dense layers (Sources/CKernels/gemm.c, gemm_avx2.c) on every tile
/// shape it has, for whichever instruction set this CPU runs: AVX-512 column panels of 1-4
/// vectors; AVX2 tiles of 8 x 8 and 6 x 16, packed panels, short tail tiles, wide layers in
/// row and k blocks; masked widths everywhere.
final class PanelGEMMTests: XCTestCase {
    private struct Case { let m, n, k: Int; let transposeA: Bool; let start: PanelGEMM.Start? }

    private func skipUnlessAvailable() throws {
        try XCTSkipUnless(PanelGEMM.isAvailable, "neither AVX2 + FMA nor AVX-512 here: the layers use BLAS")
    }

    /// Runs one product with padded strides (lda > k or m, ldb > n, ldc > n) so that a
    /// stride mix-up cannot pass; returns C (m x n, packed) and the inputs.
    private func run(m: Int, n: Int, k: Int, transposeA: Bool, startCode: Int, seed: UInt64)
        -> (c: [Float], a: [Float], lda: Int, b: [Float], ldb: Int, bias: [Float], initial: [Float]) {
        var g = SeededGenerator(seed: seed)
        let lda = (transposeA ? m : k) + 3, aRows = transposeA ? k : m
        let ldb = n + 5, ldc = n + 2
        let a = (0..<(aRows * lda)).map { _ in Float(g.uniform(-1, 1)) }
        let b = (0..<(k * ldb)).map { _ in Float(g.uniform(-1, 1)) }
        let bias = (0..<n).map { _ in Float(g.uniform(-1, 1)) }
        let initial = (0..<(m * ldc)).map { _ in Float(g.uniform(-1, 1)) }
        var c = initial
        bias.withUnsafeBufferPointer { biasPointer in
            let start: PanelGEMM.Start = startCode == 0 ? .zero : startCode == 1 ? .row(biasPointer.baseAddress!) : .current
            XCTAssertTrue(PanelGEMM.multiply(m: m, n: n, k: k, a: a, lda: lda, transposeA: transposeA,
                                             b: b, ldb: ldb, start: start, c: &c, ldc: ldc))
        }
        // Padding columns of C must be untouched.
        for i in 0..<m { for j in n..<ldc { XCTAssertEqual(c[i * ldc + j], initial[i * ldc + j], "padding (\(i), \(j))") } }
        let packed = (0..<m).flatMap { i in c[(i * ldc)..<(i * ldc + n)] }
        let packedInitial = (0..<m).flatMap { i in initial[(i * ldc)..<(i * ldc + n)] }
        return (packed, a, lda, b, ldb, bias, packedInitial)
    }

    func testEveryTileShapeAgreesWithAPlainLoop() throws {
        try skipUnlessAvailable()
        var seed: UInt64 = 1
        for n in [1, 5, 8, 10, 16, 17, 24, 32, 40, 59, 64, 65, 130] {
            for m in [1, 6, 7, 8, 13, 25, 53] {
                for (k, transposeA, startCode) in [(1, false, 0), (64, false, 1), (129, true, 0), (37, true, 2)] {
                    seed += 1
                    let r = run(m: m, n: n, k: k, transposeA: transposeA, startCode: startCode, seed: seed)
                    for i in 0..<m { for j in 0..<n {
                        var s = startCode == 0 ? 0.0 : startCode == 1 ? Double(r.bias[j]) : Double(r.initial[i * n + j])
                        for p in 0..<k {
                            let aip = transposeA ? r.a[p * r.lda + i] : r.a[i * r.lda + p]
                            s += Double(aip) * Double(r.b[p * r.ldb + j])
                        }
                        XCTAssertEqual(Double(r.c[i * n + j]), s, accuracy: 1e-6 * Double(k + 1),
                                       "m \(m) n \(n) k \(k) transposeA \(transposeA) start \(startCode) at (\(i), \(j))")
                    } }
                }
            }
        }
    }

    func testEachElementIsOneFusedMultiplyAddChainInOrder() throws {
        // The documented summation order, bit for bit: c = fma(a[i,k-1], b[k-1,j], ... fma(a[i,0], b[0,j], start)).
        // It is what makes a row's result independent of the batch it is in. The last cases
        // are wide and deep enough to run in k blocks (partial sums kept in C between them), the
        // second of them over several row blocks as well; then one-vector tiles with tails.
        try skipUnlessAvailable()
        for (m, n, k, transposeA) in [(13, 64, 784, false), (9, 10, 64, false), (20, 33, 128, true), (7, 130, 300, false),
                                      (101, 515, 260, false), (12, 8, 50, false), (11, 3, 20, true)] {
            let r = run(m: m, n: n, k: k, transposeA: transposeA, startCode: 1, seed: UInt64(m * n))
            for i in 0..<m { for j in 0..<n {
                var s = r.bias[j]
                for p in 0..<k {
                    let aip = transposeA ? r.a[p * r.lda + i] : r.a[i * r.lda + p]
                    s = s.addingProduct(aip, r.b[p * r.ldb + j])
                }
                XCTAssertEqual(r.c[i * n + j].bitPattern, s.bitPattern, "m \(m) n \(n) k \(k) at (\(i), \(j))")
            } }
        }
    }

    func testARowGivesTheSameBitsAloneAndInsideABatch() throws {
        try skipUnlessAvailable()
        let m = 31, n = 64, k = 100
        let r = run(m: m, n: n, k: k, transposeA: false, startCode: 0, seed: 77)
        for i in [0, 5, 6, 30] {
            var alone = [Float](repeating: 0, count: n)
            XCTAssertTrue(PanelGEMM.multiply(m: 1, n: n, k: k, a: Array(r.a[(i * r.lda)...]), lda: r.lda,
                                             transposeA: false, b: r.b, ldb: r.ldb, start: .zero, c: &alone, ldc: n))
            XCTAssertEqual(alone, Array(r.c[(i * n)..<((i + 1) * n)]), "row \(i)")
        }
    }

    func testEmptyProductsTouchNothingAndZeroDepthGivesTheStart() throws {
        try skipUnlessAvailable()
        let bias: [Float] = [1, 2, 3]
        var c: [Float] = [9, 9, 9]
        bias.withUnsafeBufferPointer { bp in
            XCTAssertTrue(PanelGEMM.multiply(m: 0, n: 3, k: 4, a: [Float](repeating: 1, count: 4), lda: 4, transposeA: false,
                                             b: [Float](repeating: 1, count: 12), ldb: 3, start: .row(bp.baseAddress!), c: &c, ldc: 3))
            XCTAssertEqual(c, [9, 9, 9])
            XCTAssertTrue(PanelGEMM.multiply(m: 1, n: 3, k: 0, a: [Float](), lda: 0, transposeA: false,
                                             b: [Float](), ldb: 3, start: .row(bp.baseAddress!), c: &c, ldc: 3))
            XCTAssertEqual(c, [1, 2, 3])
        }
    }
}
