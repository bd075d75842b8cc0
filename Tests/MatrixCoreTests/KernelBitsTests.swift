import XCTest
@testable import MatrixCore

/// The vector kernels of Sources/CKernels against scalar Swift that does the same operations
/// in the same order, bit for bit. Both instruction sets (AVX-512, AVX2 + FMA) are written to
/// that one sequence, so whichever this CPU runs, passing here means it computes what the
/// other would: a result trained on one machine is the result on the other.
final class KernelBitsTests: XCTestCase {
    private func skipUnlessAvailable() throws {
        try XCTSkipUnless(PanelGEMM.isAvailable, "neither AVX2 + FMA nor AVX-512 here: the portable loops run")
    }

    /// exp16.h / exp8.h, one operation at a time (fnmadd(n, c, x) is x + (-n) c, fused).
    private func kernelExp(_ v: Float) -> Float {
        let x = min(88, max(-87, v))
        let magic: Float = 12582912
        let t = magic.addingProduct(x, 1.44269504)
        let n = t - magic
        var r = x.addingProduct(-n, 0.693359375)
        r = r.addingProduct(n, 2.12194440e-4)
        var p: Float = 1.9875691500e-4
        for c: Float in [1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1] {
            p = c.addingProduct(p, r)
        }
        p = (r + 1).addingProduct(p, r * r)
        let bits = (Int32(bitPattern: t.bitPattern) &- Int32(bitPattern: magic.bitPattern) &+ 127) &<< 23
        return p * Float(bitPattern: UInt32(bitPattern: bits))
    }

    private func kernelActivation(_ f: Pointwise, _ z: Float) -> Float {
        switch f {
        case .sigmoid: return 1 / (1 + kernelExp(0 - z))
        case .improvedSigmoid, .tanh:
            let (a, b): (Float, Float) = f == .tanh ? (1, 1) : (Float(Pointwise.lecunA), Float(Pointwise.lecunB))
            let q = 2 / (1 + kernelExp((2 * b) * z))
            return a * (1 - q)
        case .relu: return max(0, z)
        case .identity: return z
        }
    }

    private func randomFloats(_ count: Int, scale: Float, seed: UInt64) -> [Float] {
        var g = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float(g.uniform(-1, 1)) * scale }
    }

    func testActivationsInTheProductAreTheScalarSequence() throws {
        try skipUnlessAvailable()
        // Wide pre-activations (up to about +-40) reach both saturated ends and the clamp.
        for (m, n, k) in [(9, 37, 5), (14, 64, 30), (3, 7, 11)] {
            let a = randomFloats(m * k, scale: 4, seed: UInt64(m * 100 + n)), b = randomFloats(k * n, scale: 2, seed: UInt64(k))
            var z = [Float](repeating: 0, count: m * n)
            XCTAssertTrue(PanelGEMM.multiply(m: m, n: n, k: k, a: a, lda: k, transposeA: false, b: b, ldb: n,
                                             start: .zero, c: &z, ldc: n))
            for f: Pointwise in [.sigmoid, .improvedSigmoid, .tanh, .relu] {
                var y = [Float](repeating: 0, count: m * n)
                XCTAssertTrue(PanelGEMM.multiply(m: m, n: n, k: k, a: a, lda: k, transposeA: false, b: b, ldb: n,
                                                 start: .zero, activation: f, c: &y, ldc: n))
                for i in 0..<(m * n) {
                    XCTAssertEqual(y[i].bitPattern, kernelActivation(f, z[i]).bitPattern,
                                   "\(f) of \(z[i]) (m \(m) n \(n) k \(k), element \(i))")
                }
            }
        }
    }

    func testSoftmaxIsTheScalarSequenceWithItsFixedSumTree() {
        for columns in 1...16 {
            let rows = 5
            let z = randomFloats(rows * columns, scale: 30, seed: UInt64(columns))
            var out = z
            Kernels.softmaxRows(&out, rows: rows, columns: columns)
            guard PanelGEMM.isAvailable else { continue }
            for r in 0..<rows {
                let row = Array(z[(r * columns)..<((r + 1) * columns)])
                let m = row.max()!
                var e = [Float](repeating: 0, count: 16)
                for c in 0..<columns { e[c] = kernelExp(row[c] - m) }
                // Lane l plus lane l + 8, then + 4, + 2, + 1.
                let s8 = (0..<8).map { e[$0] + e[$0 + 8] }
                let s4 = (0..<4).map { s8[$0] + s8[$0 + 4] }
                let s2 = (0..<2).map { s4[$0] + s4[$0 + 2] }
                let inv = 1 / (s2[0] + s2[1])
                for c in 0..<columns {
                    XCTAssertEqual(out[r * columns + c].bitPattern, (e[c] * inv).bitPattern, "columns \(columns) row \(r) column \(c)")
                }
            }
        }
    }

    func testLossFromLogitsIsTheScalarSequence() throws {
        try skipUnlessAvailable()
        for (rows, columns) in [(1, 1), (7, 3), (16, 10), (37, 10), (9, 16)] {
            let z = randomFloats(rows * columns, scale: 20, seed: UInt64(rows * columns))
            var g = SeededGenerator(seed: 5)
            let labels = (0..<rows).map { _ in Int32(g.next() % UInt64(columns)) }
            let got = try XCTUnwrap(Kernels.crossEntropy(logits: z, labels: labels, rows: rows, columns: columns))
            var loss = 0.0, correct = 0
            for r in 0..<rows {
                let row = Array(z[(r * columns)..<((r + 1) * columns)])
                var m = row[0]
                for c in row.indices.dropFirst() { m = max(row[c], m) }
                var sum: Float = 0
                for c in 0..<columns { sum = sum + kernelExp(row[c] - m) }
                loss += Double(log(sum)) - Double(row[Int(labels[r])] - m)
                if row.firstIndex(of: m) == Int(labels[r]) { correct += 1 }
            }
            XCTAssertEqual(got.lossSum.bitPattern, loss.bitPattern, "rows \(rows) columns \(columns)")
            XCTAssertEqual(got.correct, correct)
        }
    }

    func testDerivativesAreTheSwiftFormulasBitForBit() {
        // The C loops (derivative.c, FMA contraction off) against the formulas written out
        // in Float, including ReLU's zeros and outputs at the saturated ends.
        let count = 1000
        var y = randomFloats(count, scale: 1.7, seed: 3)
        y[0] = 0; y[1] = 1; y[2] = -1.7159; y[3] = -0.0
        let g = randomFloats(count, scale: 3, seed: 4)
        let ratio = Float(Pointwise.lecunB / Pointwise.lecunA), a2 = Float(Pointwise.lecunA * Pointwise.lecunA)
        let formulas: [(Pointwise, (Float, Float) -> Float)] = [
            (.sigmoid, { y, g in g * (y * (1 - y)) }),
            (.improvedSigmoid, { y, g in g * (ratio * (a2 - y * y)) }),
            (.tanh, { y, g in g * (1 - y * y) }),
            (.relu, { y, g in y > 0 ? g : 0 }),
        ]
        for (f, formula) in formulas {
            var got = g
            y.withUnsafeBufferPointer { yp in
                got.withUnsafeMutableBufferPointer { gp in
                    Kernels.multiplyByDerivative(f, output: yp.baseAddress!, gradient: gp.baseAddress!, count: count)
                }
            }
            for i in 0..<count {
                XCTAssertEqual(got[i].bitPattern, formula(y[i], g[i]).bitPattern, "\(f) at y = \(y[i]), g = \(g[i])")
            }
        }
    }
}
