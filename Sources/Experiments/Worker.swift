import Foundation

/// What a Slurm submission fixed when it was made, so that every worker checks it is
/// computing the same thing: the data files' checksums and the training-code version of
/// the submitting machine, and how many array tasks each stage has.
public struct SlurmManifest: Codable, Sendable, Equatable {
    public var checksums: [String: String]
    public var codeVersion: Int
    public var taskCounts: [Stage: Int]
    public var createdBy: String

    public init(checksums: [String: String], codeVersion: Int, taskCounts: [Stage: Int], createdBy: String) {
        self.checksums = checksums; self.codeVersion = codeVersion; self.taskCounts = taskCounts; self.createdBy = createdBy
    }
}

/// Why a worker refuses to train.
public struct WorkerRefusal: Error, LocalizedError, Sendable {
    public var message: String
    public var errorDescription: String? { message }
}

/// Runs the keys of one array task of one stage (see `StagePlan`) into a shared results
/// folder. Each result is written atomically, so a killed task leaves none half-written; a
/// key already cached is skipped, so a re-submission runs only what is missing; a key is
/// trained only under its claim (`ClaimFile`), so two arrays on one folder never train it at
/// the same time: a key claimed by someone else is waited for, and taken over if the claim
/// goes stale.
public struct Worker: Sendable {
    public let graph: JobGraph
    public let runner: JobRunner
    public let selection: Selection
    public let log: ExperimentLog
    /// Seconds after which an untouched claim is stale.
    public let claimTimeout: TimeInterval
    /// How often to look again at keys someone else is training, in seconds.
    public var pollInterval: TimeInterval = 2

    public init(graph: JobGraph, runner: JobRunner, selection: Selection, log: ExperimentLog, claimTimeout: TimeInterval) {
        self.graph = graph; self.runner = runner; self.selection = selection; self.log = log; self.claimTimeout = claimTimeout
    }

    /// Refuses (throws) when this node's data or training code differ from the submitting
    /// machine's: its results would have other keys and never complete the report.
    public static func verify(_ manifest: SlurmManifest, checksums: [String: String], codeVersion: Int, dataDirectory: String) throws {
        if manifest.codeVersion != codeVersion {
            throw WorkerRefusal(message: "this node's make-report has training-code version \(codeVersion), the submission was made with "
                                + "\(manifest.codeVersion): rebuild make-report (swift build -c release) on the shared checkout and submit again.")
        }
        let files = Set(manifest.checksums.keys).union(checksums.keys).sorted()
        let differing = files.filter { manifest.checksums[$0] != checksums[$0] }
        guard differing.isEmpty else {
            throw WorkerRefusal(message: "the data files in \(dataDirectory) on node \(hostName()) differ from the ones the submission "
                                + "was planned with (\(differing.joined(separator: ", "))); nothing was trained. Point --data-dir at the "
                                + "same files on every node (a shared folder) and submit again.")
        }
    }

    /// What one task did.
    public struct Summary: Sendable, Equatable {
        public var ran: [String] = []
        /// Cached already (by an earlier submission or another array).
        public var skipped: [String] = []
        /// Finished by another worker while this one waited for it.
        public var finishedElsewhere: [String] = []
    }

    /// Runs task `task` of `plan`. Throws on the first job that fails (the task then exits
    /// non-zero and the stages after it do not start).
    public func run(task: Int, of plan: StagePlan) throws -> Summary {
        let keys = task < plan.tasks.count ? plan.tasks[task] : []
        let jobs = Dictionary(graph.jobs(plan.stage, results: runner.cachedRun).map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        var summary = Summary()
        var waiting: [GraphJob] = []
        let taskJobs = try keys.map { key -> GraphJob in
            guard let job = jobs[key] else {
                throw WorkerRefusal(message: "key \(key) of the stage plan is not in stage \(plan.stage.rawValue) of this node's job graph; "
                                    + "the parameters or results changed since the stage was planned. Submit again.")
            }
            return job
        }
        let why = { (job: GraphJob) in plan.reasons[job.key] ?? "no cached result" }
        for unit in GridGrouping.units(taskJobs, spec: GridGrouping.spec) {
            let attempts = unit.count > 1 ? try attemptGrid(unit, why: why) : [try attempt(unit[0], why: why(unit[0]))]
            for (job, outcome) in zip(unit, attempts) {
                switch outcome {
                case .ran: summary.ran.append(job.name)
                case .cached: summary.skipped.append(job.name)
                case .held: waiting.append(job)
                }
            }
        }
        while !waiting.isEmpty {
            Thread.sleep(forTimeInterval: pollInterval)
            var still: [GraphJob] = []
            for job in waiting {
                switch try attempt(job, why: plan.reasons[job.key] ?? "no cached result", forceAllowed: false) {
                case .ran: summary.ran.append(job.name)
                case .cached: summary.finishedElsewhere.append(job.name)
                case .held: still.append(job)
                }
            }
            waiting = still
        }
        return summary
    }

    enum Attempt { case ran, cached, held }

    /// Trains `job` under its claim unless it is cached (and not forced) or claimed by a live
    /// worker. After waiting for another worker, a cached result is taken as done even with
    /// --force: that worker ran it for this submission's purpose.
    func attempt(_ job: GraphJob, why: String, forceAllowed: Bool = true) throws -> Attempt {
        let forced = forceAllowed && selection.force && selection.selects(job.group)
        if !forced && runner.isCached(job) { return .cached }
        guard let claim = try claim(job) else { return .held }
        defer { claim.release() }
        // Someone may have finished it between our look and our claim.
        if !forced && runner.isCached(job) { return .cached }
        try runner.perform(job, why: why, log: log)
        return .ran
    }

    /// The members of one learning-rate grid (`GridGrouping`), each under its own claim as in
    /// `attempt`: those that are neither cached nor held by another worker train together
    /// (`JobRunner.performGrid`, each result bit for bit its run alone), a lone one alone.
    /// Held members are returned `.held`, for the caller to wait for one by one.
    func attemptGrid(_ jobs: [GraphJob], why: (GraphJob) -> String) throws -> [Attempt] {
        var attempts = [Attempt](repeating: .cached, count: jobs.count)
        var claims: [ClaimFile] = []
        defer { for c in claims { c.release() } }
        var toTrain: [Int] = []
        for (i, job) in jobs.enumerated() {
            let forced = selection.force && selection.selects(job.group)
            if !forced && runner.isCached(job) { continue }
            guard let claim = try claim(job) else { attempts[i] = .held; continue }
            claims.append(claim)
            if !forced && runner.isCached(job) { continue }
            toTrain.append(i)
        }
        let members = toTrain.map { jobs[$0] }
        if members.count > 1 {
            try runner.performGrid(members, why: members.map(why), log: log)
        } else if let job = members.first {
            try runner.perform(job, why: why(job), log: log)
        }
        for i in toTrain { attempts[i] = .ran }
        return attempts
    }

    /// `job`'s claim, or nil (and a note) when a live worker holds it.
    private func claim(_ job: GraphJob) throws -> ClaimFile? {
        switch try ClaimFile.claim(key: job.key, in: runner.store.directory, timeout: claimTimeout) {
        case .held(let holder):
            log.note("\(job.name): claimed by \(holder.map { "\($0.host) pid \($0.pid) (job \($0.job))" } ?? "another worker"); waiting for it")
            return nil
        case .claimed(let c): return c
        }
    }
}

extension Stage: CodingKeyRepresentable {}
