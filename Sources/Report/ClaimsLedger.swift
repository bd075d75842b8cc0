import Experiments
import Foundation

/// The 2019 report's claims, each tested by a stated rule on the experiments the report
/// already runs, under both training rules where both exist.
struct ClaimsLedger {
    struct Entry {
        var number: String
        var claim: String
        var evidence: String
        var verdict: String
    }

    let outcomes: Outcomes

    static let supported = "supported"
    static let contradicted = "contradicted"
    static let undecided = "not distinguishable from seed-to-seed spread"

    private func row(_ id: String, perSample: Bool) -> RowOutcome? {
        let rows = perSample ? outcomes.replication : outcomes.tricks + outcomes.topologies + outcomes.bonus
        return rows.first { $0.id == (perSample ? "R-" + id : id) }
    }

    private func test(_ r: RowOutcome) -> Summary { r.finalAccuracy("test") }

    private func gaps(_ r: RowOutcome) -> Summary { r.finalGap }

    /// For the per-sample rule (one seed by default), the seed spread of the same rows'
    /// mini-batch runs, of `set` accuracy at `epoch` (nil: the last).
    private func spread(_ ids: [String], perSample: Bool, set: String = "test", epoch: Int? = nil) -> Double? {
        guard perSample else { return nil }
        let sds = ids.compactMap { id in row(id, perSample: false) }
            .map { r in r.accuracy(set, epoch: epoch ?? r.finalEpoch).sd }
        return Comparison.pooled(sds)
    }

    /// Combines the two rules' verdicts into one cell.
    private func both(_ f: (Bool) -> (String, String)?) -> (String, String) {
        let parts = [(false, "mini-batch"), (true, "per-sample")].compactMap { rule, name -> (String, String)? in
            guard let (evidence, verdict) = f(rule) else { return nil }
            return ("\(name): \(evidence)", "\(name): \(verdict)")
        }
        // One line per rule in the table cell.
        return (parts.map(\.0).joined(separator: "<br>"), parts.map(\.1).joined(separator: "<br>"))
    }

    private func versus(_ a: Summary, _ b: Summary) -> String { "\(Format.percent(a)) vs \(Format.percent(b))" }

    func claims() -> [Entry] {
        var out: [Entry] = []
        func add(_ n: Int, _ claim: String, _ result: (String, String)) {
            guard !result.0.isEmpty else { return }
            out.append(Entry(number: "\(n)", claim: claim, evidence: result.0, verdict: result.1))
        }
        // 1. Shuffling makes no noticeable difference.
        add(1, "Reshuffling every epoch makes no noticeable difference at batch 128.", both { ps in
            guard let s = row("S", perSample: ps), let b = row("B", perSample: ps) else { return nil }
            let c = Comparison(test(s), versus: test(b), spread: spread(["S", "B"], perSample: ps))
            return ("S \(versus(test(s), test(b))) B", c == .indistinguishable ? Self.supported : Self.contradicted)
        })
        // 2. The improved sigmoid does not visibly speed up the first epoch.
        add(2, "The improved sigmoid does not visibly speed up learning in the first epoch.", both { ps in
            guard let i = row("I", perSample: ps), let s = row("S", perSample: ps) else { return nil }
            let a = i.accuracy("validation", epoch: 1), b = s.accuracy("validation", epoch: 1)
            let c = Comparison(a, versus: b, spread: spread(["I", "S"], perSample: ps, set: "validation", epoch: 1))
            return ("validation after epoch 1, I \(versus(a, b)) S",
                    c == .higher ? Self.contradicted : (c == .lower ? Self.supported : Self.supported + " (no visible difference)"))
        })
        // 3. Fan-in initialisation improves accuracy substantially.
        add(3, "Fan-in normal initialisation improves accuracy substantially.", both { ps in
            guard let n = row("N", perSample: ps), let i = row("I", perSample: ps) else { return nil }
            let c = Comparison(test(n), versus: test(i), spread: spread(["N", "I"], perSample: ps))
            let verdict = c == .higher ? Self.supported : c == .lower ? Self.contradicted : Self.undecided
            return ("N \(versus(test(n), test(i))) I (N at lr \(Format.rate(n.chosenLearningRate)))", verdict)
        })
        // 4. Momentum at 0.5 oscillates; lower is stable but not better than N.
        add(4, "Momentum 0.9 at lr 0.5 oscillates; at a lower rate it is stable but does not beat the fan-in row.", both { ps in
            guard let m = row("M", perSample: ps), let n = row("N", perSample: ps) else { return nil }
            let c = Comparison(test(m), versus: test(n), spread: spread(["M", "N"], perSample: ps))
            var evidence = "M \(versus(test(m), test(n))) N at lr \(Format.rate(m.chosenLearningRate))"
            var oscillates = true
            if !ps, let mb = outcomes.momentumAtBaseRate {
                oscillates = !mb.divergedRuns.isEmpty || Comparison(test(mb), versus: test(m)) == .lower
                evidence += "; at lr 0.5: " + (mb.divergedRuns.isEmpty ? Format.percent(test(mb)) : "diverged (\(mb.divergedRuns.count) of \(mb.runs.count) seeds)")
            }
            let verdict = (c != .higher && oscillates) ? Self.supported : c == .higher ? Self.contradicted : Self.undecided
            return (evidence, verdict)
        })
        // 5. Halving hurts; 5 units are a bottleneck.
        add(5, "Halving the hidden units hurts, and very few units (5) make a bottleneck.", both { ps in
            guard let r32 = row("32", perSample: ps), let r64 = row("64", perSample: ps), let r5 = row("5", perSample: ps) else { return nil }
            let half = Comparison(test(r32), versus: test(r64), spread: spread(["32", "64"], perSample: ps))
            let tiny = Comparison(test(r5), versus: test(r64), spread: spread(["5", "64"], perSample: ps))
            let verdict = (half == .lower && tiny == .lower) ? Self.supported
                : tiny == .lower && half == .indistinguishable ? "bottleneck supported; halving " + Self.undecided
                : Self.contradicted
            return ("32: \(Format.percent(test(r32))), 5: \(Format.percent(test(r5))), 64: \(Format.percent(test(r64)))", verdict)
        })
        // 6. Doubling raises test slightly and train a lot: test higher, and the train-test gap wider.
        add(6, "Doubling to 128 units raises test accuracy slightly and training accuracy a lot (overfitting).", both { ps in
            guard let r128 = row("128", perSample: ps), let r64 = row("64", perSample: ps) else { return nil }
            let g128 = gaps(r128), g64 = gaps(r64)
            let c = Comparison(test(r128), versus: test(r64), spread: spread(["128", "64"], perSample: ps))
            let g = Comparison(g128, versus: g64, spread: ps ? Comparison.pooled([gaps(row("128", perSample: false)!).sd, gaps(row("64", perSample: false)!).sd]) : nil)
            let verdict: String
            switch (c, g) {
            case (.higher, .higher): verdict = Self.supported
            case (.higher, _): verdict = "test gain supported; wider gap " + Self.undecided
            case (.lower, _): verdict = Self.contradicted
            case (.indistinguishable, .higher): verdict = "wider gap supported; test gain " + Self.undecided
            case (.indistinguishable, _): verdict = Self.undecided
            }
            return ("test \(versus(test(r128), test(r64))); train−test gap \(Format.percent(g128)) vs \(Format.percent(g64)) points", verdict)
        })
        // 7. Two layers with the same parameter count perform about the same.
        let h = outcomes.planner.matchedTwoLayerSize
        add(7, "Two hidden layers with about the same parameter count perform about the same as one layer of 64.", both { ps in
            guard let hh = row("\(h)-\(h)", perSample: ps), let r64 = row("64", perSample: ps) else { return nil }
            let c = Comparison(test(hh), versus: test(r64), spread: spread(["\(h)-\(h)", "64"], perSample: ps))
            return ("\(h)-\(h) \(versus(test(hh), test(r64))) 64", c == .indistinguishable ? Self.supported : Self.contradicted)
        })
        // 8. Dropout reduces the train-test gap and costs time per epoch. The bonus adds dropout
        // together with a wider layer, so the time part cannot separate the two; it says so.
        if let d = outcomes.bonus.first(where: { $0.id == "Dropout" }), let x = outcomes.bonus.first(where: { $0.id == "Xavier" }) {
            let gapD = gaps(d), gapX = gaps(x)
            let tD = Summary(d.runs.flatMap { $0.history.trainingSeconds }).mean
            let tX = Summary(x.runs.flatMap { $0.history.trainingSeconds }).mean
            let gapVerdict = Comparison(gapD, versus: gapX)
            let verdict: String
            switch gapVerdict {
            case .lower: verdict = tD > tX ? Self.supported + " (time confounded with the wider layer)" : Self.contradicted + " on time"
            case .higher: verdict = Self.contradicted
            case .indistinguishable: verdict = "gap: " + Self.undecided + "; time per epoch rises, confounded with the wider layer"
            }
            add(8, "Dropout reduces overfitting (the train−test gap) and costs time per epoch.",
                ("mini-batch: train−test gap \(Format.percent(gapD)) points with the wide dropout layer vs \(Format.percent(gapX)) without; "
                 + "\(String(format: "%.2f", tD)) vs \(String(format: "%.2f", tX)) s/epoch (the step also widens the layer to \(d.plan.template.hiddenUnits[0]) units)",
                 "mini-batch: " + verdict))
        }
        return out
    }
}
