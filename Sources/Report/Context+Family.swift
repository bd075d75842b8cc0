import Experiments
import Foundation

extension ContextBuilder {
    /// Every comparison of the Holm family as one table, in the order the family defines
    /// them: so a reader can see each verdict the text states, with its interval, its test
    /// and its adjusted p, in one place, and count the family the correction ran over.
    /// Differences are a − b in percentage points of the named accuracy (or gap).
    func comparisonsTable() -> MarkdownTable {
        let rows: [[String]] = family.verdicts.map { v in
            let d = v.difference
            let signed = Format.signedPoints
            return [
                "`\(v.id)`: \(v.description)",
                d.map { signed($0.estimate) } ?? "–",
                d.map { "\(signed($0.low)) to \(signed($0.high))" } ?? "–",
                v.duplicateOf.map { "= \($0)" }
                    ?? d.map { $0.method == .paired ? "paired, n = \($0.countA)" : "Welch, n = \($0.countA), \($0.countB)" }
                    ?? "none",
                v.adjustedP.map(Format.pValue) ?? "–",
                Self.tableVerdict(v.direction),
            ]
        }
        return MarkdownTable(header: ["Comparison (a vs b)", "a − b", "95 % CI", "Test", "Holm p", "Verdict"],
                             rows: rows, rightAligned: [false, true, true, false, true, false])
    }

    /// A verdict in a table cell, short enough not to wrap: "not shown" is the text's "not
    /// distinguishable" (a difference the test did not show, not an equality).
    static func tableVerdict(_ d: Verdict.Direction) -> String {
        switch d {
        case .higher: return "higher"
        case .lower: return "lower"
        case .indistinguishable: return "not shown"
        case .untestable: return "no test"
        }
    }
}
