import Experiments
import Foundation
import NeuralNet

/// A sweep point of a row beside the row's chosen rate, for sentences that explain a
/// choice ("at 1 its sweep runs reached ..."); `available` is false, and the numbers
/// dashes, when the row lacks the point or chose that rate.
struct SweepPointContext: Codable {
    var available: Bool
    var accuracy: String
    var chosenAccuracy: String
    /// "of 3 seeds, 2 collapsed", "" when every run trained.
    var classes: String
    var hasClasses: Bool
}

/// The pieces tasks 3 to 5 share: run classes, the grid's edges, sweep points, zoom, and
/// the short verdict of a table cell.
extension ContextBuilder {

    /// What the grid's edges did to each row's choice, one clause per row whose choice sat on
    /// an edge of its grid: "B chose 1, the largest rate of the grid; extended to 2, it keeps
    /// 1". "" when no choice touched an edge.
    func edgeText(_ rows: [RowOutcome]) -> String {
        rows.compactMap { r -> String? in
            guard let grid = r.plan.grid, grid.count > 1 else { return nil }
            let extra = r.sweep.map(\.learningRate).filter { !grid.contains($0) }
            let tried = grid + extra
            let basePoints = r.sweep.filter { grid.contains($0.learningRate) }
            if let e = extra.first, RowOutcome.choose(from: basePoints) == nil {
                let found = RowOutcome.choose(from: r.sweep) != nil
                return "every rate of \(r.id)'s grid had a seed that diverged or collapsed; extended to \(Format.rate(e)), "
                    + (found ? "it chooses \(Format.rate(r.chosenLearningRate))"
                             : "it still has none that trained, so its runs at \(Format.rate(r.chosenLearningRate)) stand in and show a failed row")
            }
            if let e = extra.first {
                let side = e > grid.max()! ? "largest" : "smallest"
                let before = side == "largest" ? grid.max()! : grid.min()!
                let now = r.chosenLearningRate == e
                    ? "moves to \(Format.rate(e)), again the edge of what was tried, so the best rate may lie beyond it"
                    : r.chosenLearningRate == before ? "keeps \(Format.rate(before))" : "chooses \(Format.rate(r.chosenLearningRate))"
                return "\(r.id) chose \(Format.rate(before)), the \(side) rate of the grid; with the grid extended to \(Format.rate(e)) it \(now)"
            }
            let side = r.chosenLearningRate == tried.max() ? "largest" : r.chosenLearningRate == tried.min() ? "smallest" : nil
            guard let side else { return nil }
            return "\(r.id) chose \(Format.rate(r.chosenLearningRate)), the \(side) rate of the grid, which was not extended, so the best rate may lie outside it"
        }.joined(separator: "; ")
    }

    /// One sentence on the sweeps' runs by class: which rows at which rates diverged,
    /// collapsed or oscillated.
    func sweepClasses(_ rows: [RowOutcome]) -> String {
        let runs = rows.flatMap { $0.sweep.flatMap(\.runs) }
        guard !runs.isEmpty else { return "" }
        var parts: [String] = []
        for cls in [RunClass.diverged, .collapsed, .oscillating] {
            var places: [String] = []
            for r in rows {
                let rates = r.sweep.filter { $0.runs.contains { $0.runClass == cls } }
                    .map { p in "\(Format.rate(p.learningRate)) (\(p.runs.filter { $0.runClass == cls }.count) of \(p.runs.count))" }
                if !rates.isEmpty { places.append("\(r.id) at " + Words.list(rates)) }
            }
            let n = runs.filter { $0.runClass == cls }.count
            parts.append(n == 0 ? "none \(cls.rawValue)" : "\(n) \(cls.rawValue): " + places.joined(separator: "; "))
        }
        return "Of the \(runs.count) sweep runs, " + parts.joined(separator: "; ") + "."
    }

    /// A sweep point of `row` at `rate` beside the row's own chosen rate, for sentences that
    /// explain a choice ("at 1 its sweep runs reached ...").
    func sweepAt(_ row: RowOutcome?, _ rate: Double) -> SweepPointContext {
        guard let row, row.chosenLearningRate != rate, let point = row.sweepPoint(at: rate),
              let chosen = row.sweepPoint(at: row.chosenLearningRate) else {
            return SweepPointContext(available: false, accuracy: "–", chosenAccuracy: "–", classes: "", hasClasses: false)
        }
        let classes = Words.classSummary(point.runs)
        return SweepPointContext(available: true, accuracy: Format.percent(point.summary), chosenAccuracy: Format.percent(chosen.summary),
                                 classes: classes, hasClasses: !classes.isEmpty)
    }

    /// The accuracy-axis floor of a figure (percent), or nil when the axis is not zoomed.
    func zoom(_ floor: Double, _ rows: [RowOutcome], sets: [String]) -> String? {
        Figures.zoom(floor, rows, sets: sets) == nil ? nil : Format.rate(100 * floor)
    }

    /// "+1.20 (+0.95 to +1.45), higher" for table cells; the test is stated above the table.
    func shortVerdict(_ id: String) -> String {
        guard let v = family[id] else { return "–" }
        guard let d = v.difference else { return "no test (one run)" }
        func signed(_ x: Double) -> String {
            let t = String(format: "%.2f", abs(100 * x))
            return (x < 0 && t != "0.00" ? "−" : "+") + t
        }
        let word: String
        switch v.direction {
        case .higher: word = "higher"
        case .lower: word = "lower"
        default: word = "n.s."
        }
        return "\(signed(d.estimate)) (\(signed(d.low)) to \(signed(d.high))), \(word)"
    }

    func secondsPerEpoch(_ r: RowOutcome) -> Double { Summary(r.runs.flatMap { $0.history.trainingSeconds }).mean }
}

extension String {
    /// nil for "", so that `?? default` reads naturally.
    var nonEmpty: String? { isEmpty ? nil : self }
}
