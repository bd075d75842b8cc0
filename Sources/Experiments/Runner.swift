import Foundation
import MatrixCore
import NeuralNet

/// The three sets of one seed's split, as Float examples.
public struct SplitData: Sendable {
    public var train: Examples<Float>
    public var validation: Examples<Float>
    public var test: Examples<Float>

    public init(train: Examples<Float>, validation: Examples<Float>, test: Examples<Float>) {
        self.train = train
        self.validation = validation
        self.test = test
    }

    func named(_ name: String) -> Examples<Float>? {
        switch name {
        case "train": train
        case "validation": validation
        case "test": test
        default: nil
        }
    }
}

/// Builds and trains the network a `RunSpec` describes.
public enum Runner {
    /// The validation images each evaluation measures the hidden layers on (saturation,
    /// slope, spread, gradient norm; see `LayerDiagnostics`): enough for three digits.
    public static let diagnosticsImages = 1000

    /// The model a spec describes, initialised from its seed.
    public static func model(for spec: RunSpec) -> Sequential<Float> {
        let activation = Activation(name: spec.activation)!
        let initializer = Initializer(name: spec.initializer)!
        let model = Sequential<Float>(inputSize: 784, seed: spec.seed)
        for h in spec.hiddenUnits {
            model.add(Dense(h, activation: activation, weightInitializer: initializer))
            if spec.dropout > 0 { model.add(Dropout(rate: spec.dropout)) }
        }
        model.add(Dense(10, activation: .linear, weightInitializer: initializer))  // logits: the loss applies the softmax
        return model
    }

    public static func train(_ spec: RunSpec, data: SplitData, key: String, checksums: [String: String],
                             provenance: Provenance, observer: ((TrainingEvent) -> Void)? = nil) -> RunResult {
        let (model, history, seconds) = fit(spec, data: data, observer: observer)
        return RunResult(key: key, spec: spec, datasetChecksums: checksums, codeVersion: TrainingCode.version,
                         history: history, parameterCount: model.parameterCount,
                         wallSeconds: seconds,
                         provenance: provenance)
    }

    /// Trains the network of `spec` and returns it with its history and wall seconds: the one
    /// training path of plotted runs, sweeps and inspections, so an inspection's network is
    /// bit for bit its run's.
    static func fit(_ spec: RunSpec, data: SplitData,
                    observer: ((TrainingEvent) -> Void)?) -> (model: Sequential<Float>, history: TrainingHistory, seconds: Double) {
        let start = ContinuousClock.now
        let trainer = trainer(spec, data: data, observer: observer)
        let sets = spec.evaluationSets.compactMap { data.named($0) }
        let history = trainer.fit(data.train, evaluationSets: sets)
        return (trainer.model, history, (ContinuousClock.now - start).seconds)
    }

    /// The trainer of `spec`'s network, its optimiser, options, augmentation, probe and observer.
    static func trainer(_ spec: RunSpec, data: SplitData, observer: ((TrainingEvent) -> Void)?) -> Trainer<Float> {
        let model = model(for: spec)
        let optimizer = SGD<Float>(learningRate: spec.learningRate, momentum: spec.momentum,
                                   schedule: spec.annealingBatches.map { .annealing(T: $0) } ?? .constant)
        let options = TrainingOptions(epochs: spec.epochs, batchSize: spec.batchSize, shuffle: spec.shuffle,
                                      evaluationsPerEpoch: spec.evaluationsPerEpoch,
                                      firstEpochEvaluations: spec.firstEpochEvaluations,
                                      updateRule: spec.updateRule, seed: spec.seed)
        let trainer = Trainer(model: model, optimizer: optimizer, options: options)
        if spec.shiftPixels > 0 { trainer.augmentation = randomShifts(pixels: spec.shiftPixels) }
        trainer.diagnosticsProbe = data.validation.prefix(diagnosticsImages)
        if let observer { trainer.observe(observer) }
        return trainer
    }

    /// Whether `specs` can train as one grid (`GridTrainer`): the same spec but the learning
    /// rate (so the same seed, split, shapes, batch order and evaluations), the batch-mean
    /// rule and no augmentation.
    public static func canTrainAsGrid(_ specs: [RunSpec]) -> Bool {
        guard specs.count > 1, let lead = specs.first?.gridIdentity else { return false }
        return specs.allSatisfy { $0.gridIdentity == lead }
    }

    /// Trains the runs of `specs` (`canTrainAsGrid`) as one grid: each result is the one
    /// `train` gives that spec alone, bit for bit, apart from its times. A member's
    /// `wallSeconds` is its own evaluation time, its share of the training time (each batch's
    /// time split evenly between the members it trained, see `GridTrainer`) and an even share
    /// of the rest (building the models), so the members' wall seconds add up to the grid's.
    public static func trainGrid(_ specs: [RunSpec], data: SplitData, keys: [String], checksums: [String: String],
                                 provenance: Provenance, observers: [((TrainingEvent) -> Void)?]) -> [RunResult] {
        precondition(canTrainAsGrid(specs) && keys.count == specs.count && observers.count == specs.count)
        let start = ContinuousClock.now
        let trainers = zip(specs, observers).map { trainer($0, data: data, observer: $1) }
        let sets = specs[0].evaluationSets.compactMap { data.named($0) }
        let histories = GridTrainer(trainers).fit(data.train, evaluationSets: sets)
        let total = (ContinuousClock.now - start).seconds
        let own = histories.map { $0.trainingSeconds.reduce(0, +) + $0.evaluationSeconds }
        let rest = max(0, total - own.reduce(0, +)) / Double(specs.count)
        return specs.indices.map { i in
            RunResult(key: keys[i], spec: specs[i], datasetChecksums: checksums, codeVersion: TrainingCode.version,
                      history: histories[i], parameterCount: trainers[i].model.parameterCount,
                      wallSeconds: own[i] + rest, provenance: provenance)
        }
    }

    /// Trains the run of `spec.run` again and records what its network learned (see
    /// `InspectionRecord`); `runKey` is that run's cache key.
    public static func inspect(_ spec: InspectionSpec, data: SplitData, key: String, runKey: String,
                               checksums: [String: String], provenance: Provenance,
                               observer: ((TrainingEvent) -> Void)? = nil) -> InspectionRecord {
        let start = ContinuousClock.now
        let (model, history, _) = fit(spec.run, data: data, observer: observer)
        var record = Inspection.record(model: model, history: history, test: data.test, spec: spec, key: key, runKey: runKey,
                                       checksums: checksums, seconds: 0, provenance: provenance)
        record.wallSeconds = (ContinuousClock.now - start).seconds
        return record
    }

    public static func gradientCheck(_ spec: GradientCheckSpec, data: SplitData, key: String,
                                     checksums: [String: String], provenance: Provenance) -> GradientCheckRecord {
        let start = ContinuousClock.now
        let run = RunSpec(hiddenUnits: spec.hiddenUnits, activation: spec.activation, initializer: spec.initializer,
                          learningRate: 1, batchSize: 1, epochs: 1, shuffle: false, evaluationsPerEpoch: 1,
                          validationImages: spec.validationImages, seed: spec.seed)
        let model = model(for: run).converted(to: Double.self)
        let batch = data.train.prefix(spec.images)
        let results = GradientCheck.run(model: model, inputs: batch.inputs.converted(to: Double.self),
                                        labels: batch.labels.map(Int.init), epsilon: spec.epsilon)
        let elapsed = ContinuousClock.now - start
        return GradientCheckRecord(key: key, spec: spec, datasetChecksums: checksums, codeVersion: TrainingCode.version,
                                   results: results,
                                   wallSeconds: elapsed.seconds,
                                   provenance: provenance)
    }
}
