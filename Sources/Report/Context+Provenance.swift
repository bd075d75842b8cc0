import Experiments
import Foundation
import NeuralNet

/// Where the results come from: commits, toolchain, BLAS, machine, the data's checksums and
/// the wall time each task's runs took.
struct ProvenanceContext: Codable {
    var commits: String
    var commitWord: String
    var swift: String
    var blas: String
    var machine: String
    var nodes: String
    var hasNodes: Bool
    var products: String
    var timing: String
    var checksums: String
    var codeVersion: String
    var runCount: String
    /// Every cached result that is not a plotted run, the gradient check or an inspection.
    var sweepCount: String
}

extension ContextBuilder {
    func provenanceContext() -> ProvenanceContext {
        var seen = Set<String>()
        let runs = outcomes.allRuns.filter { seen.insert($0.key).inserted }   // a run shown in two rows counts once
        let first = runs.first?.provenance
        let commits = Set(runs.map { $0.provenance.commit + ($0.provenance.dirty ? " (dirty)" : "") }).sorted()
        var timing: [[String]] = []
        func add(_ name: String, _ rows: [RowOutcome]) {
            var seen = Set<String>()
            let all = rows.flatMap(\.runs).filter { seen.insert($0.key).inserted }   // a run shown in two rows counts once
            guard !all.isEmpty else { return }
            let total = all.map(\.wallSeconds).reduce(0, +)
            timing.append([name, "\(all.count)", Format.seconds(total)])
        }
        add("2a/2c base run", [outcomes.base].compactMap { $0 })
        add("3 tricks (plotted runs)", outcomes.tricks + [outcomes.momentumAtBaseRate].compactMap { $0 })
        add("4 topologies (plotted runs)", outcomes.topologies)
        add("5 bonus (plotted runs, chain and leave-one-out)", outcomes.bonus + outcomes.bonusLeaveOneOut)
        add("Replication, per-sample rule", outcomes.replication)
        let sums = outcomes.datasetChecksums.sorted { $0.key < $1.key }.map { "`\($0.key)`: `\($0.value.prefix(16))…`" }
        let inspections = [outcomes.baseInspection, outcomes.finalInspection].compactMap { $0 }.count
        let otherKeys = max(0, outcomes.keys.count - runs.count - (outcomes.gradientCheck == nil ? 0 : 1) - inspections)
        /// Each distinct value with its count of runs, most runs first ("Zen (380 runs), Cooperlake
        /// (85 runs)"); one value alone without a count. The runs may come from several machines.
        func tally(_ values: [String]) -> String {
            let counts = Dictionary(values.map { ($0, 1) }, uniquingKeysWith: +)
            guard counts.count > 1 else { return counts.keys.first ?? "unknown" }
            return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { "\($0.key) (\(Words.count($0.value, "run")))" }.joined(separator: ", ")
        }
        let threads = Set(runs.map(\.provenance.blasThreads)).sorted().map(String.init).joined(separator: " or ")
        return ProvenanceContext(
            commits: commits.joined(separator: ", "),
            commitWord: commits.count == 1 ? "commit" : "commits",
            swift: tally(runs.map(\.provenance.swiftVersion)),
            blas: first.map { _ in
                "\(tally(runs.map(\.provenance.blas))), kernel \(tally(runs.map(\.provenance.blasKernel))), \(threads) thread\(threads == "1" ? "" : "s") per run"
            } ?? "unknown",
            machine: tally(runs.map(\.provenance.machine)),
            nodes: Set(runs.compactMap(\.provenance.host)).sorted().joined(separator: ", "),
            hasNodes: runs.contains { $0.provenance.host != nil },
            products: runs.contains { $0.provenance.products != nil } ? tally(runs.map { $0.provenance.products ?? "not recorded" }) : "not recorded",
            timing: MarkdownTable(header: ["Experiment", "Runs", "Wall time (sum over runs)"], rows: timing).markdown,
            checksums: sums.joined(separator: "; "),
            codeVersion: "\(TrainingCode.version)",
            runCount: "\(runs.count)",
            sweepCount: "\(otherKeys)")
    }
}
