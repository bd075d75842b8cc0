import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Which of a stage's jobs a command would run, and why: the same rule for the local
/// experimenter's dry run, `make-report plan`, sizing a Slurm array and the workers.
public struct Selection: Sendable {
    public var force: Bool
    /// nil: every group.
    public var only: Set<ExperimentGroup>?

    public init(force: Bool = false, only: Set<ExperimentGroup>? = nil) {
        self.force = force; self.only = only
    }

    public func selects(_ group: ExperimentGroup) -> Bool { only?.contains(group) ?? true }

    /// Why `job` must run ("no cached result", "--force"), or nil when its cached result
    /// is used (or its group is not selected).
    public func reason(_ job: GraphJob, runner: JobRunner) -> String? {
        guard selects(job.group) else { return nil }
        if !runner.isCached(job) { return "no cached result" }
        return force ? "--force" : nil
    }
}

/// A job with the seconds it is expected to take.
public struct EstimatedJob: Sendable {
    public var job: GraphJob
    public var seconds: Double
    /// Whether `seconds` is a cached wall time (of this key, or the last result under the
    /// same name) rather than scaled from the job's cost.
    public var measured: Bool
}

/// Expected wall times of jobs, from the cache: the job's own result, else the last result
/// stored under its name (same task, row and seed), else its cost times the seconds per unit
/// of cost that the cached results show (median), else a rate measured on this project's
/// 2-core AMD EPYC.
public struct WorkEstimate: Sendable {
    public let store: ResultStore
    /// Seconds per unit of `JobGraph.cost`.
    public let secondsPerCost: Double
    /// Seconds per cost unit of the committed full report's runs on an AMD EPYC (Zen 3),
    /// median over 337 runs on 50,000 training images: the fallback when the cache has no
    /// wall time at all (scaled by the training images of a subset).
    public static let referenceSecondsPerCost = 4.4e-6

    public init(store: ResultStore, jobs: [GraphJob]) {
        self.store = store
        var ratios: [Double] = []
        for job in jobs {
            if case .train = job.work, let s = Self.cachedSeconds(job, store: store), job.cost > 0 { ratios.append(s / job.cost) }
        }
        ratios.sort()
        let images = jobs.lazy.compactMap { job -> Double? in
            if case .train(let spec) = job.work { return Double(spec.subset?.train ?? 60_000 - spec.validationImages) }
            return nil
        }.first ?? 50_000
        secondsPerCost = ratios.isEmpty ? Self.referenceSecondsPerCost * images / 50_000 : ratios[ratios.count / 2]
    }

    static func cachedSeconds(_ job: GraphJob, store: ResultStore) -> Double? {
        for key in [job.key, store.previousKey(name: job.name)].compactMap({ $0 }) {
            switch job.work {
            case .train: if case .found(let r) = store.load(RunResult.self, key: key) { return r.wallSeconds }
            case .check: if case .found(let r) = store.load(GradientCheckRecord.self, key: key) { return r.wallSeconds }
            case .inspect: if case .found(let r) = store.load(InspectionRecord.self, key: key) { return r.wallSeconds }
            }
        }
        return nil
    }

    public func estimate(_ job: GraphJob) -> EstimatedJob {
        if let s = Self.cachedSeconds(job, store: store) { return EstimatedJob(job: job, seconds: s, measured: true) }
        return EstimatedJob(job: job, seconds: job.cost * secondsPerCost, measured: false)
    }
}

/// Splits work into array tasks of about equal time: longest job first onto the least
/// loaded task (LPT scheduling, within 4/3 of the best split).
public enum Chunking {
    /// Indices of `seconds` per task; `count` lists, some possibly empty.
    public static func split(_ seconds: [Double], into count: Int) -> [[Int]] {
        precondition(count >= 1)
        var tasks = [[Int]](repeating: [], count: count)
        var load = [Double](repeating: 0, count: count)
        let order = seconds.indices.sorted { seconds[$0] != seconds[$1] ? seconds[$0] > seconds[$1] : $0 < $1 }
        for i in order {
            let t = load.indices.min { load[$0] != load[$1] ? load[$0] < load[$1] : $0 < $1 }!
            tasks[t].append(i)
            load[t] += seconds[i]
        }
        return tasks
    }

    /// How many tasks make each take about `target` seconds: at least 1, at most one per job.
    public static func taskCount(totalSeconds: Double, jobs: Int, target: Double) -> Int {
        guard jobs > 0 else { return 1 }
        return min(jobs, max(1, Int((totalSeconds / max(target, 1)).rounded(.up))))
    }
}

/// One stage's keys split into array tasks, written once at the head of the stage by the
/// first task that starts (every later task reads the same file), so that tasks started at
/// different times agree on who runs what even as results appear.
public struct StagePlan: Codable, Sendable, Equatable {
    public var stage: Stage
    /// Keys per task, the longest unit first within each; a grid's keys are adjacent.
    public var tasks: [[String]]
    /// Why each key runs ("no cached result", "--force").
    public var reasons: [String: String]

    public init(stage: Stage, tasks: [[String]], reasons: [String: String]) {
        self.stage = stage; self.tasks = tasks; self.reasons = reasons
    }

    /// The plan of `stage`: the selected jobs that must run, split into `taskCount` tasks, the
    /// runs of a learning-rate grid (`GridGrouping`) in the same task.
    public static func make(stage: Stage, graph: JobGraph, runner: JobRunner, selection: Selection, taskCount: Int) -> StagePlan {
        let jobs = graph.jobs(stage, results: runner.cachedRun)
        var seen: Set<String> = []
        var toRun: [GraphJob] = [], reasons: [String: String] = [:]
        for job in jobs where seen.insert(job.key).inserted {
            if let why = selection.reason(job, runner: runner) { toRun.append(job); reasons[job.key] = why }
        }
        // A learning-rate grid goes to one task whole, so its worker can train it as one unit.
        let units = GridGrouping.units(toRun, spec: GridGrouping.spec)
        let estimate = WorkEstimate(store: runner.store, jobs: jobs)
        let seconds = units.map { $0.map { estimate.estimate($0).seconds }.reduce(0, +) }
        let split = Chunking.split(seconds, into: max(1, taskCount))
        return StagePlan(stage: stage, tasks: split.map { $0.flatMap { units[$0].map(\.key) } }, reasons: reasons)
    }

    /// Writes `plan` to `url` unless a plan is there already, and returns the one on disk:
    /// the first writer wins (`link(2)`, exclusive on NFS too).
    public static func settle(_ plan: StagePlan, at url: URL) throws -> StagePlan {
        if let existing = try? JSONDecoder().decode(StagePlan.self, from: Data(contentsOf: url)) { return existing }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(hostName()).\(getpid()).tmp")
        try JSONEncoder.readable.encode(plan).write(to: temp)
        defer { unlink(temp.path) }
        if link(temp.path, url.path) != 0 && errno != EEXIST {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSLocalizedDescriptionKey: "cannot write \(url.path): \(String(cString: strerror(errno)))"])
        }
        return try JSONDecoder().decode(StagePlan.self, from: Data(contentsOf: url))
    }
}

extension JobRunner {
    /// A run's cached result by key, for resolving the graph.
    public var cachedRun: JobGraph.Results {
        { [store] key in if case .found(let r) = store.load(RunResult.self, key: key) { return r }; return nil }
    }
}
