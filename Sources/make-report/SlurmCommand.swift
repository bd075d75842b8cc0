import ArgumentParser
import Datasets
import Experiments
import Foundation
import MatrixCore
import NeuralNet
#if canImport(Glibc)
import Glibc
#endif

/// The options that select the work, shared by `plan`, `slurm` and `worker` and passed
/// unchanged from the submitting command to every worker, so all of them build the same graph.
struct SelectionOptions: ParsableArguments {
    @Option(name: .long, help: "Only these parts (comma-separated: \(ExperimentGroup.validNames)).")
    var only: String?
    @Flag(name: .long, help: "Re-run the selected experiments even when cached.")
    var force = false
    @Option(name: .long, help: "Seeds per experiment (overrides the parameters file).")
    var seeds: Int?
    @Option(name: .long, help: "Directory with the MNIST IDX files and their SHA256SUMS.")
    var dataDir: String = "data/mnist"
    @Option(name: .long, help: "The parameters file.")
    var params: String = "report/parameters.yaml"
    @Flag(name: .long, help: "The quick plan: a few thousand images, 2 epochs, 1 seed (needs --output).")
    var quick = false
    @Option(name: .long, help: "Results, figures and report under this folder instead of the project.")
    var output: String?

    func validate() throws {
        if let seeds, seeds < 1 { throw ValidationError("--seeds must be at least 1 (got \(seeds)).") }
        if let only {
            for item in only.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where ExperimentGroup.parse(item) == nil {
                throw ValidationError("unknown task '\(item)' in --only; valid: \(ExperimentGroup.validNames).")
            }
        }
        if quick && output == nil { throw ValidationError("--quick needs --output DIR here: a folder every worker can reach.") }
    }

    var groups: Set<ExperimentGroup>? {
        only.map { Set($0.split(separator: ",").compactMap { ExperimentGroup.parse($0.trimmingCharacters(in: .whitespaces)) }) }
    }

    /// These options as arguments, with paths made absolute (workers start in the checkout,
    /// but the paths must not depend on it).
    func arguments(includingForce: Bool = true, relativeTo cwd: URL) -> [String] {
        var a: [String] = []
        if let only { a += ["--only", only] }
        if force && includingForce { a.append("--force") }
        if let seeds { a += ["--seeds", "\(seeds)"] }
        a += ["--data-dir", URL(fileURLWithPath: dataDir, relativeTo: cwd).standardizedFileURL.path]
        a += ["--params", URL(fileURLWithPath: params, relativeTo: cwd).standardizedFileURL.path]
        if quick { a.append("--quick") }
        if let output { a += ["--output", URL(fileURLWithPath: output, relativeTo: cwd).standardizedFileURL.path] }
        return a
    }

    /// Everything the graph needs, built as the main command builds it.
    func setup() throws -> WorkSetup {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        var parameters = try Parameters.load(from: URL(fileURLWithPath: params, relativeTo: cwd))
        if let seeds { parameters.seeds = seeds }
        if quick { QuickMode.apply(to: &parameters, seeds: seeds) }
        BLAS.threads = 1
        let outputRoot = output.map { URL(fileURLWithPath: $0, relativeTo: cwd).standardizedFileURL } ?? cwd
        let resultsDir = outputRoot.appendingPathComponent("report/results")
        try FileManager.default.createDirectory(at: resultsDir, withIntermediateDirectories: true)
        let data = MNISTProvider(directory: URL(fileURLWithPath: dataDir, relativeTo: cwd),
                                 checksumMemo: resultsDir.appendingPathComponent("mnist-checksums.json"))
        let checksums = try data.checksums()
        let store = try ResultStore(directory: resultsDir)
        let planner = Planner(parameters: parameters, subset: quick ? QuickMode.subset : nil, epochsOverride: quick ? QuickMode.epochs : nil)
        let runner = JobRunner(data: data, store: store, checksums: checksums, provenance: ProvenanceProbe.current(repository: cwd))
        return WorkSetup(cwd: cwd, outputRoot: outputRoot, graph: JobGraph(planner: planner, checksums: checksums),
                         runner: runner, selection: Selection(force: force, only: groups))
    }
}

struct WorkSetup {
    var cwd: URL
    var outputRoot: URL
    var graph: JobGraph
    var runner: JobRunner
    var selection: Selection

    /// One planned line of work: a job of a stage, whether it runs, and its expected time.
    struct Line {
        var stage: Stage
        var job: GraphJob
        /// nil: reused from the cache.
        var reason: String?
        var seconds: Double
        /// The key is known (false: forecast with stand-in rates; known when the stage starts).
        var resolved: Bool
    }

    /// Every training stage's jobs as far as the cache resolves them; later stages forecast.
    func lines() -> [Line] {
        var out: [Line] = []
        var earlierRuns = false
        for stage in Stage.training {
            let exact = graph.jobs(stage, results: runner.cachedRun)
            let forecast = graph.jobs(stage, results: runner.cachedRun, standIn: true)
            let exactNames = Set(exact.map(\.name))
            let estimate = WorkEstimate(store: runner.store, jobs: forecast)
            var seen: Set<String> = []
            var stageRuns = false
            for job in forecast where seen.insert(job.key).inserted {
                let resolved = exactNames.contains(job.name)
                var reason = selection.reason(job, runner: runner)
                // A forecast job runs unless its name's last result is usable and nothing it
                // depends on retrains.
                if !resolved && selection.selects(job.group) {
                    let previous = runner.store.previousKey(name: job.name)
                    let usable = previous.map { key -> Bool in var old = job; old.key = key; return runner.isCached(old) } ?? false
                    reason = (!usable || earlierRuns || selection.force) ? "rates chosen when stage \(stage.previous!.rawValue) is done" : nil
                }
                if reason != nil { stageRuns = true }
                out.append(Line(stage: stage, job: job, reason: reason, seconds: estimate.estimate(job).seconds, resolved: resolved))
            }
            earlierRuns = earlierRuns || stageRuns
        }
        return out
    }
}

/// `make-report plan`: the work the command would do, one line per job, without training.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Write the job graph: one tab-separated line per cache key (stage, key, group, name, action, reason, expected seconds).",
        discussion: """
        The same selection as make-report (--only, --force, --seeds, --params). Keys of a stage whose \
        rates are chosen by an earlier stage that has not run yet are written as '-' (action 'later'). \
        Lines starting with # are totals.
        """)

    @OptionGroup var selection: SelectionOptions
    @Flag(name: .long, help: "Also list the jobs whose cached results are reused.")
    var all = false

    func run() throws {
        let setup = try selection.setup()
        print("# stage\tkey\tgroup\tname\taction\treason\tseconds")
        let lines = setup.lines()
        for l in lines where all || l.reason != nil {
            let action = l.reason == nil ? "reuse" : (l.resolved ? "run" : "later")
            print([l.stage.rawValue, l.resolved ? l.job.key : "-", l.job.group.rawValue, l.job.name, action, l.reason ?? "cached",
                   String(format: "%.1f", l.seconds)].joined(separator: "\t"))
        }
        for stage in Stage.training {
            let s = lines.filter { $0.stage == stage }
            let run = s.filter { $0.reason != nil }
            print("# \(stage.rawValue): \(run.count) to run, \(s.count - run.count) reused, "
                  + String(format: "%.0f s of compute expected", run.map(\.seconds).reduce(0, +)))
        }
    }
}

/// `make-report slurm`: the sbatch scripts of the selected work, and their submission.
struct SlurmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm",
        abstract: "Write sbatch scripts that train the selected work as Slurm job arrays (one per stage) and render the report.",
        discussion: """
        Each training stage is one job array, started after the previous one succeeded \
        (--dependency=afterok); a stage's keys are resolved when its first task starts. Then one \
        job renders the report. Without --submit, prints the sbatch lines. Build the release binary \
        first: swift build -c release --product make-report.
        """)

    @OptionGroup var selection: SelectionOptions
    @Option(name: .long, help: "Slurm partition (sbatch --partition).") var partition: String?
    @Option(name: .long, help: "Slurm account (sbatch --account).") var account: String?
    @Option(name: .long, help: "Time limit per task (sbatch --time, e.g. 00:30:00); default: 3x the longest task's expected time + 10 min.")
    var time: String?
    @Option(name: .long, help: "Memory per task (sbatch --mem).") var mem: String = "2G"
    @Option(name: .long, help: "Array tasks of one stage running at once (the % of --array).") var throttle: Int = 32
    @Option(name: .long, help: "Aim for array tasks of about this many seconds (from cached wall times).") var taskSeconds: Double = 300
    @Option(name: .long, help: "The make-report binary the tasks run.") var binary: String = ".build/release/make-report"
    @Option(name: .long, help: "Seconds after which a claim on a key that is not refreshed is stale.") var claimTimeout: Double = 600
    @Flag(name: .long, help: "Submit with sbatch.") var submit = false
    @Flag(name: .long, help: "With --submit: wait until the report is rendered (sbatch --wait on the render job).") var wait = false

    func validate() throws {
        guard throttle >= 1 else { throw ValidationError("--throttle must be at least 1 (got \(throttle)).") }
        guard taskSeconds > 0 else { throw ValidationError("--task-seconds must be positive (got \(taskSeconds)).") }
        guard claimTimeout > 0 else { throw ValidationError("--claim-timeout must be positive (got \(claimTimeout)).") }
        if wait && !submit { throw ValidationError("--wait needs --submit.") }
    }

    func run() throws {
        do { try generate() } catch let e as ExitCode { throw e } catch {
            let message = (error as? LocalizedError)?.errorDescription ?? String(describing: error)
            FileHandle.standardError.write(Data("make-report slurm: error: \(message)\n".utf8))
            throw ExitCode.failure
        }
    }

    func generate() throws {
        let setup = try selection.setup()
        let binaryURL = URL(fileURLWithPath: binary, relativeTo: setup.cwd).standardizedFileURL
        guard FileManager.default.isExecutableFile(atPath: binaryURL.path) else {
            throw CheckFailure(message: "no make-report binary at \(binaryURL.path). Build it once on the shared checkout: "
                               + "swift build -c release --product make-report (or name another with --binary).")
        }
        let lines = setup.lines()
        var stages: [(stage: Stage, tasks: Int, longestSeconds: Double)] = []
        var counts: [Stage: Int] = [:]
        for stage in Stage.training {
            let seconds = lines.filter { $0.stage == stage && $0.reason != nil }.map(\.seconds)
            let tasks = Chunking.taskCount(totalSeconds: seconds.reduce(0, +), jobs: seconds.count, target: taskSeconds)
            let longest = Chunking.split(seconds, into: tasks).map { $0.map { seconds[$0] }.reduce(0, +) }.max() ?? 0
            stages.append((stage, tasks, longest))
            counts[stage] = tasks
            print(String(format: "stage %@: %d runs in %d task%@, %.0f s of compute expected, longest task %.0f s",
                         stage.rawValue, seconds.count, tasks, tasks == 1 ? "" : "s", seconds.reduce(0, +), longest))
        }
        let stamp = ISO8601DateFormatter.string(from: Date(), timeZone: .gmt, formatOptions: [.withYear, .withMonth, .withDay, .withTime])
        let dir = setup.outputRoot.appendingPathComponent(".slurm/\(stamp)-\(getpid())")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("logs"), withIntermediateDirectories: true)
        var resources = SlurmScript.Resources()
        resources.memory = mem; resources.time = time; resources.partition = partition; resources.account = account
        resources.throttle = throttle
        var selectionArgs = selection.arguments(relativeTo: setup.cwd)
        selectionArgs += ["--claim-timeout", "\(claimTimeout)"]
        let script = SlurmScript(binary: binaryURL.path, workingDirectory: setup.cwd.path, directory: dir.path,
                                 selectionArguments: selectionArgs,
                                 renderArguments: selection.arguments(includingForce: false, relativeTo: setup.cwd),
                                 resources: resources, stages: stages)
        let manifest = SlurmManifest(checksums: setup.runner.checksums, codeVersion: TrainingCode.version, taskCounts: counts,
                                     createdBy: "\(hostName()) pid \(getpid())")
        try JSONEncoder.sortedPretty.encode(manifest).write(to: URL(fileURLWithPath: script.manifestPath))
        for s in stages { try script.script(s.stage, longestSeconds: s.longestSeconds).write(toFile: script.scriptPath(s.stage), atomically: true, encoding: .utf8) }
        try script.script(.render).write(toFile: script.scriptPath(.render), atomically: true, encoding: .utf8)
        let submitText = "#!/bin/bash\nset -euo pipefail\n" + script.submitLines(wait: wait).joined(separator: "\n") + "\n"
        let submitPath = dir.appendingPathComponent("submit.sh").path
        try submitText.write(toFile: submitPath, atomically: true, encoding: .utf8)
        chmod(submitPath, 0o755)
        guard submit else {
            print("wrote the scripts to \(dir.path); submit with:\n")
            print(script.submitLines(wait: false).joined(separator: "\n"))
            return
        }
        print("submitting (\(submitPath)); task logs in \(script.logDirectory); progress: squeue --me")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [submitPath]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw CheckFailure(message: wait ? "the Slurm jobs did not all succeed (sbatch exit \(p.terminationStatus)); see the task logs in "
                               + "\(script.logDirectory). Run the same command again to submit only what is missing."
                               : "sbatch failed (exit \(p.terminationStatus)).")
        }
        print(wait ? "done: the report is in \(setup.outputRoot.appendingPathComponent("report").path) (render log in \(script.logDirectory))"
                   : "submitted; the report is rendered by the last job (make-report-render)")
    }
}

/// `make-report worker`: one array task of one stage (run by the sbatch scripts).
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Train one Slurm array task's keys of one stage into the shared results folder (run by make-report slurm's scripts).")

    @OptionGroup var selection: SelectionOptions
    @Option(name: .long, help: "The stage (\(Stage.training.map(\.rawValue).joined(separator: ", "))).") var stage: String
    @Option(name: .long, help: "The submission's manifest.json.") var manifest: String
    @Option(name: .long, help: "The array task (default: SLURM_ARRAY_TASK_ID).") var task: Int?
    @Option(name: .long, help: "Seconds after which a claim on a key that is not refreshed is stale.") var claimTimeout: Double = 600

    func run() throws {
        do { try work() } catch let e as ExitCode { throw e } catch {
            let message = (error as? LocalizedError)?.errorDescription ?? String(describing: error)
            FileHandle.standardError.write(Data("make-report worker: error: \(message)\n".utf8))
            throw ExitCode.failure
        }
    }

    func work() throws {
        guard let stage = Stage(rawValue: stage), Stage.training.contains(stage) else {
            throw ValidationError("unknown --stage '\(self.stage)'; valid: \(Stage.training.map(\.rawValue).joined(separator: ", ")).")
        }
        let env = ProcessInfo.processInfo.environment
        guard let task = task ?? env["SLURM_ARRAY_TASK_ID"].flatMap(Int.init) else {
            throw ValidationError("no array task: pass --task N or run inside a Slurm array (SLURM_ARRAY_TASK_ID).")
        }
        let manifestURL = URL(fileURLWithPath: manifest)
        let expected = try JSONDecoder().decode(SlurmManifest.self, from: Data(contentsOf: manifestURL))
        let setup = try selection.setup()
        try Worker.verify(expected, checksums: setup.runner.checksums, codeVersion: TrainingCode.version, dataDirectory: selection.dataDir)
        installClaimRelease(results: setup.runner.store.directory)
        let count = expected.taskCounts[stage] ?? 1
        let planURL = manifestURL.deletingLastPathComponent()
            .appendingPathComponent("\(stage.rawValue).\(env["SLURM_ARRAY_JOB_ID"] ?? "local").plan.json")
        let plan = try StagePlan.settle(StagePlan.make(stage: stage, graph: setup.graph, runner: setup.runner,
                                                       selection: setup.selection, taskCount: count), at: planURL)
        let keys = task < plan.tasks.count ? plan.tasks[task].count : 0
        print("worker on \(hostName()): stage \(stage.rawValue), task \(task) of \(plan.tasks.count): \(keys) key\(keys == 1 ? "" : "s")")
        let log = ConsoleLog()
        let worker = Worker(graph: setup.graph, runner: setup.runner, selection: setup.selection, log: log, claimTimeout: claimTimeout)
        let summary = try worker.run(task: task, of: plan)
        log.clear()
        print("task \(task) done: \(summary.ran.count) trained, \(summary.skipped.count) already cached, "
              + "\(summary.finishedElsewhere.count) finished by another worker")
    }

    /// On SIGTERM (scancel, the time limit) or SIGINT: give up the claims and remove this
    /// process's unfinished temporary file, so the key is free at once for a re-submission.
    func installClaimRelease(results: URL) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                ClaimFile.releaseAll()
                let suffix = ".\(getpid()).tmp"
                for f in (try? FileManager.default.contentsOfDirectory(atPath: results.path)) ?? [] where f.hasPrefix(".") && f.hasSuffix(suffix) {
                    unlink(results.appendingPathComponent(f).path)
                }
                FileHandle.standardError.write(Data("make-report worker: stopped by signal \(sig); claims released, no partial result left.\n".utf8))
                _exit(128 + sig)
            }
            source.resume()
            WorkerCommand.signalSources.append(source)
        }
    }

    nonisolated(unsafe) static var signalSources: [DispatchSourceSignal] = []
}

extension JSONEncoder {
    static var sortedPretty: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted]
        return e
    }
}

extension MakeReport {
    /// `make-report plan|slurm|worker ...` run those commands; anything else is the report
    /// command. (Not ArgumentParser subcommands: a parent's options would take the
    /// subcommands' --only, --seeds, ... of the same names.)
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let rest = Array(arguments.dropFirst())
        switch arguments.first {
        case PlanCommand.configuration.commandName: PlanCommand.main(rest)
        case SlurmCommand.configuration.commandName: SlurmCommand.main(rest)
        case WorkerCommand.configuration.commandName: WorkerCommand.main(rest)
        default: main(arguments)
        }
    }
}
