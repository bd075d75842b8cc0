import Experiments
import Foundation

/// One row of a task (a network trained on several seeds) at its final epoch, and its
/// first epoch's accuracies.
struct RowContext: Codable {
    var id: String
    var label: String
    var lr: String
    var parameters: String
    var diverged: Bool
    var trainAccuracy: String
    var trainLoss: String
    var trainAccuracyEpoch1: String
    var validationAccuracy: String
    var validationLoss: String
    var validationAccuracyEpoch1: String
    var testAccuracy: String
    var testLoss: String
    var testAccuracyEpoch1: String
    /// Train minus test accuracy, in points.
    var gap: String
    /// "seed 3: loss became NaN at epoch 2; …", "" when no seed diverged.
    var divergence: String

    /// A row the outcomes lack (task 4's width rows when the parameters leave one out):
    /// every field a dash.
    static let missing = RowContext(id: "–", label: "–", lr: "–", parameters: "–", diverged: false,
                                    trainAccuracy: "–", trainLoss: "–", trainAccuracyEpoch1: "–",
                                    validationAccuracy: "–", validationLoss: "–", validationAccuracyEpoch1: "–",
                                    testAccuracy: "–", testLoss: "–", testAccuracyEpoch1: "–", gap: "–", divergence: "–")
}

extension ContextBuilder {
    func rowContext(_ row: RowOutcome) -> RowContext {
        let e = row.finalEpoch
        return RowContext(
            id: row.id, label: row.label, lr: Format.rate(row.chosenLearningRate),
            parameters: Format.integer(row.parameterCount),
            diverged: !row.divergedRuns.isEmpty,
            trainAccuracy: Format.percent(row.accuracy("train", epoch: e)),
            trainLoss: Format.number(row.loss("train", epoch: e)),
            trainAccuracyEpoch1: Format.percent(row.accuracy("train", epoch: 1)),
            validationAccuracy: Format.percent(row.accuracy("validation", epoch: e)),
            validationLoss: Format.number(row.loss("validation", epoch: e)),
            validationAccuracyEpoch1: Format.percent(row.accuracy("validation", epoch: 1)),
            testAccuracy: Format.percent(row.accuracy("test", epoch: e)),
            testLoss: Format.number(row.loss("test", epoch: e)),
            testAccuracyEpoch1: Format.percent(row.accuracy("test", epoch: 1)),
            gap: Format.percent(row.accuracy("train", epoch: e).mean - row.accuracy("test", epoch: e).mean),
            divergence: row.divergedRuns.map { "seed \($0.spec.seed): \($0.history.divergence!)" }.joined(separator: "; "))
    }

    func row(_ id: String, in rows: [RowOutcome]) -> RowOutcome? { rows.first { $0.id == id } }

    /// Accuracy of train/validation/test at the mark epochs, one block of three lines per row.
    func epochTable(_ rows: [RowOutcome], includeRate: Bool, includeParameters: Bool = false) -> MarkdownTable {
        let epochs = rows.map(\.finalEpoch).max() ?? 1
        let m = marks(epochs)
        var header = ["Row"]
        if includeParameters { header.append("Parameters") }
        if includeRate { header.append("lr") }
        header += ["Set"] + m.map { "Epoch \($0)" }
        var lines: [[String]] = []
        for row in rows {
            for (k, set) in ["train", "validation", "test"].enumerated() {
                var line = [k == 0 ? row.label : ""]
                if includeParameters { line.append(k == 0 ? Format.integer(row.parameterCount) : "") }
                if includeRate { line.append(k == 0 ? Format.rate(row.chosenLearningRate) : "") }
                line.append(set)
                line += m.map { e in
                    let s = row.accuracy(set, epoch: e)
                    if s.count == 0, !row.divergedRuns.isEmpty { return "diverged" }
                    var cell = Format.percent(s)
                    if s.count < row.runs.count, s.count > 0 { cell += " (\(row.runs.count - s.count) diverged)" }
                    return cell
                }
                lines.append(line)
            }
        }
        return MarkdownTable(header: header, rows: lines, rightAligned: header.map { $0.hasPrefix("Epoch") || $0 == "lr" || $0 == "Parameters" })
    }
}
