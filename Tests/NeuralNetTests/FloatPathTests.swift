import XCTest
import MatrixCore
@testable import NeuralNet

/// Training runs in Float, where dense layers multiply through PanelGEMM (AVX-512 or AVX2) rather
/// than BLAS; the gradient check runs in Double through BLAS. This ties the two: the same
/// weights and batch give the same loss and gradients in both, to Float precision.
final class FloatPathTests: XCTestCase {

    func testFloatForwardAndGradientsMatchTheDoubleBLASPath() {
        // Widths cover one, two, three and four 16-column vectors, a 2-panel layer (70),
        // and batches with tail rows (37 is not a multiple of any tile height).
        for (hidden, rows) in [([64], 37), ([70, 20], 50), ([33, 10], 13), ([5], 128)] {
            let data = blobs(Float.self, count: rows, features: 40, classes: 10)
            let model = mlp(Float.self, inputs: 40, hidden: hidden, classes: 10, activation: .sigmoid,
                            initializer: .fanInNormal)
            let reference = model.converted(to: Double.self)
            let labels = data.labels.map { Int32($0) }
            let single = data.inputs.storage.withUnsafeBufferPointer { x in
                labels.withUnsafeBufferPointer { y in model.computeGradients(MatrixView(x.baseAddress!, rows: rows, columns: 40), labels: y.baseAddress!) }
            }
            let inputs = data.inputs.storage.map { Double($0) }
            let double = inputs.withUnsafeBufferPointer { x in
                labels.withUnsafeBufferPointer { y in reference.computeGradients(MatrixView(x.baseAddress!, rows: rows, columns: 40), labels: y.baseAddress!) }
            }
            XCTAssertEqual(single.loss, double.loss, accuracy: 1e-5 * max(1, double.loss), "\(hidden) loss")
            // Evaluation (loss from the logits on AVX-512 or AVX2) against the Double model's.
            let doubleInputs = Matrix<Double>(rows: rows, columns: 40, storage: inputs)
            let doubleData = Examples<Double>(name: "double", inputs: doubleInputs, labels: data.labels.map { Int($0) })
            let evaluated: (loss: Double, accuracy: Double) = model.evaluate(data)
            let expected: (loss: Double, accuracy: Double) = reference.evaluate(doubleData)
            XCTAssertEqual(evaluated.loss, expected.loss, accuracy: 1e-5 * max(1, expected.loss), "\(hidden) evaluated loss")
            XCTAssertEqual(evaluated.accuracy, expected.accuracy, "\(hidden) evaluated accuracy")
            XCTAssertEqual(single.correct, double.correct, "\(hidden) correct")
            for (p, q) in zip(model.parameters, reference.parameters) {
                let scale = q.gradient.storage.map(abs).max()!
                XCTAssertGreaterThan(scale, 0, "\(hidden) \(q.name) has a gradient")
                for (x, y) in zip(p.gradient.storage, q.gradient.storage) {
                    XCTAssertEqual(Double(x), y, accuracy: 1e-4 * scale, "\(hidden) \(p.name)")
                }
            }
        }
    }
}

/// Shuffled batches are read in place (no gathered copy) where the model allows; the
/// gathered path still runs with augmentation. Both must give the same bits.
final class InPlaceBatchTests: XCTestCase {
    private func train(gather: Bool, hidden: [Int]) -> [Matrix<Float>] {
        let data = blobs(Float.self, count: 300, features: 30, classes: 10, seed: 8)
        let model = mlp(Float.self, inputs: 30, hidden: hidden, classes: 10, activation: .improvedSigmoid,
                        initializer: .fanInNormal, seed: 4)
        let trainer = Trainer(model: model, optimizer: SGD(learningRate: 0.3, momentum: 0.9),
                              options: TrainingOptions(epochs: 3, batchSize: 37, shuffle: true,
                                                       evaluationsPerEpoch: 1, seed: 6))
        if gather {
            // An augmentation that changes nothing forces the gathered copy.
            trainer.augmentation = { _, _, _ in }
        }
        _ = trainer.fit(data, evaluationSets: [])
        return model.parameters.map { $0.value }
    }

    func testReadingRowsInPlaceGivesTheBitsOfTheGatheredCopy() throws {
        try XCTSkipUnless(PanelGEMM.isAvailable, "no AVX2 or AVX-512 here: batches are always gathered")
        for hidden in [[64], [20, 70]] {
            let inPlace = train(gather: false, hidden: hidden)
            let gathered = train(gather: true, hidden: hidden)
            XCTAssertEqual(inPlace, gathered, "\(hidden)")
            XCTAssertNotEqual(inPlace, mlp(Float.self, inputs: 30, hidden: hidden, classes: 10,
                                           activation: .improvedSigmoid, initializer: .fanInNormal, seed: 4)
                .parameters.map { $0.value }, "training moved the weights")
        }
    }

    func testIndexedProductsReadTheChosenRows() throws {
        try XCTSkipUnless(PanelGEMM.isAvailable, "no AVX2 or AVX-512 here")
        var g = SeededGenerator(seed: 3)
        let stored = 50, k = 19, n = 23, m = 13
        let x = (0..<(stored * k)).map { _ in Float(g.uniform(-1, 1)) }
        let w = (0..<(k * n)).map { _ in Float(g.uniform(-1, 1)) }
        let indices = (0..<m).map { ($0 * 17 + 5) % stored }
        let copy = indices.flatMap { x[($0 * k)..<($0 * k + k)] }
        var viaIndex = [Float](repeating: 0, count: m * n), viaCopy = viaIndex
        XCTAssertTrue(PanelGEMM.multiply(m: m, n: n, k: k, a: x, lda: k, rows: indices, transposeA: false,
                                         b: w, ldb: n, start: .zero, c: &viaIndex, ldc: n))
        XCTAssertTrue(PanelGEMM.multiply(m: m, n: n, k: k, a: copy, lda: k, transposeA: false,
                                         b: w, ldb: n, start: .zero, c: &viaCopy, ldc: n))
        XCTAssertEqual(viaIndex, viaCopy)
        // Transposed: dW (k x n) = x[indices]^T dz with dz m x n.
        let dz = (0..<(m * n)).map { _ in Float(g.uniform(-1, 1)) }
        var dwIndex = [Float](repeating: 0, count: k * n), dwCopy = dwIndex
        XCTAssertTrue(PanelGEMM.multiply(m: k, n: n, k: m, a: x, lda: k, rows: indices, transposeA: true,
                                         b: dz, ldb: n, start: .zero, c: &dwIndex, ldc: n))
        XCTAssertTrue(PanelGEMM.multiply(m: k, n: n, k: m, a: copy, lda: k, transposeA: true,
                                         b: dz, ldb: n, start: .zero, c: &dwCopy, ldc: n))
        XCTAssertEqual(dwIndex, dwCopy)
        XCTAssertNotEqual(dwIndex, [Float](repeating: 0, count: k * n))
    }
}
