import Experiments
import Foundation

/// The claims ledger: each claim of the 2019 report with the evidence and the verdict of
/// this report's tests (`ClaimsLedger`), and the count of verdicts by kind.
struct LedgerContext: Codable {
    var available: Bool
    var summary: String
    var table: String
    var verdicts: String
    var supported: String
    var contradicted: String
    var undecided: String
}

extension ContextBuilder {
    func ledgerContext() -> LedgerContext {
        let claims = ClaimsLedger(outcomes: outcomes, family: family).claims()
        let rows = claims.map { [$0.number, $0.claim, $0.evidence, $0.verdict] }
        // Each cell holds one verdict per training rule ("mini-batch: …<br>per-sample: …").
        let verdicts = claims.flatMap { $0.verdict.components(separatedBy: "<br>") }
            .map { $0.components(separatedBy: ": ").dropFirst().joined(separator: ": ") }
        let supported = verdicts.filter { $0.hasPrefix("supported") }.count
        let contradicted = verdicts.filter { $0.hasPrefix("contradicted") }.count
        let undecided = verdicts.count - supported - contradicted
        let summary = "Of the \(Words.count(verdicts.count, "verdict")), \(supported) \(supported == 1 ? "supports" : "support") the claim, "
            + "\(contradicted) \(contradicted == 1 ? "contradicts" : "contradict") it and \(undecided) \(undecided == 1 ? "does" : "do") not decide or \(undecided == 1 ? "decides" : "decide") only in part."
        return LedgerContext(
            available: !claims.isEmpty, summary: summary,
            table: MarkdownTable(header: ["#", "Claim (2019 report)", "Evidence (difference, 95 % CI, test, Holm p)", "Verdict"],
                                 rows: rows, rightAligned: [false, false, false, false]).markdown,
            verdicts: "\(verdicts.count)",
            supported: "\(supported)",
            contradicted: "\(contradicted)",
            undecided: "\(undecided)")
    }
}
