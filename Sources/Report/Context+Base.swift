import Experiments
import Foundation
import NeuralNet

/// Task 2: the base network at its final epoch, what early stopping would have kept, its
/// timing, and whether validation accuracy stands in for test accuracy.
struct BaseContext: Codable {
    var trainAccuracy: String
    var trainLoss: String
    var validationAccuracy: String
    var validationLoss: String
    var testAccuracy: String
    var testLoss: String
    var earlyStoppingEpochs: String
    var earlyStoppingTestAccuracy: String
    var earlyStoppingWouldStop: Bool
    var secondsPerEpoch: String
    var secondsPerEvaluation: String
    var evaluations: String
    var diverged: Bool
    var overfitGap: String
    var table: String
    var validationTest: VerdictContext
    /// The accuracy axis's floor (percent) when Figure 1 is zoomed.
    var zoom: String?
}

/// Task 2b: numerical against backpropagated gradients, per parameter.
struct GradientCheckContext: Codable {
    var table: String
    var worst: String
    var inputHidden: String
    var hiddenOutput: String
    var passed: Bool
    /// "far below" or "below" the bug threshold.
    var relation: String
    var seconds: String
    var total: String
}

extension ContextBuilder {
    func baseContext(_ base: RowOutcome) -> BaseContext {
        let e = base.finalEpoch
        // The epoch early stopping would keep, replayed per seed on epoch-end validation loss.
        let picks = base.runs.map { run -> (Int, Double?) in
            let losses = (1...e).compactMap { run.loss("validation", epoch: $0) }
            let pick = EarlyStopping.pick(validationLosses: losses, patience: p.evaluation.earlyStoppingPatience)
            return (pick.best, run.accuracy("test", epoch: pick.best))
        }
        let epochSeconds = base.runs.flatMap { $0.history.trainingSeconds }
        let evalSeconds = base.runs.map { $0.history.evaluationSeconds / Double(max($0.history.evaluationCount, 1)) }
        return BaseContext(
            trainAccuracy: Format.percent(base.accuracy("train", epoch: e)),
            trainLoss: Format.number(base.loss("train", epoch: e)),
            validationAccuracy: Format.percent(base.accuracy("validation", epoch: e)),
            validationLoss: Format.number(base.loss("validation", epoch: e)),
            testAccuracy: Format.percent(base.accuracy("test", epoch: e)),
            testLoss: Format.number(base.loss("test", epoch: e)),
            earlyStoppingEpochs: Words.epochsPerSeed(picks.map(\.0)),
            earlyStoppingTestAccuracy: Format.percent(Summary(picks.compactMap(\.1))),
            earlyStoppingWouldStop: picks.contains { $0.0 < e },
            secondsPerEpoch: String(format: "%.2f", Summary(epochSeconds).mean),
            secondsPerEvaluation: String(format: "%.2f", Summary(evalSeconds).mean),
            evaluations: "\(base.runs.first?.history.evaluationCount ?? 0)",
            diverged: !base.divergedRuns.isEmpty,
            overfitGap: Format.percent(base.accuracy("train", epoch: e).mean - base.accuracy("test", epoch: e).mean),
            table: epochTable([base], includeRate: false).markdown,
            validationTest: verdict("2.validation-test"),
            zoom: zoom(Figures.baseAccuracyFloor, [base], sets: ["train", "validation", "test"]))
    }

    func gradientCheckContext(_ gc: GradientCheckRecord) -> GradientCheckContext {
        let worst = gc.results.map(\.maxAbsoluteDifference).max() ?? .nan
        let rows = gc.results.map { r in
            [r.name, Format.integer(r.count), Format.scientific(r.maxAbsoluteDifference), Format.scientific(r.maxAbsoluteGradient)]
        }
        let weights = gc.results.filter { $0.name.hasSuffix("weight") }
        return GradientCheckContext(
            table: MarkdownTable(header: ["Parameter", "Elements", "max |numerical − backprop|", "max |backprop|"], rows: rows).markdown,
            worst: Format.scientific(worst),
            inputHidden: Format.scientific(weights.first?.maxAbsoluteDifference ?? .nan),
            hiddenOutput: Format.scientific(weights.last?.maxAbsoluteDifference ?? .nan),
            passed: worst < 1e-4,
            // Two orders of magnitude under the bug threshold is "far below"; just under it, "below".
            relation: worst <= 1e-6 ? "far below" : "below",
            seconds: String(format: "%.1f", gc.wallSeconds),
            total: Format.integer(gc.results.map(\.count).reduce(0, +)))
    }
}
