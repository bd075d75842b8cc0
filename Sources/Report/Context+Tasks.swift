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
        c.merge(verdicts("3", expected: ["3a", "3a@matched", "3b.first", "3b.first@matched", "3b.final", "3b.final@matched", "3c", "3c@matched",
                                          "3d", "3d@matched", "3d.first"]), uniquingKeysWith: { a, _ in a })
        c["table"] = epochTable(rows, includeRate: true).markdown
        c["marks"] = Words.list(marks(rows.map(\.finalEpoch).max() ?? 1).map(String.init))
        c["row"] = byId(rows)
        c["rates"] = rows.map { ["id": $0.id, "lr": Format.rate($0.chosenLearningRate)] }
        c["edge"] = edgeText(rows).nonEmpty ?? false
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
        c["edge"] = edgeText(rows).nonEmpty ?? false
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
        if !higher.isEmpty { parts.append("higher for \(Words.list(higher))") }
        if !lower.isEmpty { parts.append("lower for \(Words.list(lower))") }
        if same > 0 { parts.append(same == rule.count ? "not distinguishable from mini-batch training's for every one" : "not distinguishable for \(Words.count(same, "row"))") }
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
