import Experiments
import Foundation
import NeuralNet

/// The replication: the rows of tasks 3 and 4 trained again with per-sample updates (the
/// 2019 report's rule), against mini-batch means, row by row.
struct ReplicationContext: Codable {
    /// Always true: the section is absent (false) without per-sample rows.
    var available: Bool
    var tricksTable: String
    var topologiesTable: String
    var summary: String
    /// Row N under both rules; absent when N was not replicated.
    var fanIn: FanInContext?
    var secondsPerEpoch: String
    var batchSecondsPerEpoch: String
}

/// Row N (fan-in initialisation) per sample at the assignment's rate, and under the
/// batch-mean rule at that rate (its sweep) and at its chosen rate.
struct FanInContext: Codable {
    var batch: String
    var perSample: String
    var batchRate: String
    var batchAtRate: String
    var batchAtRateClasses: String
    var hasBatchAtRateClasses: Bool
    /// The per-sample runs trained where the batch-mean sweep at the same rate had seeds fail.
    var ruleMadeRateUsable: Bool
    var steps: String
}

extension ContextBuilder {
    /// (row id, mini-batch outcome, per-sample outcome) pairs.
    func replicationPairs() -> [(String, RowOutcome, RowOutcome)] {
        outcomes.replication.compactMap { r in
            let id = String(r.id.dropFirst(2))
            guard let batch = row(id, in: outcomes.tricks) ?? row(id, in: outcomes.topologies) else { return nil }
            return (id, batch, r)
        }
    }

    func replicationContext() -> ReplicationContext? {
        let pairs = replicationPairs()
        guard !pairs.isEmpty else { return nil }
        func table(_ ids: Set<String>) -> String {
            let lines = pairs.filter { ids.contains($0.0) }.map { id, batch, per -> [String] in
                [id, Format.rate(batch.chosenLearningRate), Format.percent(batch.finalAccuracy("test")),
                 Format.rate(per.chosenLearningRate),
                 per.runs.allSatisfy(\.diverged) ? "diverged" : Format.percent(per.finalAccuracy("test")),
                 shortVerdict("rule.\(id)")]
            }
            return MarkdownTable(header: ["Row", "Mini-batch lr", "Mini-batch test acc.", "Per-sample lr", "Per-sample test acc.",
                                          "Per-sample − mini-batch (points, 95 % CI)"], rows: lines).markdown
        }
        let rule = family.verdicts.filter { $0.id.hasPrefix("rule.") }
        let higher = rule.filter { $0.direction == .higher }.map { String($0.id.dropFirst(5)) }
        let lower = rule.filter { $0.direction == .lower }.map { String($0.id.dropFirst(5)) }
        let same = rule.filter { $0.direction == .indistinguishable }.count
        let untested = rule.filter { $0.direction == .untestable }.count
        var parts: [String] = []
        if !higher.isEmpty { parts.append("higher for \(Words.list(higher))") }
        if !lower.isEmpty { parts.append("lower for \(Words.list(lower))") }
        if same > 0 { parts.append(same == rule.count ? "not distinguishable from mini-batch training's for every one" : "not distinguishable for \(Words.count(same, "row"))") }
        if untested > 0 { parts.append("untested for \(Words.count(untested, "row")) (one run)") }
        let summary = "Of the \(Words.count(rule.count, "row")), per-sample training's test accuracy is " + Words.list(parts) + "."
        var fanIn: FanInContext? = nil
        if let n = pairs.first(where: { $0.0 == "N" }) {
            let atRate = n.1.sweepPoint(at: n.2.chosenLearningRate)
            let perSampleTrained = n.2.runs.allSatisfy { !$0.runClass.disqualifiesRate }
            let atRateClasses = atRate.map { Words.classSummary($0.runs) } ?? ""
            fanIn = FanInContext(batch: Format.percent(n.1.finalAccuracy("test")), perSample: Format.percent(n.2.finalAccuracy("test")),
                                 batchRate: Format.rate(n.1.chosenLearningRate),
                                 batchAtRate: atRate.map { Format.percent($0.summary) } ?? "–",
                                 batchAtRateClasses: atRateClasses,
                                 hasBatchAtRateClasses: !atRateClasses.isEmpty,
                                 ruleMadeRateUsable: perSampleTrained && (atRate?.disqualifiedSeeds ?? 0) > 0,
                                 steps: "\(p.base.batchSize)")
        }
        return ReplicationContext(
            available: true,
            tricksTable: table(["B", "S", "I", "N", "M"]),
            topologiesTable: table(Set(outcomes.topologies.map(\.id))),
            summary: summary,
            fanIn: fanIn,
            secondsPerEpoch: String(format: "%.2f", Summary(outcomes.replication.flatMap { $0.runs.flatMap { $0.history.trainingSeconds } }).mean),
            batchSecondsPerEpoch: String(format: "%.2f", Summary(pairs.flatMap { $0.1.runs.flatMap { $0.history.trainingSeconds } }).mean))
    }
}
