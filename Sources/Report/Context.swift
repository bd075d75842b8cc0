import Experiments
import Foundation
import NeuralNet

/// Builds the Mustache context of the report from the outcomes: every number the text
/// quotes, every table, and the booleans that let the discussion adapt to the results.
/// Values are pre-formatted strings (or Bool, or lists/dictionaries of them).
public struct ContextBuilder {
    public let outcomes: Outcomes
    public var p: Parameters { outcomes.parameters }

    public init(outcomes: Outcomes) { self.outcomes = outcomes }

    /// The epochs at which tables report: 1, 5, 10 and the last (those that exist).
    func marks(_ epochs: Int) -> [Int] {
        var m: [Int] = []
        for e in [1, 5, 10, epochs] where e <= epochs && !m.contains(e) { m.append(e) }
        return m
    }

    public func build() -> [String: Any] {
        var c: [String: Any] = [:]
        c["seeds"] = "\(p.seeds)"
        c["seedsPlural"] = p.seeds != 1
        c["comparisonRule"] = Comparison.ruleDescription
        c["params"] = parameterContext()
        if let base = outcomes.base { c["base"] = baseContext(base) }
        if let gc = outcomes.gradientCheck { c["gradientCheck"] = gradientCheckContext(gc) }
        c["tricks"] = tricksContext()
        c["topologies"] = topologiesContext()
        c["bonus"] = bonusContext()
        c["replication"] = replicationContext()
        c["ledger"] = ledgerContext()
        c["provenance"] = provenanceContext()
        return c
    }

    // MARK: Parameters

    func parameterContext() -> [String: Any] {
        let train = 60000 - p.validationImages
        let base = outcomes.planner.baseTemplate
        return [
            "hidden": p.base.hiddenUnits.map(String.init).joined(separator: "-"),
            "activation": p.base.activation, "initializer": p.base.initializer == "uniform" ? "uniform(−1, 1)" : p.base.initializer,
            "learningRate": Format.rate(p.base.learningRate), "batchSize": "\(p.base.batchSize)",
            "epochs": "\(base.epochs)", "momentum": Format.rate(p.base.momentum), "shuffle": p.base.shuffle ? "yes" : "no",
            "trainImages": Format.integer(base.subset?.train ?? train),
            "validationImages": Format.integer(base.subset?.validation ?? p.validationImages),
            "testImages": Format.integer(base.subset?.test ?? 10000),
            "batchesPerEpoch": Format.integer(((base.subset?.train ?? train) + p.base.batchSize - 1) / p.base.batchSize),
            "evalBase": "\(p.evaluation.basePerEpoch)", "evalPlotted": "\(p.evaluation.plottedPerEpoch)",
            "evalFirst": "\(p.evaluation.firstEpoch)", "patience": "\(p.evaluation.earlyStoppingPatience)",
            "grid": p.learningRateGrid.map(Format.rate).joined(separator: ", "),
            "trickMomentum": Format.rate(p.tricks.momentum),
            "parameterCount": Format.integer(base.parameterCount),
            "gradientImages": "\(p.gradientCheck.images)", "gradientEpsilon": Format.rate(p.gradientCheck.epsilon),
            "bonusGrid": p.bonus.learningRateGrid.map(Format.rate).joined(separator: ", "),
            "bonusWidth": "\(p.bonus.hiddenUnits)", "bonusDropoutGrid": p.bonus.dropoutGrid.map(Format.rate).joined(separator: ", "),
            "bonusTGrid": p.bonus.annealingGrid.map(Format.rate).joined(separator: ", "), "bonusShift": "\(p.bonus.shiftPixels)",
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
        c["earlyStoppingEpochs"] = picks.map { "\($0.0)" }.joined(separator: ", ")
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

    func byId(_ rows: [RowOutcome]) -> [String: Any] {
        var d: [String: Any] = [:]
        for r in rows { d[r.id.replacingOccurrences(of: "-", with: "x")] = rowContext(r) }
        return d
    }

    /// `higher` / `lower` / `same` booleans and the two values, for adaptive sentences.
    func compare(_ a: Summary, _ b: Summary) -> [String: Any] {
        let c = Comparison(a, versus: b)
        return ["higher": c == .higher, "lower": c == .lower, "same": c == .indistinguishable,
                "difference": Format.percent(a.mean - b.mean), "a": Format.percent(a), "b": Format.percent(b)]
    }

    // MARK: Task 3

    func row(_ id: String, in rows: [RowOutcome]) -> RowOutcome? { rows.first { $0.id == id } }

    func tricksContext() -> [String: Any] {
        let rows = outcomes.tricks
        guard rows.count == 5 else { return ["available": false] }
        let (b, s, i, n, m) = (rows[0], rows[1], rows[2], rows[3], rows[4])
        var c: [String: Any] = ["available": true]
        c["table"] = epochTable(rows, includeRate: true).markdown
        c["row"] = byId(rows)
        c["shuffle"] = compare(s.finalAccuracy("test"), b.finalAccuracy("test"))
        c["improvedFirstEpoch"] = compare(i.accuracy("validation", epoch: 1), s.accuracy("validation", epoch: 1))
        c["improved"] = compare(i.finalAccuracy("test"), s.finalAccuracy("test"))
        c["fanIn"] = compare(n.finalAccuracy("test"), i.finalAccuracy("test"))
        c["momentum"] = compare(m.finalAccuracy("test"), n.finalAccuracy("test"))
        c["fanInRateBelowBase"] = n.chosenLearningRate < p.base.learningRate
        c["rates"] = rows.map { ["id": $0.id, "lr": Format.rate($0.chosenLearningRate)] }
        if let mb = outcomes.momentumAtBaseRate {
            var d = rowContext(mb)
            d["comparison"] = compare(mb.finalAccuracy("validation"), m.finalAccuracy("validation"))
            d["anyDiverged"] = !mb.divergedRuns.isEmpty
            // Oscillation: how much the validation loss moves from epoch to epoch (mean |change|).
            func wobble(_ r: RowOutcome) -> Double {
                let changes = r.runs.flatMap { run -> [Double] in
                    let l = (1...r.finalEpoch).compactMap { run.loss("validation", epoch: $0) }
                    return zip(l.dropFirst(), l).map { abs($0 - $1) }
                }
                return Summary(changes).mean
            }
            d["wobble"] = String(format: "%.3f", wobble(mb))
            d["wobbleChosen"] = String(format: "%.3f", wobble(m))
            d["wobblesMore"] = !mb.divergedRuns.isEmpty || wobble(mb) > wobble(m)
            // Collapsed: it trains to chance (10 classes) without a NaN to call it diverged.
            let finalValidation = mb.finalAccuracy("validation").mean
            d["collapsed"] = mb.divergedRuns.isEmpty && finalValidation < 0.2
            d["stable"] = mb.divergedRuns.isEmpty && finalValidation >= 0.2
            c["momentumAtBase"] = d
        }
        return c
    }

    // MARK: Task 4

    func topologiesContext() -> [String: Any] {
        let rows = outcomes.topologies
        guard !rows.isEmpty else { return ["available": false] }
        var c: [String: Any] = ["available": true]
        c["table"] = epochTable(rows, includeRate: true, includeParameters: true).markdown
        c["row"] = byId(rows)
        let h = outcomes.planner.matchedTwoLayerSize
        c["matchedSize"] = "\(h)"
        c["matchedId"] = "\(h)-\(h)"
        let base = outcomes.planner.baseTemplate
        var two = base; two.hiddenUnits = [h, h]
        c["matchedParameters"] = Format.integer(two.parameterCount)
        c["baseParameters"] = Format.integer(base.parameterCount)
        if let r64 = row("64", in: rows) {
            if let r32 = row("32", in: rows) { c["halving"] = compare(r32.finalAccuracy("test"), r64.finalAccuracy("test")) }
            if let r5 = row("5", in: rows) { c["bottleneck"] = compare(r5.finalAccuracy("test"), r64.finalAccuracy("test")) }
            if let r128 = row("128", in: rows) {
                c["doubling"] = compare(r128.finalAccuracy("test"), r64.finalAccuracy("test"))
                c["doublingTrain"] = compare(r128.finalAccuracy("train"), r64.finalAccuracy("train"))
                c["doublingGap"] = compare(gaps(r128), gaps(r64))
            }
            if let hh = row("\(h)-\(h)", in: rows) { c["twoLayer"] = compare(hh.finalAccuracy("test"), r64.finalAccuracy("test")) }
        }
        return c
    }

    func gaps(_ r: RowOutcome) -> Summary { r.finalGap }

    // MARK: Task 5

    func bonusContext() -> [String: Any] {
        let rows = outcomes.bonus
        guard !rows.isEmpty else { return ["available": false] }
        var c: [String: Any] = ["available": true]
        let e = rows.map(\.finalEpoch).max() ?? 1
        let header = ["Step", "lr", "Train acc.", "Validation acc.", "Test acc.", "Train loss", "Test loss", "s / epoch"]
        let lines = rows.map { r -> [String] in
            let secs = Summary(r.runs.flatMap { $0.history.trainingSeconds }).mean
            return [r.label, Format.rate(r.chosenLearningRate), Format.percent(r.accuracy("train", epoch: e)),
                    Format.percent(r.accuracy("validation", epoch: e)), Format.percent(r.accuracy("test", epoch: e)),
                    Format.number(r.loss("train", epoch: e)), Format.number(r.loss("test", epoch: e)), String(format: "%.2f", secs)]
        }
        c["table"] = MarkdownTable(header: header, rows: lines).markdown
        c["row"] = byId(rows)
        c["lr"] = Format.rate(rows[0].chosenLearningRate)
        for choice in outcomes.bonusChoices {
            c[choice.knob == "T" ? "chosenT" : "chosenDropout"] = Format.rate(choice.chosen)
        }
        c["choicesTable"] = MarkdownTable(
            header: ["Step", "Setting", "Candidate", "Final validation accuracy", "Kept"],
            rows: outcomes.bonusChoices.flatMap { choice in
                choice.candidates.map { [choice.step, choice.knob, Format.rate($0.value), Format.percent($0.accuracy),
                                         $0.value == choice.chosen ? "✓" : ""] }
            }, rightAligned: [false, false, true, true, false]).markdown
        // How many epochs: where validation loss bottoms out on the last step (early stopping's pick).
        if let last = rows.last {
            let picks = last.runs.map { run in
                EarlyStopping.pick(validationLosses: (1...last.finalEpoch).compactMap { run.loss("validation", epoch: $0) },
                                   patience: p.evaluation.earlyStoppingPatience).best
            }
            c["bestEpochs"] = picks.map(String.init).joined(separator: ", ")
            c["stillImproving"] = picks.contains(last.finalEpoch)
        }
        if let last = rows.last {
            let test = last.finalAccuracy("test")
            c["finalTest"] = Format.percent(test)
            c["reached98"] = test.mean >= 0.98
        }
        return c
    }

    // MARK: Replication (issue 7)

    /// (row id, mini-batch outcome, per-sample outcome) pairs.
    func replicationPairs() -> [(String, RowOutcome, RowOutcome)] {
        outcomes.replication.compactMap { r in
            let id = String(r.id.dropFirst(2))
            guard let batch = row(id, in: outcomes.tricks) ?? row(id, in: outcomes.topologies) else { return nil }
            return (id, batch, r)
        }
    }

    func replicationContext() -> [String: Any] {
        let pairs = replicationPairs()
        guard !pairs.isEmpty else { return ["available": false] }
        var c: [String: Any] = ["available": true]
        func table(_ ids: Set<String>) -> String {
            let lines = pairs.filter { ids.contains($0.0) }.map { id, batch, per -> [String] in
                let a = batch.finalAccuracy("test"), b = per.finalAccuracy("test")
                let verdict: String
                // A one-seed per-sample run borrows the mini-batch row's seed spread.
                switch Comparison(b, versus: a, spread: a.sd) {
                case .higher: verdict = "per-sample higher"
                case .lower: verdict = "per-sample lower"
                case .indistinguishable: verdict = "within seed spread"
                }
                return [id, Format.rate(batch.chosenLearningRate), Format.percent(a), Format.rate(per.chosenLearningRate),
                        per.divergedRuns.isEmpty ? Format.percent(b) : "diverged", verdict]
            }
            return MarkdownTable(header: ["Row", "Mini-batch lr", "Mini-batch test acc.", "Per-sample lr", "Per-sample test acc.", "Difference"],
                                 rows: lines).markdown
        }
        c["tricksTable"] = table(["B", "S", "I", "N", "M"])
        c["topologiesTable"] = table(Set(outcomes.topologies.map(\.id)))
        c["row"] = byId(outcomes.replication.map { r in var r = r; r.plan.id = String(r.id.dropFirst(2)); return r })
        if let n = pairs.first(where: { $0.0 == "N" }) {
            c["fanIn"] = ["batch": Format.percent(n.1.finalAccuracy("test")), "perSample": Format.percent(n.2.finalAccuracy("test")),
                          "batchRate": Format.rate(n.1.chosenLearningRate), "perSampleDiverged": !n.2.divergedRuns.isEmpty]
        }
        let seconds = Summary(outcomes.replication.flatMap { $0.runs.flatMap { $0.history.trainingSeconds } }).mean
        let batchSeconds = Summary(pairs.flatMap { $0.1.runs.flatMap { $0.history.trainingSeconds } }).mean
        c["secondsPerEpoch"] = String(format: "%.2f", seconds)
        c["batchSecondsPerEpoch"] = String(format: "%.2f", batchSeconds)
        c["seedsNote"] = min(p.replication.seeds, p.seeds) < 2
        return c
    }

    // MARK: Claims ledger (issue 7)

    func ledgerContext() -> [String: Any] {
        let ledger = ClaimsLedger(outcomes: outcomes)
        let claims = ledger.claims()
        let rows = claims.map { [$0.number, $0.claim, $0.evidence, $0.verdict] }
        // Each cell holds one verdict per training rule ("mini-batch: …; per-sample: …").
        let verdicts = claims.flatMap { $0.verdict.components(separatedBy: "<br>") }
            .map { $0.components(separatedBy: ": ").dropFirst().joined(separator: ": ") }
        return ["available": !claims.isEmpty,
                "table": MarkdownTable(header: ["#", "Claim (2019 report)", "Evidence (test accuracy unless stated, mean ± sd)", "Verdict"],
                                       rows: rows, rightAligned: [false, false, false, false]).markdown,
                "verdicts": "\(verdicts.count)",
                "supported": "\(verdicts.filter { $0.hasPrefix("supported") }.count)",
                "contradicted": "\(verdicts.filter { $0.hasPrefix("contradicted") }.count)",
                "undecided": "\(verdicts.filter { !$0.hasPrefix("supported") && !$0.hasPrefix("contradicted") }.count)"]
    }

    // MARK: Provenance

    func provenanceContext() -> [String: Any] {
        let runs = outcomes.allRuns
        let first = runs.first?.provenance
        let commits = Set(runs.map { $0.provenance.commit + ($0.provenance.dirty ? " (dirty)" : "") }).sorted()
        var timing: [[String]] = []
        func add(_ name: String, _ rows: [RowOutcome]) {
            let all = rows.flatMap(\.runs)
            guard !all.isEmpty else { return }
            let total = all.map(\.wallSeconds).reduce(0, +)
            timing.append([name, "\(all.count)", Format.seconds(total)])
        }
        add("2a/2c base run", [outcomes.base].compactMap { $0 })
        add("3 tricks (plotted runs)", outcomes.tricks + [outcomes.momentumAtBaseRate].compactMap { $0 })
        add("4 topologies (plotted runs)", outcomes.topologies)
        add("5 bonus (plotted runs)", outcomes.bonus)
        add("Replication, per-sample rule", outcomes.replication)
        let sums = outcomes.datasetChecksums.sorted { $0.key < $1.key }.map { "`\($0.key)`: `\($0.value.prefix(16))…`" }
        return [
            "commits": commits.joined(separator: ", "),
            "swift": first?.swiftVersion ?? "unknown",
            "blas": first.map { "\($0.blas), kernel \($0.blasKernel), \($0.blasThreads) thread\($0.blasThreads == 1 ? "" : "s") per run" } ?? "unknown",
            "machine": first?.machine ?? "unknown",
            "products": Set(runs.compactMap(\.provenance.products)).sorted().joined(separator: ", ").nonEmpty ?? "not recorded",
            "timing": MarkdownTable(header: ["Experiment", "Runs", "Wall time (sum over runs)"], rows: timing).markdown,
            "checksums": sums.joined(separator: "; "),
            "codeVersion": "\(TrainingCode.version)",
            "runCount": "\(Set(runs.map(\.key)).count)",
            "sweepCount": "\(max(0, outcomes.keys.count - Set(runs.map(\.key)).count - (outcomes.gradientCheck == nil ? 0 : 1)))",
        ]
    }
}

private extension String {
    /// nil for "", so that `?? default` reads naturally.
    var nonEmpty: String? { isEmpty ? nil : self }
}
