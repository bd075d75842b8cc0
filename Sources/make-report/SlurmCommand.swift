import ArgumentParser
import Datasets
import Experiments
import Foundation
import MatrixCore
import NeuralNet
#if canImport(Glibc)
import Glibc
#endif

/// `make-report slurm`: the sbatch scripts of the selected work, and their submission.
struct SlurmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm",
        _superCommandName: "make-report",
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
            let message = MakeReport.message(for: error)
            FileHandle.standardError.write(Data("make-report slurm: error: \(message)\n".utf8))
            throw ExitCode.failure
        }
    }

    /// Refuses before submitting when the results folder cannot take a claim and a result
    /// (read-only mount, no permission): every task would fail after waiting in the queue.
    func requireWritable(_ results: URL) throws {
        let probe = results.appendingPathComponent(".slurm-write-test.\(getpid()).tmp")
        let fd = open(probe.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw CheckFailure(message: "the workers could not write their results: " + FileErrors.describe(errno: errno, path: results.path)
                               + ". Nothing was submitted.")
        }
        close(fd)
        unlink(probe.path)
    }

    func generate() throws {
        let setup = try WorkSetup(selection, writable: true)
        let binaryURL = URL(fileURLWithPath: binary, relativeTo: setup.cwd).standardizedFileURL
        guard FileManager.default.isExecutableFile(atPath: binaryURL.path) else {
            throw CheckFailure(message: "no make-report binary at \(binaryURL.path). Build it once on the shared checkout: "
                               + "swift build -c release --product make-report (or name another with --binary).")
        }
        try requireWritable(setup.runner.store.directory)
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
        var selectionArgs = selection.arguments(outputRoot: setup.outputRoot, relativeTo: setup.cwd)
        selectionArgs += ["--claim-timeout", "\(claimTimeout)"]
        let script = SlurmScript(binary: binaryURL.path, workingDirectory: setup.cwd.path, directory: dir.path,
                                 selectionArguments: selectionArgs,
                                 renderArguments: selection.arguments(includingForce: false, outputRoot: setup.outputRoot, relativeTo: setup.cwd),
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
        // sbatch --wait returns 0 also for a render job that Slurm cancelled because a task of
        // an earlier stage failed (its afterok can never hold): the render log says whether it ran.
        if wait && !SlurmScript.renderPublished(logDirectory: script.logDirectory) {
            throw CheckFailure(message: "the report was not rendered: a task failed or was cancelled, so the stages after it and the "
                               + "render job were cancelled; see the task logs in \(script.logDirectory). Run the same command again "
                               + "to submit only what is missing.")
        }
        print(wait ? "done: the report is in \(setup.outputRoot.appendingPathComponent("report").path) (render log in \(script.logDirectory))"
                   : "submitted; the report is rendered by the last job (make-report-render)")
    }
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
