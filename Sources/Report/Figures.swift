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
    /// Where each family of curves zooms its accuracy axis (when every curve ends above).
    static let baseAccuracyFloor = 0.80
    static let tricksAccuracyFloor = 0.80
    static let topologiesAccuracyFloor = 0.85
    static let bonusAccuracyFloor = 0.94

    /// Figure 7's rows: one layer of 64, the matched two-layer net and the extra pairs.
    static func oneVersusTwoLayerRows(_ o: Outcomes) -> [RowOutcome] {
        let h = o.planner.matchedTwoLayerSize
        let ids = ["64", "\(h)-\(h)"] + o.parameters.topologies.twoLayerExtra.map { $0.map(String.init).joined(separator: "-") }
        var seen = Set<String>()
        return ids.filter { seen.insert($0).inserted }.compactMap { id in o.topologies.first { $0.id == id } }
    }
    /// The zoomed accuracy range `floor...1` when every row ends inside it (the assignment
    /// asks to zoom on 80-100 %), else nil for automatic limits, so that short or failed
    /// runs are still visible instead of being cut off.
    static func zoom(_ floor: Double, _ rows: [RowOutcome], sets: [String]) -> ClosedRange<Double>? {
        let finals = rows.flatMap { row in sets.map { row.finalAccuracy($0).mean } }.filter(\.isFinite)
        guard let low = finals.min(), low >= floor + 0.02 else { return nil }
        return floor...1.0
    }

    static func keys(_ rows: [RowOutcome]) -> [String] { rows.flatMap { $0.runs.map(\.key) } }

    /// "1 seed", "3 seeds", "1-3 seeds" for a legend: how many runs each bar's mean is of.
    static func seedsText(_ counts: [Int]) -> String {
        let lo = counts.min() ?? 0, hi = counts.max() ?? 0
        return lo == hi ? (lo == 1 ? "1 seed" : "\(lo) seeds") : "\(lo)-\(hi) seeds"
    }

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
        // Whole epochs only (no ticks at 2.5, 7.5, ...).
        loss.xIntegerTicks = true; acc.xIntegerTicks = true
        return (f, loss, acc)
    }

    /// 2c: train/validation/test loss and accuracy of the base run against epochs (like
    /// every other training figure; an epoch is 422 batches at the base parameters).
    static func baseCurves(_ base: RowOutcome, seeds: Int) -> ReportFigure {
        let (f, loss, acc) = lossAndAccuracy(
            title: seeds == 1 ? "Task 2c: base network, 1 seed" : "Task 2c: base network, mean ± sd over \(seeds) seeds", xLabel: "Epoch")
        for set in ["train", "validation", "test"] {
            Curve(base, set: set, accuracy: false).draw(on: loss, label: SetColor.label(set), color: SetColor.of(set))
            Curve(base, set: set, accuracy: true).draw(on: acc, label: SetColor.label(set), color: SetColor.of(set))
        }
        acc.yLimits = zoom(baseAccuracyFloor, [base], sets: ["train", "validation", "test"])
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

    /// Final validation accuracy against learning rate, one line per row (each its own marker
    /// shape, so lines on top of each other stay apart), a tick at every rate of the grid;
    /// a cross where a seed diverged or collapsed, a ring where one oscillated (`RunClass`).
    static func learningRates(_ rows: [RowOutcome], title: String, file: String) -> ReportFigure {
        let f = Figure(width: 6.4, height: 4.8, scale: 2)
        let ax = f.axes(row: 0, column: 0)
        ax.title = title
        ax.xLabel = "Learning rate"; ax.yLabel = "Final validation accuracy (mean over seeds)"
        ax.xScale = .log(base: 10); ax.yFormat = .percent; ax.grid = true
        ax.xTickValues = Array(Set(rows.flatMap { $0.sweep.map(\.learningRate) })).sorted()
        var crosses: [(Double, Double)] = [], rings: [(Double, Double)] = []
        for (i, row) in rows.enumerated() {
            let color = Color.tab10[i % 10]
            let pts = row.sweep.sorted { $0.learningRate < $1.learningRate }
            let ys = pts.map { $0.divergedSeeds == 0 ? $0.summary.mean : .nan }
            ax.plot(x: pts.map(\.learningRate), y: ys, label: "\(row.id) (chosen \(Format.rate(row.chosenLearningRate)))",
                    color: color, marker: Marker.cycle[i % Marker.cycle.count])
            for p in pts {
                // A diverged point sits at the bottom of the axis: it has no accuracy to show.
                let y = p.summary.count > 0 ? p.summary.mean : 0.1
                if p.disqualifiedSeeds > 0 { crosses.append((p.learningRate, y)) }
                else if p.runs.contains(where: { $0.runClass == .oscillating }) { rings.append((p.learningRate, y)) }
            }
        }
        if !crosses.isEmpty {
            ax.scatter(x: crosses.map(\.0), y: crosses.map(\.1), label: "diverged or collapsed (≥ 1 seed)",
                       color: Color(hex: "000000"), marker: .cross)
        }
        if !rings.isEmpty {
            ax.scatter(x: rings.map(\.0), y: rings.map(\.1), label: "oscillating (≥ 1 seed)", color: Color(hex: "000000"), marker: .ring)
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
        ax.xTickValues = x
        for set in ["train", "validation", "test"] {
            let s = single.map { $0.finalAccuracy(set) }
            ax.band(x: x, lower: s.map { $0.mean - $0.sd }, upper: s.map { $0.mean + $0.sd }, color: SetColor.of(set))
            ax.plot(x: x, y: s.map(\.mean), label: SetColor.label(set), color: SetColor.of(set), marker: .circle)
        }
        return ReportFigure(file: "4-hidden-units.png", title: "Task 4: accuracy against hidden units",
                            figure: f, sources: keys(single))
    }

    /// Grouped bars of final train/validation/test accuracy per row, from zero (a bar's
    /// height is its value; the differences are in the tables with their intervals).
    static func finalBars(_ rows: [RowOutcome], title: String, file: String, categories: [String]? = nil) -> ReportFigure {
        let f = Figure(width: 9.6, height: 4.8, scale: 2)
        let ax = f.axes(row: 0, column: 0)
        ax.title = title; ax.yLabel = "Accuracy after the last epoch"; ax.yFormat = .percent; ax.grid = true
        let sets = ["train", "validation", "test"]
        ax.bars(categories: categories ?? rows.map(\.id),
                series: sets.map { set in (SetColor.label(set), rows.map { $0.finalAccuracy(set).mean }) },
                errors: sets.map { set in rows.map { $0.finalAccuracy(set).sd } })
        // Bars from zero, with room above 100 % for the legend, which would otherwise hide the
        // last bars (every bar reaches above 90 %).
        ax.yLimits = 0.0...1.2
        ax.yTickValues = stride(from: 0.0, through: 1.0, by: 0.2).map { $0 }
        ax.legend = .upperCenter
        return ReportFigure(file: file, title: title, figure: f, sources: keys(rows))
    }

    /// A task 5 row's name on a crowded axis: what its step adds ("He", "512 units", "T = 4220").
    static func bonusShortName(_ r: RowOutcome) -> String {
        let t = r.plan.template
        switch r.id {
        case "Init", "OtherInit": return Planner.initializerName(t.initializer)
        case "Wide": return "\(t.hiddenUnits.last ?? 0) units"
        case "Dropout": return "dropout \(Format.rate(t.dropout))"
        case "Anneal": return "T = \(Format.rate(t.annealingBatches ?? 0))"
        case "Shift": return "shifts"
        case Planner.finalBonusID: return "\(t.epochs) epochs"
        default: return r.id
        }
    }

    /// Task 5's leave-one-out: the final net's test accuracy minus each row's, with the
    /// difference's 95 % interval (symmetric for both tests) as the error bar.
    static func leaveOneOut(_ rows: [RowOutcome], family: VerdictFamily, title: String, file: String,
                            chain: [RowOutcome]) -> ReportFigure {
        let f = Figure(width: 9.6, height: 4.8, scale: 2)
        let ax = f.axes(row: 0, column: 0)
        ax.title = title; ax.yLabel = "Final minus without (points)"; ax.grid = true
        let tested = rows.compactMap { r -> (String, MeanDifference)? in
            guard let d = family[VerdictFamily.leaveOneOutID(r, chain: chain)]?.difference else { return nil }
            let step = chain.first { $0.id == r.plan.removes }.map(bonusShortName) ?? r.id
            return (step, d)
        }
        ax.bars(categories: tested.map { "without " + $0.0 },
                series: [("final − without (mean over seeds), 95 % CI", tested.map { 100 * $0.1.estimate })],
                errors: [tested.map { 100 * ($0.1.high - $0.1.estimate) }])
        return ReportFigure(file: file, title: title, figure: f, sources: keys(rows + chain.filter { $0.id == Planner.finalBonusID }))
    }

    /// Replication: test accuracy after the last epoch, per-sample rule beside mini-batch.
    static func replication(pairs: [(id: String, batch: Summary, perSample: Summary)], perSampleRate: Double,
                            title: String, file: String, sources: [String]) -> ReportFigure {
        let f = Figure(width: 9.6, height: 4.8, scale: 2)
        let ax = f.axes(row: 0, column: 0)
        ax.title = title; ax.yLabel = "Test accuracy after the last epoch"; ax.yFormat = .percent; ax.grid = true
        ax.bars(categories: pairs.map(\.id),
                series: [("Mini-batch mean (chosen lr, \(seedsText(pairs.map(\.batch.count))))", pairs.map(\.batch.mean)),
                         ("Per sample, lr \(Format.rate(perSampleRate)) ÷ batch per step (M: its own lr; \(seedsText(pairs.map(\.perSample.count))))", pairs.map(\.perSample.mean))],
                errors: [pairs.map(\.batch.sd), pairs.map(\.perSample.sd)])
        // Room above 100 % for the legend, as in `finalBars`: every bar reaches above 80 %.
        ax.yLimits = 0.0...1.2
        ax.yTickValues = stride(from: 0.0, through: 1.0, by: 0.2).map { $0 }
        ax.legend = .upperCenter
        return ReportFigure(file: file, title: title, figure: f, sources: sources)
    }
}
