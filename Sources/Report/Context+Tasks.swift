import Experiments
import Foundation
import NeuralNet

/// The template context of tasks 3 to 5 and the replication: every verdict comes from the
/// report's `VerdictFamily`, every "because" from a measured quantity it quotes.
extension ContextBuilder {
    // MARK: Shared pieces

    /// "of 3 seeds, 2 collapsed and 1 oscillating", "" when every run trained.
    func classSummary(_ runs: [RunResult]) -> String {
        let classes = runs.map(\.runClass)
        return Words.classes([RunClass.diverged, .collapsed, .oscillating].map { cls in
            RunClassCount(name: cls.rawValue, count: classes.filter { $0 == cls }.count, total: runs.count)
        })
    }

    /// The rows whose chosen rate is the largest or smallest of their grid, grouped:
    /// "B and S chose 1, the largest rate of the grid".
    func edge(_ rows: [RowOutcome]) -> [String: Any] {
        var groups: [(rate: Double, side: String, ids: [String])] = []
        for r in rows {
            guard let grid = r.plan.grid, grid.count > 1 else { continue }
            let side = r.chosenLearningRate == grid.max() ? "largest" : r.chosenLearningRate == grid.min() ? "smallest" : nil
            guard let side else { continue }
            if let k = groups.firstIndex(where: { $0.rate == r.chosenLearningRate && $0.side == side }) { groups[k].ids.append(r.id) }
            else { groups.append((r.chosenLearningRate, side, [r.id])) }
        }
        let items = groups.map { "\(Words.list($0.ids)) chose \(Format.rate($0.rate)), the \($0.side) rate of the grid" }
        return ["any": !items.isEmpty, "text": items.joined(separator: "; ")]
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
    func sweepAt(_ row: RowOutcome?, _ rate: Double) -> [String: Any] {
        guard let row, row.chosenLearningRate != rate, let point = row.sweepPoint(at: rate),
              let chosen = row.sweepPoint(at: row.chosenLearningRate) else {
            return ["available": false, "accuracy": "–", "chosenAccuracy": "–", "classes": "", "hasClasses": false]
        }
        let classes = classSummary(point.runs)
        return ["available": true, "accuracy": Format.percent(point.summary), "chosenAccuracy": Format.percent(chosen.summary),
                "classes": classes, "hasClasses": !classes.isEmpty]
    }

    /// The accuracy-axis floor of a figure (percent), or nil when the axis is not zoomed.
    func zoom(_ floor: Double, _ rows: [RowOutcome], sets: [String]) -> Any {
        Figures.zoom(floor, rows, sets: sets) == nil ? false : Format.rate(100 * floor)
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

    // MARK: Task 3

    func tricksContext() -> [String: Any] {
        let rows = outcomes.tricks
        guard rows.count == 5 else { return ["available": false] }
        let (s, i, n, m) = (rows[1], rows[2], rows[3], rows[4])
        var c: [String: Any] = ["available": true]
        c.merge(verdicts("3", expected: ["3a", "3b.first", "3b.first@matched", "3b.final", "3b.final@matched", "3c", "3c@matched",
                                          "3d", "3d@matched", "3d.first"]), uniquingKeysWith: { a, _ in a })
        c["table"] = epochTable(rows, includeRate: true).markdown
        c["marks"] = Words.list(marks(rows.map(\.finalEpoch).max() ?? 1).map(String.init))
        c["row"] = byId(rows)
        c["rates"] = rows.map { ["id": $0.id, "lr": Format.rate($0.chosenLearningRate)] }
        c["edge"] = edge(rows)
        c["sweepClasses"] = sweepClasses(rows)
        c["zoom"] = zoom(Figures.tricksAccuracyFloor, rows, sets: ["validation"])
        c["iAtS"] = sweepAt(i, s.chosenLearningRate)
        c["nAtBase"] = sweepAt(n, p.base.learningRate)
        c["momentumFactor"] = Format.rate((1 / (1 - p.tricks.momentum) * 100).rounded() / 100)
        c["chanceLoss"] = String(format: "%.3f", log(10.0))
        c["saturationIS"] = saturationComparison(i, s)
        c["saturationIN"] = saturationComparison(i, n)
        c["saturationThreshold"] = Format.rate(100 * LayerDiagnostics.saturationThreshold)
        let onset = Self.saturationOnset()
        c["saturationOnset"] = ["sigmoid": String(format: "%.1f", onset.sigmoid), "improved": String(format: "%.1f", onset.improved)]
        if let mb = outcomes.momentumAtBaseRate {
            var d = rowContext(mb)
            d["classes"] = classSummary(mb.runs).nonEmpty ?? "every seed trained without diverging, collapsing or oscillating"
            d["validationLoss"] = Format.number(mb.finalLoss("validation"), decimals: 1)
            /// Mean over seeds of the median relative epoch-to-epoch change of validation loss.
            func swing(_ r: RowOutcome) -> Double {
                Summary(r.runs.compactMap { run in
                    RunClass.relativeSwing((1...r.finalEpoch).compactMap { run.loss("validation", epoch: $0) })
                }).mean
            }
            d["swing"] = String(format: "%.0f", 100 * swing(mb))
            d["swingChosen"] = String(format: "%.0f", 100 * swing(m))
            d["oscillates"] = mb.divergedRuns.isEmpty && swing(mb) > RunClass.oscillationThreshold
            d["aboveChance"] = mb.finalLoss("validation").mean > log(10.0)
            d["saturation"] = saturationComparison(mb, m)
            d["atChance"] = mb.finalAccuracy("validation").mean < RunClass.collapseAccuracy
            c["momentumAtBase"] = d
        }
        return c
    }

    // MARK: Task 4

    func topologiesContext() -> [String: Any] {
        let rows = outcomes.topologies
        guard !rows.isEmpty else { return ["available": false] }
        var c: [String: Any] = ["available": true]
        c.merge(verdicts("4", expected: ["4a.halving", "4a.bottleneck", "4a.bottleneck@matched", "4b.test", "4b.train", "4b.gap", "4c"]),
                uniquingKeysWith: { a, _ in a })
        c["table"] = epochTable(rows, includeRate: true, includeParameters: true).markdown
        c["row"] = byId(rows)
        let h = outcomes.planner.matchedTwoLayerSize
        c["matchedSize"] = "\(h)"
        c["matchedId"] = "\(h)-\(h)"
        c["matchedLr"] = row("\(h)-\(h)", in: rows).map { Format.rate($0.chosenLearningRate) } ?? "–"
        let base = outcomes.planner.baseTemplate
        var two = base; two.hiddenUnits = [h, h]
        c["matchedParameters"] = Format.integer(two.parameterCount)
        c["baseParameters"] = Format.integer(base.parameterCount)
        let extras = p.topologies.twoLayerExtra.filter { $0 != [h, h] }.map { $0.map(String.init).joined(separator: "-") }
        c["extras"] = extras.isEmpty ? false : Words.list(extras) as Any
        c["extrasVerb"] = extras.count == 1 ? "is" : "are"
        c["edge"] = edge(rows)
        c["sweepClasses"] = sweepClasses(rows)
        let compared = Figures.oneVersusTwoLayerRows(outcomes)
        c["curveRates"] = compared.map { "\($0.id): \(Format.rate($0.chosenLearningRate))" }.joined(separator: ", ")
        c["zoom"] = zoom(Figures.topologiesAccuracyFloor, compared, sets: ["train", "validation"])
        let w = TopologyWidths(outcomes)
        c["widths"] = ["base": w.base, "half": w.half, "double": w.double, "smallest": w.smallest]
        for (key, id) in [("baseRow", w.base), ("halfRow", w.half), ("doubleRow", w.double), ("smallestRow", w.smallest)] {
            c[key] = row(id, in: rows).map(rowContext) ?? ["lr": "–", "gap": "–", "trainAccuracy": "–"]
        }
        if let small = row(w.smallest, in: rows), let base = row(w.base, in: rows) {
            c["smallestUnderfits"] = family["4a.bottleneck"]?.direction == .lower && small.finalGap.mean < base.finalGap.mean
        } else {
            c["smallestUnderfits"] = false
        }
        return c
    }

    // MARK: Task 5

    func bonusContext() -> [String: Any] {
        let rows = outcomes.bonus
        guard !rows.isEmpty else { return ["available": false] }
        var c: [String: Any] = ["available": true]
        let e = rows.map(\.finalEpoch).max() ?? 1
        let header = ["Step", "lr", "Train acc.", "Validation acc.", "Test acc.", "Train loss", "Test loss", "s / epoch",
                      "Test vs previous step (points, 95 % CI)"]
        let lines = rows.enumerated().map { k, r -> [String] in
            [r.label, Format.rate(r.chosenLearningRate), Format.percent(r.accuracy("train", epoch: e)),
             Format.percent(r.accuracy("validation", epoch: e)), Format.percent(r.accuracy("test", epoch: e)),
             Format.number(r.loss("train", epoch: e)), Format.number(r.loss("test", epoch: e)),
             String(format: "%.2f", secondsPerEpoch(r)), k == 0 ? "(first step)" : shortVerdict("5.\(r.id)")]
        }
        c["table"] = MarkdownTable(header: header, rows: lines).markdown
        c["stepsText"] = stepsText(rows)
        c["row"] = byId(rows)
        let lr = rows[0].chosenLearningRate
        c["lr"] = Format.rate(lr)
        c["edge"] = p.bonus.learningRateGrid.count > 1 && (lr == p.bonus.learningRateGrid.min() || lr == p.bonus.learningRateGrid.max())
        c["zoom"] = zoom(Figures.bonusAccuracyFloor, rows, sets: ["validation"])
        c["singleChoiceSeed"] = outcomes.planner.choiceSeeds.count == 1
        for choice in outcomes.bonusChoices {
            let key = choice.knob == "T" ? "T" : "Dropout"
            c["chosen" + key] = Format.rate(choice.chosen)
            c[(choice.knob == "T" ? "t" : "dropout") + "Margin"] = margin(choice)
        }
        for key in ["chosenT", "chosenDropout"] where c[key] == nil { c[key] = "–" }
        for key in ["tMargin", "dropoutMargin"] where c[key] == nil { c[key] = "–" }
        c["choicesTable"] = MarkdownTable(
            header: ["Step", "Setting", "Candidate", "Final validation accuracy", "Kept"],
            rows: outcomes.bonusChoices.flatMap { choice in
                choice.candidates.map { [choice.step, choice.knob, Format.rate($0.value), Format.percent($0.accuracy),
                                         $0.value == choice.chosen ? "✓" : ""] }
            }, rightAligned: [false, false, true, true, false]).markdown
        if let last = rows.last {
            let picks = last.runs.map { run in
                EarlyStopping.pick(validationLosses: (1...last.finalEpoch).compactMap { run.loss("validation", epoch: $0) },
                                   patience: p.evaluation.earlyStoppingPatience).best
            }
            c["bestEpochs"] = Words.epochsPerSeed(picks)
            c["stillImproving"] = picks.contains(last.finalEpoch)
            c["finalTest"] = Format.percent(last.finalAccuracy("test"))
        }
        func best(_ r: RowOutcome) -> [String: Any] {
            ["label": r.label, "mean": Format.percent(r.finalAccuracy("test").mean),
             "best": Format.percent(r.finalValues("test").values.max() ?? .nan)]
        }
        let plain = rows.filter { $0.plan.template.shiftPixels == 0 }
        c["bestPlain"] = plain.max { $0.finalAccuracy("test").mean < $1.finalAccuracy("test").mean }.map(best)
            ?? ["label": "–", "mean": "–", "best": "–"]
        c["shift"] = rows.first { $0.plan.template.shiftPixels > 0 }.map(best) ?? false
        return c
    }

    /// How far the kept candidate was ahead of the next best: "0.05 points (3 of 6,000
    /// validation images)" on one seed, "0.05 points of the mean over 3 seeds" on more.
    func margin(_ choice: Choice) -> String {
        let sorted = choice.candidates.map(\.accuracy.mean).sorted(by: >)
        guard sorted.count > 1 else { return "being the only candidate" }
        let diff = sorted[0] - sorted[1]
        let validation = outcomes.planner.baseTemplate.subset?.validation ?? p.validationImages
        if outcomes.planner.choiceSeeds.count == 1 {
            return "\(Format.percent(diff)) points over the next candidate (\(Int((diff * Double(validation)).rounded())) of \(Format.integer(validation)) validation images)"
        }
        return "\(Format.percent(diff)) points over the next candidate (mean over \(Words.count(outcomes.planner.choiceSeeds.count, "seed")))"
    }

    /// One sentence per step after the first: its test accuracy, its train−test gap and its
    /// time against the step before, each difference with its test.
    func stepsText(_ rows: [RowOutcome]) -> String {
        zip(rows, rows.dropFirst()).map { previous, step in
            var changed = step.plan.template.differencesInTraining(from: previous.plan.template)
            if changed.isEmpty { changed = [step.label] }
            let confounded = changed.count > 1
                ? " This step changes \(Words.list(changed)) together, so their effects cannot be told apart here." : ""
            let test = family["5.\(step.id)"].map { Format.interval($0) } ?? "–"
            let gap = family["5.\(step.id).gap"]
            let gapText = gap.map { "train−test gap \(Format.percent($0.a)) against \(Format.percent($0.b)) points (\(Format.interval($0)))" } ?? ""
            let word: String
            switch family["5.\(step.id)"]?.direction {
            case .higher?: word = "higher"
            case .lower?: word = "lower"
            case .indistinguishable?: word = "not distinguishable"
            default: word = "not tested"
            }
            return "**\(step.label)** against \(previous.label): test accuracy \(test), \(word); \(gapText); "
                + "\(String(format: "%.2f", secondsPerEpoch(step))) against \(String(format: "%.2f", secondsPerEpoch(previous))) s per epoch.\(confounded)"
        }.joined(separator: "\n\n")
    }

    // MARK: Replication

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
                [id, Format.rate(batch.chosenLearningRate), Format.percent(batch.finalAccuracy("test")),
                 Format.rate(per.chosenLearningRate),
                 per.runs.allSatisfy(\.diverged) ? "diverged" : Format.percent(per.finalAccuracy("test")),
                 shortVerdict("rule.\(id)")]
            }
            return MarkdownTable(header: ["Row", "Mini-batch lr", "Mini-batch test acc.", "Per-sample lr", "Per-sample test acc.",
                                          "Per-sample − mini-batch (points, 95 % CI)"], rows: lines).markdown
        }
        c["tricksTable"] = table(["B", "S", "I", "N", "M"])
        c["topologiesTable"] = table(Set(outcomes.topologies.map(\.id)))
        let rule = family.verdicts.filter { $0.id.hasPrefix("rule.") }
        let higher = rule.filter { $0.direction == .higher }.map { String($0.id.dropFirst(5)) }
        let lower = rule.filter { $0.direction == .lower }.map { String($0.id.dropFirst(5)) }
        let same = rule.filter { $0.direction == .indistinguishable }.count
        let untested = rule.filter { $0.direction == .untestable }.count
        var parts: [String] = []
        parts.append(higher.isEmpty ? "higher for none" : "higher for \(Words.list(higher))")
        parts.append(lower.isEmpty ? "lower for none" : "lower for \(Words.list(lower))")
        parts.append("not distinguishable for \(Words.count(same, "row"))")
        if untested > 0 { parts.append("untested for \(Words.count(untested, "row")) (one run)") }
        c["summary"] = "Of the \(Words.count(rule.count, "row")), per-sample training's test accuracy is " + Words.list(parts) + "."
        if let n = pairs.first(where: { $0.0 == "N" }) {
            let atRate = n.1.sweepPoint(at: n.2.chosenLearningRate)
            let perSampleTrained = n.2.runs.allSatisfy { !$0.runClass.disqualifiesRate }
            c["fanIn"] = ["batch": Format.percent(n.1.finalAccuracy("test")), "perSample": Format.percent(n.2.finalAccuracy("test")),
                          "batchRate": Format.rate(n.1.chosenLearningRate),
                          "batchAtRate": atRate.map { Format.percent($0.summary) } ?? "–",
                          "batchAtRateClasses": atRate.map { classSummary($0.runs) } ?? "",
                          "hasBatchAtRateClasses": !(atRate.map { classSummary($0.runs) } ?? "").isEmpty,
                          "ruleMadeRateUsable": perSampleTrained && (atRate?.disqualifiedSeeds ?? 0) > 0,
                          "steps": "\(p.base.batchSize)"] as [String: Any]
        } else {
            c["fanIn"] = false
        }
        c["secondsPerEpoch"] = String(format: "%.2f", Summary(outcomes.replication.flatMap { $0.runs.flatMap { $0.history.trainingSeconds } }).mean)
        c["batchSecondsPerEpoch"] = String(format: "%.2f", Summary(pairs.flatMap { $0.1.runs.flatMap { $0.history.trainingSeconds } }).mean)
        return c
    }

    // MARK: Claims ledger

    func ledgerContext() -> [String: Any] {
        let claims = ClaimsLedger(outcomes: outcomes, family: family).claims()
        let rows = claims.map { [$0.number, $0.claim, $0.evidence, $0.verdict] }
        // Each cell holds one verdict per training rule ("mini-batch: …<br>per-sample: …").
        let verdicts = claims.flatMap { $0.verdict.components(separatedBy: "<br>") }
            .map { $0.components(separatedBy: ": ").dropFirst().joined(separator: ": ") }
        let supported = verdicts.filter { $0.hasPrefix("supported") }.count
        let contradicted = verdicts.filter { $0.hasPrefix("contradicted") }.count
        let undecided = verdicts.count - supported - contradicted
        let summary = "Of the \(Words.count(verdicts.count, "verdict")), \(supported) \(supported == 1 ? "supports" : "support") the claim, "
            + "\(contradicted) \(contradicted == 1 ? "contradicts" : "contradict") it and \(undecided) \(undecided == 1 ? "does" : "do") not decide or \(undecided == 1 ? "decides" : "decide") only in part."
        return ["available": !claims.isEmpty, "summary": summary,
                "table": MarkdownTable(header: ["#", "Claim (2019 report)", "Evidence (difference, 95 % CI, test, Holm p)", "Verdict"],
                                       rows: rows, rightAligned: [false, false, false, false]).markdown,
                "verdicts": "\(verdicts.count)",
                "supported": "\(verdicts.filter { $0.hasPrefix("supported") }.count)",
                "contradicted": "\(verdicts.filter { $0.hasPrefix("contradicted") }.count)",
                "undecided": "\(verdicts.filter { !$0.hasPrefix("supported") && !$0.hasPrefix("contradicted") }.count)"]
    }
}

extension String {
    /// nil for "", so that `?? default` reads naturally.
    var nonEmpty: String? { isEmpty ? nil : self }
}
