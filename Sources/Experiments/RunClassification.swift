import Foundation
import NeuralNet

/// What became of a training run, judged from its own recorded validation curve by fixed,
/// stated thresholds (the report prints them), so that "diverged", "collapsed" and
/// "oscillating" mean the same thing in every table, figure and sentence.
public enum RunClass: String, Codable, Sendable, CaseIterable {
    /// A loss became NaN or infinite and training stopped (`TrainingHistory.divergence`).
    case diverged
    /// It trained to the end but its final validation accuracy is below `collapseAccuracy`:
    /// at most twice chance for ten classes, so it learned next to nothing.
    case collapsed
    /// It learned, but its validation loss did not settle: over the second half of training
    /// the median relative change between consecutive epoch-end evaluations,
    /// |L_e - L_{e-1}| / L_{e-1}, exceeds `oscillationThreshold`.
    case oscillating
    /// None of the above.
    case trained

    /// Final validation accuracy (fraction) below which a run counts as collapsed.
    public static let collapseAccuracy = 0.2
    /// Median relative epoch-to-epoch change of validation loss above which a run oscillates.
    public static let oscillationThreshold = 0.1

    /// Classifies from the epoch-end validation points; a run with fewer than three epoch
    /// ends cannot show oscillation and is judged on divergence and collapse alone.
    public init(_ history: TrainingHistory) {
        if history.divergence != nil { self = .diverged; return }
        let ends = history.epochEnds.filter { $0.epoch >= 1 }.compactMap { $0.metrics["validation"] }
        guard let last = ends.last else { self = .trained; return }
        if last.accuracy < Self.collapseAccuracy { self = .collapsed; return }
        self = Self.relativeSwing(ends.map(\.loss)).map { $0 > Self.oscillationThreshold ? .oscillating : .trained } ?? .trained
    }

    /// The median of |L_e - L_{e-1}| / L_{e-1} over the second half of `losses` (the
    /// validation losses at epoch ends 1...E), nil with fewer than three.
    public static func relativeSwing(_ losses: [Double]) -> Double? {
        guard losses.count >= 3 else { return nil }
        // From the middle epoch end on: E = 15 gives the 7 changes from epoch 8 to epoch 15.
        let secondHalf = losses[(losses.count / 2)...]
        let changes = zip(secondHalf.dropFirst(), secondHalf).map { abs($0 - $1) / max($1, 1e-12) }.sorted()
        let n = changes.count
        return n % 2 == 1 ? changes[n / 2] : (changes[n / 2 - 1] + changes[n / 2]) / 2
    }

    /// Whether a learning rate with a run of this class may be chosen: not when a seed
    /// diverged or collapsed.
    public var disqualifiesRate: Bool { self == .diverged || self == .collapsed }
}

extension RunResult {
    public var runClass: RunClass { RunClass(history) }
}

extension RunSpec {
    /// Whether two runs with the same seed draw the same train/validation split, initial
    /// weights and batch order, so that their results may be compared paired by seed.
    /// Rate, momentum, activation and annealing do not change any draw.
    public func sharesRandomDraws(with other: RunSpec) -> Bool {
        hiddenUnits == other.hiddenUnits && initializer == other.initializer && shuffle == other.shuffle
            && batchSize == other.batchSize && validationImages == other.validationImages && subset == other.subset
            && dropout == other.dropout && shiftPixels == other.shiftPixels && updateRule == other.updateRule
    }
}
