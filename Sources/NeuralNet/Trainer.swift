import MatrixCore

/// How the gradient of a batch becomes parameter updates.
public enum UpdateRule: String, Codable, Sendable, CaseIterable {
    /// One update per batch from the batch-mean gradient (what "mini-batch SGD" means).
    case batchMean = "batch-mean"
    /// One update per sample, in order within each batch, at step lr / batch (and momentum
    /// per sample): online SGD in batch-sized groups, as the 2019 report's code did.
    case perSample = "per-sample"
}

/// What the training loop reports while it runs; progress bars and recorders subscribe.
public enum TrainingEvent: Sendable {
    case epochBegan(epoch: Int, epochs: Int)
    case batchEnded(epoch: Int, batch: Int, batches: Int, loss: Double)
    case evaluated(EvaluationPoint)
    case epochEnded(epoch: Int, trainingSeconds: Double)
    case diverged(Divergence)
}

public struct TrainingOptions: Sendable, Equatable {
    public var epochs: Int
    public var batchSize: Int
    /// Reshuffle the training examples at the start of every epoch (else a fixed order).
    public var shuffle: Bool
    /// Evaluations per epoch, evenly spaced in batches; the last is at the epoch's end.
    public var evaluationsPerEpoch: Int
    /// Overrides `evaluationsPerEpoch` for the first epoch (3b's close look at epoch 1).
    public var firstEpochEvaluations: Int?
    /// Evaluate every set once before the first update (iteration 0).
    public var evaluateAtStart: Bool
    public var updateRule: UpdateRule
    /// Seeds the "shuffle" and "augment" streams.
    public var seed: UInt64

    public init(epochs: Int, batchSize: Int, shuffle: Bool = false, evaluationsPerEpoch: Int = 1,
                firstEpochEvaluations: Int? = nil, evaluateAtStart: Bool = true,
                updateRule: UpdateRule = .batchMean, seed: UInt64 = 0) {
        precondition(epochs >= 0 && batchSize > 0 && evaluationsPerEpoch > 0)
        self.epochs = epochs
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.evaluationsPerEpoch = evaluationsPerEpoch
        self.firstEpochEvaluations = firstEpochEvaluations
        self.evaluateAtStart = evaluateAtStart
        self.updateRule = updateRule
        self.seed = seed
    }
}

/// A transformation of each training batch (rows x features, only the first `rows` rows
/// count), drawing from the run's "augment" stream: e.g. random pixel shifts.
public typealias BatchAugmentation<Scalar: MatrixScalar> =
    (_ batch: inout Matrix<Scalar>, _ rows: Int, _ generator: inout SeededGenerator) -> Void

/// The training loop: epochs of batches, evaluation on a schedule, divergence detection, and
/// events for observers. It owns no policy beyond that (early stopping is replayed on the
/// history afterwards: `EarlyStopping.pick`).
public final class Trainer<Scalar: MatrixScalar> {
    public let model: Sequential<Scalar>
    public let optimizer: SGD<Scalar>
    public let options: TrainingOptions
    public var augmentation: BatchAugmentation<Scalar>?
    /// Images on which each evaluation also measures the hidden layers (`LayerDiagnostics`);
    /// nil measures nothing. Measuring reads the weights and gradients, never changes them.
    public var diagnosticsProbe: Examples<Scalar>?
    private var observers: [(TrainingEvent) -> Void] = []

    public init(model: Sequential<Scalar>, optimizer: SGD<Scalar>, options: TrainingOptions) {
        self.model = model
        self.optimizer = optimizer
        self.options = options
    }

    /// Subscribes to training events (called on the training thread, in order).
    public func observe(_ observer: @escaping (TrainingEvent) -> Void) { observers.append(observer) }

    func emit(_ event: TrainingEvent) { for o in observers { o(event) } }

    /// Trains on `training` and evaluates every set in `evaluationSets` on the schedule.
    /// Stops early on divergence (recorded in the history).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func fit(_ training: Examples<Scalar>, evaluationSets: [Examples<Scalar>]) -> TrainingHistory {
        // Subnormals flushed to zero for the whole run (see Denormals for why).
        Denormals.flushed { fitFlushed(training, evaluationSets: evaluationSets) }
    }

    private func fitFlushed(_ training: Examples<Scalar>, evaluationSets: [Examples<Scalar>]) -> TrainingHistory {
        precondition(training.inputs.columns == model.inputSize,
                     "\(training.name): inputs have \(training.inputs.columns) features, the model expects \(model.inputSize)")
        var history = TrainingHistory()
        let n = training.count
        let width = training.inputs.columns
        let batchSize = min(options.batchSize, max(n, 1))
        let batches = (n + batchSize - 1) / batchSize
        var shuffleGenerator = SeededGenerator(seed: options.seed, stream: "shuffle")
        var augmentGenerator = SeededGenerator(seed: options.seed, stream: "augment")
        var order = Array(0..<n)
        var batchInputs = Matrix<Scalar>(rows: batchSize, columns: width)
        var batchLabels = [Int32](repeating: 0, count: batchSize)
        var iteration = 0
        let parameters = model.parameters   // once: the per-batch path allocates nothing
        // Sums of squared ||dW|| of the hidden layers over the batches since the last evaluation.
        let measuresGradients = diagnosticsProbe != nil && options.updateRule == .batchMean
        var gradientSquares = [Double](repeating: 0, count: measuresGradients ? model.hiddenDenseLayers.count : 0)
        var gradientBatches = 0

        func evaluate(epoch: Double) -> EvaluationPoint {
            let start = ContinuousClock.now
            var metrics: [String: Metrics] = [:]
            for set in evaluationSets {
                let (loss, accuracy) = model.evaluate(set)
                metrics[set.name] = Metrics(loss: loss, accuracy: accuracy)
            }
            history.evaluationSeconds += seconds(since: start)
            history.evaluationCount += 1
            var point = EvaluationPoint(epoch: epoch, iteration: iteration, metrics: metrics)
            if let probe = diagnosticsProbe {
                let norms = measuresGradients && gradientBatches > 0
                    ? gradientSquares.map { ($0 / Double(gradientBatches)).squareRoot() } : nil
                point.layers = model.diagnose(probe, gradientNorms: norms)
                gradientSquares = gradientSquares.map { _ in 0 }
                gradientBatches = 0
            }
            history.points.append(point)
            emit(.evaluated(point))
            return point
        }

        if options.evaluateAtStart { _ = evaluate(epoch: 0) }
        epochs: for epoch in 1...max(options.epochs, 1) where options.epochs > 0 {
            emit(.epochBegan(epoch: epoch, epochs: options.epochs))
            if options.shuffle { shuffleGenerator.shuffle(&order) }
            let k = min(epoch == 1 ? (options.firstEpochEvaluations ?? options.evaluationsPerEpoch)
                                   : options.evaluationsPerEpoch, batches)
            let evaluateAfter = Set((1...k).map { j in max(1, Int((Double(j) * Double(batches) / Double(k)).rounded())) })
            var trainingTime = 0.0
            var batchStart = ContinuousClock.now
            for b in 0..<batches {
                let lo = b * batchSize, rows = min(batchSize, n - lo)
                let loss = step(training: training, order: order, lo: lo, rows: rows, parameters: parameters, inputs: &batchInputs,
                                labels: &batchLabels, iteration: iteration,
                                augmentGenerator: &augmentGenerator)
                if measuresGradients {
                    for (i, s) in model.hiddenWeightGradientSquaredNorms().enumerated() { gradientSquares[i] += s }
                    gradientBatches += 1
                }
                iteration += 1
                emit(.batchEnded(epoch: epoch, batch: b + 1, batches: batches, loss: loss))
                if !loss.isFinite {
                    trainingTime += seconds(since: batchStart)
                    history.trainingSeconds.append(trainingTime)
                    let d = Divergence(epoch: epoch, iteration: iteration)
                    history.divergence = d
                    emit(.diverged(d))
                    break epochs
                }
                if evaluateAfter.contains(b + 1) {
                    trainingTime += seconds(since: batchStart)
                    let point = evaluate(epoch: Double(epoch - 1) + Double(b + 1) / Double(batches))
                    batchStart = ContinuousClock.now
                    if let trainLoss = point.metrics["train"]?.loss, !trainLoss.isFinite {
                        history.trainingSeconds.append(trainingTime)
                        let d = Divergence(epoch: epoch, iteration: iteration)
                        history.divergence = d
                        emit(.diverged(d))
                        break epochs
                    }
                }
            }
            trainingTime += seconds(since: batchStart)
            history.trainingSeconds.append(trainingTime)
            emit(.epochEnded(epoch: epoch, trainingSeconds: trainingTime))
        }
        return history
    }

    /// One batch, updated by the chosen rule; returns the batch's mean training loss. A
    /// shuffled batch is read in place through its row numbers (the gathered copy was 20 % of
    /// an epoch), except where a transformation needs a copy to change (augmentation) or
    /// the per-sample rule takes one row at a time.
    private func step(training: Examples<Scalar>, order: [Int], lo: Int, rows: Int, parameters: [Parameter<Scalar>],
                      inputs: inout Matrix<Scalar>, labels: inout [Int32], iteration: Int,
                      augmentGenerator: inout SeededGenerator) -> Double {
        let width = training.inputs.columns
        let contiguous = !options.shuffle && augmentation == nil
        let inPlace = options.shuffle && augmentation == nil && options.updateRule == .batchMean
        if !contiguous {
            if !inPlace { training.inputs.gatherRows(order[lo..<(lo + rows)], into: &inputs) }
            for r in 0..<rows { labels[r] = training.labels[order[lo + r]] }
            augmentation?(&inputs, rows, &augmentGenerator)
        }
        func run(_ batch: MatrixView<Scalar>, _ y: UnsafePointer<Int32>) -> Double {
            switch options.updateRule {
            case .batchMean:
                let loss = model.computeGradients(batch, labels: y).loss
                optimizer.step(parameters, iteration: iteration)
                return loss
            case .perSample:
                var sum = 0.0
                let scale = 1 / Double(options.batchSize)
                for r in 0..<rows {
                    sum += model.computeGradients(MatrixView(batch.row(r), rows: 1, columns: width), labels: y + r).loss
                    optimizer.step(parameters, iteration: iteration, scale: scale)
                }
                return sum / Double(rows)
            }
        }
        if inPlace {
            return training.inputs.storage.withUnsafeBufferPointer { x in
                order.withUnsafeBufferPointer { o in
                    labels.withUnsafeBufferPointer { y in
                        run(MatrixView(x.baseAddress!, rows: rows, columns: width, rowIndex: o.baseAddress! + lo), y.baseAddress!)
                    }
                }
            }
        }
        if contiguous {
            return training.inputs.storage.withUnsafeBufferPointer { x in
                training.labels.withUnsafeBufferPointer { y in
                    run(MatrixView(x.baseAddress! + lo * width, rows: rows, columns: width), y.baseAddress! + lo)
                }
            }
        }
        return inputs.storage.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in run(MatrixView(x.baseAddress!, rows: rows, columns: width), y.baseAddress!) }
        }
    }
}

@inline(__always) func seconds(since start: ContinuousClock.Instant) -> Double { (ContinuousClock.now - start).seconds }
