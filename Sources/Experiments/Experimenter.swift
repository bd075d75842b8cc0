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

    private enum Work {
        case train(RunSpec)
        case check(GradientCheckSpec)
        case inspect(InspectionSpec)
    }

    private struct Job {
        var name: String
        var group: ExperimentGroup
        var key: String
        var work: Work
        var why: String
        var cost: Double
    }

    private func selected(_ g: ExperimentGroup) -> Bool { options.only?.contains(g) ?? true }

    public func run() throws -> Outcomes {
        checksums = try data.checksums()
        outcomes.datasetChecksums = checksums
        let p = planner
        // Phase 1: runs whose specs are fixed, and every sweep point.
        var phase1: [Job] = []
        var pending: [Job] = []
        func want(_ name: String, _ group: ExperimentGroup, _ spec: RunSpec) { pending.append(job(name, group, spec)) }
        for s in p.seeds(for: .base) { want(Self.plottedName(.base, p.baseRun, seed: s), .base, p.plottedSpec(p.baseRun, learningRate: nil, seed: s)) }
        let gc = p.gradientCheckSpec
        let gcKey = ResultStore.key(kind: "gradient-check", spec: gc, checksums: checksums, codeVersion: TrainingCode.version)
        outcomes.keys.insert(gcKey); outcomes.names.insert("2b/gradient-check")
        pending.append(Job(name: "2b/gradient-check", group: .gradientCheck, key: gcKey, work: .check(gc), why: "", cost: 5))
        let sweepRows: [(ExperimentGroup, RowPlan)] = p.trickRows.map { (.tricks, $0) } + p.topologyRows.map { (.topologies, $0) }
            + p.bonusRows.filter { $0.grid != nil }.map { (.bonus, $0) }
        for (group, row) in sweepRows {
            for lr in row.grid ?? [] {
                for s in p.sweepSeeds(for: group) {
                    want("\(group.rawValue)/\(row.id)/lr=\(lr.formatted6)/seed=\(s)/sweep", group, p.sweepSpec(row, learningRate: lr, seed: s))
                }
            }
        }
        for s in p.seeds(for: .tricks) {
            want("3/M@base/seed=\(s)", .tricks, p.plottedSpec(p.momentumAtBaseRate, learningRate: nil, seed: s))
        }
        for row in p.replicationRows {
            for s in p.seeds(for: .replication) {
                want("R/\(row.id)/seed=\(s)", .replication, p.plottedSpec(row, learningRate: nil, seed: s))
            }
        }
        phase1 = pending
        pending = []
        try execute(phase1, phase: "1 fixed runs and sweeps") { toRun in
            // Only a sweep run is sure to be reused at whichever grid rate is chosen; a fixed
            // run (M@base) is a later run only if the choice lands on its rate, not known yet.
            let reusable = phase1.filter { $0.name.hasSuffix("/sweep") }
            forecastLaterPhases(trainingGroups: Set(toRun.map(\.group)), phase1Keys: Set(reusable.map(\.key)))
        }

        // Choose learning rates from the sweeps that are available.
        func sweep(_ group: ExperimentGroup, _ row: RowPlan) -> [SweepPoint]? {
            var points: [SweepPoint] = []
            for lr in row.grid ?? [] {
                var accs: [Double?] = []
                var runs: [RunResult] = []
                for s in p.sweepSeeds(for: group) {
                    let spec = p.sweepSpec(row, learningRate: lr, seed: s)
                    guard let r = result(spec) else { return nil }
                    accs.append(r.diverged ? nil : r.history.final("validation")?.accuracy)
                    runs.append(r)
                }
                points.append(SweepPoint(learningRate: lr, finalValidationAccuracy: accs, runs: runs))
            }
            return points
        }
        var chosen: [String: (Double, [SweepPoint])] = [:]
        for (group, row) in sweepRows {
            if let points = sweep(group, row) {
                let lr = RowOutcome.choose(from: points) ?? row.grid!.min()!
                chosen["\(group.rawValue)/\(row.id)"] = (lr, points)
            } else {
                outcomes.missing.insert(group)
            }
        }
        // The bonus chain: its rate, then dropout and T chosen on validation, one after the other.
        let bonusRows = try resolveBonus(bonusRate: chosen["5/\(p.bonusRows[0].id)"]?.0)

        // Phase 2: plotted runs at the chosen rates.
        func plotted(_ group: ExperimentGroup, _ row: RowPlan) -> Double?? {
            if row.grid == nil { return .some(nil) }
            return chosen["\(group.rawValue)/\(row.id)"].map { Optional($0.0) }
        }
        var plottedRows: [(ExperimentGroup, RowPlan, Double?)] = []
        for (group, rows) in [(ExperimentGroup.tricks, p.trickRows), (.topologies, p.topologyRows), (.bonus, bonusRows ?? [])] {
            for row in rows {
                guard let lr = plotted(group, row) else { outcomes.missing.insert(group); continue }
                plottedRows.append((group, row, lr))
                for s in p.seeds(for: group) {
                    want(Self.plottedName(group, row, seed: s), group, p.plottedSpec(row, learningRate: lr, seed: s))
                }
            }
        }
        try execute(pending, phase: Self.plottedPhase)

        // Phase 4: the networks task 5's pictures look into, trained again; the final net's
        // spec depends on the bonus's choices, so it comes after them.
        let inspections = p.inspections(finalBonusRow: plottedRows.last { $0.0 == .bonus }?.1)
        try execute(inspections.map { inspectionJob($0.id, $0.spec) }, phase: Self.inspectionPhase)

        // Assemble.
        func outcome(_ group: ExperimentGroup, _ row: RowPlan, lr: Double?) -> RowOutcome? {
            var runs: [RunResult] = []
            for s in p.seeds(for: group) {
                guard let r = result(p.plottedSpec(row, learningRate: lr, seed: s)) else {
                    outcomes.missing.insert(group)
                    return nil
                }
                runs.append(r)
            }
            let sweepInfo = chosen["\(group.rawValue)/\(row.id)"] ?? (group == .bonus ? chosen["5/ReLU"] : nil)
            return RowOutcome(plan: row, sweep: sweepInfo?.1 ?? [], chosenLearningRate: lr ?? row.template.learningRate, runs: runs)
        }
        outcomes.base = outcome(.base, p.baseRun, lr: nil)
        if case .found(let record) = store.load(GradientCheckRecord.self, key: gcKey) { outcomes.gradientCheck = record }
        else { outcomes.missing.insert(.gradientCheck) }
        for (group, row, lr) in plottedRows {
            guard let o = outcome(group, row, lr: lr) else { continue }
            switch group {
            case .tricks: outcomes.tricks.append(o)
            case .topologies: outcomes.topologies.append(o)
            case .bonus: outcomes.bonus.append(o)
            default: break
            }
        }
        outcomes.momentumAtBaseRate = outcome(.tricks, p.momentumAtBaseRate, lr: nil)
        for row in p.replicationRows { if let o = outcome(.replication, row, lr: nil) { outcomes.replication.append(o) } }
        for (id, spec) in inspections {
            guard case .found(let record) = store.load(InspectionRecord.self, key: inspectionKey(spec)) else {
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

    /// Runs the bonus's validation choices in order (dropout rate on the wide layer, then T
    /// of the annealing) and returns the five rows with the chosen values, or nil (and the
    /// group marked missing) when some result is unavailable.
    private func resolveBonus(bonusRate: Double?) throws -> [RowPlan]? {
        let p = planner
        guard let rate = bonusRate else { outcomes.missing.insert(.bonus); return nil }
        func choose(_ knob: String, _ step: String, _ values: [Double], _ row: (Double) -> RowPlan) throws -> Double? {
            var jobs: [Job] = []
            for v in values {
                for s in p.choiceSeeds {
                    jobs.append(job(Self.choiceName(step: step, knob: knob, value: v, seed: s), .bonus, p.sweepSpec(row(v), learningRate: rate, seed: s)))
                }
            }
            try execute(jobs, phase: Self.choicePhase(knob))
            var candidates: [(value: Double, accuracy: Summary)] = []
            for v in values {
                var accs: [Double] = []
                for s in p.choiceSeeds {
                    guard let r = result(p.sweepSpec(row(v), learningRate: rate, seed: s)) else { return nil }
                    accs.append(r.diverged ? 0 : (r.history.final("validation")?.accuracy ?? 0))
                }
                candidates.append((v, Summary(accs)))
            }
            let best = candidates.max { $0.accuracy.mean < $1.accuracy.mean }!.value
            outcomes.bonusChoices.append(Choice(knob: knob, step: step, candidates: candidates, chosen: best))
            return best
        }
        guard let dropout = try choose("dropout", "Dropout", p.parameters.bonus.dropoutGrid,
                                       { p.bonusRows(learningRate: rate, dropout: $0)[2] }),
              let annealing = try choose("T", "Anneal", p.parameters.bonus.annealingGrid,
                                         { p.bonusRows(learningRate: rate, dropout: dropout, annealing: $0)[3] })
        else { outcomes.missing.insert(.bonus); return nil }
        return p.bonusRows(learningRate: rate, dropout: dropout, annealing: annealing)
    }

    private var memo: [String: RunResult] = [:]

    /// A training job for `spec`, recorded as part of the outcomes (for pruning the cache).
    private func job(_ name: String, _ group: ExperimentGroup, _ spec: RunSpec) -> Job {
        let key = ResultStore.key(kind: "run", spec: spec, checksums: checksums, codeVersion: TrainingCode.version)
        outcomes.keys.insert(key); outcomes.names.insert(name)
        return Job(name: name, group: group, key: key, work: .train(spec), why: "", cost: cost(spec))
    }

    private func inspectionKey(_ spec: InspectionSpec) -> String {
        ResultStore.key(kind: InspectionRecord.cacheKind, spec: spec, checksums: checksums, codeVersion: TrainingCode.version)
    }

    /// An inspection job (task 5's pictures), part of task 5 for --only.
    private func inspectionJob(_ id: String, _ spec: InspectionSpec) -> Job {
        let key = inspectionKey(spec), name = Self.inspectionName(id, seed: spec.run.seed)
        outcomes.keys.insert(key); outcomes.names.insert(name)
        return Job(name: name, group: .bonus, key: key, work: .inspect(spec), why: "", cost: cost(spec.run))
    }

    private func result(_ spec: RunSpec) -> RunResult? {
        let key = ResultStore.key(kind: "run", spec: spec, checksums: checksums, codeVersion: TrainingCode.version)
        lock.lock()
        if let r = memo[key] { lock.unlock(); return r }
        lock.unlock()
        if case .found(let r) = store.load(RunResult.self, key: key) {
            lock.lock(); memo[key] = r; lock.unlock()
            return r
        }
        return nil
    }

    /// Rough relative cost of a run, to start the longest first.
    func cost(_ spec: RunSpec) -> Double {
        let perSample = spec.updateRule == .perSample ? 6.0 : 1.0
        return Double(spec.parameterCount) * Double(spec.epochs) * perSample
            * (1 + 0.2 * Double(spec.evaluationsPerEpoch * spec.evaluationSets.count))
    }

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
        toRun.sort { $0.cost > $1.cost }
        let queue = WorkQueue(toRun)
        let workers = max(1, min(options.jobs, toRun.count))
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

    private func perform(_ job: Job) throws {
        let start = ContinuousClock.now
        switch job.work {
        case .train(let spec):
            let split = try data.split(seed: spec.seed, validationImages: spec.validationImages, subset: spec.subset)
            log.started(job: job.name, summary: spec.summary, epochs: spec.epochs)
            let result = Runner.train(spec, data: split, key: job.key, checksums: checksums, provenance: provenance) { [log] e in
                log.event(job: job.name, e)
            }
            try store.save(result, key: job.key, name: job.name)
            lock.lock(); memo[job.key] = result; lock.unlock()
            let outcome = result.history.divergence.map { "\($0)" }
                ?? String(format: "final %@ accuracy %.2f %%", spec.evaluationSets.contains("test") ? "test" : "validation",
                          100 * (result.history.final(spec.evaluationSets.contains("test") ? "test" : "validation")?.accuracy ?? .nan))
            log.finished(job: job.name, seconds: seconds(since: start), outcome: "ran (\(job.why)): \(outcome)")
        case .check(let spec):
            let split = try data.split(seed: spec.seed, validationImages: spec.validationImages, subset: nil)
            log.started(job: job.name, summary: "gradient check, \(spec.images) images, e = \(spec.epsilon)", epochs: 0)
            let record = Runner.gradientCheck(spec, data: split, key: job.key, checksums: checksums, provenance: provenance)
            try store.save(record, key: job.key, name: job.name)
            let worst = record.results.map(\.maxAbsoluteDifference).max() ?? .nan
            log.finished(job: job.name, seconds: seconds(since: start), outcome: "ran (\(job.why)): max difference \(String(format: "%.2e", worst))")
        case .inspect(let spec):
            let run = spec.run
            let split = try data.split(seed: run.seed, validationImages: run.validationImages, subset: run.subset)
            log.started(job: job.name, summary: "inspection of " + run.summary, epochs: run.epochs)
            let runKey = ResultStore.key(kind: RunResult.cacheKind, spec: run, checksums: checksums, codeVersion: TrainingCode.version)
            let record = Runner.inspect(spec, data: split, key: job.key, runKey: runKey, checksums: checksums,
                                        provenance: provenance) { [log] e in log.event(job: job.name, e) }
            try store.save(record, key: job.key, name: job.name)
            var outcome = String(format: "test accuracy %.2f %%, %d of %d test images wrong", 100 * record.accuracy,
                                 record.testImages - record.correct, record.testImages)
            if let cached = result(run)?.history.final("test")?.accuracy, cached != record.trainedTestAccuracy {
                outcome += String(format: "; its run recorded %.4f %%: the network was not reproduced bit for bit", 100 * cached)
            }
            log.finished(job: job.name, seconds: seconds(since: start), outcome: "ran (\(job.why)): \(outcome)")
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

    /// The job name of an inspection ("base" or "final", see `Planner.inspections`).
    static func inspectionName(_ id: String, seed: UInt64) -> String { "5/inspection/\(id)/seed=\(seed)" }
    static func choicePhase(_ knob: String) -> String { "2 bonus choice of \(knob)" }

    /// The job name of a plotted run (row at its chosen rate, one seed).
    static func plottedName(_ group: ExperimentGroup, _ row: RowPlan, seed: UInt64) -> String {
        "\(group.rawValue)/\(row.id)/seed=\(seed)"
    }

    /// The job name of one candidate of the bonus's choices (dropout rate, T).
    static func choiceName(step: String, knob: String, value: Double, seed: UInt64) -> String {
        "5/\(step)/\(knob)=\(value.formatted6)/seed=\(seed)/choice"
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
        let bonus = p.bonusRows
        let standIn = bonus[0].grid?.first ?? bonus[0].template.learningRate
        for (knob, step, values, rowIndex) in [("dropout", "Dropout", p.parameters.bonus.dropoutGrid, 2),
                                               ("T", "Anneal", p.parameters.bonus.annealingGrid, 3)] {
            let runs = values.flatMap { v in p.choiceSeeds.compactMap { s in
                forecast(Self.choiceName(step: step, knob: knob, value: v, seed: s), .bonus,
                         p.sweepSpec(bonus[rowIndex], learningRate: standIn, seed: s))
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
        let inspections = p.inspections(finalBonusRow: bonus.last).compactMap { id, spec -> PlannedRun? in
            guard options.only?.contains(.bonus) ?? true else { return nil }
            let name = Self.inspectionName(id, seed: spec.run.seed)
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

private func seconds(since start: ContinuousClock.Instant) -> Double { (ContinuousClock.now - start).seconds }
