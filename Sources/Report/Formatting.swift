import Experiments
import Foundation

/// Number formatting for the report: fixed, explicit decimals, so the text never shows
/// float noise and a grader can compare cells at a glance.
public enum Format {
    /// 0.97123 -> "97.12" (percent, no sign).
    public static func percent(_ x: Double, decimals: Int = 2) -> String {
        guard x.isFinite else { return "–" }
        // A minus sign, as every other signed number of the report prints it (not "-0.00").
        let text = String(format: "%.\(decimals)f", 100 * abs(x))
        return x < 0 && text.contains(where: { $0 != "0" && $0 != "." }) ? "−" + text : text
    }

    /// Mean +- sd of accuracies in percent: "97.12 ± 0.08"; one seed shows the mean alone.
    public static func percent(_ s: Summary, decimals: Int = 2) -> String {
        guard s.count > 0, s.mean.isFinite else { return "–" }
        return s.count > 1 ? "\(percent(s.mean, decimals: decimals)) ± \(percent(s.sd, decimals: decimals))"
                           : percent(s.mean, decimals: decimals)
    }

    /// Mean +- sd of plain numbers (losses): "0.123 ± 0.004".
    public static func number(_ s: Summary, decimals: Int = 3) -> String {
        guard s.count > 0, s.mean.isFinite else { return "–" }
        let m = String(format: "%.\(decimals)f", s.mean)
        return s.count > 1 ? "\(m) ± \(String(format: "%.\(decimals)f", s.sd))" : m
    }

    /// A learning rate as written in the parameters ("0.5", "0.05").
    public static func rate(_ x: Double) -> String {
        var s = String(format: "%.6g", x)
        if s.contains(".") && !s.contains("e") { while s.hasSuffix("0") { s.removeLast() } }
        return s
    }

    /// 3.1e-07 style for tiny differences.
    public static func scientific(_ x: Double) -> String { x.isFinite ? String(format: "%.1e", x) : "–" }

    public static func seconds(_ x: Double) -> String {
        x < 10 ? String(format: "%.2f s", x) : x < 120 ? String(format: "%.1f s", x) : String(format: "%.1f min", x / 60)
    }

    /// Two significant digits, plain: 0.577 -> "0.58", 0.0412 -> "0.041", 1.73 -> "1.7".
    public static func significant(_ x: Double) -> String {
        guard x.isFinite else { return "–" }
        guard x != 0 else { return "0" }
        let decimals = max(0, 1 - Int(floor(log10(abs(x)))))
        return String(format: "%.\(decimals)f", x)
    }

    public static func integer(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }
}

/// A GitHub-flavoured Markdown table.
public struct MarkdownTable {
    public var header: [String]
    public var rows: [[String]]
    /// Per column: true = right-aligned (numbers).
    public var rightAligned: [Bool]

    public init(header: [String], rows: [[String]], rightAligned: [Bool]? = nil) {
        self.header = header
        self.rows = rows
        self.rightAligned = rightAligned ?? header.indices.map { $0 > 0 }
    }

    public var markdown: String {
        func line(_ cells: [String]) -> String { "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |" }
        let rule = "|" + rightAligned.map { $0 ? "---:|" : "---|" }.joined()
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }
}
