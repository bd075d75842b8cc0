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
        Hyperparameters live in report/parameters.yaml.
        """)

    @Option(name: .long, help: "Only run these parts (comma-separated: \(ExperimentGroup.validNames)); others are reused from the cache.")
    var only: String?

    @Flag(name: .long, help: "Re-run the selected experiments even when cached.")
    var force = false

    @Flag(name: .long, help: "Say what would run and why, then stop without training or writing.")
    var dryRun = false

    @Option(name: .long, help: "Seeds per experiment (overrides the parameters file).")
    var seeds: Int?

    @Option(name: .long, help: "Experiments to run in parallel (BLAS stays single-threaded inside each).")
    var jobs: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    @Option(name: .long, help: "Directory with the MNIST IDX files and their SHA256SUMS.")
    var dataDir: String = "data/mnist"

    @Option(name: .long, help: "The parameters file.")
    var params: String = "report/parameters.yaml"

    @Flag(name: .long, help: "Re-render from the cached results into a temporary folder and fail if anything differs from the files on disk. Never trains.")
    var check = false

    @Flag(name: .long, help: "A few thousand images, 2 epochs, 1 seed, written to a temporary folder; the real report is not touched.")
    var quick = false

    @Option(name: .long, help: "Write the report, figures and results under this folder instead of the project (used with --quick).")
    var output: String?

    @Flag(name: .long, help: "Also write report/report.pdf (pandoc + XeLaTeX, vector figures); `make pdf` installs them first.")
    var pdf = false

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1 (got \(jobs)).") }
        if let seeds, seeds < 1 { throw ValidationError("--seeds must be at least 1 (got \(seeds)).") }
        if let only {
            for item in only.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                guard ExperimentGroup.parse(item) != nil else {
                    throw ValidationError("unknown task '\(item)' in --only; valid: \(ExperimentGroup.validNames).")
                }
            }
        }
        if check && (force || quick || dryRun) { throw ValidationError("--check cannot be combined with --force, --quick or --dry-run.") }
        if pdf && (check || dryRun) { throw ValidationError("--pdf cannot be combined with --check or --dry-run.") }
    }

    func run() throws {
        do {
            try generate()
        } catch let e as ExitCode {
            throw e
        } catch {
            let message = (error as? LocalizedError)?.errorDescription ?? String(describing: error)
            FileHandle.standardError.write(Data("make-report: error: \(message)\nNothing was changed in report/ or figures/.\n".utf8))
            throw ExitCode.failure
        }
    }

    func generate() throws {
        let wallStart = ContinuousClock.now
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        var parameters = try Parameters.load(from: URL(fileURLWithPath: params, relativeTo: cwd))
        if let seeds { parameters.seeds = seeds }
        BLAS.threads = 1

        // Where outputs go: the project, or a temporary folder for --quick.
        var outputRoot = cwd
        var subset: RunSpec.Subset? = nil
        var epochs: Int? = nil
        if quick {
            outputRoot = output.map { URL(fileURLWithPath: $0, relativeTo: cwd) }
                ?? FileManager.default.temporaryDirectory.appendingPathComponent("make-report-quick-\(ProcessInfo.processInfo.processIdentifier)")
            subset = .init(train: 3000, validation: 500, test: 1000)
            epochs = 2
            parameters.seeds = seeds ?? 1
            parameters.replication.seeds = 1
            parameters.learningRateGrid = Array(parameters.learningRateGrid.filter { [0.5, 0.1].contains($0) }.prefix(2))
            if parameters.learningRateGrid.isEmpty { parameters.learningRateGrid = [0.5] }
            parameters.bonus.learningRateGrid = [parameters.bonus.learningRateGrid[parameters.bonus.learningRateGrid.count / 2]]
            parameters.bonus.hiddenUnits = min(parameters.bonus.hiddenUnits, 128)
            parameters.bonus.dropoutGrid = Array(parameters.bonus.dropoutGrid.prefix(1))
            parameters.bonus.annealingGrid = Array(parameters.bonus.annealingGrid.prefix(1))
        } else if let output {
            outputRoot = URL(fileURLWithPath: output, relativeTo: cwd)
        }
        let reportDir = outputRoot.appendingPathComponent("report")
        let figuresDir = outputRoot.appendingPathComponent("figures")
        let resultsDir = reportDir.appendingPathComponent("results")
        let templateURL = cwd.appendingPathComponent("report/template.md")

        try FileManager.default.createDirectory(at: resultsDir, withIntermediateDirectories: true)
        let lock = try FolderLock(directory: resultsDir)
        defer { lock.release() }
        removeStaleTemporaryFiles(in: resultsDir)

        if pdf { try requirePDFTools() }
        let log = ConsoleLog()
        // The data files are checked before anything else; a cached re-render needs only
        // their checksums, which a memo next to the results vouches for without inflating them.
        let data = MNISTProvider(directory: URL(fileURLWithPath: dataDir, relativeTo: cwd),
                                 checksumMemo: resultsDir.appendingPathComponent("mnist-checksums.json"))
        _ = try data.checksums()
        let store = try ResultStore(directory: resultsDir)
        Interruption.install(store: store, resultsDirectory: resultsDir)
        let planner = Planner(parameters: parameters, subset: subset, epochsOverride: epochs)
        var groups: Set<ExperimentGroup>? = only.map { Set($0.split(separator: ",").compactMap { ExperimentGroup.parse($0.trimmingCharacters(in: .whitespaces)) }) }
        if check { groups = [] }
        let options = ExperimentOptions(jobs: jobs, force: force, only: groups, dryRun: dryRun)
        let experimenter = Experimenter(planner: planner, store: store, data: data, options: options, log: log,
                                        provenance: ProvenanceProbe.current(repository: cwd))
        let outcomes = try experimenter.run()
        log.clear()
        if dryRun { print("dry run: nothing trained, nothing written."); return }
        guard outcomes.isComplete else {
            let missing = outcomes.missing.sorted().map(\.rawValue).joined(separator: ", ")
            if check {
                throw CheckFailure(message: "results for task(s) \(missing) are not in the cache; --check never trains. Run make-report first.")
            }
            print("report not rendered: results for task(s) \(missing) are missing; run make-report without --only to complete them.")
            return
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("make-report-render-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let builder = ReportBuilder(outcomes: outcomes, templateURL: templateURL)
        let rendered = try builder.render(scratch: scratch)
        let reportURL = reportDir.appendingPathComponent("report.md")
        if check {
            let diffs = ReportBuilder.differences(rendered, reportURL: reportURL, figuresDirectory: figuresDir)
            guard diffs.isEmpty else {
                throw CheckFailure(message: "the committed report is out of date; these files differ from a fresh rendering:\n  "
                                   + diffs.joined(separator: "\n  ") + "\nRun make-report and commit the result.")
            }
            print("check passed: report/report.md and \(rendered.figures.count) figures match a fresh rendering of the cached results.")
            return
        }
        // The PDF first: if pandoc fails, report.md and the figures are left as they were.
        if pdf { try writePDF(builder: builder, rendered: rendered, outputRoot: outputRoot, repository: cwd) }
        try ReportBuilder.write(rendered, reportURL: reportURL, figuresDirectory: figuresDir)
        if groups == nil && !force {
            let removed = try store.prune(keepingKeys: outcomes.keys, names: outcomes.names)
            if removed > 0 { print("removed \(removed) cached results that no experiment uses any more") }
        }
        let elapsed = ContinuousClock.now - wallStart
        print("wrote \(reportURL.path) and \(rendered.figures.count) figures in \(figuresDir.path) "
              + String(format: "(%.1f s)", elapsed.seconds))
    }
}

struct CheckFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Leftovers of writes interrupted by a crash or kill (see `writeAtomically`).
func removeStaleTemporaryFiles(in directory: URL) {
    for f in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] where f.hasPrefix(".") && f.hasSuffix(".tmp") {
        try? FileManager.default.removeItem(at: directory.appendingPathComponent(f))
    }
}
