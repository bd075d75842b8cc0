import Experiments
import Foundation

/// The 2019 report's claims, each judged by the report's own tests (`VerdictFamily`: the
/// interval of the difference, paired or Welch, Holm-corrected with every other verdict),
/// under both training rules where both exist.
struct ClaimsLedger {
    struct Entry {
        var number: String
        var claim: String
        var evidence: String
        var verdict: String
    }

    let outcomes: Outcomes
    let family: VerdictFamily

    static let supported = "supported"
    static let contradicted = "contradicted"
    static let undecided = "not distinguishable at the report's level"
    static let untested = "no test (one run per row)"

    /// "S − B: +0.09 points, 95 % CI ... (94.64 ± 0.09 vs 94.56 ± 0.25)".
    private func evidence(_ id: String, _ what: String) -> String? {
        guard let v = family[id] else { return nil }
        return "\(what): \(Format.interval(v)) (\(Format.percent(v.a)) vs \(Format.percent(v.b)))"
    }

    private func direction(_ id: String) -> Verdict.Direction? { family[id]?.direction }

    /// The verdict for one rule from its tests; nil when the rule lacks the rows.
    private typealias Judge = (_ rule: String) -> (evidence: [String], verdict: String)?

    /// Combines the two rules' verdicts into one cell, one line per rule.
    private func both(_ judge: Judge) -> (String, String) {
        let parts = [("", "mini-batch"), ("R.", "per-sample")].compactMap { prefix, name -> (String, String)? in
            guard let (evidence, verdict) = judge(prefix), !evidence.isEmpty else { return nil }
            return ("\(name): " + evidence.joined(separator: "; "), "\(name): \(verdict)")
        }
        return (parts.map(\.0).joined(separator: "<br>"), parts.map(\.1).joined(separator: "<br>"))
    }

    /// supported when the direction is `expected`, contradicted when it is the opposite
    /// (or, for claims of no difference, any difference).
    private func judge(_ d: Verdict.Direction?, expect: Verdict.Direction) -> String {
        switch d {
        case nil, .untestable?: return Self.untested
        case .indistinguishable?: return expect == .indistinguishable ? Self.supported : Self.undecided
        case let x?: return x == expect ? Self.supported : Self.contradicted
        }
    }

    func claims() -> [Entry] {
        var out: [Entry] = []
        func add(_ n: Int, _ claim: String, _ result: (String, String)) {
            guard !result.0.isEmpty else { return }
            out.append(Entry(number: "\(n)", claim: claim, evidence: result.0, verdict: result.1))
        }
        // Judged at the same rate where the rows chose different ones (the sweeps' runs).
        add(1, "Reshuffling every epoch makes no noticeable difference at batch 128.", both { r in
            let id = family[r + "3a@matched"] != nil ? r + "3a@matched" : r + "3a"
            guard let e = evidence(id, id.hasSuffix("@matched") ? "S − B, same rate" : "S − B") else { return nil }
            return ([e], judge(direction(id), expect: .indistinguishable))
        })
        // A speed-up would be I ahead after one epoch; at the same rate where the sweeps have it.
        add(2, "The improved sigmoid does not visibly speed up learning in the first epoch.", both { r in
            let id = family[r + "3b.first@matched"] != nil ? r + "3b.first@matched" : r + "3b.first"
            guard let e = evidence(id, id.hasSuffix("@matched") ? "I − S after epoch 1, same rate" : "I − S after epoch 1") else { return nil }
            let d = direction(id)
            return ([e], d == .higher ? Self.contradicted : d == .untestable ? Self.untested : Self.supported)
        })
        add(3, "Fan-in normal initialisation improves accuracy substantially.", both { r in
            guard let e = evidence(r + "3c", "N − I") else { return nil }
            return ([e], judge(direction(r + "3c"), expect: .higher))
        })
        add(4, "Momentum 0.9 at lr 0.5 oscillates; at a lower rate it is stable but does not beat the fan-in row.", both { r in
            guard let e = evidence(r + "3d", "M − N") else { return nil }
            var lines = [e]
            let beats = direction(r + "3d") == .higher
            // "Oscillates" as the report measures it: a finite validation loss whose median
            // epoch-to-epoch change over the second half exceeds the threshold, per seed.
            var oscillating: (count: Int, of: Int)? = nil
            if r.isEmpty, let mb = outcomes.momentumAtBaseRate {
                oscillating = (mb.oscillatingRunCount, mb.runs.count)
                let swing = mb.meanValidationSwing
                lines.append("at lr \(Format.rate(mb.chosenLearningRate)): "
                             + (Words.classSummary(mb.runs).nonEmpty ?? "every seed trained")
                             + String(format: "; validation loss moving by a median %.0f %% per epoch (over %.0f %% is oscillating: ",
                                      100 * swing, 100 * RunClass.oscillationThreshold)
                             + "\(mb.oscillatingRunCount) of \(mb.runs.count) seeds)")
            }
            if direction(r + "3d") == .untestable { return (lines, Self.untested) }
            if beats { return (lines, Self.contradicted + " (M beats N)") }
            switch oscillating {
            case let o? where o.count == o.of: return (lines, Self.supported)
            case let o? where o.count == 0: return (lines, Self.contradicted + " (no seed oscillates at the high rate)")
            case let o?: return (lines, "in part: \(o.count) of \(o.of) seeds oscillate at the high rate")
            case nil: return (lines, "stability at the lower rate " + Self.supported + "; the high rate was not run under this rule")
            }
        })
        add(5, "Halving the hidden units hurts, and very few units (5) make a bottleneck.", both { r in
            guard let half = evidence(r + "4a.halving", "32 − 64"), let tiny = evidence(r + "4a.bottleneck", "5 − 64") else { return nil }
            let h = direction(r + "4a.halving"), t = direction(r + "4a.bottleneck")
            if h == .untestable || t == .untestable { return ([half, tiny], Self.untested) }
            // Two claims in one: each part judged on its own, never one part's verdict for both.
            let verdict = h == .lower && t == .lower ? Self.supported
                : "halving " + judge(h, expect: .lower) + "; bottleneck " + judge(t, expect: .lower)
            return ([half, tiny], verdict)
        })
        add(6, "Doubling to 128 units raises test accuracy slightly and training accuracy a lot (overfitting).", both { r in
            guard let test = evidence(r + "4b.test", "test 128 − 64"), let gap = family[r + "4b.gap"] else { return nil }
            let gapLine = "train−test gap 128 − 64: \(Format.interval(gap))"
            let t = direction(r + "4b.test"), g = gap.direction
            if t == .untestable { return ([test, gapLine], Self.untested) }
            let verdict: String
            switch (t, g) {
            case (.higher?, .higher): verdict = Self.supported
            case (.higher?, _): verdict = "test gain " + Self.supported + "; wider gap " + Self.undecided
            case (.lower?, _): verdict = Self.contradicted
            case (_, .higher): verdict = "wider gap " + Self.supported + "; test gain " + Self.undecided
            default: verdict = Self.undecided
            }
            return ([test, gapLine], verdict)
        })
        let h = outcomes.planner.matchedTwoLayerSize
        add(7, "Two hidden layers with about the same parameter count perform about the same as one layer of 64.", both { r in
            guard let e = evidence(r + "4c", "\(h)-\(h) − 64") else { return nil }
            return ([e], judge(direction(r + "4c"), expect: .indistinguishable))
        })
        // Task 5's chain adds dropout to the wide layer alone, so both parts are measured
        // against the same width.
        if let d = outcomes.bonus.first(where: { $0.id == "Dropout" }),
           let w = d.plan.baseline.flatMap({ id in outcomes.bonus.first { $0.id == id } }), let gap = family["5.Dropout.gap"] {
            let tD = Summary(d.runs.flatMap { $0.history.trainingSeconds }).mean
            let tW = Summary(w.runs.flatMap { $0.history.trainingSeconds }).mean
            let gapVerdict = judge(gap.direction, expect: .lower)
            // Seconds per epoch are wall times on a machine other runs shared: quoted, not judged.
            add(8, "Dropout reduces overfitting (the train−test gap) and costs time per epoch.",
                ("mini-batch: train−test gap with dropout minus without, both \(d.plan.template.hiddenUnits[0]) units: \(Format.interval(gap)); "
                 + "\(String(format: "%.2f", tD)) vs \(String(format: "%.2f", tW)) s/epoch (wall times while other runs shared the machine)",
                 "mini-batch: gap " + gapVerdict + "; time not judged (wall times on a shared machine)"))
        }
        return out
    }
}
