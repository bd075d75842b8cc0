import XCTest
import MatrixCore
@testable import NeuralNet

/// Training runs in Float, where dense layers multiply through PanelGEMM (AVX-512) rather
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
                labels.withUnsafeBufferPointer { y in model.computeGradients(input: x.baseAddress!, labels: y.baseAddress!, rows: rows) }
            }
            let inputs = data.inputs.storage.map { Double($0) }
            let double = inputs.withUnsafeBufferPointer { x in
                labels.withUnsafeBufferPointer { y in reference.computeGradients(input: x.baseAddress!, labels: y.baseAddress!, rows: rows) }
            }
            XCTAssertEqual(single.loss, double.loss, accuracy: 1e-5 * max(1, double.loss), "\(hidden) loss")
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
