import Experiments
import Foundation
import NeuralNet

/// Task 3: the tricks added one at a time (rows B, S, I, N, M), each verdict from the
/// report's `VerdictFamily`, each "because" from a measured quantity it quotes.
struct TricksContext: Codable {
    /// Always true: the section is absent (false) when task 3 has no five rows.
    var available: Bool
    var v3a: VerdictContext
    var v3aMatched: VerdictContext
    var v3bFirst: VerdictContext
    var v3bFirstMatched: VerdictContext
    var v3bFinal: VerdictContext
    var v3bFinalMatched: VerdictContext
    var v3c: VerdictContext
    var v3cMatched: VerdictContext
    var v3d: VerdictContext
    var v3dMatched: VerdictContext
    var v3dFirst: VerdictContext
    var table: String
    /// The epochs the table reports, "1, 5, 10 and 15".
    var marks: String
    var row: RowsById<TrickRows>
    var rates: [RateContext]
    /// The grid-edge sentence (`edgeText`), absent when no choice touched an edge.
    var edge: String?
    var sweepClasses: String
    var zoom: String?
    var iAtS: SweepPointContext
    var nAtBase: SweepPointContext
    var momentumFactor: String
    var chanceLoss: String
    var saturationIS: SaturationComparison
    var saturationIN: SaturationComparison
    var saturationThreshold: String
    var saturationOnset: SaturationOnsetContext
    var momentumAtBase: Merged<RowContext, MomentumAtBaseContext>?
}

/// A row's chosen learning rate.
struct RateContext: Codable {
    var id: String
    var lr: String
}

/// |z| at which each activation saturates (`ContextBuilder.saturationOnset`).
struct SaturationOnsetContext: Codable {
    var sigmoid: String
    var improved: String
}

/// Row M at the assignment's rate, beside M at its chosen rate: what its runs did, how
/// much the validation loss swings, and whether its hidden layer saturates.
struct MomentumAtBaseContext: Codable {
    var classes: String
    var swing: String
    var swingChosen: String
    var oscillates: Bool
    var aboveChance: Bool
    var saturation: SaturationComparison
    var atChance: Bool
}

extension ContextBuilder {
    func tricksContext() -> TricksContext? {
        let rows = outcomes.tricks
        guard rows.count == 5 else { return nil }
        let (s, i, n, m) = (rows[1], rows[2], rows[3], rows[4])
        let onset = Self.saturationOnset()
        return TricksContext(
            available: true,
            v3a: verdict("3a"), v3aMatched: verdict("3a@matched"),
            v3bFirst: verdict("3b.first"), v3bFirstMatched: verdict("3b.first@matched"),
            v3bFinal: verdict("3b.final"), v3bFinalMatched: verdict("3b.final@matched"),
            v3c: verdict("3c"), v3cMatched: verdict("3c@matched"),
            v3d: verdict("3d"), v3dMatched: verdict("3d@matched"), v3dFirst: verdict("3d.first"),
            table: epochTable(rows, includeRate: true).markdown,
            marks: Words.list(marks(rows.map(\.finalEpoch).max() ?? 1).map(String.init)),
            row: RowsById(rows.map(rowContext)),
            rates: rows.map { RateContext(id: $0.id, lr: Format.rate($0.chosenLearningRate)) },
            edge: edgeText(rows).nonEmpty,
            sweepClasses: sweepClasses(rows),
            zoom: zoom(Figures.tricksAccuracyFloor, rows, sets: ["validation"]),
            iAtS: sweepAt(i, s.chosenLearningRate),
            nAtBase: sweepAt(n, p.base.learningRate),
            momentumFactor: Format.rate((1 / (1 - p.tricks.momentum) * 100).rounded() / 100),
            chanceLoss: String(format: "%.3f", log(10.0)),
            saturationIS: saturationComparison(i, s),
            saturationIN: saturationComparison(i, n),
            saturationThreshold: Format.rate(100 * LayerDiagnostics.saturationThreshold),
            saturationOnset: SaturationOnsetContext(sigmoid: String(format: "%.1f", onset.sigmoid),
                                                    improved: String(format: "%.1f", onset.improved)),
            momentumAtBase: outcomes.momentumAtBaseRate.map { momentumAtBase($0, chosen: m) })
    }

    /// M at the assignment's rate (`mb`) against M at its chosen rate.
    func momentumAtBase(_ mb: RowOutcome, chosen m: RowOutcome) -> Merged<RowContext, MomentumAtBaseContext> {
        var row = rowContext(mb)
        row.validationLoss = Format.number(mb.finalLoss("validation"), decimals: 1)
        return Merged(row, MomentumAtBaseContext(
            classes: Words.classSummary(mb.runs).nonEmpty ?? "every seed trained without diverging, collapsing or oscillating",
            swing: String(format: "%.0f", 100 * mb.meanValidationSwing),
            swingChosen: String(format: "%.0f", 100 * m.meanValidationSwing),
            oscillates: mb.divergedRuns.isEmpty && mb.meanValidationSwing > RunClass.oscillationThreshold,
            aboveChance: mb.finalLoss("validation").mean > log(10.0),
            saturation: saturationComparison(mb, m),
            atChance: mb.finalAccuracy("validation").mean < RunClass.collapseAccuracy))
    }
}
