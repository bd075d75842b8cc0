import Foundation

/// The sbatch scripts of a submission and the command lines that submit them: one job array
/// per training stage, each started after the previous one succeeded
/// (`--dependency=afterok`), then one job that renders the report. Pure text: written by
/// `make-report slurm`, tested without a cluster.
public struct SlurmScript: Sendable {
    /// Resources asked of Slurm for each array task.
    public struct Resources: Sendable {
        /// Memory per task, as sbatch reads it ("2G").
        public var memory: String = "2G"
        /// The time limit of a task (sbatch's --time), nil: from the task's expected time.
        public var time: String?
        public var partition: String?
        public var account: String?
        /// Array tasks of one stage running at once (the `%` of `--array`).
        public var throttle: Int = 32
        public init() {}
    }

    /// The release build of make-report every task runs.
    public var binary: String
    /// The checkout the tasks `cd` into (a shared folder).
    public var workingDirectory: String
    /// The submission's folder: scripts, manifest, stage plans and `logs/`.
    public var directory: String
    /// make-report's options that select the work (--params, --seeds, --only, --quick, ...),
    /// passed unchanged to every worker and to the render job.
    public var selectionArguments: [String]
    /// Arguments for the render job: the selection without --force (it only renders).
    public var renderArguments: [String]
    public var resources: Resources
    /// Tasks per training stage and the longest expected task's seconds.
    public var stages: [(stage: Stage, tasks: Int, longestSeconds: Double)]

    public init(binary: String, workingDirectory: String, directory: String, selectionArguments: [String],
                renderArguments: [String], resources: Resources, stages: [(stage: Stage, tasks: Int, longestSeconds: Double)]) {
        self.binary = binary; self.workingDirectory = workingDirectory; self.directory = directory
        self.selectionArguments = selectionArguments; self.renderArguments = renderArguments
        self.resources = resources; self.stages = stages
    }

    public var manifestPath: String { "\(directory)/manifest.json" }
    public func scriptPath(_ stage: Stage) -> String { "\(directory)/\(stage.rawValue).sbatch" }
    public var logDirectory: String { "\(directory)/logs" }

    /// A task's time limit: three times the expected longest task plus 10 minutes (loading
    /// the data, a slower node), as D-HH:MM:SS.
    public static func timeLimit(seconds: Double) -> String {
        let total = Int((3 * seconds + 600).rounded(.up))
        let (d, h, m, s) = (total / 86_400, total % 86_400 / 3600, total % 3600 / 60, total % 60)
        return d > 0 ? String(format: "%d-%02d:%02d:%02d", d, h, m, s) : String(format: "%02d:%02d:%02d", h, m, s)
    }

    /// The sbatch script of `stage`: a worker for array tasks, or the render job.
    public func script(_ stage: Stage, longestSeconds: Double = 0) -> String {
        var lines = ["#!/bin/bash",
                     "#SBATCH --job-name=make-report-\(stage.rawValue)",
                     "#SBATCH --cpus-per-task=1",
                     "#SBATCH --mem=\(resources.memory)",
                     "#SBATCH --time=\(resources.time ?? Self.timeLimit(seconds: longestSeconds))",
                     stage == .render ? "#SBATCH --output=\(logDirectory)/render-%j.out"
                                      : "#SBATCH --output=\(logDirectory)/\(stage.rawValue)-%A_%a.out"]
        if let p = resources.partition { lines.append("#SBATCH --partition=\(p)") }
        if let a = resources.account { lines.append("#SBATCH --account=\(a)") }
        lines += ["# Written by make-report slurm; one array task runs one chunk of this stage's keys.",
                  "set -euo pipefail",
                  "cd \(shellQuoted(workingDirectory))"]
        let command: [String]
        if stage == .render {
            command = [binary] + renderArguments + ["--jobs", "1"]
        } else {
            command = [binary, "worker", "--stage", stage.rawValue, "--manifest", manifestPath] + selectionArguments
        }
        lines.append("exec " + command.map(shellQuoted).joined(separator: " "))
        return lines.joined(separator: "\n") + "\n"
    }

    /// Whether a render job of this submission ran to the end: its log holds make-report's
    /// last line ("wrote ..." or "unchanged: ..."). A cancelled render job writes no log.
    public static func renderPublished(logDirectory: String) -> Bool {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: logDirectory)) ?? []
        return files.filter { $0.hasPrefix("render-") && $0.hasSuffix(".out") }.contains { file in
            let text = (try? String(contentsOfFile: "\(logDirectory)/\(file)", encoding: .utf8)) ?? ""
            return text.split(separator: "\n").contains { $0.hasPrefix("wrote ") || $0.hasPrefix("unchanged: ") }
        }
    }

    /// The sbatch command lines, in order, as a shell script: each stage's array after the
    /// previous one (`afterok`, and cancelled if that failed, so nothing waits forever), then
    /// the render job, with `--wait` when the caller waits for the report.
    public func submitLines(wait: Bool) -> [String] {
        var lines: [String] = []
        var previous: String?
        for (i, s) in stages.enumerated() {
            var args = ["sbatch", "--parsable", "--array=0-\(s.tasks - 1)%\(resources.throttle)"]
            if let previous { args += ["--dependency=afterok:$\(previous)", "--kill-on-invalid-dep=yes"] }
            args.append(shellQuoted(scriptPath(s.stage)))
            let name = "job\(i + 1)"
            lines.append("\(name)=$(\(args.joined(separator: " ")))")
            previous = name
        }
        var render = ["sbatch", "--parsable"]
        if let previous { render += ["--dependency=afterok:$\(previous)", "--kill-on-invalid-dep=yes"] }
        if wait { render.append("--wait") }
        render.append(shellQuoted(scriptPath(.render)))
        lines.append(render.joined(separator: " "))
        return lines
    }
}

/// `s` quoted for a POSIX shell when it needs it.
public func shellQuoted(_ s: String) -> String {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,%@+")
    if !s.isEmpty && s.allSatisfy({ safe.contains($0) }) { return s }
    return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
