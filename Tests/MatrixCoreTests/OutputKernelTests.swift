import XCTest
@testable import MatrixCore

/// The Float output-layer kernels (softmax.c, one vector a row) and the activations that
/// PanelGEMM applies in the same pass, against Double formulas.
final class OutputKernelTests: XCTestCase {
    private func logits(rows: Int, columns: Int, seed: UInt64, scale: Double) -> [Float] {
        var g = SeededGenerator(seed: seed)
        return (0..<(rows * columns)).map { _ in Float(g.uniform(-scale, scale)) }
    }

    func testFloatSoftmaxMatchesDoubleForEveryWidth() {
        // 1-16 columns take the vector path, 17 and 40 the loop; shifted rows test stability.
        for columns in [1, 2, 3, 10, 15, 16, 17, 40] {
            let rows = 7
            var x = logits(rows: rows, columns: columns, seed: UInt64(columns), scale: 8)
            for c in 0..<columns { x[c] += 500 }  // a huge first row must not overflow
            let reference = x.map(Double.init)
            x.withUnsafeMutableBufferPointer { Kernels.softmaxRows($0.baseAddress!, rows: rows, columns: columns) }
            for r in 0..<rows {
                let row = reference[(r * columns)..<((r + 1) * columns)]
                let m = row.max()!
                let sum = row.reduce(0) { $0 + exp($1 - m) }
                for c in 0..<columns {
                    XCTAssertEqual(Double(x[r * columns + c]), exp(row[row.startIndex + c] - m) / sum, accuracy: 1e-6,
                                   "\(columns) columns, (\(r), \(c))")
                }
            }
        }
    }

    func testFloatCrossEntropyMatchesDoubleAndPicksTheFirstMaximum() {
        for columns in [3, 10, 16, 20] {
            let rows = 9
            var p = logits(rows: rows, columns: columns, seed: 3, scale: 1).map { abs($0) }
            p[0] = 0  // a zero probability on a label: clamped, finite
            p[columns + 1] = p[columns + 0]  // a tie: the first column wins
            let labels = (0..<rows).map { Int32($0 % columns) }
            let r = p.withUnsafeBufferPointer { pp in labels.withUnsafeBufferPointer { y in
                Kernels.crossEntropy(probabilities: pp.baseAddress!, labels: y.baseAddress!, rows: rows, columns: columns) } }
            var loss = 0.0, correct = 0
            for i in 0..<rows {
                let row = Array(p[(i * columns)..<((i + 1) * columns)])
                let best = row.firstIndex(of: row.max()!)!
                if best == Int(labels[i]) { correct += 1 }
                loss -= log(Double(max(row[Int(labels[i])], Float.leastNormalMagnitude)))
            }
            XCTAssertEqual(r.lossSum, loss, accuracy: 1e-4 * loss, "\(columns) columns")
            XCTAssertEqual(r.correct, correct, "\(columns) columns")
            XCTAssertTrue(r.lossSum.isFinite)
        }
    }

    func testNaNProbabilitiesGiveANaNLoss() {
        // Divergence detection reads the loss: a NaN must not be clamped away.
        let p: [Float] = [.nan, 0.5, 0.5, 0.2, 0.3, 0.5]
        let labels: [Int32] = [0, 2]
        let r = p.withUnsafeBufferPointer { pp in labels.withUnsafeBufferPointer { y in
            Kernels.crossEntropy(probabilities: pp.baseAddress!, labels: y.baseAddress!, rows: 2, columns: 3) } }
        XCTAssertTrue(r.lossSum.isNaN)
    }

    func testActivationsAppliedInTheProductMatchTheirFormulas() throws {
        try XCTSkipUnless(PanelGEMM.isAvailable, "no AVX2 or AVX-512 here: activations run as a separate pass")
        // 37 columns: one panel, one pass; 100 columns x depth 300: several panels in k
        // blocks, where the activation must wait for the last block.
        for (m, n, k) in [(9, 37, 5), (8, 100, 300)] {
        let scale = 1.5 / Double(k).squareRoot()
        let a = logits(rows: m, columns: k, seed: 11, scale: 1.5)
        let b = logits(rows: k, columns: n, seed: 12, scale: scale * 1.5)
        var plain = [Float](repeating: 0, count: m * n)
        XCTAssertTrue(PanelGEMM.multiply(m: m, n: n, k: k, a: a, lda: k, transposeA: false, b: b, ldb: n,
                                         start: .zero, c: &plain, ldc: n))
        for f in Pointwise.allCases {
            var fused = [Float](repeating: 0, count: m * n)
            XCTAssertTrue(PanelGEMM.multiply(m: m, n: n, k: k, a: a, lda: k, transposeA: false, b: b, ldb: n,
                                             start: .zero, activation: f, c: &fused, ldc: n))
            for i in 0..<(m * n) {
                let z = Double(plain[i])
                let expected: Double
                switch f {
                case .sigmoid: expected = 1 / (1 + exp(-z))
                case .improvedSigmoid: expected = 1.7159 * tanh(2 * z / 3)
                case .tanh: expected = tanh(z)
                case .relu: expected = max(0, z)
                case .identity: expected = z
                }
                XCTAssertEqual(Double(fused[i]), expected, accuracy: 1e-6 * max(1, abs(expected)), "\(f) at \(i) (\(n) x \(k))")
            }
        }
        }
    }
    func testCrossEntropyFromLogitsMatchesDoubleLogSoftmax() throws {
        try XCTSkipUnless(Kernels.crossEntropyFromLogitsAvailable(Float.self, columns: 10),
                          "no AVX2 or AVX-512 here: evaluation forms probabilities")
        XCTAssertFalse(Kernels.crossEntropyFromLogitsAvailable(Float.self, columns: 17))
        XCTAssertFalse(Kernels.crossEntropyFromLogitsAvailable(Double.self, columns: 10))
        for (rows, columns) in [(1, 1), (5, 3), (16, 10), (37, 10), (33, 16), (50, 7)] {
            var z = logits(rows: rows, columns: columns, seed: UInt64(rows * 100 + columns), scale: 20)
            if rows > 2, columns > 1 { z[columns + 1] = z[columns] + 0; z[columns] = max(z[columns], z[columns + 1]) }
            let labels = (0..<rows).map { Int32(($0 * 7) % columns) }
            let r = try XCTUnwrap(z.withUnsafeBufferPointer { zp in labels.withUnsafeBufferPointer { y in
                Kernels.crossEntropy(logits: zp.baseAddress!, labels: y.baseAddress!, rows: rows, columns: columns) } })
            var loss = 0.0, correct = 0
            for i in 0..<rows {
                let row = z[(i * columns)..<((i + 1) * columns)].map(Double.init)
                let m = row.max()!
                loss += log(row.reduce(0) { $0 + exp($1 - m) }) - (row[Int(labels[i])] - m)
                if row.firstIndex(of: m)! == Int(labels[i]) { correct += 1 }
            }
            XCTAssertEqual(r.lossSum, loss, accuracy: 1e-5 * max(1, loss), "\(rows) x \(columns)")
            XCTAssertEqual(r.correct, correct, "\(rows) x \(columns)")
        }
    }

    func testLogitLossOfARowDoesNotDependOnItsPositionAndNaNPropagates() throws {
        try XCTSkipUnless(PanelGEMM.isAvailable, "no AVX-512 here")
        let columns = 10, rows = 21
        let z = logits(rows: rows, columns: columns, seed: 5, scale: 6)
        let labels = (0..<rows).map { Int32($0 % columns) }
        func loss(_ range: Range<Int>) -> Double {
            z.withUnsafeBufferPointer { zp in labels.withUnsafeBufferPointer { y in
                Kernels.crossEntropy(logits: zp.baseAddress! + range.lowerBound * columns, labels: y.baseAddress! + range.lowerBound,
                                     rows: range.count, columns: columns)!.lossSum } }
        }
        // Row 17 is in the masked tail of a 21-row call and alone in a 1-row call.
        XCTAssertEqual(loss(17..<18), loss(0..<21) - loss(0..<17) - loss(18..<21), accuracy: 1e-9)
        XCTAssertEqual(loss(17..<18), loss(17..<21) - loss(18..<21), accuracy: 1e-12)
        var bad = z
        bad[3 * columns + 4] = .nan
        let r = bad.withUnsafeBufferPointer { zp in labels.withUnsafeBufferPointer { y in
            Kernels.crossEntropy(logits: zp.baseAddress!, labels: y.baseAddress!, rows: rows, columns: columns)! } }
        XCTAssertTrue(r.lossSum.isNaN, "a NaN logit must surface for divergence detection")
    }
}
