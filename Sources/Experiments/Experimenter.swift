import Foundation
import NeuralNet

/// What the experimenter tells its user: progress of running jobs and one line per
/// decision ("reused", "ran (why)").
public protocol ExperimentLog: AnyObject, Sendable {
    func note(_ line: String)
    func started(job: String, summary: String, epochs: Int)
    func event(job: String, _ event: TrainingEvent)
    func finished(job: String, seconds: Double, outcome: String)
    /// The runs `phase` will train, with `workers` in parallel; at the start of a run the
    /// later phases come as forecasts, replaced when they begin (see `RunProgress`).
    func planned(_ runs: [PlannedRun], phase: String, workers: Int)
}

extension ExperimentLog {
    public func planned(_ runs: [PlannedRun], phase: String, workers: Int) {}
}

public struct ExperimentOptions: Sendable {
    public var jobs: Int = 1
    public var force = false
    /// nil: every group.
    public var only: Set<ExperimentGroup>? = nil
    public var dryRun = false
    public init(jobs: Int = 1, force: Bool = false, only: Set<ExperimentGroup>? = nil, dryRun: Bool = false) {
        self.jobs = jobs; self.force = force; self.only = only; self.dryRun = dryRun
    }
}

/// Runs what the plan needs and the cache lacks, in two phases (fixed runs and sweeps;
/// then the runs at the chosen learning rates), with `jobs` runs in parallel, and
/// assembles the outcomes. Results are identical whatever `jobs` is: each run draws only
/// from its own seeded streams, and BLAS is single-threaded inside each.
public final class Experimenter: @unchecked Sendable {
    public let planner: Planner
    public let store: ResultStore
    public let data: DataProvider
    public let options: ExperimentOptions
    public let log: ExperimentLog
    public let provenance: Provenance
    private var checksums: [String: String] = [:]
    private var outcomes: Outcomes
    /// Counts per group: reused, ran.
    private var tally: [ExperimentGroup: (reused: Int, ran: Int)] = [:]
    private let lock = NSLock()

    public init(planner: Planner, store: ResultStore, data: DataProvider, options: ExperimentOptions,
                log: ExperimentLog, provenance: Provenance) {
        self.planner = planner
        self.store = store
        self.data = data
        self.options = options
        self.log = log
        self.provenance = provenance
        outcomes = Outcomes(parameters: planner.parameters, planner: planner)
    }

    private struct Job {
        var name: String
        var group: ExperimentGroup
        var key: String
        var work: Work
        var why: String
        var cost: Double
        init(_ j: GraphJob) { name = j.name; group = j.group; key = j.key; work = j.work; why = ""; cost = j.cost }
    }

    private func selected(_ g: ExperimentGroup) -> Bool { options.only?.contains(g) ?? true }

    /// Runs the graph's training stages one after the other (each resolved from the results
    /// of the stages before it), then assembles the outcomes from the cache.
    public func run() throws -> Outcomes {
        checksums = try data.checksums()
        outcomes.datasetChecksums = checksums
        let p = planner
        let graph = JobGraph(planner: p, checksums: checksums)
        let results: JobGraph.Results = { [self] in result(key: $0) }
        for stage in Stage.training {
            let jobs = graph.jobs(stage, results: results).map(Job.init)
            for job in jobs { outcomes.keys.insert(job.key); outcomes.names.insert(job.name) }
            if stage == .sweeps {
                try execute(jobs, phase: Self.phaseName(stage)) { toRun in
                    // Only a sweep run is sure to be reused at whichever grid rate is chosen; a fixed
                    // run (M@base) is a later run only if the choice lands on its rate, not known yet.
                    let reusable = jobs.filter { $0.name.hasSuffix("/sweep") }
                    forecastLaterPhases(trainingGroups: Set(toRun.map(\.group)), phase1Keys: Set(reusable.map(\.key)))
                }
            } else {
                try execute(jobs, phase: Self.phaseName(stage))
            }
        }
        let decisions = graph.decisions(results: results)
        outcomes.missing.formUnion(decisions.missing)
        outcomes.bonusChoices = decisions.bonusChoices

        // Assemble.
        func outcome(_ group: ExperimentGroup, _ row: RowPlan, lr: Double?) -> RowOutcome? {
            var runs: [RunResult] = []
            for s in p.seeds(for: group) {
                guard let r = result(key: graph.key(p.plottedSpec(row, learningRate: lr, seed: s))) else {
                    outcomes.missing.insert(group)
                    return nil
                }
                runs.append(r)
            }
            let sweepInfo = decisions.rates[RowID(group, row.id)] ?? (group == .bonus ? decisions.rates[RowID(.bonus, p.bonusRows[0].id)] : nil)
            return RowOutcome(plan: row, sweep: sweepInfo?.sweep ?? [], chosenLearningRate: lr ?? row.template.learningRate, runs: runs)
        }
        outcomes.base = outcome(.base, p.baseRun, lr: nil)
        if case .found(let record) = store.load(GradientCheckRecord.self, key: graph.gradientCheckKey) { outcomes.gradientCheck = record }
        else { outcomes.missing.insert(.gradientCheck) }
        for (group, row, lr) in graph.plottedRows(decisions) {
            guard let o = outcome(group, row, lr: lr) else { continue }
            switch group {
            case .tricks: outcomes.tricks.append(o)
            case .topologies: outcomes.topologies.append(o)
            case .bonus where row.removes != nil: outcomes.bonusLeaveOneOut.append(o)
            case .bonus: outcomes.bonus.append(o)
            default: break
            }
        }
        outcomes.momentumAtBaseRate = outcome(.tricks, p.momentumAtBaseRate, lr: nil)
        for row in p.replicationRows { if let o = outcome(.replication, row, lr: nil) { outcomes.replication.append(o) } }
        for (id, spec) in graph.inspections(decisions) {
            guard case .found(let record) = store.load(InspectionRecord.self, key: graph.inspectionKey(spec)) else {
                outcomes.missing.insert(.bonus); continue
            }
            if id == "base" { outcomes.baseInspection = record } else { outcomes.finalInspection = record }
        }
        if outcomes.finalInspection == nil { outcomes.missing.insert(.bonus) }
        if !options.dryRun { try store.saveIndex() }
        for g in ExperimentGroup.allCases {
            let t = tally[g] ?? (0, 0)
            if t.reused + t.ran > 0 {
                log.note("task \(g.rawValue): \(t.ran) ran, \(t.reused) reused" + (outcomes.missing.contains(g) ? " (incomplete)" : ""))
            }
        }
        return outcomes
    }

    private var memo: [String: RunResult] = [:]

    private func result(key: String) -> RunResult? {
        lock.lock()
        if let r = memo[key] { lock.unlock(); return r }
        lock.unlock()
        if case .found(let r) = store.load(RunResult.self, key: key) {
            lock.lock(); memo[key] = r; lock.unlock()
            return r
        }
        return nil
    }

    /// Rough relative cost of a run, to start the longest first (see `JobGraph.cost`).
    func cost(_ spec: RunSpec) -> Double { JobGraph.cost(spec) }

    /// Every job's cache entry, read and decoded on all cores (decoding the 338 cached
    /// results one after another was a third of a cached re-render). Found runs go into
    /// `memo`.
    private func lookUp(_ jobs: [Job]) -> [ResultStore.Lookup<Void>] {
        let out = UnsafeMutableBufferPointer<ResultStore.Lookup<Void>>.allocate(capacity: jobs.count)
        defer { out.deallocate() }
        DispatchQueue.concurrentPerform(iterations: jobs.count) { i in
            let job = jobs[i]
            let lookup: ResultStore.Lookup<Void>
            switch job.work {
            case .train:
                switch store.load(RunResult.self, key: job.key) {
                case .found(let r): lock.lock(); memo[job.key] = r; lock.unlock(); lookup = .found(())
                case .missing: lookup = .missing
                case .corrupt(let m): lookup = .corrupt(m)
                }
            case .check:
                switch store.load(GradientCheckRecord.self, key: job.key) {
                case .found: lookup = .found(())
                case .missing: lookup = .missing
                case .corrupt(let m): lookup = .corrupt(m)
                }
            case .inspect:
                switch store.load(InspectionRecord.self, key: job.key) {
                case .found: lookup = .found(())
                case .missing: lookup = .missing
                case .corrupt(let m): lookup = .corrupt(m)
                }
            }
            (out.baseAddress! + i).initialize(to: lookup)
        }
        let all = Array(out)
        out.baseAddress!.deinitialize(count: jobs.count)
        return all
    }

    /// Decides for each job whether it is reused or must run (and why); tells the log the runs
    /// of `phase` (and calls `beforeRunning` with them), then trains them with `options.jobs`
    /// worker threads, longest first.
    private func execute(_ jobs: [Job], phase: String, beforeRunning: ([Job]) -> Void = { _ in }) throws {
        var toRun: [Job] = []
        // Two names can describe the same run (task 4's 64-unit net is row N): run it once.
        var seen: Set<String> = []
        var duplicates: [Job] = []
        let lookups = lookUp(jobs)
        for (index, var job) in jobs.enumerated() {
            if !seen.insert(job.key).inserted { duplicates.append(job); continue }
            let lookup = lookups[index]
            switch lookup {
            case .found:
                if options.force && selected(job.group) { job.why = "--force"; toRun.append(job) }
                else { tally[job.group, default: (0, 0)].reused += 1; store.record(name: job.name, key: job.key) }
            case .corrupt(let message):
                log.note("corrupt cache entry \(message); ignoring it")
                if selected(job.group) { job.why = "cache entry was corrupt"; toRun.append(job) }
            case .missing:
                if selected(job.group) { job.why = why(job); toRun.append(job) }
            }
        }
        defer { for job in duplicates { store.record(name: job.name, key: job.key) } }
        if options.dryRun {
            for job in toRun { log.note("would run \(job.name) (\(job.why))") }
            return
        }
        beforeRunning(toRun)
        log.planned(toRun.map { PlannedRun(name: $0.name, expectedSeconds: comparableSeconds(name: $0.name, key: $0.key), cost: $0.cost) },
                    phase: phase, workers: options.jobs)
        let units = Self.units(toRun).sorted { $0.cost > $1.cost }
        let queue = WorkQueue(units)
        let workers = max(1, min(options.jobs, units.count))
        let group = DispatchGroup()
        for _ in 0..<workers {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                while let job = queue.next() {
                    do { try perform(job) } catch { queue.fail(error) }
                }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
        if let error = queue.error { throw error }
    }

    /// What one worker thread takes at a time: a job, or the runs of one learning-rate grid
    /// (same spec but the rate, see `RunSpec.gridIdentity`) trained together by
    /// `JobRunner.performGrid`, each still cached and reported under its own key and name. Only
    /// the runs that must run are grouped: a changed rate re-runs that member alone.
    private enum Unit {
        case one(Job)
        case grid([Job])
        var cost: Double {
            switch self {
            case .one(let job): job.cost
            case .grid(let jobs): jobs.map(\.cost).reduce(0, +)
            }
        }
    }

    /// `jobs` as units (`GridGrouping`): a grid of more than one run, or one job.
    private static func units(_ jobs: [Job]) -> [Unit] {
        GridGrouping.units(jobs) { job in
            if case .train(let spec) = job.work { return spec }
            return nil
        }.map { $0.count > 1 ? .grid($0) : .one($0[0]) }
    }

    private func perform(_ unit: Unit) throws {
        guard case .grid(let jobs) = unit else {
            if case .one(let job) = unit { try perform(job) }
            return
        }
        let runner = JobRunner(data: data, store: store, checksums: checksums, provenance: provenance)
        let nodes = jobs.map { GraphJob(name: $0.name, group: $0.group, stage: .sweeps, key: $0.key, work: $0.work, cost: $0.cost) }
        let results = try runner.performGrid(nodes, why: jobs.map(\.why), log: log)
        lock.lock()
        for (job, result) in zip(jobs, results) {
            memo[job.key] = result
            tally[job.group, default: (0, 0)].ran += 1
        }
        lock.unlock()
    }

    private func perform(_ job: Job) throws {
        let runner = JobRunner(data: data, store: store, checksums: checksums, provenance: provenance)
        let node = GraphJob(name: job.name, group: job.group, stage: .sweeps, key: job.key, work: job.work, cost: job.cost)
        if let result = try runner.perform(node, why: job.why, log: log) {
            lock.lock(); memo[job.key] = result; lock.unlock()
        }
        lock.lock(); tally[job.group, default: (0, 0)].ran += 1; lock.unlock()
    }

    /// Why a job has no cached result: new, or what changed since the result stored under
    /// the same name.
    private func why(_ job: Job) -> String {
        guard let old = store.previousKey(name: job.name), old != job.key else { return "no cached result" }
        guard case .found(let previous) = store.load(RunResult.self, key: old) else {
            if case .check(let spec) = job.work, case .found(let prev) = store.load(GradientCheckRecord.self, key: old) {
                if prev.codeVersion != TrainingCode.version { return "training code changed" }
                if prev.datasetChecksums != checksums { return "dataset changed" }
                return prev.spec == spec ? "inputs changed" : "parameters changed"
            }
            if case .inspect(let spec) = job.work, case .found(let prev) = store.load(InspectionRecord.self, key: old) {
                if prev.codeVersion != TrainingCode.version { return "training code changed" }
                if prev.datasetChecksums != checksums { return "dataset changed" }
                let diff = spec.run.differences(from: prev.spec.run)
                return diff.isEmpty ? "parameters changed" : "its run changed: " + diff.joined(separator: ", ")
            }
            return "no cached result"
        }
        if previous.codeVersion != TrainingCode.version {
            return "training code version \(previous.codeVersion) -> \(TrainingCode.version)"
        }
        if previous.datasetChecksums != checksums { return "dataset changed" }
        if case .train(let spec) = job.work {
            let diff = spec.differences(from: previous.spec)
            if !diff.isEmpty { return "changed: " + diff.joined(separator: ", ") }
        }
        return "inputs changed"
    }
}

// MARK: Names and forecasts for the whole run's progress

extension Experimenter {
    static let plottedPhase = "3 runs at the chosen rates"
    static let inspectionPhase = "4 networks looked into for task 5's pictures"
    static func choicePhase(_ knob: String) -> String { "2 bonus choice of \(knob)" }

    /// The progress line's name of a stage's phase.
    static func phaseName(_ stage: Stage) -> String {
        switch stage {
        case .sweeps: "1 fixed runs and sweeps"
        case .sweepEdges: "1 sweeps past a grid's edge"
        case .bonusDropout: choicePhase("dropout")
        case .bonusAnneal: choicePhase("T")
        case .plotted, .render: plottedPhase
        case .inspections: inspectionPhase
        }
    }

    static func plottedName(_ group: ExperimentGroup, _ row: RowPlan, seed: UInt64) -> String {
        JobGraph.plottedName(group, row, seed: seed)
    }

    static func choiceName(step: String, knob: String, value: Double, seed: UInt64) -> String {
        JobGraph.choiceName(step: step, knob: knob, value: value, seed: seed)
    }

    /// The wall seconds of the run last cached under `name` (or under `key` itself, when
    /// --force retrains it): the same task, row and seed, so the best guess of its time.
    func comparableSeconds(name: String, key: String) -> Double? {
        for k in [key, store.previousKey(name: name)].compactMap({ $0 }) {
            if case .found(let r) = store.load(RunResult.self, key: k) { return r.wallSeconds }
            if case .found(let r) = store.load(InspectionRecord.self, key: k) { return r.wallSeconds }
        }
        return nil
    }

    /// Before phase 1 trains: which runs of the later phases (the bonus's choices, the runs
    /// at the chosen rates) will probably train, since their keys depend on rates chosen
    /// later. A run is expected to be reused when its name's previous result is cached, from
    /// the same code and data, its group trains nothing in phase 1 (so the same rates will be
    /// chosen) and nothing is forced.
    func forecastLaterPhases(trainingGroups: Set<ExperimentGroup>, phase1Keys: Set<String>) {
        let p = planner
        // Two names can be one run (task 4's 64-unit net is row N; a plotted run can be a sweep
        // run), trained once; a stand-in rate (the grid's first) gives them the same key.
        var seen = phase1Keys
        func forecast(_ name: String, _ group: ExperimentGroup, _ spec: RunSpec) -> PlannedRun? {
            guard options.only?.contains(group) ?? true,
                  seen.insert(ResultStore.key(kind: "run", spec: spec, checksums: checksums, codeVersion: TrainingCode.version)).inserted
            else { return nil }
            var previous: RunResult?
            if let key = store.previousKey(name: name), case .found(let r) = store.load(RunResult.self, key: key) { previous = r }
            if let previous, !options.force, !trainingGroups.contains(group),
               previous.codeVersion == TrainingCode.version, previous.datasetChecksums == checksums { return nil }
            return PlannedRun(name: name, expectedSeconds: previous?.wallSeconds, cost: cost(spec))
        }
        // Rates past a grid's edge: exact where the row's sweep is cached; otherwise expected
        // where every choice is an edge (a grid of two) or the last run extended the same row.
        let graph = JobGraph(planner: p, checksums: checksums)
        var edges: [PlannedRun] = []
        for (group, row) in graph.sweepRows where p.parameters.gridEdgeSteps > 0 {
            guard let grid = row.grid, grid.count > 1 else { continue }
            var rates: [Double]
            if let points = graph.sweep(group, row, results: { self.result(key: $0) }) {
                rates = graph.edgeRate(row, points).map { [$0] } ?? []
            } else {
                let beyond = [RateLadder.step(from: grid.max()!, up: true), RateLadder.step(from: grid.min()!, up: false)]
                rates = beyond.filter { r in p.sweepSeeds(for: group).contains { store.previousKey(name: JobGraph.sweepName(group, row, rate: r, seed: $0)) != nil } }
                if rates.isEmpty && grid.count == 2 { rates = [beyond[0]] }
            }
            for rate in rates.prefix(1) {
                for s in p.sweepSeeds(for: group) {
                    if let run = forecast(JobGraph.sweepName(group, row, rate: rate, seed: s), group, p.sweepSpec(row, learningRate: rate, seed: s)) {
                        edges.append(run)
                    }
                }
            }
        }
        log.planned(edges, phase: Self.phaseName(.sweepEdges), workers: options.jobs)
        let chain = p.bonusRows
        let bonus = chain + p.bonusLeaveOneOutRows(chain: chain)
        let standIn = bonus[0].grid?.first ?? bonus[0].template.learningRate
        for (knob, step, values) in [("dropout", "Dropout", p.parameters.bonus.dropoutGrid),
                                     ("T", "Anneal", p.parameters.bonus.annealingGrid)] {
            let runs = values.flatMap { v in p.choiceSeeds.compactMap { s in
                let rows = knob == "T" ? p.bonusRows(annealing: v) : p.bonusRows(dropout: v)
                return forecast(Self.choiceName(step: step, knob: knob, value: v, seed: s), .bonus,
                                p.sweepSpec(rows.first { $0.id == step }!, learningRate: standIn, seed: s))
            } }
            log.planned(runs, phase: Self.choicePhase(knob), workers: options.jobs)
        }
        var plotted: [PlannedRun] = []
        for (group, rows) in [(ExperimentGroup.tricks, p.trickRows), (.topologies, p.topologyRows), (.bonus, bonus)] {
            for row in rows {
                for s in p.seeds(for: group) {
                    let rate = row.grid?.first ?? row.template.learningRate
                    if let run = forecast(Self.plottedName(group, row, seed: s), group, p.plottedSpec(row, learningRate: rate, seed: s)) {
                        plotted.append(run)
                    }
                }
            }
        }
        log.planned(plotted, phase: Self.plottedPhase, workers: options.jobs)
        // The inspections train again whenever their run may change.
        let inspections = p.inspections(finalBonusRow: chain.last).compactMap { id, spec -> PlannedRun? in
            guard options.only?.contains(.bonus) ?? true else { return nil }
            let name = JobGraph.inspectionName(id, seed: spec.run.seed)
            var previous: InspectionRecord?
            if let key = store.previousKey(name: name), case .found(let r) = store.load(InspectionRecord.self, key: key) { previous = r }
            if let previous, !options.force, !trainingGroups.contains(.bonus), !trainingGroups.contains(.base),
               previous.codeVersion == TrainingCode.version, previous.datasetChecksums == checksums { return nil }
            return PlannedRun(name: name, expectedSeconds: previous?.wallSeconds, cost: cost(spec.run))
        }
        log.planned(inspections, phase: Self.inspectionPhase, workers: options.jobs)
    }
}

/// Hands jobs to worker threads in order; after a failure it hands out no more.
private final class WorkQueue<Job>: @unchecked Sendable {
    private var jobs: [Job]
    private var index = 0
    private let lock = NSLock()
    private(set) var error: Error?

    init(_ jobs: [Job]) { self.jobs = jobs }

    func next() -> Job? {
        lock.lock(); defer { lock.unlock() }
        guard error == nil, index < jobs.count else { return nil }
        index += 1
        return jobs[index - 1]
    }

    func fail(_ e: Error) {
        lock.lock(); if error == nil { error = e }; lock.unlock()
    }
}

