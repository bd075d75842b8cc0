import ArgumentParser
import Datasets
import Experiments
import Foundation
import MatrixCore
import NeuralNet
#if canImport(Glibc)
import Glibc
#endif

/// `make-report worker`: one array task of one stage (run by the sbatch scripts).
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        _superCommandName: "make-report",
        abstract: "Train one Slurm array task's keys of one stage into the shared results folder (run by make-report slurm's scripts).")

    @OptionGroup var selection: SelectionOptions
    @Option(name: .long, help: "The stage (\(Stage.training.map(\.rawValue).joined(separator: ", "))).") var stage: String
    @Option(name: .long, help: "The submission's manifest.json.") var manifest: String
    @Option(name: .long, help: "The array task (default: SLURM_ARRAY_TASK_ID).") var task: Int?
    @Option(name: .long, help: "Seconds after which a claim on a key that is not refreshed is stale.") var claimTimeout: Double = 600

    func run() throws {
        do { try work() } catch let e as ExitCode { throw e } catch {
            let message = MakeReport.message(for: error)
            FileHandle.standardError.write(Data("make-report worker: error: \(message)\n".utf8))
            throw ExitCode.failure
        }
    }

    func validate() throws {
        guard let stage = Stage(rawValue: stage), Stage.training.contains(stage) else {
            throw ValidationError("unknown --stage '\(self.stage)'; valid: \(Stage.training.map(\.rawValue).joined(separator: ", ")).")
        }
    }

    func work() throws {
        let stage = Stage(rawValue: self.stage)!
        let env = ProcessInfo.processInfo.environment
        guard let task = task ?? env["SLURM_ARRAY_TASK_ID"].flatMap(Int.init) else {
            throw ValidationError("no array task: pass --task N or run inside a Slurm array (SLURM_ARRAY_TASK_ID).")
        }
        let setup = try WorkSetup(selection, writable: true)
        let manifestURL = URL(fileURLWithPath: manifest)
        let expected = try JSONDecoder().decode(SlurmManifest.self, from: Data(contentsOf: manifestURL))
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
