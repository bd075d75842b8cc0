import XCTest
import MatrixCore
@testable import NeuralNet

final class TrainingTests: XCTestCase {
    private func train(seed: UInt64, shuffle: Bool = true, rule: UpdateRule = .batchMean, batch: Int = 16,
                       lr: Double = 0.5, momentum: Double = 0, epochs: Int = 3, dropout: Double = 0) -> (Sequential<Float>, TrainingHistory) {
        let data = blobs(Float.self, count: 200, seed: 5)
        let model = Sequential<Float>(inputSize: 12, seed: seed)
        model.add(Dense(16, activation: .sigmoid))
        if dropout > 0 { model.add(Dropout(rate: dropout)) }
        model.add(Dense(4, activation: .linear))
        let trainer = Trainer(model: model, optimizer: SGD(learningRate: lr, momentum: momentum),
                              options: TrainingOptions(epochs: epochs, batchSize: batch, shuffle: shuffle,
                                                       evaluationsPerEpoch: 2, updateRule: rule, seed: seed))
        let history = trainer.fit(data, evaluationSets: [data])
        return (model, history)
    }

    func testSameSeedGivesIdenticalWeightsOtherSeedDiffers() {
        let a = train(seed: 11, dropout: 0.3).0.parameters.map { $0.value }
        let b = train(seed: 11, dropout: 0.3).0.parameters.map { $0.value }
        let c = train(seed: 12, dropout: 0.3).0.parameters.map { $0.value }
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
    }

    func testLearnsSeparableBlobs() {
        let (_, history) = train(seed: 3, epochs: 10)
        XCTAssertGreaterThan(history.final("train")!.accuracy, 0.9)
        XCTAssertLessThan(history.final("train")!.loss, history.points[0].metrics["train"]!.loss)
    }

    func testEvaluationScheduleIsEvenlySpacedAndEndsEachEpoch() {
        let (_, history) = train(seed: 1, batch: 16, epochs: 3)  // 13 batches per epoch, 2 evaluations each
        XCTAssertEqual(history.points.count, 1 + 3 * 2)
        XCTAssertEqual(history.points.map(\.epoch).filter { $0 == $0.rounded() }, [0, 1, 2, 3])
        XCTAssertEqual(history.points.map(\.iteration), [0, 7, 13, 20, 26, 33, 39])
        XCTAssertEqual(history.trainingSeconds.count, 3)
    }

    func testPerSampleRuleMatchesBatchMeanAtBatchSizeOne() {
        let a = train(seed: 4, shuffle: true, rule: .batchMean, batch: 1, lr: 0.05, momentum: 0.9, epochs: 1).0
        let b = train(seed: 4, shuffle: true, rule: .perSample, batch: 1, lr: 0.05, momentum: 0.9, epochs: 1).0
        XCTAssertEqual(a.parameters.map { $0.value }, b.parameters.map { $0.value })
    }

    func testPerSampleRuleIsSequentialUpdatesAtStepLrOverBatch() {
        // Per-sample with batch 8 at lr 0.8 equals batch-1 batch-mean training at lr 0.1 with
        // the same order (no shuffle) — same updates, same order, momentum per sample.
        let a = train(seed: 4, shuffle: false, rule: .perSample, batch: 8, lr: 0.8, momentum: 0.5, epochs: 1).0
        let b = train(seed: 4, shuffle: false, rule: .batchMean, batch: 1, lr: 0.1, momentum: 0.5, epochs: 1).0
        for (p, q) in zip(a.parameters, b.parameters) {
            for (x, y) in zip(p.value.storage, q.value.storage) { XCTAssertEqual(x, y, accuracy: 1e-6) }
        }
        let c = train(seed: 4, shuffle: false, rule: .batchMean, batch: 8, lr: 0.8, momentum: 0.5, epochs: 1).0
        XCTAssertNotEqual(a.parameters.map { $0.value }, c.parameters.map { $0.value })
    }

    func testDivergenceStopsTheRunAndIsRecorded() {
        let data = blobs(Float.self, count: 200)
        let model = Sequential<Float>(inputSize: 12, seed: 1)
        model.add(Dense(16, activation: .relu, weightInitializer: .he))
        model.add(Dense(4, activation: .linear, weightInitializer: .he))
        let trainer = Trainer(model: model, optimizer: SGD(learningRate: 1e6),
                              options: TrainingOptions(epochs: 5, batchSize: 20, evaluationsPerEpoch: 1))
        var events: [String] = []
        trainer.observe { if case .diverged(let d) = $0 { events.append(d.description) } }
        let history = trainer.fit(data, evaluationSets: [data])
        let d = try! XCTUnwrap(history.divergence)
        XCTAssertEqual(events, [d.description])
        XCTAssertTrue(d.description.hasPrefix("diverged at epoch"))
        XCTAssertLessThan(history.trainingSeconds.count, 5)
    }

    func testEarlyStoppingRule() {
        XCTAssertEqual(EarlyStopping.pick(validationLosses: [5, 4, 3, 3.5, 3.6, 3.7, 1], patience: 3).best, 3)
        XCTAssertEqual(EarlyStopping.pick(validationLosses: [5, 4, 3, 3.5, 3.6, 3.7, 1], patience: 3).stopAfter, 6)
        XCTAssertEqual(EarlyStopping.pick(validationLosses: [5, 4, 3], patience: 3).best, 3)
        XCTAssertNil(EarlyStopping.pick(validationLosses: [5, 4, 3], patience: 3).stopAfter)
    }

    func testDropoutIsIdentityAtEvaluationAndInvertedWhileTraining() {
        let layer = Dropout<Double>(rate: 0.25)
        var g = SeededGenerator(seed: 1)
        layer.build(inputSize: 1000, index: 1, generator: &g)
        let x = [Double](repeating: 2, count: 1000)
        var y = [Double](repeating: 0, count: 1000)
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer {
            layer.forward(MatrixView(xp.baseAddress!, rows: 1, columns: 1000), output: $0.baseAddress!, training: false, generator: &g) } }
        XCTAssertEqual(y, x)
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer {
            layer.forward(MatrixView(xp.baseAddress!, rows: 1, columns: 1000), output: $0.baseAddress!, training: true, generator: &g) } }
        let kept = y.filter { $0 != 0 }
        XCTAssertEqual(Double(kept.count) / 1000, 0.75, accuracy: 0.05)
        XCTAssertTrue(kept.allSatisfy { abs($0 - 2 / 0.75) < 1e-12 })
    }

    func testMomentumUpdate() {
        let p = Parameter<Double>(name: "w", value: Matrix([[1.0]]))
        p.gradient = Matrix([[2.0]])
        let classic = SGD<Double>(learningRate: 0.1, momentum: 0.9)
        classic.step([p], iteration: 0)   // v = -0.2, w = 0.8
        classic.step([p], iteration: 1)   // v = -0.18 - 0.2 = -0.38, w = 0.42
        XCTAssertEqual(p.value[0, 0], 0.42, accuracy: 1e-12)
    }

    func testLearningRateSchedules() {
        XCTAssertEqual(LearningRateSchedule.constant.rate(base: 0.5, iteration: 900), 0.5)
        XCTAssertEqual(LearningRateSchedule.annealing(T: 100).rate(base: 0.5, iteration: 100), 0.25)
    }

    func testInitializersHaveTheirStatedSpread() {
        var g = SeededGenerator(seed: 2)
        let fanIn = Initializer.fanInNormal.values(count: 100_000, fanIn: 784, fanOut: 64, generator: &g)
        let sd = (fanIn.map { $0 * $0 }.reduce(0, +) / 100_000).squareRoot()
        XCTAssertEqual(sd, 1 / 28, accuracy: 0.001)
        let xavier = Initializer.xavierUniform.values(count: 100_000, fanIn: 784, fanOut: 64, generator: &g)
        XCTAssertEqual(xavier.map(abs).max()!, (6.0 / 848).squareRoot(), accuracy: 0.001)
        let uniform = Initializer.uniform(low: -1, high: 1).values(count: 10_000, fanIn: 1, fanOut: 1, generator: &g)
        XCTAssertTrue(uniform.allSatisfy { $0 >= -1 && $0 < 1 })
        XCTAssertEqual(Initializer.fanInNormal.defaultBias, .zeros)
    }
}
