import XCTest
import Datasets
import MatrixCore
@testable import NeuralNet

/// The framework learns real digits: 784-64-10 on 5,000 MNIST training images for 3 epochs
/// reaches at least 85 % on 1,000 held-out images.
final class MNISTLearningTests: XCTestCase {
    func testBaseNetworkLearnsMNISTSubset() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let split = try MNIST.load(directory: root.appendingPathComponent("data/mnist")).split(seed: 1).prefix(train: 5000, validation: 1000, test: 0)
        let train = Examples(name: "train", inputs: split.train.inputs, labels: split.train.labels)
        let heldOut = Examples(name: "validation", inputs: split.validation.inputs, labels: split.validation.labels)
        let model = Sequential<Float>(inputSize: 784, seed: 1)
        // Fan-in initialisation and batch 32 (469 updates): the assignment's uniform(-1, 1) start
        // at batch 128 gets only 117 updates here and stays near 60 % (task 3 measures that
        // difference on the full set).
        model.add(Dense(64, activation: .sigmoid, weightInitializer: .fanInNormal))
        model.add(Dense(10, activation: .linear, weightInitializer: .fanInNormal))
        let trainer = Trainer(model: model, optimizer: SGD(learningRate: 0.2),
                              options: TrainingOptions(epochs: 3, batchSize: 32, shuffle: true, evaluationsPerEpoch: 1, seed: 1))
        let history = trainer.fit(train, evaluationSets: [heldOut])
        let before = try XCTUnwrap(history.points.first?.metrics["validation"]?.accuracy)
        let after = try XCTUnwrap(history.final("validation")?.accuracy)
        XCTAssertLessThan(before, 0.3, "an untrained network is near chance")
        XCTAssertGreaterThanOrEqual(after, 0.85)
    }
}
