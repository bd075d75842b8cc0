import XCTest
import Foundation
import MatrixCore
@testable import NeuralNet

/// A learning-rate grid trained as one unit (`GridTrainer`: the first layer's two products
/// shared by all rates) must give every member the history and weights it gets trained
/// alone, bit for bit: the sweeps' cached results depend on it.
///
/// The kernels' instruction set is chosen when the library loads (MAKE_REPORT_KERNELS=avx2
/// lowers AVX-512 to AVX2 + FMA; there is no switch inside a process), so on an AVX-512 machine
/// `testGridEqualsSeparateRunsUnderAVX2` runs the main test again in a child process with that
/// variable set, and both code paths are checked by one `swift test`. Members are multiplied in
/// packs of at most 64 columns (`FirstLayerGroup.packWidth`); a child with GRID_PACK_WIDTH
/// set checks the wider products (several column panels, k-blocks) as well.
final class GridTrainingTests: XCTestCase {
    /// 300 images of 200 features (more than the kernels' k-block of 128, so that a wide
    /// grouped product runs in blocks), 10 classes; 289 training images in batches of 32, so
    /// the last batch has one row (the members then run one by one: a one-row product is a
    /// BLAS gemv).
    static let train = blobs(Float.self, count: 289, features: 200, classes: 10, seed: 31)
    static let validation = blobs(Float.self, count: 120, features: 200, classes: 10, seed: 32, name: "validation")

    struct Config {
        var activation: Activation
        var hidden: [Int]
        var rates: [Double]
        var momentum: Double
        var dropout: Double = 0
        var shuffle = true
        var initializer: Initializer = .uniform(low: -1, high: 1)
    }

    /// Every activation, K from 3 to 7, K x units from 24 (one column panel) to 112 (packs of
    /// 4 and 3 members; two k-blocked panels in one product with GRID_PACK_WIDTH), a pack of one
    /// (ReLU: 4 + 1 members of 16 units), momentum on and off, dropout, a fixed order, a second hidden layer, and a
    /// rate (1e35, ReLU) that diverges and stops alone.
    static let configs: [Config] = [
        Config(activation: .sigmoid, hidden: [8], rates: [1, 0.5, 0.2], momentum: 0),
        Config(activation: .improvedSigmoid, hidden: [16], rates: [1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01], momentum: 0.9,
               initializer: .fanInNormal),
        Config(activation: .tanh, hidden: [12], rates: [0.5, 0.1, 5, 0.02], momentum: 0, dropout: 0.2),
        Config(activation: .relu, hidden: [16, 8], rates: [0.2, 0.1, 0.05, 1e35, 0.01], momentum: 0.9, initializer: .he),
        Config(activation: .sigmoid, hidden: [5], rates: [2, 1, 0.5, 0.2, 0.1, 0.05], momentum: 0, shuffle: false),
    ]

    static func trainer(_ c: Config, rate: Double) -> Trainer<Float> {
        let model = Sequential<Float>(inputSize: 200, seed: 11)
        for h in c.hidden {
            model.add(Dense(h, activation: c.activation, weightInitializer: c.initializer))
            if c.dropout > 0 { model.add(Dropout(rate: c.dropout)) }
        }
        model.add(Dense(10, activation: .linear, weightInitializer: c.initializer))
        let t = Trainer(model: model, optimizer: SGD(learningRate: rate, momentum: c.momentum),
                        options: TrainingOptions(epochs: 2, batchSize: 32, shuffle: c.shuffle, evaluationsPerEpoch: 2, seed: 11))
        t.diagnosticsProbe = validation.prefix(40)
        return t
    }

    /// Everything a history and a trained model hold that training computed, as bits.
    static func bits(_ h: TrainingHistory, _ model: Sequential<Float>) -> [UInt64] {
        var out: [UInt64] = []
        for p in h.points {
            out += [p.epoch.bitPattern, UInt64(p.iteration)]
            for name in p.metrics.keys.sorted() { out += [p.metrics[name]!.loss.bitPattern, p.metrics[name]!.accuracy.bitPattern] }
            for l in p.layers ?? [] {
                out += [l.saturatedFraction, l.meanRelativeSlope, l.preActivationSpread, l.weightGradientNorm ?? -1].map(\.bitPattern)
            }
        }
        out += h.divergence.map { [UInt64($0.epoch), UInt64($0.iteration)] } ?? [0, 0]
        out += [UInt64(h.evaluationCount), UInt64(h.trainingSeconds.count)]
        for p in model.parameters { out += p.value.storage.map { UInt64($0.bitPattern) } }
        return out
    }

    /// Trains `c` grouped and each rate alone; returns (grouped, separate) bits per member and
    /// the members' divergence.
    static func compare(_ c: Config) -> (grouped: [[UInt64]], separate: [[UInt64]], diverged: [Bool], grouping: Bool) {
        let members = c.rates.map { trainer(c, rate: $0) }
        let grid = GridTrainer(members)
        let histories = grid.fit(train, evaluationSets: [train, validation])
        let grouped = zip(histories, members).map { bits($0, $1.model) }
        var separate: [[UInt64]] = []
        for rate in c.rates {
            let t = trainer(c, rate: rate)
            separate.append(bits(t.fit(train, evaluationSets: [train, validation]), t.model))
        }
        return (grouped, separate, histories.map { $0.divergence != nil }, GridTrainer.canGroup(members))
    }

    func testGridEqualsSeparateRuns() throws {
        try XCTSkipUnless(PanelGEMM.isAvailable, "no AVX2 or AVX-512 here: the grid runs its members one by one")
        let environment = ProcessInfo.processInfo.environment
        if environment["MAKE_REPORT_KERNELS"] == "avx2" { XCTAssertEqual(PanelGEMM.instructionSet, "AVX2+FMA") }
        if let width = environment["GRID_PACK_WIDTH"] { XCTAssertEqual(FirstLayerGroup<Float>.packWidth, Int(width)) }
        var divergedSome = false
        for c in Self.configs {
            let r = Self.compare(c)
            XCTAssertTrue(r.grouping, "\(c.activation) \(c.hidden): these trainers share their batches")
            for (j, rate) in c.rates.enumerated() {
                XCTAssertEqual(r.grouped[j].count, r.separate[j].count, "\(c.activation) lr \(rate): history length")
                XCTAssertTrue(r.grouped[j] == r.separate[j],
                              "\(c.activation) \(c.hidden) lr \(rate) (\(PanelGEMM.instructionSet ?? "BLAS")): grouped differs from alone")
            }
            // The grid did train (not everything diverged) and, where a huge rate is in it, only that one stopped.
            XCTAssertTrue(r.diverged.contains(false))
            for (j, rate) in c.rates.enumerated() where rate >= 1e30 {
                XCTAssertTrue(r.diverged[j], "lr \(rate) should diverge (else this config tests nothing)")
                divergedSome = true
            }
        }
        XCTAssertTrue(divergedSome)
    }

    /// Trainers that do not share their batches are not grouped (different seeds, the
    /// per-sample rule, augmentation, another first-layer width).
    func testOnlyTrainersSharingTheirBatchesAreGrouped() {
        let c = Self.configs[0]
        let a = Self.trainer(c, rate: 0.5), b = Self.trainer(c, rate: 0.1)
        XCTAssertTrue(GridTrainer.canGroup([a, b]))
        var other = Self.configs[0]
        other.hidden = [9]
        XCTAssertFalse(GridTrainer.canGroup([a, Self.trainer(other, rate: 0.1)]))
        let seeded = Trainer(model: b.model, optimizer: b.optimizer,
                             options: TrainingOptions(epochs: 2, batchSize: 32, shuffle: true, evaluationsPerEpoch: 2, seed: 12))
        XCTAssertFalse(GridTrainer.canGroup([a, seeded]))
        let perSample = Trainer(model: b.model, optimizer: b.optimizer,
                                options: TrainingOptions(epochs: 2, batchSize: 32, shuffle: true, evaluationsPerEpoch: 2,
                                                         updateRule: .perSample, seed: 11))
        XCTAssertFalse(GridTrainer.canGroup([perSample, perSample]))
        let shifted = Self.trainer(c, rate: 0.1)
        shifted.augmentation = { _, _, _ in }
        XCTAssertFalse(GridTrainer.canGroup([a, shifted]))
    }

    /// The other instruction set's kernels, in a child process (see the class comment).
    func testGridEqualsSeparateRunsUnderAVX2() throws {
        try XCTSkipUnless(PanelGEMM.instructionSet == "AVX-512",
                          "the kernels here are \(PanelGEMM.instructionSet ?? "BLAS"): testGridEqualsSeparateRuns ran them")
        try runMainTestInChild(["MAKE_REPORT_KERNELS": "avx2"])
    }

    /// All members in one product however wide (GRID_PACK_WIDTH; 64 columns by default): the
    /// products of more than one column panel, run in k-blocks, on both instruction sets.
    func testGridEqualsSeparateRunsInOneWideProduct() throws {
        try XCTSkipUnless(PanelGEMM.isAvailable, "no AVX2 or AVX-512 here")
        try runMainTestInChild(["GRID_PACK_WIDTH": "100000"])
        if PanelGEMM.instructionSet == "AVX-512" { try runMainTestInChild(["GRID_PACK_WIDTH": "100000", "MAKE_REPORT_KERNELS": "avx2"]) }
    }

    private func runMainTestInChild(_ variables: [String: String]) throws {
        let me = ProcessInfo.processInfo.arguments[0]
        try XCTSkipUnless(me.contains(".xctest"), "not run by an xctest binary (\(me))")
        let child = Process()
        child.executableURL = URL(fileURLWithPath: me)
        child.arguments = ["NeuralNetTests.GridTrainingTests/testGridEqualsSeparateRuns"]
        child.environment = ProcessInfo.processInfo.environment.merging(variables) { $1 }
        let pipe = Pipe()
        child.standardOutput = pipe
        child.standardError = pipe
        try child.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        XCTAssertEqual(child.terminationStatus, 0, "\(variables): \(output)")
        XCTAssertTrue(output.contains("Executed 1 test, with 0 failures"), "\(variables): \(output)")
    }
}
