import XCTest
import MatrixCore
@testable import NeuralNet

/// Results must not change without a `TrainingCode.version` bump (cached results would be
/// served for code that no longer computes them). A short seeded run through everything
/// training does (shuffling read in place, dropout, sigmoid and ReLU layers, momentum, the
/// annealed rate, the evaluation schedule, the loss from logits) must give the loss and
/// accuracy bits pinned in `TrainingCode.fingerprint`, for the version they were pinned at.
final class TrainingFingerprintTests: XCTestCase {
    static func fingerprintRun() -> [UInt64] {
        let train = blobs(Float.self, count: 300, features: 30, classes: 10, seed: 21)
        let validation = blobs(Float.self, count: 100, features: 30, classes: 10, seed: 22, name: "validation")
        let model = Sequential<Float>(inputSize: 30, seed: 7)
        model.add(Dense(24, activation: .sigmoid))
        model.add(Dropout(rate: 0.2))
        model.add(Dense(16, activation: .relu, weightInitializer: .he))
        model.add(Dense(10, activation: .linear, weightInitializer: .fanInNormal))
        let trainer = Trainer(model: model, optimizer: SGD(learningRate: 0.3, momentum: 0.9, schedule: .annealing(T: 20)),
                              options: TrainingOptions(epochs: 2, batchSize: 32, shuffle: true, evaluationsPerEpoch: 2, seed: 7))
        let history = trainer.fit(train, evaluationSets: [train, validation])
        return history.points.flatMap { point in
            ["train", "validation"].flatMap { [point.metrics[$0]!.loss.bitPattern, point.metrics[$0]!.accuracy.bitPattern] }
        }
    }

    func testTrainingResultsAreThoseOfTheirCodeVersion() throws {
        try XCTSkipUnless(PanelGEMM.isAvailable, "pinned for the AVX-512 / AVX2 kernels; BLAS results vary by CPU")
        let bits = Self.fingerprintRun()
        XCTAssertEqual(bits.count, 5 * 4, "5 evaluations of 2 sets, loss and accuracy each")
        XCTAssertEqual(TrainingCode.fingerprint.version, TrainingCode.version,
                       "TrainingCode.version changed: pin the new bits in TrainingCode.fingerprint (\(hex(bits)))")
        XCTAssertEqual(bits, TrainingCode.fingerprint.bits,
                       "training results changed: bump TrainingCode.version and pin these bits in TrainingCode.fingerprint: \(hex(bits))")
    }

    private func hex(_ bits: [UInt64]) -> String {
        "[" + bits.map { "0x" + String($0, radix: 16, uppercase: true) }.joined(separator: ", ") + "]"
    }
}
