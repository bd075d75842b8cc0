import MatrixCore

/// K training runs that see the same batches in the same order (a learning-rate grid of one
/// seed: same options, so the same split, shuffle and evaluation schedule), trained as one
/// unit: for each batch, the first dense layer's forward product and weight-gradient product
/// run once for all K members (`FirstLayerGroup`: a 128 x 784 batch times 784 x (K units)
/// weights, instead of K products that each read the whole batch for a few columns); the
/// rest (the other layers, dropout masks, the loss, the updates, evaluation, diagnostics)
/// stays each member's own.
///
/// Each member is a `Trainer` with its own model, optimiser (rate, momentum state, schedule),
/// diagnostics probe and observers, and gets the history `Trainer.fit` gives it alone, bit
/// for bit (GridTrainingTests): the same evaluations, events and divergence handling. A
/// member that diverges stops alone; the others go on, multiplied without it.
///
/// Timings are shared: a batch's training time is split evenly between the members that
/// trained on it; evaluation time is each member's own.
public final class GridTrainer<Scalar: MatrixScalar> {
    public let members: [Trainer<Scalar>]
    private let first: FirstLayerGroup<Scalar>?
    /// Each member's parameters, listed once per fit (the per-batch path allocates little).
    private var parameters: [[Parameter<Scalar>]] = []

    /// `members` must be `canGroup`; `fit` runs them one by one otherwise (never a wrong grouping).
    public init(_ members: [Trainer<Scalar>]) {
        precondition(!members.isEmpty, "a grid needs a member")
        self.members = members
        if Self.canGroup(members), let layer = members[0].model.layers.first as? Dense<Scalar> {
            first = FirstLayerGroup(inputSize: layer.inputSize, units: layer.units, activation: layer.activation)
        } else {
            first = nil
        }
    }

    /// Whether `trainers` can share their batches: the same options (epochs, batch size,
    /// shuffle, seed, evaluation schedule), the batch-mean rule, no augmentation, and models
    /// whose first layer is a dense layer of the same inputs, units and activation, with
    /// layers after it.
    public static func canGroup(_ trainers: [Trainer<Scalar>]) -> Bool {
        guard let lead = trainers.first, let shape = firstShape(lead) else { return false }
        return trainers.allSatisfy { t in
            t.options == lead.options && t.options.updateRule == .batchMean && t.augmentation == nil
                && firstShape(t).map { $0 == shape } == true
        }
    }

    private static func firstShape(_ t: Trainer<Scalar>) -> (Int, Int, Activation)? {
        guard t.model.layers.count >= 2, let d = t.model.layers[0] as? Dense<Scalar> else { return nil }
        return (d.inputSize, d.units, d.activation)
    }

    /// Trains every member on `training`, evaluating `evaluationSets` on the shared schedule;
    /// returns each member's history, in `members`' order.
    @_specialize(where Scalar == Float)
    public func fit(_ training: Examples<Scalar>, evaluationSets: [Examples<Scalar>]) -> [TrainingHistory] {
        guard first != nil else { return members.map { $0.fit(training, evaluationSets: evaluationSets) } }
        return Denormals.flushed { fitFlushed(training, evaluationSets: evaluationSets) }
    }

    /// One member's state through the loop (what `Trainer.fitFlushed` keeps in locals).
    private struct Member {
        var history = TrainingHistory()
        var measuresGradients: Bool
        var gradientSquares: [Double]
        var gradientBatches = 0
        var trainingTime = 0.0
        var stopped = false
    }

    @_specialize(where Scalar == Float)
    private func fitFlushed(_ training: Examples<Scalar>, evaluationSets: [Examples<Scalar>]) -> [TrainingHistory] {
        let options = members[0].options
        for t in members {
            precondition(training.inputs.columns == t.model.inputSize,
                         "\(training.name): inputs have \(training.inputs.columns) features, the model expects \(t.model.inputSize)")
        }
        var state = members.map { t in
            let measures = t.diagnosticsProbe != nil && options.updateRule == .batchMean
            return Member(measuresGradients: measures,
                          gradientSquares: [Double](repeating: 0, count: measures ? t.model.hiddenDenseLayers.count : 0))
        }
        parameters = members.map { $0.model.parameters }
        let n = training.count
        let batchSize = min(options.batchSize, max(n, 1))
        let batches = (n + batchSize - 1) / batchSize
        var shuffleGenerator = SeededGenerator(seed: options.seed, stream: "shuffle")
        var order = Array(0..<n)
        var batchLabels = [Int32](repeating: 0, count: batchSize)
        var iteration = 0

        // Trainer.fitFlushed's `evaluate`, for member j.
        func evaluate(_ j: Int, epoch: Double) -> EvaluationPoint {
            let t = members[j]
            let start = ContinuousClock.now
            var metrics: [String: Metrics] = [:]
            for set in evaluationSets {
                let (loss, accuracy) = t.model.evaluate(set)
                metrics[set.name] = Metrics(loss: loss, accuracy: accuracy)
            }
            state[j].history.evaluationSeconds += seconds(since: start)
            state[j].history.evaluationCount += 1
            var point = EvaluationPoint(epoch: epoch, iteration: iteration, metrics: metrics)
            if let probe = t.diagnosticsProbe {
                let s = state[j]
                let norms = s.measuresGradients && s.gradientBatches > 0
                    ? s.gradientSquares.map { ($0 / Double(s.gradientBatches)).squareRoot() } : nil
                point.layers = t.model.diagnose(probe, gradientNorms: norms)
                state[j].gradientSquares = s.gradientSquares.map { _ in 0 }
                state[j].gradientBatches = 0
            }
            state[j].history.points.append(point)
            t.emit(.evaluated(point))
            return point
        }

        // Member j stops: a non-finite loss at `epoch`.
        func diverge(_ j: Int, epoch: Int) {
            state[j].history.trainingSeconds.append(state[j].trainingTime)
            let d = Divergence(epoch: epoch, iteration: iteration)
            state[j].history.divergence = d
            state[j].stopped = true
            members[j].emit(.diverged(d))
        }

        if options.evaluateAtStart { for j in members.indices { _ = evaluate(j, epoch: 0) } }
        epochs: for epoch in 1...max(options.epochs, 1) where options.epochs > 0 {
            let active = members.indices.filter { !state[$0].stopped }
            if active.isEmpty { break epochs }
            for j in active {
                members[j].emit(.epochBegan(epoch: epoch, epochs: options.epochs))
                state[j].trainingTime = 0
            }
            if options.shuffle { shuffleGenerator.shuffle(&order) }
            let k = min(epoch == 1 ? (options.firstEpochEvaluations ?? options.evaluationsPerEpoch)
                                   : options.evaluationsPerEpoch, batches)
            let evaluateAfter = Set((1...k).map { j in max(1, Int((Double(j) * Double(batches) / Double(k)).rounded())) })
            for b in 0..<batches {
                let live = active.filter { !state[$0].stopped }
                if live.isEmpty { break epochs }
                let lo = b * batchSize, rows = min(batchSize, n - lo)
                let batchStart = ContinuousClock.now
                let losses = step(live, training: training, order: order, lo: lo, rows: rows, labels: &batchLabels,
                                  iteration: iteration)
                for j in live where state[j].measuresGradients {
                    for (i, s) in members[j].model.hiddenWeightGradientSquaredNorms().enumerated() { state[j].gradientSquares[i] += s }
                    state[j].gradientBatches += 1
                }
                // The batch's time, split evenly between the members it trained.
                let share = seconds(since: batchStart) / Double(live.count)
                iteration += 1
                for (j, loss) in zip(live, losses) {
                    state[j].trainingTime += share
                    members[j].emit(.batchEnded(epoch: epoch, batch: b + 1, batches: batches, loss: loss))
                    if !loss.isFinite { diverge(j, epoch: epoch); continue }
                    if evaluateAfter.contains(b + 1) {
                        let point = evaluate(j, epoch: Double(epoch - 1) + Double(b + 1) / Double(batches))
                        if let trainLoss = point.metrics["train"]?.loss, !trainLoss.isFinite { diverge(j, epoch: epoch) }
                    }
                }
            }
            for j in active where !state[j].stopped {
                state[j].history.trainingSeconds.append(state[j].trainingTime)
                members[j].emit(.epochEnded(epoch: epoch, trainingSeconds: state[j].trainingTime))
            }
        }
        return state.map(\.history)
    }

    /// One batch for the members `live` (batch-mean rule): the batch read as `Trainer.step`
    /// reads it (in place through the shuffled order, or contiguous), the first layer's two
    /// products for all of them at once, the rest and the update each member's own. Returns
    /// each live member's mean training loss on the batch.
    @_specialize(where Scalar == Float)
    private func step(_ live: [Int], training: Examples<Scalar>, order: [Int], lo: Int, rows: Int,
                      labels: inout [Int32], iteration: Int) -> [Double] {
        let width = training.inputs.columns
        let shuffled = members[0].options.shuffle
        if shuffled { for r in 0..<rows { labels[r] = training.labels[order[lo + r]] } }
        return training.inputs.storage.withUnsafeBufferPointer { x in
            order.withUnsafeBufferPointer { o in
                labels.withUnsafeBufferPointer { shuffledLabels in
                    training.labels.withUnsafeBufferPointer { stored in
                        let batch = shuffled
                            ? MatrixView(x.baseAddress!, rows: rows, columns: width, rowIndex: o.baseAddress! + lo)
                            : MatrixView(x.baseAddress! + lo * width, rows: rows, columns: width)
                        let y = shuffled ? shuffledLabels.baseAddress! : stored.baseAddress! + lo
                        return run(live, batch, y, iteration: iteration)
                    }
                }
            }
        }
    }

    @_specialize(where Scalar == Float)
    private func run(_ live: [Int], _ batch: MatrixView<Scalar>, _ y: UnsafePointer<Int32>, iteration: Int) -> [Double] {
        // One member at a time: what Trainer does.
        func alone(_ j: Int) -> Double {
            let t = members[j]
            let loss = t.model.computeGradients(batch, labels: y).loss
            t.optimizer.step(parameters[j], iteration: iteration)
            return loss
        }
        guard let first, FirstLayerGroup<Scalar>.isExact(rows: batch.rows) else { return live.map(alone) }
        // Packs of at most `FirstLayerGroup.packWidth` columns (see there why).
        let size = max(1, FirstLayerGroup<Scalar>.packWidth / first.units)
        var losses: [Double] = []
        for lo in stride(from: 0, to: live.count, by: size) {
            let pack = Array(live[lo..<min(lo + size, live.count)])
            losses += pack.count == 1 ? [alone(pack[0])] : together(pack, first, batch, y, iteration: iteration)
        }
        return losses
    }

    /// `run` for the members `live` as one pack: the first layer's products shared.
    @_specialize(where Scalar == Float)
    private func together(_ live: [Int], _ first: FirstLayerGroup<Scalar>, _ batch: MatrixView<Scalar>, _ y: UnsafePointer<Int32>,
                          iteration: Int) -> [Double] {
        let models = live.map { members[$0].model }
        let layers = models.map { $0.layers[0] as! Dense<Scalar> }
        let outputs = models.map { $0.firstLayerOutput(rows: batch.rows) }
        first.forward(batch, layers: layers, outputs: outputs)
        var losses: [Double] = [], gradients: [UnsafeMutablePointer<Scalar>] = []
        for model in models {
            let r = model.gradientsAboveFirstLayer(batch, labels: y)
            losses.append(r.loss)
            gradients.append(r.firstOutputGradient)
        }
        first.backward(batch, layers: layers, outputs: outputs, gradients: gradients)
        for j in live { members[j].optimizer.step(parameters[j], iteration: iteration) }
        return losses
    }
}
