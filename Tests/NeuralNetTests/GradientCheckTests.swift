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
        // A check that cannot fail proves nothing: hand it backpropagated gradients with one
        // element of one tensor wrong, and it must name that tensor and only that one.
        let data = blobs(Double.self, count: 50, features: 20, classes: 10)
        let labels = data.labels.map(Int.init)
        let model = mlp(Double.self, inputs: 20, hidden: [16], classes: 10, activation: .sigmoid)
        // At e = 0.001 the central differences of this network are good to about 1e-8.
        let honest = GradientCheck.run(model: model, inputs: data.inputs, labels: labels, epsilon: 0.001)
        XCTAssertTrue(honest.allSatisfy { $0.maxAbsoluteDifference < 1e-6 }, "\(honest)")
        for (index, parameter) in model.parameters.enumerated() {
            let element = parameter.value.count / 3
            let saved = parameter.gradient.storage[element]
            parameter.gradient.storage[element] += 1e-3
            let results = GradientCheck.compare(model: model, inputs: data.inputs, labels: labels, epsilon: 0.001)
            parameter.gradient.storage[element] = saved
            for (r, result) in results.enumerated() {
                if r == index {
                    XCTAssertEqual(result.maxAbsoluteDifference, 1e-3, accuracy: 1e-5, "\(result.name) found wrong by 1e-3")
                } else {
                    XCTAssertLessThan(result.maxAbsoluteDifference, 1e-6, "\(result.name) untouched")
                }
            }
        }
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
