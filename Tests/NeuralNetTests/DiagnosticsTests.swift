import XCTest
import MatrixCore
@testable import NeuralNet

/// The hidden-layer diagnostics the report's "because" sentences are chosen by.
final class DiagnosticsTests: XCTestCase {
    private func train(probe: Bool, rule: UpdateRule = .batchMean, dropout: Bool = false) -> (weights: [Matrix<Float>], history: TrainingHistory) {
        let data = blobs(Float.self, count: 300, features: 30, classes: 10, seed: 8)
        let model = Sequential<Float>(inputSize: 30, seed: 4)
        model.add(Dense(40, activation: .sigmoid, weightInitializer: .uniform(low: -1, high: 1)))
        if dropout { model.add(Dropout(rate: 0.2)) }
        model.add(Dense(20, activation: .relu, weightInitializer: .he))
        model.add(Dense(10, activation: .linear, weightInitializer: .fanInNormal))
        let trainer = Trainer(model: model, optimizer: SGD(learningRate: 0.3, momentum: 0.9),
                              options: TrainingOptions(epochs: 3, batchSize: 37, shuffle: true, evaluationsPerEpoch: 2,
                                                       updateRule: rule, seed: 6))
        if probe { trainer.diagnosticsProbe = data.prefix(50) }
        let history = trainer.fit(data, evaluationSets: [data])
        return (model.parameters.map(\.value), history)
    }

    /// Measuring reads the weights and gradients and changes no trained bit: same weights,
    /// same metrics at every evaluation, with and without the probe (dropout's draws too).
    func testRecordingDiagnosticsChangesNoTrainedBit() {
        for dropout in [false, true] {
            let plain = train(probe: false, dropout: dropout), probed = train(probe: true, dropout: dropout)
            XCTAssertEqual(plain.weights, probed.weights, "dropout \(dropout)")
            XCTAssertEqual(plain.history.points.map(\.metrics), probed.history.points.map(\.metrics))
            XCTAssertTrue(plain.history.points.allSatisfy { $0.layers == nil })
            XCTAssertTrue(probed.history.points.allSatisfy { $0.layers?.count == 2 }, "one entry per hidden layer")
        }
    }

    func testDiagnosticsMeasureWhatTheyName() throws {
        let probed = train(probe: true)
        let first = try XCTUnwrap(probed.history.points.first?.layers)
        let last = try XCTUnwrap(probed.history.points.last?.layers)
        // Before any batch there is no gradient to report; afterwards there is, per layer.
        XCTAssertNil(first[0].weightGradientNorm)
        XCTAssertGreaterThan(try XCTUnwrap(last[0].weightGradientNorm), 0)
        for d in first + last {
            XCTAssertTrue((0...1).contains(d.saturatedFraction))
            XCTAssertTrue((0...1).contains(d.meanRelativeSlope))
            XCTAssertGreaterThan(d.preActivationSpread, 0)
        }
        // The per-sample rule measures no gradient norm (see LayerDiagnostics).
        let perSample = train(probe: true, rule: .perSample)
        XCTAssertTrue(perSample.history.points.allSatisfy { $0.layers?.allSatisfy { $0.weightGradientNorm == nil } ?? false })
    }

    /// Saturation and slope against values worked by hand: a sigmoid layer whose one unit
    /// sees z = 0 (slope f'(0): relative slope 1) and z = 10 (slope 4.5e-5 / 0.25: saturated).
    func testSaturationAndSlopeOfASigmoidUnitByHand() throws {
        let model = Sequential<Float>(inputSize: 1, seed: 1)
        model.add(Dense(1, activation: .sigmoid, weightInitializer: .zeros))
        model.add(Dense(2, activation: .linear, weightInitializer: .zeros))
        let dense = try XCTUnwrap(model.layers.first as? Dense<Float>)
        dense.weight.value = Matrix(rows: 1, columns: 1, storage: [1])
        dense.bias.value = Matrix(rows: 1, columns: 1, storage: [0])
        let probe = Examples(name: "probe", inputs: Matrix<Float>(rows: 2, columns: 1, storage: [0, 10]), labels: [0, 1])
        let d = try XCTUnwrap(model.diagnose(probe, gradientNorms: nil).first)
        XCTAssertEqual(d.saturatedFraction, 0.5)
        let s10 = 1 / (1 + exp(-10.0))
        XCTAssertEqual(d.meanRelativeSlope, (1 + s10 * (1 - s10) / 0.25) / 2, accuracy: 1e-4)
        XCTAssertEqual(d.preActivationSpread, 5, accuracy: 1e-5)
    }
}
