import Experiments
import Foundation
import NeuralNet

/// Builds the Mustache context of the report from the outcomes: every number the text
/// quotes, every table, and the booleans that let the discussion adapt to the results.
/// Values are pre-formatted strings (or Bool, or lists/dictionaries of them).
public struct ContextBuilder {
    public let outcomes: Outcomes
    /// Every comparison of the report, tested and Holm-corrected together.
    public let family: VerdictFamily
    public var p: Parameters { outcomes.parameters }

    public init(outcomes: Outcomes) {
        self.outcomes = outcomes
        self.family = VerdictFamily.build(outcomes)
    }

    /// The epochs at which tables report: 1, 5, 10 and the last (those that exist).
    func marks(_ epochs: Int) -> [Int] {
        var m: [Int] = []
        for e in [1, 5, 10, epochs] where e <= epochs && !m.contains(e) { m.append(e) }
        return m
    }

    public func build() -> [String: Any] {
        var c: [String: Any] = [:]
        c["seeds"] = "\(p.seeds)"
        c["design"] = designContext()
        c["params"] = parameterContext()
        if let base = outcomes.base { c["base"] = baseContext(base) }
        if let gc = outcomes.gradientCheck { c["gradientCheck"] = gradientCheckContext(gc) }
        c["tricks"] = tricksContext()
        c["topologies"] = topologiesContext()
        c["bonus"] = bonusContext()
        c["inspection"] = inspectionContext()
        c["replication"] = replicationContext()
        c["ledger"] = ledgerContext()
        c["provenance"] = provenanceContext()
        c["comparisons"] = comparisonsTable().markdown
        return c
    }

    // MARK: Design: seeds, tests, classification

    func designContext() -> [String: Any] {
        let planner = outcomes.planner
        return [
            "plottedSeeds": Words.count(planner.seeds(for: .tricks).count, "seed"),
            "sweepSeeds": Words.count(planner.sweepSeeds(for: .tricks).count, "seed"),
            "replicationSeeds": Words.count(planner.seeds(for: .replication).count, "seed"),
            "choiceSeeds": Words.count(planner.choiceSeeds.count, "seed"),
            "singleChoiceSeed": planner.choiceSeeds.count == 1,
            "family": "\(family.testedCount)",
            "level": Format.rate(Verdict.level),
            "confidence": Format.rate(100 * (family.verdicts.compactMap(\.difference).first?.confidence ?? 0.95)),
            "collapseAccuracy": Format.rate(100 * RunClass.collapseAccuracy),
            "oscillation": Format.rate(100 * RunClass.oscillationThreshold),
            "chance": Format.rate(100.0 / 10),
        ]
    }

    /// A verdict as the template uses it: direction flags, the two means, the interval
    /// sentence; `available` is false (and every field a dash) when the family lacks it.
    func verdict(_ id: String) -> [String: Any] {
        guard let v = family[id] else {
            return ["available": false, "higher": false, "lower": false, "same": false, "untestable": false,
                    "a": "–", "b": "–", "interval": "–"]
        }
        let d = v.direction
        let gap = id.hasSuffix("gap")
        return ["available": true, "higher": d == .higher, "lower": d == .lower, "same": d == .indistinguishable,
                "untestable": d == .untestable,
                "a": gap ? Format.percent(v.a) : Format.percent(v.a), "b": Format.percent(v.b),
                "interval": Format.interval(v)]
    }

    /// Every verdict of the family under its template key ("3b.first" -> "v3bFirst"), and
    /// the `expected` ones the template names even where the family lacks them (a matched
    /// comparison exists only when two rows chose different rates), marked unavailable.
    func verdicts(_ prefix: String, expected: [String] = []) -> [String: Any] {
        var d: [String: Any] = [:]
        for id in expected { d[VerdictFamily.key(id)] = verdict(id) }
        for v in family.verdicts where v.id.hasPrefix(prefix) { d[VerdictFamily.key(v.id)] = verdict(v.id) }
        return d
    }

    // MARK: Parameters

    func parameterContext() -> [String: Any] {
        let train = 60000 - p.validationImages
        let base = outcomes.planner.baseTemplate
        return [
            "hidden": p.base.hiddenUnits.map(String.init).joined(separator: "-"),
            "allTrainImages": Format.integer(60000),
            "activation": p.base.activation, "initializer": p.base.initializer == "uniform" ? "uniform(−1, 1)" : p.base.initializer,
            "learningRate": Format.rate(p.base.learningRate), "batchSize": "\(p.base.batchSize)",
            "epochs": "\(base.epochs)", "momentum": Format.rate(p.base.momentum), "shuffle": p.base.shuffle ? "yes" : "no",
            "trainImages": Format.integer(base.subset?.train ?? train),
            "validationImages": Format.integer(base.subset?.validation ?? p.validationImages),
            "testImages": Format.integer(base.subset?.test ?? 10000),
            "batchesPerEpoch": Format.integer(((base.subset?.train ?? train) + p.base.batchSize - 1) / p.base.batchSize),
            "evalBase": "\(p.evaluation.basePerEpoch)", "evalPlotted": "\(p.evaluation.plottedPerEpoch)",
            "evalFirst": "\(p.evaluation.firstEpoch)", "diagnosticsImages": Format.integer(Runner.diagnosticsImages), "patience": "\(p.evaluation.earlyStoppingPatience)",
            "grid": p.learningRateGrid.map(Format.rate).joined(separator: ", "),
            "trickMomentum": Format.rate(p.tricks.momentum),
            "parameterCount": Format.integer(base.parameterCount),
            "gradientImages": "\(p.gradientCheck.images)", "gradientEpsilon": Format.rate(p.gradientCheck.epsilon),
            "bonusGrid": p.bonus.learningRateGrid.map(Format.rate).joined(separator: ", "),
            "bonusWidth": "\(p.bonus.hiddenUnits)", "bonusDropoutGrid": p.bonus.dropoutGrid.map(Format.rate).joined(separator: ", "),
            "bonusTGrid": p.bonus.annealingGrid.map(Format.rate).joined(separator: ", "), "bonusShift": "\(p.bonus.shiftPixels)",
            "bonusInit": Planner.initializerName(p.bonus.initializer), "bonusOtherInit": Planner.initializerName(p.bonus.comparedInitializer),
            "bonusChoiceSeeds": "\(outcomes.planner.choiceSeeds.count)", "bonusChoiceSeedsPlural": outcomes.planner.choiceSeeds.count > 1,
            "bonusEpochs": "\(outcomes.planner.bonusRows.first?.template.epochs ?? p.bonus.epochs)",
            "replicationSeeds": "\(min(p.replication.seeds, p.seeds))",
            "replicationRate": Format.rate(p.replication.learningRate),
            "replicationMomentumRate": Format.rate(p.replication.momentumLearningRate),
            "replicationStep": String(format: "%.4f", p.replication.learningRate / Double(p.base.batchSize)),
        ]
    }

    // MARK: Task 2

    func baseContext(_ base: RowOutcome) -> [String: Any] {
        let e = base.finalEpoch
        var c: [String: Any] = [:]
        for set in ["train", "validation", "test"] {
            c["\(set)Accuracy"] = Format.percent(base.accuracy(set, epoch: e))
            c["\(set)Loss"] = Format.number(base.loss(set, epoch: e))
        }
        // The epoch early stopping would keep, replayed per seed on epoch-end validation loss.
        let picks = base.runs.map { run -> (Int, Double?) in
            let losses = (1...e).compactMap { run.loss("validation", epoch: $0) }
            let pick = EarlyStopping.pick(validationLosses: losses, patience: p.evaluation.earlyStoppingPatience)
            return (pick.best, run.accuracy("test", epoch: pick.best))
        }
        c["earlyStoppingEpochs"] = Words.epochsPerSeed(picks.map(\.0))
        c["earlyStoppingTestAccuracy"] = Format.percent(Summary(picks.compactMap(\.1)))
        c["earlyStoppingWouldStop"] = picks.contains { $0.0 < e }
        let epochSeconds = base.runs.flatMap { $0.history.trainingSeconds }
        c["secondsPerEpoch"] = String(format: "%.2f", Summary(epochSeconds).mean)
        let evalSeconds = base.runs.map { $0.history.evaluationSeconds / Double(max($0.history.evaluationCount, 1)) }
        c["secondsPerEvaluation"] = String(format: "%.2f", Summary(evalSeconds).mean)
        c["evaluations"] = "\(base.runs.first?.history.evaluationCount ?? 0)"
        c["diverged"] = !base.divergedRuns.isEmpty
        c["overfitGap"] = Format.percent(base.accuracy("train", epoch: e).mean - base.accuracy("test", epoch: e).mean)
        c["table"] = epochTable([base], includeRate: false).markdown
        c["validationTest"] = verdict("2.validation-test")
        c["zoom"] = zoom(Figures.baseAccuracyFloor, [base], sets: ["train", "validation", "test"])
        return c
    }

    func gradientCheckContext(_ gc: GradientCheckRecord) -> [String: Any] {
        let worst = gc.results.map(\.maxAbsoluteDifference).max() ?? .nan
        let rows = gc.results.map { r in
            [r.name, Format.integer(r.count), Format.scientific(r.maxAbsoluteDifference), Format.scientific(r.maxAbsoluteGradient)]
        }
        let weights = gc.results.filter { $0.name.hasSuffix("weight") }
        return [
            "table": MarkdownTable(header: ["Parameter", "Elements", "max |numerical − backprop|", "max |backprop|"], rows: rows).markdown,
            "worst": Format.scientific(worst),
            "inputHidden": Format.scientific(weights.first?.maxAbsoluteDifference ?? .nan),
            "hiddenOutput": Format.scientific(weights.last?.maxAbsoluteDifference ?? .nan),
            "passed": worst < 1e-4,
            // Two orders of magnitude under the bug threshold is "far below"; just under it, "below".
            "relation": worst <= 1e-6 ? "far below" : "below",
            "seconds": String(format: "%.1f", gc.wallSeconds),
            "total": Format.integer(gc.results.map(\.count).reduce(0, +)),
        ]
    }

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

    func rowContext(_ row: RowOutcome) -> [String: Any] {
        let e = row.finalEpoch
        var c: [String: Any] = ["id": row.id, "label": row.label, "lr": Format.rate(row.chosenLearningRate),
                                "parameters": Format.integer(row.parameterCount),
                                "diverged": !row.divergedRuns.isEmpty]
        for set in ["train", "validation", "test"] {
            c["\(set)Accuracy"] = Format.percent(row.accuracy(set, epoch: e))
            c["\(set)Loss"] = Format.number(row.loss(set, epoch: e))
            c["\(set)AccuracyEpoch1"] = Format.percent(row.accuracy(set, epoch: 1))
        }
        c["gap"] = Format.percent(row.accuracy("train", epoch: e).mean - row.accuracy("test", epoch: e).mean)
        c["divergence"] = row.divergedRuns.map { "seed \($0.spec.seed): \($0.history.divergence!)" }.joined(separator: "; ")
        return c
    }

    /// Rows by template key: "B" stays "B"; ids that start with a digit get an "x" and
    /// dashes become "x" ("59-59" -> "x59x59"), since Mustache names cannot hold them.
    func byId(_ rows: [RowOutcome]) -> [String: Any] {
        var d: [String: Any] = [:]
        for r in rows { d[Self.rowKey(r.id)] = rowContext(r) }
        return d
    }

    static func rowKey(_ id: String) -> String {
        let k = id.replacingOccurrences(of: "-", with: "x")
        return k.first?.isNumber == true ? "x" + k : k
    }

    func row(_ id: String, in rows: [RowOutcome]) -> RowOutcome? { rows.first { $0.id == id } }

    // MARK: Provenance

    func provenanceContext() -> [String: Any] {
        let runs = outcomes.allRuns
        let first = runs.first?.provenance
        let commits = Set(runs.map { $0.provenance.commit + ($0.provenance.dirty ? " (dirty)" : "") }).sorted()
        var timing: [[String]] = []
        func add(_ name: String, _ rows: [RowOutcome]) {
            var seen = Set<String>()
            let all = rows.flatMap(\.runs).filter { seen.insert($0.key).inserted }   // a run shown in two rows counts once
            guard !all.isEmpty else { return }
            let total = all.map(\.wallSeconds).reduce(0, +)
            timing.append([name, "\(all.count)", Format.seconds(total)])
        }
        add("2a/2c base run", [outcomes.base].compactMap { $0 })
        add("3 tricks (plotted runs)", outcomes.tricks + [outcomes.momentumAtBaseRate].compactMap { $0 })
        add("4 topologies (plotted runs)", outcomes.topologies)
        add("5 bonus (plotted runs, chain and leave-one-out)", outcomes.bonus + outcomes.bonusLeaveOneOut)
        add("Replication, per-sample rule", outcomes.replication)
        let sums = outcomes.datasetChecksums.sorted { $0.key < $1.key }.map { "`\($0.key)`: `\($0.value.prefix(16))…`" }
        let inspections = [outcomes.baseInspection, outcomes.finalInspection].compactMap { $0 }.count
        let otherKeys = max(0, outcomes.keys.count - Set(runs.map(\.key)).count - (outcomes.gradientCheck == nil ? 0 : 1) - inspections)
        return [
            "commits": commits.joined(separator: ", "),
            "commitWord": commits.count == 1 ? "commit" : "commits",
            "swift": first?.swiftVersion ?? "unknown",
            "blas": first.map { "\($0.blas), kernel \($0.blasKernel), \($0.blasThreads) thread\($0.blasThreads == 1 ? "" : "s") per run" } ?? "unknown",
            "machine": first?.machine ?? "unknown",
            "nodes": Set(runs.compactMap(\.provenance.host)).sorted().joined(separator: ", "),
            "hasNodes": runs.contains { $0.provenance.host != nil },
            "products": Set(runs.compactMap(\.provenance.products)).sorted().joined(separator: ", ").nonEmpty ?? "not recorded",
            "timing": MarkdownTable(header: ["Experiment", "Runs", "Wall time (sum over runs)"], rows: timing).markdown,
            "checksums": sums.joined(separator: "; "),
            "codeVersion": "\(TrainingCode.version)",
            "runCount": "\(Set(runs.map(\.key)).count)",
            // Every key that is not a plotted run, the gradient check or an inspection (task 5's pictures).
            "sweepCount": "\(otherKeys)",
        ]
    }
}


