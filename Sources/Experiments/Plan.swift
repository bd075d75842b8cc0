import Foundation
import NeuralNet

/// The parts of the report that `--only` can name. Sub-tasks map to the experiments
/// that produce their numbers: 2a and 2c share the base run, 3a-3d task 3's rows, and so on.
public enum ExperimentGroup: String, CaseIterable, Codable, Sendable, Comparable {
    case base = "2"
    case gradientCheck = "2b"
    case tricks = "3"
    case topologies = "4"
    case bonus = "5"
    case replication = "R"

    /// Parses one `--only` item (2a, 2b, 2c, 3, 3a-3d, 4, 4a-4c, 5, R).
    public static func parse(_ item: String) -> ExperimentGroup? {
        switch item.lowercased() {
        case "2", "2a", "2c": .base
        case "2b": .gradientCheck
        case "3", "3a", "3b", "3c", "3d": .tricks
        case "4", "4a", "4b", "4c": .topologies
        case "5": .bonus
        case "r", "replication", "7": .replication
        default: nil
        }
    }

    public static let validNames = "2a, 2b, 2c, 3, 3a-3d, 4, 4a-4c, 5, R"

    public static func < (a: Self, b: Self) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
}

/// A row of a table: one network configuration, trained for every seed, possibly at a
/// learning rate chosen from a grid on validation accuracy.
public struct RowPlan: Sendable {
    public var id: String
    public var label: String
    /// The spec with `learningRate` and `seed` still to be filled.
    public var template: RunSpec
    /// nil: fixed learning rate (the template's).
    public var grid: [Double]?
    /// The row this one changes one thing of, for the verdict of that change (task 5).
    public var baseline: String? = nil
    /// A leave-one-out row: the id of the chain step it takes back from the final net.
    public var removes: String? = nil

    public init(id: String, label: String, template: RunSpec, grid: [Double]? = nil, baseline: String? = nil,
                removes: String? = nil) {
        self.id = id; self.label = label; self.template = template; self.grid = grid
        self.baseline = baseline; self.removes = removes
    }
}

/// Turns parameters into run specs. Pure: the same parameters give the same specs.
public struct Planner: Sendable {
    public var parameters: Parameters
    public var subset: RunSpec.Subset?
    /// Overrides every run's epochs (quick mode).
    public var epochsOverride: Int?

    public init(parameters: Parameters, subset: RunSpec.Subset? = nil, epochsOverride: Int? = nil) {
        self.parameters = parameters
        self.subset = subset
        self.epochsOverride = epochsOverride
    }

    var p: Parameters { parameters }

    /// The assignment's base network as a spec (task 2a).
    public var baseTemplate: RunSpec {
        RunSpec(hiddenUnits: p.base.hiddenUnits, activation: p.base.activation, initializer: p.base.initializer,
                learningRate: p.base.learningRate, momentum: p.base.momentum, batchSize: p.base.batchSize,
                epochs: epochsOverride ?? p.base.epochs, shuffle: p.base.shuffle,
                evaluationsPerEpoch: p.evaluation.plottedPerEpoch, validationImages: p.validationImages,
                subset: subset, seed: 0)
    }

    /// 2a/2c: the base run at the assignment's learning rate, evaluated densely.
    public var baseRun: RowPlan {
        var t = baseTemplate
        t.evaluationsPerEpoch = p.evaluation.basePerEpoch
        return RowPlan(id: "base", label: "Base network (task 2)", template: t, grid: nil)
    }

    public var gradientCheckSpec: GradientCheckSpec {
        GradientCheckSpec(hiddenUnits: p.base.hiddenUnits, activation: p.base.activation, initializer: p.base.initializer,
                          images: p.gradientCheck.images, epsilon: p.gradientCheck.epsilon,
                          validationImages: p.validationImages, seed: 1)
    }

    /// Task 3: B, S, I, N, M, each adding one trick to the previous.
    public var trickRows: [RowPlan] {
        var t = baseTemplate
        t.firstEpochEvaluations = p.evaluation.firstEpoch
        var rows: [RowPlan] = []
        rows.append(RowPlan(id: "B", label: "B: base", template: t, grid: p.learningRateGrid))
        t.shuffle = true
        rows.append(RowPlan(id: "S", label: "S: + shuffling", template: t, grid: p.learningRateGrid))
        t.activation = "improved-sigmoid"
        rows.append(RowPlan(id: "I", label: "I: + improved sigmoid", template: t, grid: p.learningRateGrid))
        t.initializer = "fan-in"
        rows.append(RowPlan(id: "N", label: "N: + fan-in init", template: t, grid: p.learningRateGrid))
        t.momentum = p.tricks.momentum
        rows.append(RowPlan(id: "M", label: "M: + momentum \(p.tricks.momentum.formatted6)", template: t, grid: p.learningRateGrid))
        return rows
    }

    /// 3d: M at the assignment's learning rate, to compare with M at its chosen rate.
    public var momentumAtBaseRate: RowPlan {
        var m = trickRows[4]
        m.id = "M@base"
        m.label = "M at lr \(p.base.learningRate.formatted6)"
        m.template.learningRate = p.base.learningRate
        m.grid = nil
        return m
    }

    /// The two-hidden-layer size whose parameter count is closest to the base network's.
    public var matchedTwoLayerSize: Int {
        let target = baseTemplate.parameterCount
        var best = 1, bestGap = Int.max
        for h in 1...1000 {
            var s = baseTemplate
            s.hiddenUnits = [h, h]
            let gap = abs(s.parameterCount - target)
            if gap < bestGap { best = h; bestGap = gap }
        }
        return best
    }

    /// Task 4: from N (no momentum), one hidden layer of each size, then two layers.
    public var topologyRows: [RowPlan] {
        let n = trickRows[3].template
        var rows = p.topologies.hiddenUnits.map { h -> RowPlan in
            var t = n
            t.hiddenUnits = [h]
            return RowPlan(id: "\(h)", label: "784-\(h)-10", template: t, grid: p.learningRateGrid)
        }
        let h = matchedTwoLayerSize
        for pair in [[h, h]] + p.topologies.twoLayerExtra where !rows.contains(where: { $0.template.hiddenUnits == pair }) {
            var t = n
            t.hiddenUnits = pair
            rows.append(RowPlan(id: pair.map(String.init).joined(separator: "-"),
                                label: "784-\(pair[0])-\(pair[1])-10", template: t, grid: p.learningRateGrid))
        }
        return rows
    }

    /// Task 5, an ablation from row M: each step of the chain changes one thing of the step it
    /// names as its `baseline` (ReLU; He init, and Xavier beside it; the wide layer; dropout
    /// on it; annealing; random shifts; the longer schedule). The first step's learning rate
    /// comes from the bonus grid and is kept after (annealing starts from it); the dropout rate
    /// and T are chosen on validation among their grids (`JobGraph.choose`). Until a choice is
    /// known, the first value of its grid stands in. The last step is the final net.
    public func bonusRows(learningRate: Double? = nil, dropout: Double? = nil, annealing: Double? = nil) -> [RowPlan] {
        let b = p.bonus
        var t = trickRows[4].template
        t.epochs = epochsOverride ?? b.epochs
        t.evaluationsPerEpoch = 1
        t.firstEpochEvaluations = nil
        if let learningRate { t.learningRate = learningRate }
        var rows: [RowPlan] = []
        t.activation = "relu"
        rows.append(RowPlan(id: "ReLU", label: "+ ReLU", template: t, grid: learningRate == nil ? b.learningRateGrid : nil))
        var compared = t
        t.initializer = b.initializer
        rows.append(RowPlan(id: "Init", label: "+ \(Self.initializerName(b.initializer)) init", template: t, baseline: "ReLU"))
        compared.initializer = b.comparedInitializer
        rows.append(RowPlan(id: "OtherInit", label: "\(Self.initializerName(b.comparedInitializer)) init instead",
                            template: compared, baseline: "Init"))
        t.hiddenUnits = [b.hiddenUnits]
        rows.append(RowPlan(id: "Wide", label: "+ \(b.hiddenUnits) units", template: t, baseline: "Init"))
        t.dropout = dropout ?? b.dropoutGrid[0]
        rows.append(RowPlan(id: "Dropout", label: "+ dropout \(t.dropout.formatted6)", template: t, baseline: "Wide"))
        t.annealingBatches = annealing ?? b.annealingGrid[0]
        rows.append(RowPlan(id: "Anneal", label: "+ lr annealing, T = \(t.annealingBatches!.formatted6)", template: t, baseline: "Dropout"))
        t.shiftPixels = b.shiftPixels
        rows.append(RowPlan(id: "Shift", label: "+ random shifts ±\(b.shiftPixels) px", template: t, baseline: "Anneal"))
        t.epochs = epochsOverride.map { 2 * $0 } ?? b.finalEpochs
        rows.append(RowPlan(id: Self.finalBonusID, label: "+ \(t.epochs) epochs", template: t, baseline: "Shift"))
        return rows
    }

    /// The id of the chain's last step, the final net.
    public static let finalBonusID = "Long"

    /// Task 5's leave-one-out rows: the final net with one change of the chain taken back
    /// (its activation, initialiser, width or epochs back to row M's or the chain's shorter
    /// schedule; no dropout, no annealing, no shifts). `removes` names the chain step undone.
    /// Taking back the longer schedule gives the chain's step before it (the same spec).
    public func bonusLeaveOneOutRows(chain: [RowPlan]) -> [RowPlan] {
        guard let final = chain.first(where: { $0.id == Self.finalBonusID }) else { return [] }
        let m = trickRows[4].template
        func without(_ step: String, _ label: String, _ change: (inout RunSpec) -> Void) -> RowPlan {
            var t = final.template
            change(&t)
            return RowPlan(id: "no-" + step, label: label, template: t, baseline: Self.finalBonusID, removes: step)
        }
        return [
            without("ReLU", "\(m.activation.replacingOccurrences(of: "-", with: " ")) instead of ReLU") { $0.activation = m.activation },
            without("Init", "\(Self.initializerName(m.initializer)) init instead of \(Self.initializerName(final.template.initializer))") {
                $0.initializer = m.initializer
            },
            without("Wide", "\(m.hiddenUnits.map(String.init).joined(separator: "-")) units instead of \(p.bonus.hiddenUnits)") {
                $0.hiddenUnits = m.hiddenUnits
            },
            without("Dropout", "no dropout") { $0.dropout = 0 },
            without("Anneal", "constant learning rate") { $0.annealingBatches = nil },
            without("Shift", "no random shifts") { $0.shiftPixels = 0 },
            without(Self.finalBonusID, "\(epochsOverride ?? p.bonus.epochs) epochs instead of \(final.template.epochs)") {
                $0.epochs = epochsOverride ?? p.bonus.epochs
            },
        ]
    }

    /// An initialiser of the parameters file as a row label names it ("he" -> "He"); a name
    /// the framework does not know stays as written.
    public static func initializerName(_ name: String) -> String {
        Initializer(name: name)?.shortName ?? name
    }

    public var bonusRows: [RowPlan] { bonusRows() }

    /// Seeds on which the bonus's dropout rate and T are chosen.
    public var choiceSeeds: [UInt64] { Array(seeds(for: .bonus).prefix(max(1, p.bonus.choiceSeeds))) }

    /// Task 5's pictures: the networks looked into, each trained again on the first seed of
    /// its group, by name ("base": task 2's net; "final": the last step of task 5 at its
    /// chosen values, `finalBonusRow`). The final net's spec depends on the bonus's choices,
    /// so it is known only after them.
    public func inspections(finalBonusRow: RowPlan?, learningRate: Double? = nil) -> [(id: String, spec: InspectionSpec)] {
        var out = [(id: "base", spec: InspectionSpec(run: plottedSpec(baseRun, learningRate: nil, seed: seeds(for: .base)[0]),
                                                     mostWrong: Inspection.mostWrongShown))]
        if let finalBonusRow {
            out.append((id: "final", spec: InspectionSpec(run: plottedSpec(finalBonusRow, learningRate: learningRate, seed: seeds(for: .bonus)[0]),
                                                          mostWrong: Inspection.mostWrongShown)))
        }
        return out
    }

    /// Issue 7: the per-sample rule on task 3's rows (B, S, I, N at the replication rate,
    /// M at its own) and task 4's nets, evaluated at epoch ends.
    public var replicationRows: [RowPlan] {
        func perSample(_ row: RowPlan, lr: Double) -> RowPlan {
            var r = row
            r.id = "R-" + row.id
            r.template.updateRule = .perSample
            r.template.learningRate = lr
            r.template.evaluationsPerEpoch = 1
            r.template.firstEpochEvaluations = nil
            r.grid = nil
            return r
        }
        let tricks = trickRows.map { perSample($0, lr: $0.id == "M" ? p.replication.momentumLearningRate : p.replication.learningRate) }
        let nets = topologyRows.map { perSample($0, lr: p.replication.learningRate) }
        return tricks + nets
    }

    /// Seeds for a group: the replication may use fewer (it is slow: no GEMM to hide behind).
    public func seeds(for group: ExperimentGroup) -> [UInt64] {
        let count = group == .replication ? min(p.replication.seeds, p.seeds) : p.seeds
        return (1...max(count, 1)).map(UInt64.init)
    }

    /// Seeds of a learning-rate sweep: the first `sweep_seeds` of the group's seeds.
    public func sweepSeeds(for group: ExperimentGroup) -> [UInt64] {
        Array(seeds(for: group).prefix(max(1, p.sweepSeeds)))
    }

    /// A sweep point: epoch-end evaluations of the validation set only.
    public func sweepSpec(_ row: RowPlan, learningRate: Double, seed: UInt64) -> RunSpec {
        var s = row.template
        s.learningRate = learningRate
        s.seed = seed
        s.evaluationsPerEpoch = 1
        s.firstEpochEvaluations = nil
        s.evaluationSets = ["validation"]
        return s
    }

    public func plottedSpec(_ row: RowPlan, learningRate: Double?, seed: UInt64) -> RunSpec {
        var s = row.template
        if let learningRate { s.learningRate = learningRate }
        s.seed = seed
        return s
    }
}
