import Foundation
import NeuralNet

/// The stages of the work, in the order they can run. A stage's keys are known only once
/// the stages before it have their results: the bonus's dropout candidates need the rate
/// chosen from its sweep, T's candidates the chosen dropout rate, and the plotted runs every
/// chosen rate. Rendering needs everything. Locally the stages run one after the other in
/// one process; on Slurm each is its own job array, started after the previous one
/// (`--dependency=afterok`), and resolves its keys when it starts.
public enum Stage: String, CaseIterable, Codable, Sendable, Comparable {
    /// Runs whose specs are fixed (base run, gradient check, M at the base rate, the
    /// replication) and every learning-rate sweep point.
    case sweeps
    /// One more rate past the edge of a grid whose choice sits on that edge (the 1-2-5
    /// ladder's next value, `grid_edge_steps`), so that the choice is redone with it.
    case sweepEdges = "sweep-edges"
    /// The bonus's dropout candidates at the rate chosen from its sweep.
    case bonusDropout = "bonus-dropout"
    /// The bonus's annealing candidates (T) with the chosen dropout rate.
    case bonusAnneal = "bonus-anneal"
    /// Every row at its chosen rate, once per seed: the runs the figures and tables show.
    case plotted
    /// The networks task 5's pictures look into (`InspectionSpec`), trained again: the final
    /// net is the last bonus step at its chosen values, known once the plotted rows are.
    case inspections
    /// Figures and report.md from the cached results (never trains).
    case render

    /// The stages that train, in order.
    public static let training: [Stage] = [.sweeps, .sweepEdges, .bonusDropout, .bonusAnneal, .plotted, .inspections]

    /// The stage whose results this one's keys depend on.
    public var previous: Stage? {
        let all = Stage.allCases
        let i = all.firstIndex(of: self)!
        return i == 0 ? nil : all[i - 1]
    }

    public static func < (a: Self, b: Self) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
}

/// What one job computes.
public enum Work: Sendable {
    case train(RunSpec)
    case check(GradientCheckSpec)
    case inspect(InspectionSpec)

    public var summary: String {
        switch self {
        case .train(let spec): spec.summary
        case .check(let spec): "gradient check, \(spec.images) images, e = \(spec.epsilon)"
        case .inspect(let spec): "inspection of " + spec.run.summary
        }
    }
}

/// One node of the graph: a run (or the gradient check) with its typed identity (cache key),
/// the name people read ("3/B/lr=0.5/seed=1/sweep"), the group `--only` selects it by and
/// the stage it belongs to.
public struct GraphJob: Sendable {
    public var name: String
    public var group: ExperimentGroup
    public var stage: Stage
    public var key: String
    public var work: Work
    /// Relative cost (parameters x epochs x evaluation load), to order and chunk work when
    /// no cached wall time is known.
    public var cost: Double
}

/// A table row by typed identity: its group and row id (`.tricks`, "B").
public struct RowID: Hashable, Sendable {
    public var group: ExperimentGroup
    public var row: String
    public init(_ group: ExperimentGroup, _ row: String) { self.group = group; self.row = row }
}

/// The choices made from results: each swept row's learning rate (with the sweep it came
/// from) and the bonus's validation choices, as far as the results allow.
public struct Decisions: Sendable {
    public var rates: [RowID: (rate: Double, sweep: [SweepPoint])] = [:]
    /// Dropout rate, then T, in the order they were chosen.
    public var bonusChoices: [Choice] = []
    /// The bonus rows with every choice filled in; nil until all are known.
    public var bonusRows: [RowPlan]?
    /// Groups whose choices cannot be made yet (a result is missing).
    public var missing: Set<ExperimentGroup> = []
}

/// The typed job graph: which jobs each stage has, given the results so far, and the
/// decisions the results imply. Pure: the same planner, checksums and results give the
/// same jobs in the same order. The local experimenter, `make-report plan` and the Slurm
/// workers all ask it, so they cannot disagree about what a stage contains.
public struct JobGraph: Sendable {
    public let planner: Planner
    public let checksums: [String: String]

    public init(planner: Planner, checksums: [String: String]) {
        self.planner = planner
        self.checksums = checksums
    }

    /// Reads one result by key (nil when it is not cached).
    public typealias Results = (String) -> RunResult?

    public func key(_ spec: RunSpec) -> String {
        ResultStore.key(kind: "run", spec: spec, checksums: checksums, codeVersion: TrainingCode.version)
    }

    public var gradientCheckKey: String {
        ResultStore.key(kind: "gradient-check", spec: planner.gradientCheckSpec, checksums: checksums, codeVersion: TrainingCode.version)
    }

    public func inspectionKey(_ spec: InspectionSpec) -> String {
        ResultStore.key(kind: InspectionRecord.cacheKind, spec: spec, checksums: checksums, codeVersion: TrainingCode.version)
    }

    /// Task 5's inspections (base net, and the final bonus step once its choices are known).
    public func inspections(_ d: Decisions) -> [(id: String, spec: InspectionSpec)] {
        let final = plottedRows(d).last { $0.0 == .bonus && $0.1.id == Planner.finalBonusID }
        return planner.inspections(finalBonusRow: final?.1, learningRate: final?.2)
    }

    /// The job name of an inspection ("base" or "final", see `Planner.inspections`).
    public static func inspectionName(_ id: String, seed: UInt64) -> String { "5/inspection/\(id)/seed=\(seed)" }

    func job(_ name: String, _ group: ExperimentGroup, _ stage: Stage, _ spec: RunSpec) -> GraphJob {
        GraphJob(name: name, group: group, stage: stage, key: key(spec), work: .train(spec), cost: Self.cost(spec))
    }

    /// Rough relative cost of a run, to start the longest first and to size Slurm tasks.
    public static func cost(_ spec: RunSpec) -> Double {
        let perSample = spec.updateRule == .perSample ? 6.0 : 1.0
        return Double(spec.parameterCount) * Double(spec.epochs) * perSample
            * (1 + 0.2 * Double(spec.evaluationsPerEpoch * spec.evaluationSets.count))
    }

    /// The rows that choose their learning rate from a sweep.
    var sweepRows: [(ExperimentGroup, RowPlan)] {
        let p = planner
        return p.trickRows.map { (.tricks, $0) } + p.topologyRows.map { (.topologies, $0) }
            + p.bonusRows.filter { $0.grid != nil }.map { (.bonus, $0) }
    }

    /// The jobs of `stage`. Groups whose choices cannot be made yet (a result of an earlier
    /// stage is missing) are left out, unless `standIn`: then the first value of each missing
    /// choice's grid stands in, which forecasts the stage's size and names (not its keys)
    /// before the earlier stages ran.
    public func jobs(_ stage: Stage, results: Results, standIn: Bool = false) -> [GraphJob] {
        let p = planner
        switch stage {
        case .sweeps:
            var jobs: [GraphJob] = []
            for s in p.seeds(for: .base) {
                jobs.append(job(Self.plottedName(.base, p.baseRun, seed: s), .base, .sweeps, p.plottedSpec(p.baseRun, learningRate: nil, seed: s)))
            }
            jobs.append(GraphJob(name: "2b/gradient-check", group: .gradientCheck, stage: .sweeps, key: gradientCheckKey,
                                 work: .check(p.gradientCheckSpec), cost: 5))
            for (group, row) in sweepRows {
                for lr in row.grid ?? [] {
                    for s in p.sweepSeeds(for: group) {
                        jobs.append(job(Self.sweepName(group, row, rate: lr, seed: s), group, .sweeps,
                                        p.sweepSpec(row, learningRate: lr, seed: s)))
                    }
                }
            }
            for s in p.seeds(for: .tricks) {
                jobs.append(job("3/M@base/seed=\(s)", .tricks, .sweeps, p.plottedSpec(p.momentumAtBaseRate, learningRate: nil, seed: s)))
            }
            for row in p.replicationRows {
                for s in p.seeds(for: .replication) {
                    jobs.append(job("R/\(row.id)/seed=\(s)", .replication, .sweeps, p.plottedSpec(row, learningRate: nil, seed: s)))
                }
            }
            return jobs
        case .sweepEdges:
            var jobs: [GraphJob] = []
            for (group, row) in sweepRows {
                guard let points = sweep(group, row, results: results), let rate = edgeRate(row, points) else { continue }
                for s in p.sweepSeeds(for: group) {
                    jobs.append(job(Self.sweepName(group, row, rate: rate, seed: s), group, .sweepEdges,
                                    p.sweepSpec(row, learningRate: rate, seed: s)))
                }
            }
            return jobs
        case .bonusDropout:
            guard let rate = bonusRate(results: results, standIn: standIn) else { return [] }
            return choiceJobs(.dropout, rate: rate, dropout: nil)
        case .bonusAnneal:
            let d = decisions(results: results, through: .bonusDropout, standIn: standIn)
            guard let rate = bonusRate(results: results, standIn: standIn), let dropout = d.bonusChoices.first?.chosen else { return [] }
            return choiceJobs(.annealing, rate: rate, dropout: dropout)
        case .plotted:
            let d = decisions(results: results, standIn: standIn)
            var jobs: [GraphJob] = []
            var keys = Set<String>()
            for (group, row, lr) in plottedRows(d) {
                for s in p.seeds(for: group) {
                    // A leave-one-out row can be a chain step (the shorter schedule): one run, trained once.
                    let j = job(Self.plottedName(group, row, seed: s), group, .plotted, p.plottedSpec(row, learningRate: lr, seed: s))
                    if keys.insert(j.key).inserted { jobs.append(j) }
                }
            }
            return jobs
        case .inspections:
            return inspections(decisions(results: results, standIn: standIn)).map { id, spec in
                GraphJob(name: Self.inspectionName(id, seed: spec.run.seed), group: .bonus, stage: .inspections,
                         key: inspectionKey(spec), work: .inspect(spec), cost: Self.cost(spec.run))
            }
        case .render:
            return []
        }
    }

    /// Every row shown at a chosen rate (or its fixed one) whose choice is known, in table order.
    public func plottedRows(_ d: Decisions) -> [(ExperimentGroup, RowPlan, Double?)] {
        var rows: [(ExperimentGroup, RowPlan, Double?)] = []
        for (group, list) in [(ExperimentGroup.tricks, planner.trickRows), (.topologies, planner.topologyRows), (.bonus, d.bonusRows ?? [])] {
            for row in list {
                if row.grid == nil { rows.append((group, row, nil)); continue }
                guard let chosen = d.rates[RowID(group, row.id)] else { continue }
                rows.append((group, row, chosen.rate))
            }
        }
        return rows
    }

    /// The bonus's two validation choices, one after the other.
    enum Knob { case dropout, annealing }

    func choiceRow(_ knob: Knob, rate: Double, value: Double, dropout: Double?) -> RowPlan {
        switch knob {
        case .dropout: planner.bonusRows(learningRate: rate, dropout: value).first { $0.id == "Dropout" }!
        case .annealing: planner.bonusRows(learningRate: rate, dropout: dropout, annealing: value).first { $0.id == "Anneal" }!
        }
    }

    func knobFacts(_ knob: Knob) -> (knob: String, step: String, values: [Double], stage: Stage) {
        switch knob {
        case .dropout: ("dropout", "Dropout", planner.parameters.bonus.dropoutGrid, .bonusDropout)
        case .annealing: ("T", "Anneal", planner.parameters.bonus.annealingGrid, .bonusAnneal)
        }
    }

    func choiceJobs(_ knob: Knob, rate: Double, dropout: Double?) -> [GraphJob] {
        let f = knobFacts(knob)
        return f.values.flatMap { v in
            planner.choiceSeeds.map { s in
                job(Self.choiceName(step: f.step, knob: f.knob, value: v, seed: s), .bonus, f.stage,
                    planner.sweepSpec(choiceRow(knob, rate: rate, value: v, dropout: dropout), learningRate: rate, seed: s))
            }
        }
    }

    func bonusRate(results: Results, standIn: Bool = false) -> Double? {
        decisions(results: results, through: .sweepEdges, standIn: standIn).rates[RowID(.bonus, planner.bonusRows[0].id)]?.rate
    }

    /// The choices the results imply, through the choices made after `stage`'s results.
    /// With `standIn`, a choice whose results are missing takes its grid's first value (and
    /// its group is still reported missing).
    public func decisions(results: Results, through stage: Stage = .plotted, standIn: Bool = false) -> Decisions {
        let p = planner
        var d = Decisions()
        for (group, row) in sweepRows {
            if var points = sweep(group, row, results: results) {
                if stage >= .sweepEdges, let rate = edgeRate(row, points) {
                    if let extra = point(group, row, rate: rate, results: results) {
                        points = rate > row.grid!.max()! ? [extra] + points : points + [extra]
                    } else {
                        d.missing.insert(group)
                    }
                }
                d.rates[RowID(group, row.id)] = (RowOutcome.choose(from: points) ?? row.grid!.min()!, points)
            } else {
                d.missing.insert(group)
                if standIn { d.rates[RowID(group, row.id)] = (row.grid!.first!, []) }
            }
        }
        func made(_ knob: Knob, rate: Double, dropout: Double?) -> Choice? {
            if let c = choose(knob, rate: rate, dropout: dropout, results: results) { return c }
            d.missing.insert(.bonus)
            let f = knobFacts(knob)
            return standIn ? Choice(knob: f.knob, step: f.step, candidates: [], chosen: f.values[0]) : nil
        }
        guard stage >= .bonusDropout else { return d }
        guard let rate = d.rates[RowID(.bonus, p.bonusRows[0].id)]?.rate,
              let dropout = made(.dropout, rate: rate, dropout: nil) else {
            d.missing.insert(.bonus); return d
        }
        d.bonusChoices.append(dropout)
        guard stage >= .bonusAnneal else { return d }
        guard let annealing = made(.annealing, rate: rate, dropout: dropout.chosen) else {
            d.missing.insert(.bonus); return d
        }
        d.bonusChoices.append(annealing)
        let chain = p.bonusRows(learningRate: rate, dropout: dropout.chosen, annealing: annealing.chosen)
        d.bonusRows = chain + p.bonusLeaveOneOutRows(chain: chain)
        return d
    }

    /// A row's sweep (seeds 1...sweep_seeds at each rate) from the results, or nil when a point is missing.
    func sweep(_ group: ExperimentGroup, _ row: RowPlan, results: Results) -> [SweepPoint]? {
        var points: [SweepPoint] = []
        for lr in row.grid ?? [] {
            guard let point = point(group, row, rate: lr, results: results) else { return nil }
            points.append(point)
        }
        return points
    }

    /// One sweep point (every sweep seed at `rate`), or nil when a run is missing.
    func point(_ group: ExperimentGroup, _ row: RowPlan, rate: Double, results: Results) -> SweepPoint? {
        var accs: [Double?] = []
        var runs: [RunResult] = []
        for s in planner.sweepSeeds(for: group) {
            guard let r = results(key(planner.sweepSpec(row, learningRate: rate, seed: s))) else { return nil }
            accs.append(r.diverged ? nil : r.history.final("validation")?.accuracy)
            runs.append(r)
        }
        return SweepPoint(learningRate: rate, finalValidationAccuracy: accs, runs: runs)
    }

    /// The rate one 1-2-5 step past the edge of `row`'s grid when the rate chosen from its
    /// grid (`points`) sits on that edge and `grid_edge_steps` allows it; else nil.
    /// When every rate of the grid diverged or collapsed, the grid is extended downwards: a
    /// rate too large for the net is what makes a run collapse.
    func edgeRate(_ row: RowPlan, _ points: [SweepPoint]) -> Double? {
        guard planner.parameters.gridEdgeSteps > 0, let grid = row.grid, grid.count > 1 else { return nil }
        guard let chosen = RowOutcome.choose(from: points) else { return RateLadder.step(from: grid.min()!, up: false) }
        if chosen == grid.max() { return RateLadder.step(from: chosen, up: true) }
        if chosen == grid.min() { return RateLadder.step(from: chosen, up: false) }
        return nil
    }

    /// The candidate of `knob` with the best mean final validation accuracy over the choice
    /// seeds (a diverged run counts as 0), or nil when a candidate's result is missing.
    func choose(_ knob: Knob, rate: Double, dropout: Double?, results: Results) -> Choice? {
        let f = knobFacts(knob)
        var candidates: [(value: Double, accuracy: Summary)] = []
        for v in f.values {
            var accs: [Double] = []
            for s in planner.choiceSeeds {
                let spec = planner.sweepSpec(choiceRow(knob, rate: rate, value: v, dropout: dropout), learningRate: rate, seed: s)
                guard let r = results(key(spec)) else { return nil }
                accs.append(r.diverged ? 0 : (r.history.final("validation")?.accuracy ?? 0))
            }
            candidates.append((v, Summary(accs)))
        }
        let best = candidates.max { $0.accuracy.mean < $1.accuracy.mean }!.value
        return Choice(knob: f.knob, step: f.step, candidates: candidates, chosen: best)
    }

    /// The job name of a sweep point's run.
    public static func sweepName(_ group: ExperimentGroup, _ row: RowPlan, rate: Double, seed: UInt64) -> String {
        "\(group.rawValue)/\(row.id)/lr=\(rate.formatted6)/seed=\(seed)/sweep"
    }

    /// The job name of a plotted run (row at its chosen rate, one seed).
    public static func plottedName(_ group: ExperimentGroup, _ row: RowPlan, seed: UInt64) -> String {
        "\(group.rawValue)/\(row.id)/seed=\(seed)"
    }

    /// The job name of one candidate of the bonus's choices (dropout rate, T).
    public static func choiceName(step: String, knob: String, value: Double, seed: UInt64) -> String {
        "5/\(step)/\(knob)=\(value.formatted6)/seed=\(seed)/choice"
    }
}

/// Learning rates on the 1-2-5 ladder (..., 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, ...),
/// the spacing of the report's grids: one step past a grid's edge is the ladder's next value.
public enum RateLadder {
    /// The ladder's next value above (or below) `rate`, written exactly as its decimal
    /// ("0.005", not 0.005000000000000001).
    public static func step(from rate: Double, up: Bool) -> Double {
        let e = Int(floor(log10(rate)))
        let candidates = (e - 2...e + 2).flatMap { k in [1, 2, 5].map { Double("\($0)e\(k)")! } }
        return up ? candidates.filter { $0 > rate * (1 + 1e-9) }.min()! : candidates.filter { $0 < rate * (1 - 1e-9) }.max()!
    }
}
