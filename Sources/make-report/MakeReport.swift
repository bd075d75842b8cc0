import ArgumentParser
import Experiments
import Foundation
import MatrixCore
import Report

@main
struct MakeReport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "make-report",
        abstract: "Train every network of TDT4265 assignment 2 on MNIST, draw the figures and write report/report.md.",
        discussion: """
        Results are cached in report/results/ by a hash of everything that can change them, so a \
        second run trains nothing and a changed parameter re-runs only what depends on it. \
        Hyperparameters live in report/parameters.yaml. On a cluster: make-report plan, make-report slurm \
        (see make-report slurm --help).
        """)

    /// --only, --force, --seeds, --data-dir, --params, --quick, --output: shared with plan,
    /// slurm and worker (their rules live there, once).
    @OptionGroup var selection: SelectionOptions
    var only: [String] { selection.only }
    var force: Bool { selection.force }
    var seeds: Int? { selection.seeds }
    var dataDir: String { selection.dataDir }
    var params: String? { selection.params }
    var quick: Bool { selection.quick }
    var output: String? { selection.output }

    @Flag(name: .long, help: "Say what would run and why, then stop without training or writing anything.")
    var dryRun = false

    @Option(name: .long, parsing: .unconditional, help: "Experiments to run in parallel (BLAS stays single-threaded inside each).")
    var jobs: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    @Flag(name: .long, help: "Re-render from the cached results and fail if anything differs from the files on disk. Never trains, writes nothing.")
    var check = false

    @Flag(name: .long, help: "Also write report/report.pdf (pandoc + XeLaTeX, vector figures); `make pdf` installs them first.")
    var pdf = false

    @Flag(name: .long, help: "After a complete run with the project's parameters, remove the cached results no experiment uses any more, listing each (with --dry-run: only list them).")
    var prune = false

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1 (got \(jobs)).") }
        if check && (force || quick || dryRun) { throw ValidationError("--check cannot be combined with --force, --quick or --dry-run.") }
        if pdf && (check || dryRun) { throw ValidationError("--pdf cannot be combined with --check or --dry-run.") }
        if prune {
            let others = [("--seeds", seeds != nil), ("--params", params != nil), ("--only", !only.isEmpty), ("--quick", quick),
                          ("--check", check), ("--output", output != nil)].filter(\.1).map(\.0)
            if !others.isEmpty {
                throw ValidationError("--prune keeps what the project's own parameters use, so it cannot be combined with \(others.joined(separator: ", ")).")
            }
        }
    }

    /// --check and --dry-run read only: no folder, lock, memo, index or output is written.
    var readOnly: Bool { check || dryRun }

    func run() throws {
        Interruption.install()
        defer { Interruption.removeNow() }
        do {
            try generate()
        } catch let e as ExitCode {
            throw e
        } catch {
            FileHandle.standardError.write(Data("make-report: error: \(Self.message(for: error))\n\(outputsFootnote(error))".utf8))
            throw ExitCode.failure
        }
    }

    /// The error as the user should read it: sentences, never an internal API's description.
    static func message(for error: Error) -> String {
        let domain = (error as NSError).domain
        if error is CocoaError || error is POSIXError || domain == NSCocoaErrorDomain || domain == NSPOSIXErrorDomain {
            return FileErrors.describe(error)
        }
        if let e = error as? LocalizedError, let text = e.errorDescription { return text }
        return String(describing: error)
    }

    /// What the error left of the outputs (PublishError says it itself).
    private func outputsFootnote(_ error: Error) -> String {
        if error is PublishError || error is OutputRefusal || readOnly { return "" }
        guard let root = outputRoot else { return "Nothing was written.\n" }
        return Publisher.hasPublished(into: root) ? "" : "report.md and the figures under \(root.path) were not changed.\n"
    }

    nonisolated(unsafe) private static var chosenRoot: URL?
    private var outputRoot: URL? { Self.chosenRoot }
    func generate() throws {
        let wallStart = ContinuousClock.now
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let planner = try selection.planner(cwd: cwd)
        BLAS.threads = 1

        // Where outputs go: the project, --output, or (--quick) a folder of the quick run's own.
        let outputRoot = try OutputGuard.root(quick: quick, output: output, project: cwd, create: !dryRun)
        Self.chosenRoot = outputRoot
        if quick { print("quick run: writing to \(outputRoot.path)") }
        let reportDir = outputRoot.appendingPathComponent("report")
        let figuresDir = outputRoot.appendingPathComponent("figures")
        let resultsDir = reportDir.appendingPathComponent("results")
        let templateURL = cwd.appendingPathComponent("report/template.md")
        let publisher = Publisher(root: outputRoot)
        Interruption.watch(outputRoot: readOnly ? nil : outputRoot)

        let lock = try lockResults(resultsDir, publisher: publisher)
        defer { lock?.release() }
        if !readOnly { removeStaleTemporaryFiles(in: resultsDir) }

        if pdf { try requirePDFTools() }
        try FileErrors.requireRegularFile(templateURL, role: "the template")
        // A misspelt or renamed tag fails here, before any training: the check needs no results.
        _ = try ReportBuilder.checkedTemplate(templateURL, planner: planner)
        let log = ConsoleLog()
        // The data files are checked before anything else; a cached re-render needs only
        // their checksums, which a memo next to the results vouches for without inflating them.
        let data = MNISTProvider(directory: URL(fileURLWithPath: dataDir, relativeTo: cwd),
                                 checksumMemo: resultsDir.appendingPathComponent("mnist-checksums.json"), writesMemo: !readOnly)
        _ = try data.checksums()
        let store = try ResultStore(directory: resultsDir, readOnly: readOnly)
        Interruption.watch(store: store, publisher: readOnly ? nil : publisher)
        var groups = selection.groups
        if check { groups = [] }
        let options = ExperimentOptions(jobs: jobs, force: force, only: groups, dryRun: dryRun)
        let experimenter = Experimenter(planner: planner, store: store, data: data, options: options, log: log,
                                        provenance: ProvenanceProbe.current(repository: cwd))
        let outcomes = try experimenter.run()
        log.clear()
        let rejected = store.rejections.filter { outcomes.keys.contains($0.key) }
        if check && !rejected.isEmpty { throw CheckFailure.rejected(rejected, store: store) }
        if dryRun {
            if prune && outcomes.isComplete { try listPrunable(store: store, outcomes: outcomes, remove: false) }
            print("dry run: nothing trained, nothing written.")
            return
        }
        guard outcomes.isComplete else {
            let names = outcomes.missing.sorted().map(\.rawValue)
            let tasks = (names.count == 1 ? "task " : "tasks ") + names.joined(separator: ", ")
            let are = names.count == 1 ? "is" : "are"
            if check {
                throw CheckFailure(message: "results for \(tasks) are not in the cache; --check never trains. Run make-report first.")
            }
            if prune { throw CheckFailure(message: "--prune needs every result of the report, but \(tasks) \(are) incomplete; nothing was removed.") }
            print("report not rendered: results for \(tasks) are missing; run make-report without --only to complete them.")
            return
        }
        let scratch = try Interruption.temporaryFolder("make-report-render")
        let builder = ReportBuilder(outcomes: outcomes, templateURL: templateURL)
        let rendered = try builder.render(scratch: scratch)
        let reportURL = reportDir.appendingPathComponent("report.md")
        if check {
            let diffs = ReportBuilder.differences(rendered, reportURL: reportURL, figuresDirectory: figuresDir)
            guard diffs.isEmpty else {
                throw CheckFailure(message: "the committed report is out of date; these files differ from a fresh rendering of the verified cached results:\n  "
                                   + diffs.joined(separator: "\n  ") + "\nRun make-report to render them again, review the diff, and commit report.md and the figures.")
            }
            print("check passed: report/report.md and \(rendered.figures.count) figures match a fresh rendering of the cached results.")
            return
        }
        // The PDF first: if pandoc fails, report.md and the figures are left as they were.
        if pdf { try writePDF(builder: builder, rendered: rendered, outputRoot: outputRoot, repository: cwd) }
        let outcome = try publisher.publish(ReportBuilder.publishSet(rendered, root: outputRoot))
        if prune { try listPrunable(store: store, outcomes: outcomes, remove: true) }
        let elapsed = ContinuousClock.now - wallStart
        let what = outcome == .unchanged ? "unchanged:" : "wrote"
        print("\(what) \(reportURL.path) and \(rendered.figures.count) figures in \(figuresDir.path) "
              + String(format: "(%.1f s)", elapsed.seconds))
    }

    /// A writing run takes the results folder's lock (waiting for another run) and finishes a
    /// publish an earlier, killed run left. A read-only run takes a shared lock if the lock
    /// file exists, and stops, rather than wait, when another run is writing.
    private func lockResults(_ resultsDir: URL, publisher: Publisher) throws -> FolderLock? {
        guard readOnly else {
            try FileManager.default.createDirectory(at: resultsDir, withIntermediateDirectories: true)
            let lock = try FolderLock(directory: resultsDir)
            switch try publisher.recover() {
            case .completed(let files)?: print("finished publishing the report an interrupted run had begun (\(files) files)")
            case .discarded?: print("removed a half-written staging folder an interrupted run left; its outputs were never changed")
            case nil: break
            }
            return lock
        }
        if publisher.isPending {
            throw CheckFailure(message: "an interrupted run left a publish unfinished in \(publisher.folder.path); "
                               + "run make-report (without --check or --dry-run) to finish it.")
        }
        switch FolderLock.shared(directory: resultsDir) {
        case .none: return nil
        case .held(let lock): return lock
        case .busy:
            throw CheckFailure(message: "another make-report is writing in \(resultsDir.path); \(check ? "--check" : "--dry-run") reads "
                               + "without waiting, so run it again when that one has finished.")
        }
    }

    /// --prune: lists (and, unless a dry run, removes) the cached results no experiment of this
    /// complete run uses.
    private func listPrunable(store: ResultStore, outcomes: Outcomes, remove: Bool) throws {
        let entries = try store.unreferenced(keepingKeys: outcomes.keys)
        guard !entries.isEmpty else { print("--prune: every cached result is used; nothing to remove"); return }
        for e in entries {
            print("\(remove ? "removing" : "would remove") \(store.directory.appendingPathComponent(e.file).path)"
                  + (e.names.isEmpty ? "" : " (\(e.names.prefix(2).joined(separator: ", "))\(e.names.count > 2 ? ", …" : ""))"))
        }
        if remove {
            let removed = try store.remove(entries, keepingNames: outcomes.names)
            print("--prune: removed \(removed.count) cached results that no experiment uses any more")
        } else {
            print("--prune: would remove \(entries.count) cached results (dry run: nothing removed)")
        }
    }
}

struct CheckFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }

    /// --check found cached results that do not belong to their keys: say which, and what to
    /// do, never to commit what they render to.
    static func rejected(_ rejections: [String: CacheRejection], store: ResultStore) -> CheckFailure {
        let lines = rejections.sorted { $0.key < $1.key }.map { "\(store.url(for: $0.key).path): \($0.value.reason)" }
        let results = lines.count == 1 ? "1 cached result" : "\(lines.count) cached results"
        return CheckFailure(message: "\(results) failed verification and were not rendered:\n  "
                            + lines.joined(separator: "\n  ")
                            + "\nRestore them from git (git checkout -- report/results), or delete them and run make-report to "
                            + "train them again; --check never trains.")
    }
}

/// Leftovers of writes interrupted by a crash or kill (see `writeAtomically`).
func removeStaleTemporaryFiles(in directory: URL) {
    for f in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] where f.hasPrefix(".") && f.hasSuffix(".tmp") {
        try? FileManager.default.removeItem(at: directory.appendingPathComponent(f))
    }
}
