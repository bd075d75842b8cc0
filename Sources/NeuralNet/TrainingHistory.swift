/// Loss and accuracy of one set at one moment.
public struct Metrics: Codable, Sendable, Equatable {
    /// Mean cross-entropy (nats per example).
    public var loss: Double
    /// Fraction correct, 0...1.
    public var accuracy: Double
    public init(loss: Double, accuracy: Double) { self.loss = loss; self.accuracy = accuracy }
}

/// One evaluation of every named set with the weights held fixed.
public struct EvaluationPoint: Codable, Sendable, Equatable {
    /// Progress in epochs (1.5 = half-way through the second epoch); 0 before training.
    public var epoch: Double
    /// Batches (parameter-update steps of the batch rule) done so far.
    public var iteration: Int
    /// Keyed by set name ("train", "validation", "test").
    public var metrics: [String: Metrics]
    /// Each hidden layer's state at this moment (see `LayerDiagnostics`); nil in results from
    /// before they were recorded, and when the trainer has no probe.
    public var layers: [LayerDiagnostics]? = nil
}

/// Where a run stopped because its loss stopped being a finite number.
public struct Divergence: Codable, Sendable, Equatable, CustomStringConvertible {
    /// 1-based epoch and global batch count at which the loss became NaN or infinite.
    public var epoch: Int
    public var iteration: Int
    public var description: String { "diverged at epoch \(epoch), iteration \(iteration)" }
}

/// Everything a training run records.
public struct TrainingHistory: Codable, Sendable, Equatable {
    public var points: [EvaluationPoint] = []
    public var divergence: Divergence?
    /// Wall-clock seconds of training alone (no evaluation), per epoch.
    public var trainingSeconds: [Double] = []
    /// Wall-clock seconds spent evaluating, in total, and how many evaluations ran.
    public var evaluationSeconds: Double = 0
    public var evaluationCount: Int = 0

    public init() {}

    /// The points at whole epoch ends (including 0 before training).
    public var epochEnds: [EvaluationPoint] { points.filter { $0.epoch == $0.epoch.rounded() } }

    /// The metrics of `set` at the end of (1-based) `epoch`, if recorded.
    public func metrics(_ set: String, atEpoch epoch: Int) -> Metrics? {
        points.last { $0.epoch == Double(epoch) }?.metrics[set]
    }

    /// The last recorded metrics of `set`.
    public func final(_ set: String) -> Metrics? { points.last?.metrics[set] }
}

/// Early stopping on validation loss (Prechelt's "GL" family, simplest form): stop when the
/// loss has not improved for `patience` consecutive epochs and keep the best epoch's network.
/// Runs always train every epoch; the report replays this rule on their recorded losses.
public enum EarlyStopping {
    /// Replays the rule on per-epoch validation losses (index 0 = epoch 1): returns the
    /// epoch it would keep (the best one seen when it stops, or the best overall) and the
    /// epoch after which it would stop (nil when it never stops).
    public static func pick(validationLosses: [Double], patience: Int) -> (best: Int, stopAfter: Int?) {
        var best = 0
        var bestLoss = Double.infinity
        for (i, loss) in validationLosses.enumerated() {
            if loss < bestLoss { bestLoss = loss; best = i }
            else if i - best >= patience { return (best + 1, i + 1) }
        }
        return (validationLosses.isEmpty ? 0 : best + 1, nil)
    }
}
