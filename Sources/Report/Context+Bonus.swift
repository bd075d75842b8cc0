import Experiments
import Foundation
import NeuralNet

/// Task 5's context: an ablation. The chain changes one thing per step, each step tested
/// against the step it changes (`RowPlan.baseline`); the leave-one-out rows take each change
/// back from the final net. Every direction the text states comes from the report's
/// `VerdictFamily`; every other sentence quotes the measurement it rests on.
/// Task 5: the ablation chain, its choices, the final net against the target, the
/// leave-one-out rows and the 2019 report's best for comparison.
struct BonusContext: Codable {
    /// Always true: the section is absent (false) without a complete chain.
    var available: Bool
    var table: String
    var stepsText: String
    var lr: String
    var rateGrid: String
    var edge: String?
    var zoom: String?
    var epochs: String
    var finalEpochs: String
    var finalLabel: String
    var singleChoiceSeed: Bool
    /// The kept annealing constant and dropout rate, and their lead over the next candidate
    /// (`margin`); dashes when the chain made no such choice.
    var chosenT: String
    var chosenDropout: String
    var tMargin: String
    var dropoutMargin: String
    var choicesTable: String
    var bestEpochs: String
    var stillImproving: Bool
    var finalTest: String
    var target: Bool
    var targetPercent: String
    var leaveOneOut: LeaveOneOutContext?
    var like2019: Like2019Context
}

/// Table 7 and its sentences: the final net against itself with each change taken back.
struct LeaveOneOutContext: Codable {
    /// Always true: absent (false) without leave-one-out rows.
    var available: Bool
    var table: String
    var summary: String
    var text: String
}

/// Our best net without and with augmentation, as the 2019 report's best is compared.
struct Like2019Context: Codable {
    var plain: BestRowContext?
    var shift: BestRowContext?
}

/// A row's mean and best seed's test accuracy.
struct BestRowContext: Codable {
    var label: String
    var mean: String
    var best: String
    var seeds: String
}

extension ContextBuilder {
    func bonusContext() -> BonusContext? {
        let rows = outcomes.bonus
        guard let first = rows.first, let final = rows.last, final.id == Planner.finalBonusID else { return nil }
        var swept = first
        swept.plan.grid = p.bonus.learningRateGrid
        var chosen = ["T": "–", "Dropout": "–"], margins = ["T": "–", "Dropout": "–"]
        for choice in outcomes.bonusChoices {
            let key = choice.knob == "T" ? "T" : "Dropout"
            chosen[key] = Format.rate(choice.chosen)
            margins[key] = margin(choice)
        }
        let picks = final.runs.map { run in
            EarlyStopping.pick(validationLosses: (1...final.finalEpoch).compactMap { run.loss("validation", epoch: $0) },
                               patience: p.evaluation.earlyStoppingPatience).best
        }
        return BonusContext(
            available: true,
            table: chainTable(rows),
            stepsText: stepsText(rows),
            lr: Format.rate(first.chosenLearningRate),
            rateGrid: first.sweep.map { Format.rate($0.learningRate) }.joined(separator: ", "),
            edge: edgeText([swept]).nonEmpty,
            zoom: zoom(Figures.bonusAccuracyFloor, rows, sets: ["validation"]),
            epochs: "\(first.finalEpoch)",
            finalEpochs: "\(final.finalEpoch)",
            finalLabel: final.label,
            singleChoiceSeed: outcomes.planner.choiceSeeds.count == 1,
            chosenT: chosen["T"]!, chosenDropout: chosen["Dropout"]!,
            tMargin: margins["T"]!, dropoutMargin: margins["Dropout"]!,
            choicesTable: MarkdownTable(
                header: ["Step", "Setting", "Candidate", "Final validation accuracy (%)", "Kept"],
                rows: outcomes.bonusChoices.flatMap { choice in
                    choice.candidates.map { [choice.step, choice.knob, Format.rate($0.value), Format.percent($0.accuracy),
                                             $0.value == choice.chosen ? "✓" : ""] }
                }, rightAligned: [false, false, true, true, false]).markdown,
            bestEpochs: Words.epochsPerSeed(picks),
            stillImproving: picks.contains(final.finalEpoch),
            finalTest: Format.percent(final.finalAccuracy("test")),
            target: final.finalAccuracy("test").mean >= Self.bonusTarget,
            targetPercent: Format.rate(100 * Self.bonusTarget),
            leaveOneOut: leaveOneOutContext(final),
            like2019: like2019(rows + outcomes.bonusLeaveOneOut))
    }

    /// A chain step as a short noun phrase: "ReLU", "He init", "512 units", "dropout 0.2",
    /// "annealing (T = 4220)", "random shifts", "50 epochs".
    static func stepName(_ r: RowOutcome) -> String {
        switch r.id {
        case "Anneal": "annealing (T = \(Format.rate(r.plan.template.annealingBatches ?? 0)))"
        case "Shift": "random shifts"
        default: r.label.hasPrefix("+ ") ? String(r.label.dropFirst(2)) : r.label
        }
    }

    /// The mean test accuracy the ablation's final net aims at (an MLP of this kind reached
    /// 98.6 % in a NumPy calibration; issue 15).
    static var bonusTarget: Double { 0.985 }

    /// Table 6: each step with the step it changes and the test of that change. Validation
    /// accuracy and test loss are left to Figure 9 and the text, so the table fits a page.
    func chainTable(_ rows: [RowOutcome]) -> String {
        let header = ["Step", "Baseline", "Epochs", "Train acc.", "Test acc.", "s / epoch", "Test acc. vs baseline (points, 95 % CI)"]
        let lines = rows.map { r -> [String] in
            let baseline = r.plan.baseline.flatMap { id in rows.first { $0.id == id } }
            return [r.label, baseline?.label ?? "row M", "\(r.finalEpoch)", Format.percent(r.finalAccuracy("train")),
                    Format.percent(r.finalAccuracy("test")), String(format: "%.2f", secondsPerEpoch(r)),
                    baseline == nil ? "(first step)" : shortVerdict("5.\(r.id)")]
        }
        return MarkdownTable(header: header, rows: lines, rightAligned: [false, false, true, true, true, true, true]).markdown
    }

    /// One paragraph per step after the first: its test accuracy, train−test gap, test loss
    /// and time per epoch against its baseline step, each difference with its test, and what
    /// the gap and the time say about the change.
    func stepsText(_ rows: [RowOutcome]) -> String {
        rows.compactMap { step -> String? in
            guard let base = step.plan.baseline.flatMap({ id in rows.first { $0.id == id } }) else { return nil }
            let changed = step.plan.template.differencesInTraining(from: base.plan.template)
            let confounded = changed.count > 1
                ? " This step changes \(Words.list(changed)) together, so their effects cannot be told apart here." : ""
            let test = family["5.\(step.id)"].map { "\(Format.interval($0)), \(Words.direction($0.direction))" } ?? "not tested"
            return "**\(step.label)** against \(base.label): test accuracy \(test). "
                + differenceAnalysis(step, base, gapID: "5.\(step.id).gap", changeName: "The change") + confounded
        }.joined(separator: "\n\n")
    }

    /// The gap, loss and time sentence of a comparison of `a` (with the change) against `b`.
    func differenceAnalysis(_ a: RowOutcome, _ b: RowOutcome, gapID: String, changeName: String) -> String {
        var out = ""
        if let gap = family[gapID] {
            out += "Train−test gap \(Format.percent(gap.a)) against \(Format.percent(gap.b)) points (\(Format.interval(gap)))"
            switch gap.direction {
            case .lower: out += ": \(changeName.lowercased()) narrows it, that is, it reduces overfitting. "
            case .higher: out += ": \(changeName.lowercased()) widens it, raising training accuracy more than test accuracy. "
            default: out += ". "
            }
        }
        out += "Test loss \(Format.number(a.finalLoss("test"))) against \(Format.number(b.finalLoss("test")))"
        // Work per epoch follows the parameter count (each is one multiply-add per image
        // forward and two backward); the measured seconds per epoch in the table are wall
        // times on a machine other runs shared, so no sentence rests on them.
        if a.parameterCount != b.parameterCount {
            let ratio = Double(a.parameterCount) / Double(max(b.parameterCount, 1))
            out += String(format: "; %@ against %@ parameters, so %.1f times the arithmetic per epoch",
                          Format.integer(a.parameterCount), Format.integer(b.parameterCount), ratio)
        }
        return out + "."
    }

    /// Table 7 and its summary: the final net against itself with each change taken back.
    func leaveOneOutContext(_ final: RowOutcome) -> LeaveOneOutContext? {
        let rows = outcomes.bonusLeaveOneOut
        guard !rows.isEmpty else { return nil }
        func id(_ r: RowOutcome) -> String { VerdictFamily.leaveOneOutID(r, chain: outcomes.bonus) }
        let header = ["Final net with", "Epochs", "Train acc.", "Test acc.", "Train−test gap (points)", "s / epoch",
                      "Final minus this row, test acc. (points, 95 % CI)"]
        var lines = [[final.label + " (all changes)", "\(final.finalEpoch)", Format.percent(final.finalAccuracy("train")),
                      Format.percent(final.finalAccuracy("test")), Format.percent(final.finalGap),
                      String(format: "%.2f", secondsPerEpoch(final)), "–"]]
        lines += rows.map { r in
            [r.label, "\(r.finalEpoch)", Format.percent(r.finalAccuracy("train")), Format.percent(r.finalAccuracy("test")),
             Format.percent(r.finalGap), String(format: "%.2f", secondsPerEpoch(r)), shortVerdict(id(r))]
        }
        func step(_ r: RowOutcome) -> String {
            outcomes.bonus.first { $0.id == r.plan.removes }.map(Self.stepName) ?? r.label
        }
        let carry = rows.filter { family[id($0)]?.direction == .higher }.map(step)
        let hurt = rows.filter { family[id($0)]?.direction == .lower }.map(step)
        let unshown = rows.filter { family[id($0)]?.direction == .indistinguishable }.map(step)
        var sentences: [String] = []
        sentences.append(carry.isEmpty
            ? "Taking back any one change does not lower the final net's test accuracy detectably."
            : "Taking back \(Words.list(carry, conjunction: "or")) lowers the final net's test accuracy: \(carry.count == 1 ? "this change carries" : "these changes carry") the result.")
        if !hurt.isEmpty { sentences.append("Taking back \(Words.list(hurt, conjunction: "or")) raises it: the final net is worse with \(hurt.count == 1 ? "it" : "them").") }
        if !unshown.isEmpty { sentences.append("For \(Words.list(unshown)) the difference is not shown at the report's level.") }
        let paragraphs = rows.map { r in
            "**\(r.label)** against the final net: final minus this row \(family[id(r)].map { "\(Format.interval($0)), \(Words.direction($0.direction))" } ?? "not tested"). "
                + differenceAnalysis(final, r, gapID: id(r) + ".gap", changeName: "The change")
        }
        return LeaveOneOutContext(
            available: true,
            table: MarkdownTable(header: header, rows: lines, rightAligned: [false, true, true, true, true, true, true]).markdown,
            summary: sentences.joined(separator: " "),
            text: paragraphs.joined(separator: "\n\n"))
    }

    /// The 2019 report's best (one run, no augmentation) against ours without and with it.
    func like2019(_ rows: [RowOutcome]) -> Like2019Context {
        func best(_ r: RowOutcome) -> BestRowContext {
            BestRowContext(label: r.plan.removes == nil ? r.label : "the final net with " + r.label,
                           mean: Format.percent(r.finalAccuracy("test").mean),
                           best: Format.percent(r.finalValues("test").values.max() ?? .nan), seeds: Words.count(r.runs.count, "seed"))
        }
        let plain = rows.filter { $0.plan.template.shiftPixels == 0 }
        let shifted = rows.filter { $0.plan.template.shiftPixels > 0 }
        func top(_ rs: [RowOutcome]) -> RowOutcome? { rs.max { $0.finalAccuracy("test").mean < $1.finalAccuracy("test").mean } }
        return Like2019Context(plain: top(plain).map(best), shift: top(shifted).map(best))
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
        return "\(Format.percent(diff)) points ahead of the next candidate (means over \(Words.count(outcomes.planner.choiceSeeds.count, "seed")))"
    }
}
