import ArgumentParser
import Experiments
import Foundation

/// The options that choose the work: one definition for `make-report`, `plan`, `slurm` and
/// `worker`, so that a cluster submission, its workers and a local run accept the same
/// flags, refuse the same mistakes with the same words, and build the same job graph.
struct SelectionOptions: ParsableArguments {
    @Option(name: .long, help: "Only run these parts (comma-separated, or repeat the option: \(ExperimentGroup.validNames)); others are reused from the cache.")
    var only: [String] = []

    @Flag(name: .long, help: "Re-run the selected experiments even when cached.")
    var force = false

    @Option(name: .long, parsing: .unconditional, help: "Seeds per experiment, 1 to 100 (overrides the parameters file).")
    var seeds: Int?

    @Option(name: .long, help: "Directory with the MNIST IDX files and their SHA256SUMS.")
    var dataDir: String = "data/mnist"

    @Option(name: .long, help: "The parameters file (default: report/parameters.yaml).")
    var params: String?

    @Flag(name: .long, help: "A few thousand images, 2 epochs, 1 seed, written to a new temporary folder (or an --output outside the project); the real report is not touched.")
    var quick = false

    @Option(name: .long, help: "Write the report, figures and results under this folder instead of the project (with --quick: a folder outside the project).")
    var output: String?

    static let defaultParameters = "report/parameters.yaml"

    /// --only's items, from every --only given (repeating the option adds to the list).
    var onlyItems: [String] { only.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }.map { $0.trimmingCharacters(in: .whitespaces) } }

    /// The groups --only selects; nil: all of them.
    var groups: Set<ExperimentGroup>? { only.isEmpty ? nil : Set(onlyItems.compactMap(ExperimentGroup.parse)) }

    func validate() throws {
        if let seeds, !(1...100).contains(seeds) { throw ValidationError("--seeds must be between 1 and 100, as in the parameters file (got \(seeds)).") }
        if !only.isEmpty {
            if onlyItems.contains("") {
                throw ValidationError("--only needs task names separated by commas, with none empty (got '\(only.joined(separator: "' and '"))'); valid: \(ExperimentGroup.validNames).")
            }
            for item in onlyItems where ExperimentGroup.parse(item) == nil {
                throw ValidationError("unknown task '\(String(item.prefix(20)))' in --only; valid: \(ExperimentGroup.validNames).")
            }
        }
        do { try OutputGuard.validate(output: output) } catch let e as OutputRefusal { throw ValidationError(e.message) }
    }

    /// The parameters file with --seeds and --quick applied, as every command trains them.
    func parameters(cwd: URL) throws -> Parameters {
        let url = URL(fileURLWithPath: params ?? Self.defaultParameters, relativeTo: cwd)
        try FileErrors.requireRegularFile(url, role: "the parameters file")
        var parameters = try Parameters.load(from: url)
        if let seeds { parameters.seeds = seeds }
        if quick { QuickMode.apply(to: &parameters, seeds: seeds) }
        return parameters
    }

    /// The planner of these parameters (the quick plan's subset and epochs with --quick).
    func planner(cwd: URL) throws -> Planner {
        Planner(parameters: try parameters(cwd: cwd), subset: quick ? QuickMode.subset : nil, epochsOverride: quick ? QuickMode.epochs : nil)
    }

    /// These options as arguments for a worker or render job on another node, with the
    /// output root the submitting command chose (absolute, so a --quick submission's new
    /// temporary folder is the one every task writes to) and the other paths made absolute.
    func arguments(includingForce: Bool = true, outputRoot: URL, relativeTo cwd: URL) -> [String] {
        func absolute(_ path: String) -> String { URL(fileURLWithPath: path, relativeTo: cwd).standardizedFileURL.path }
        var a: [String] = []
        if !only.isEmpty { a += ["--only", onlyItems.joined(separator: ",")] }
        if force && includingForce { a.append("--force") }
        if let seeds { a += ["--seeds", "\(seeds)"] }
        a += ["--data-dir", absolute(dataDir)]
        a += ["--params", absolute(params ?? Self.defaultParameters)]
        if quick { a.append("--quick") }
        if quick || output != nil { a += ["--output", outputRoot.standardizedFileURL.path] }
        return a
    }
}
