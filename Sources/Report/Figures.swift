import Experiments
import Foundation
import NeuralNet
import Plotting

/// A figure of the report: its file name under figures/, what it shows, and the result
/// keys it was drawn from (stored in the PNG's tEXt metadata).
public struct ReportFigure {
    public var file: String
    public var title: String
    public var figure: Figure
    public var sources: [String]
}

/// The same colour for a set in every figure: train blue, validation orange, test green.
enum SetColor {
    static let train = Color.tab10[0]
    static let validation = Color.tab10[1]
    static let test = Color.tab10[2]
    static func of(_ set: String) -> Color {
        switch set { case "train": train; case "validation": validation; default: test }
    }
    static func label(_ set: String) -> String {
        switch set { case "train": "Train"; case "validation": "Validation"; default: "Test" }
    }
}

/// Mean and sd across seeds of one metric along a row's evaluation schedule.
struct Curve {
    var x: [Double] = []
    var mean: [Double] = []
    var lower: [Double] = []
    var upper: [Double] = []

    /// `x` is epochs by default or iterations; `metric` picks loss or accuracy of `set`.
    init(_ row: RowOutcome, set: String, accuracy: Bool, iterations: Bool = false, upToEpoch: Double = .infinity) {
        let longest = row.runs.max { $0.history.points.count < $1.history.points.count }
        guard let reference = longest?.history.points else { return }
        for (i, point) in reference.enumerated() where point.epoch <= upToEpoch {
            let values = row.runs.compactMap { run -> Double? in
                guard i < run.history.points.count, let m = run.history.points[i].metrics[set] else { return nil }
                let v = accuracy ? m.accuracy : m.loss
                return v.isFinite ? v : nil
            }
            guard !values.isEmpty else { continue }
            let s = Summary(values)
            x.append(iterations ? Double(point.iteration) : point.epoch)
            mean.append(s.mean)
            lower.append(s.mean - s.sd)
            upper.append(s.mean + s.sd)
        }
    }

    func draw(on ax: Axes, label: String, color: Color, style: LineStyle = .solid, band: Bool = true) {
        if band { ax.band(x: x, lower: lower, upper: upper, color: color, alpha: 0.2) }
        ax.plot(x: x, y: mean, label: label, color: color, style: style)
    }
}

enum Figures {
    /// The zoomed accuracy range `floor...1` when every row ends inside it (the assignment
    /// asks to zoom on 80-100 %), else nil for automatic limits, so that short or failed
    /// runs are still visible instead of being cut off.
    static func zoom(_ floor: Double, _ rows: [RowOutcome], sets: [String]) -> ClosedRange<Double>? {
        let finals = rows.flatMap { row in sets.map { row.finalAccuracy($0).mean } }.filter(\.isFinite)
        guard let low = finals.min(), low >= floor + 0.02 else { return nil }
        return floor...1.0
    }

    static func keys(_ rows: [RowOutcome]) -> [String] { rows.flatMap { $0.runs.map(\.key) } }

    /// Loss (left) and accuracy (right) side by side, with the accuracy axis zoomed.
    static func lossAndAccuracy(title: String, xLabel: String) -> (Figure, Axes, Axes) {
        let f = Figure(width: 12.8, height: 4.8, scale: 2, rows: 1, columns: 2, title: title)
        let loss = f.axes(row: 0, column: 0), acc = f.axes(row: 0, column: 1)
        // Log scale: the first evaluations' loss is 10-100 times the final one, and a linear
        // axis would flatten every difference that matters into the bottom line.
        loss.title = "Cross-entropy loss"; loss.xLabel = xLabel; loss.yLabel = "Loss (log scale)"; loss.grid = true
        loss.yScale = .log(base: 10)
        acc.title = "Accuracy"; acc.xLabel = xLabel; acc.yLabel = "Accuracy"; acc.grid = true
        acc.yFormat = .percent
        return (f, loss, acc)
    }

    /// 2c: train/validation/test loss and accuracy of the base run against iterations.
    static func baseCurves(_ base: RowOutcome, seeds: Int) -> ReportFigure {
        let (f, loss, acc) = lossAndAccuracy(
            title: seeds == 1 ? "Task 2c: base network, 1 seed" : "Task 2c: base network, mean ± sd over \(seeds) seeds", xLabel: "Iteration (batches)")
        for set in ["train", "validation", "test"] {
            Curve(base, set: set, accuracy: false, iterations: true).draw(on: loss, label: SetColor.label(set), color: SetColor.of(set))
            Curve(base, set: set, accuracy: true, iterations: true).draw(on: acc, label: SetColor.label(set), color: SetColor.of(set))
        }
        acc.yLimits = zoom(0.80, [base], sets: ["train", "validation", "test"])
        return ReportFigure(file: "2c-base-curves.png", title: "Task 2c: loss and accuracy of the base network",
                            figure: f, sources: keys([base]))
    }

    /// Validation loss and accuracy of several rows against epochs.
    static func validationCurves(_ rows: [RowOutcome], title: String, file: String, accuracyFloor: Double = 0.80,
                                 sets: [String] = ["validation"]) -> ReportFigure {
        let (f, loss, acc) = lossAndAccuracy(title: title, xLabel: "Epoch")
        for (i, row) in rows.enumerated() {
            let color = Color.tab10[i % 10]
            for set in sets {
                let style: LineStyle = set == "train" ? .dashed : .solid
                let label = sets.count > 1 ? "\(row.id) \(SetColor.label(set).lowercased())" : row.label
                Curve(row, set: set, accuracy: false).draw(on: loss, label: label, color: color, style: style, band: set != "train")
                Curve(row, set: set, accuracy: true).draw(on: acc, label: label, color: color, style: style, band: set != "train")
            }
        }
        acc.yLimits = zoom(accuracyFloor, rows, sets: sets)
        return ReportFigure(file: file, title: title, figure: f, sources: keys(rows))
    }

    /// 3b: validation accuracy through the first epoch of S and I.
    static func firstEpoch(_ s: RowOutcome, _ i: RowOutcome) -> ReportFigure {
        let f = Figure(width: 6.4, height: 4.8, scale: 2, title: nil)
        let ax = f.axes(row: 0, column: 0)
        ax.title = "Task 3b: the first epoch, S against I"
        ax.xLabel = "Epoch"; ax.yLabel = "Validation accuracy"; ax.yFormat = .percent; ax.grid = true
        for (k, row) in [s, i].enumerated() {
            Curve(row, set: "validation", accuracy: true, upToEpoch: 1).draw(on: ax, label: row.label, color: Color.tab10[k + 1])
        }
        return ReportFigure(file: "3b-first-epoch.png", title: "Task 3b: first-epoch validation accuracy, S and I",
                            figure: f, sources: keys([s, i]))
    }

    /// Final validation accuracy against learning rate, one line per row, diverged points crossed.
    static func learningRates(_ rows: [RowOutcome], title: String, file: String) -> ReportFigure {
        let f = Figure(width: 6.4, height: 4.8, scale: 2)
        let ax = f.axes(row: 0, column: 0)
        ax.title = title
        ax.xLabel = "Learning rate"; ax.yLabel = "Final validation accuracy (mean over seeds)"
        ax.xScale = .log(base: 10); ax.yFormat = .percent; ax.grid = true
        var crossesX: [Double] = [], crossesY: [Double] = []
        for (i, row) in rows.enumerated() {
            let color = Color.tab10[i % 10]
            let pts = row.sweep.sorted { $0.learningRate < $1.learningRate }
            let ys = pts.map { $0.divergedSeeds == 0 ? $0.summary.mean : .nan }
            ax.plot(x: pts.map(\.learningRate), y: ys, label: "\(row.id) (chosen \(Format.rate(row.chosenLearningRate)))",
                    color: color, marker: .circle)
            for p in pts where p.divergedSeeds > 0 {
                crossesX.append(p.learningRate)
                // A diverged point sits at the bottom of the axis: it has no accuracy to show.
                crossesY.append(p.summary.count > 0 ? p.summary.mean : 0.1)
            }
        }
        if !crossesX.isEmpty {
            ax.scatter(x: crossesX, y: crossesY, label: "diverged (≥ 1 seed)", color: Color(hex: "000000"), marker: .cross)
        }
        ax.yLimits = 0.0...1.0
        return ReportFigure(file: file, title: title, figure: f, sources: [])
    }

    /// 4a/4b: final accuracy of the one-layer nets against hidden size on a log2 axis.
    static func hiddenSizes(_ rows: [RowOutcome]) -> ReportFigure {
        let single = rows.filter { $0.plan.template.hiddenUnits.count == 1 }
            .sorted { $0.plan.template.hiddenUnits[0] < $1.plan.template.hiddenUnits[0] }
        let f = Figure(width: 6.4, height: 4.8, scale: 2)
        let ax = f.axes(row: 0, column: 0)
        ax.title = "Task 4: final accuracy against hidden units"
        ax.xLabel = "Hidden units (one layer)"; ax.yLabel = "Accuracy after the last epoch"
        ax.xScale = .log(base: 2); ax.yFormat = .percent; ax.grid = true
        let x = single.map { Double($0.plan.template.hiddenUnits[0]) }
        for set in ["train", "validation", "test"] {
            let s = single.map { $0.finalAccuracy(set) }
            ax.band(x: x, lower: s.map { $0.mean - $0.sd }, upper: s.map { $0.mean + $0.sd }, color: SetColor.of(set))
            ax.plot(x: x, y: s.map(\.mean), label: SetColor.label(set), color: SetColor.of(set), marker: .circle)
        }
        return ReportFigure(file: "4-hidden-units.png", title: "Task 4: accuracy against hidden units",
                            figure: f, sources: keys(single))
    }

    /// Grouped bars of final train/validation/test accuracy per row.
    static func finalBars(_ rows: [RowOutcome], title: String, file: String, floor: Double) -> ReportFigure {
        let f = Figure(width: 9.6, height: 4.8, scale: 2)
        let ax = f.axes(row: 0, column: 0)
        ax.title = title; ax.yLabel = "Accuracy after the last epoch"; ax.yFormat = .percent; ax.grid = true
        let sets = ["train", "validation", "test"]
        ax.bars(categories: rows.map(\.id),
                series: sets.map { set in (SetColor.label(set), rows.map { $0.finalAccuracy(set).mean }) },
                errors: sets.map { set in rows.map { $0.finalAccuracy(set).sd } })
        // Zoom to just below the lowest bar, in whole percent, so differences of a fraction
        // of a point are visible (bars of accuracy near 100 % are otherwise all equal).
        let lowest = rows.flatMap { row in sets.map { row.finalAccuracy($0).mean } }.filter(\.isFinite).min() ?? 0
        ax.yLimits = max(0, min(floor, ((lowest - 0.005) * 100).rounded(.down) / 100))...1.0
        return ReportFigure(file: file, title: title, figure: f, sources: keys(rows))
    }

    /// Replication: test accuracy after the last epoch, per-sample rule beside mini-batch.
    static func replication(pairs: [(id: String, batch: Summary, perSample: Summary)], title: String, file: String,
                            sources: [String]) -> ReportFigure {
        let f = Figure(width: 9.6, height: 4.8, scale: 2)
        let ax = f.axes(row: 0, column: 0)
        ax.title = title; ax.yLabel = "Test accuracy after the last epoch"; ax.yFormat = .percent; ax.grid = true
        ax.bars(categories: pairs.map(\.id),
                series: [("Mini-batch mean (chosen lr)", pairs.map(\.batch.mean)),
                         ("Per sample, step lr/128", pairs.map(\.perSample.mean))],
                errors: [pairs.map(\.batch.sd), pairs.map(\.perSample.sd)])
        let lows = pairs.flatMap { [$0.batch.mean, $0.perSample.mean] }.filter(\.isFinite)
        ax.yLimits = max(0, ((lows.min() ?? 0.8) - 0.05))...1.0
        return ReportFigure(file: file, title: title, figure: f, sources: sources)
    }
}
