import Foundation

/// The copy of report.md that pandoc turns into the PDF: the same text, tables, math and
/// captions, rewritten only where LaTeX needs it. Pure text in, text out.
///
/// - The first `# ` heading becomes the title block (title, date of the results).
/// - `![alt](../figures/NAME.png)` followed by a `*Figure N: ...*` paragraph becomes one
///   figure `![Figure N: ...](FIGURES/NAME.pdf)`: the vector figure, kept on the page with
///   its caption (the LaTeX preamble drops LaTeX's own "Figure N:" label, so the caption
///   reads exactly as in report.md).
/// - A `*Table N: ...*` paragraph before a table becomes that table's caption, so the two
///   stay together.
/// - In tables, `<br>` (a line break GitHub shows) becomes LaTeX's `\newline`, and a table
///   too wide for the page gets column widths in proportion to its longest cells, so that
///   it wraps instead of running off the page.
public enum PDFMarkdown {
    /// Tables whose columns add up to more characters than this (digits of 9 pt DejaVu
    /// Sans across 17 cm, two characters of padding per column) wrap their long cells.
    static let pageWidthInCharacters = 84

    /// The share of the text width (6.7 in) a figure `inches` wide takes: the usual 6.4 in
    /// figure at 3/4, so its 10 pt labels print at 8 pt; wider figures the whole width.
    public static func textWidthShare(inches: Double) -> Double { min(1, inches / 8.5) }

    /// The vector file drawn for a PNG of the report: "2c-base-curves.png" -> "2c-base-curves.pdf".
    public static func vectorName(_ png: String) -> String {
        (png.hasSuffix(".png") ? String(png.dropLast(4)) : png) + ".pdf"
    }

    /// `markdown`: report.md as rendered. `figuresPath`: where the PDF figures are, relative
    /// to the folder pandoc runs in. `date`: the results' date for the title block, or nil.
    /// `widths`: PNG file name -> share of the text width its figure takes (default: all).
    public static func convert(_ markdown: String, figuresPath: String, date: String?,
                               widths: [String: Double] = [:]) -> String {
        var paragraphs = split(markdown)
        var title: String?
        if let first = paragraphs.first, first.count == 1, first[0].hasPrefix("# ") {
            title = String(first[0].dropFirst(2))
            paragraphs.removeFirst()
        }
        var out: [String] = []
        var i = 0
        while i < paragraphs.count {
            let paragraph = paragraphs[i]
            let next = i + 1 < paragraphs.count ? paragraphs[i + 1] : nil
            if let image = figureImage(paragraph) {
                let caption = next.flatMap { captionText($0, prefix: "Figure") }
                let width = widths[image.file].map { String(format: "{width=%.0f%%}", 100 * $0) } ?? ""
                out.append("![\(caption ?? image.alt)](\(figuresPath)/\(vectorName(image.file)))" + width)
                i += caption == nil ? 1 : 2
            } else if let caption = captionText(paragraph, prefix: "Table"), let next, isTable(next) {
                out.append(": " + caption)
                out.append(table(next))
                i += 2
            } else if isTable(paragraph) {
                out.append(table(paragraph))
                i += 1
            } else {
                out.append(paragraph.joined(separator: "\n"))
                i += 1
            }
        }
        var header = ["---"]
        if let title { header.append("title: " + yamlString(title)) }
        if let date { header.append("date: " + yamlString(date)) }
        header.append("---")
        return (header.count > 2 ? header.joined(separator: "\n") + "\n\n" : "") + out.joined(separator: "\n\n") + "\n"
    }

    /// Paragraphs as lists of lines, split at blank lines; display math (`$$ ... $$`) and
    /// fenced code stay whole even if they hold a blank line.
    static func split(_ markdown: String) -> [[String]] {
        var paragraphs: [[String]] = []
        var current: [String] = []
        var inBlock: String? = nil
        for line in markdown.components(separatedBy: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let fence = inBlock {
                current.append(line)
                if trimmed.hasPrefix(fence) { inBlock = nil }
                continue
            }
            if trimmed.isEmpty {
                if !current.isEmpty { paragraphs.append(current); current = [] }
                continue
            }
            if trimmed == "$$" || trimmed.hasPrefix("```") { inBlock = trimmed == "$$" ? "$$" : "```" }
            current.append(line)
        }
        if !current.isEmpty { paragraphs.append(current) }
        return paragraphs
    }

    /// An image alone in its paragraph that points into figures/: its alt text and file name.
    static func figureImage(_ paragraph: [String]) -> (alt: String, file: String)? {
        guard paragraph.count == 1 else { return nil }
        let line = paragraph[0].trimmingCharacters(in: .whitespaces)
        guard line.hasPrefix("!["), line.hasSuffix(")"), let close = line.range(of: "](") else { return nil }
        let alt = String(line[line.index(line.startIndex, offsetBy: 2)..<close.lowerBound])
        let path = String(line[close.upperBound..<line.index(before: line.endIndex)])
        guard path.hasSuffix(".png") else { return nil }
        return (alt, (path as NSString).lastPathComponent)
    }

    /// The text of an italic caption paragraph such as `*Figure 3: ...*` (without the
    /// asterisks, lines joined), when it starts with `prefix`.
    static func captionText(_ paragraph: [String], prefix: String) -> String? {
        let text = paragraph.map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        guard text.hasPrefix("*\(prefix) "), text.hasSuffix("*"), text.count > 2 else { return nil }
        return String(text.dropFirst().dropLast())
    }

    static func isTable(_ paragraph: [String]) -> Bool {
        paragraph.count >= 2 && paragraph.allSatisfy { $0.hasPrefix("|") } && isSeparator(paragraph[1])
    }

    static func isSeparator(_ row: String) -> Bool {
        let cells = cellsOf(row)
        return !cells.isEmpty && cells.allSatisfy { cell in
            let c = cell.trimmingCharacters(in: .whitespaces)
            return c.count >= 3 && c.allSatisfy { "-:".contains($0) }
        }
    }

    /// The cells of a `| a | b |` row, untrimmed; `\|` does not split.
    static func cellsOf(_ row: String) -> [String] {
        var cells: [String] = []
        var cell = ""
        var escaped = false
        for ch in row.trimmingCharacters(in: .whitespaces).dropFirst() {
            if escaped { cell.append(ch); escaped = false; continue }
            if ch == "\\" { cell.append(ch); escaped = true; continue }
            if ch == "|" { cells.append(cell); cell = "" } else { cell.append(ch) }
        }
        if !cell.trimmingCharacters(in: .whitespaces).isEmpty { cells.append(cell) }
        return cells
    }

    /// A pipe table for pandoc: `<br>` as `\newline`, " ± " unbreakable. When its columns
    /// add up to more than the page, the separator's dashes set each column's share of the
    /// page (pandoc reads relative widths from a separator longer than `--columns`): short
    /// columns (numbers, labels) get their full width so they never wrap, and the long text
    /// columns share the rest in proportion to their longest line.
    static func table(_ rows: [String]) -> String {
        let contentRows = rows.enumerated().filter { $0.offset != 1 }.map(\.element)
        let body = contentRows.map {
            $0.replacingOccurrences(of: "<br>", with: " \\newline ").replacingOccurrences(of: " ± ", with: "\\ ±\\ ")
        }
        let separator = cellsOf(rows[1]).map { $0.trimmingCharacters(in: .whitespaces) }
        let widest = columnWidths(contentRows.dropFirst(), columns: separator.count)
        // A header longer than its column's cells widens the table as much as a long cell
        // (pandoc sizes a narrow table by both), but it can wrap between its words.
        let header = cellsOf(rows[0]).map { $0.trimmingCharacters(in: .whitespaces) }
        let headerWidth = separator.indices.map { $0 < header.count ? header[$0].count : 0 }
        let headerWord = separator.indices.map { c in
            c < header.count ? header[c].split(separator: " ").map(\.count).max() ?? 0 : 0
        }
        let total = separator.indices.reduce(0) { $0 + max(widest[$1], headerWidth[$1]) + 2 }
        var dashes = separator.map { _ in 3 }
        if total > pageWidthInCharacters {
            let isShort = separator.indices.map { widest[$0] <= shortColumn && headerWord[$0] <= shortColumn }
            let needed = separator.indices.map { max(widest[$0], headerWord[$0]) }
            let fixed = zip(needed, isShort).filter(\.1).reduce(0) { $0 + $1.0 + 2 }
            let free = Double(max(pageWidthInCharacters - fixed, 12))
            let longSum = Double(zip(widest, isShort).filter { !$0.1 }.reduce(0) { $0 + $1.0 })
            let share = separator.indices.map { c -> Double in
                isShort[c] ? Double(needed[c] + 2) : free * Double(widest[c]) / max(longSum, 1)
            }
            // Scaled so the separator is longer than pandoc's --columns; only ratios count.
            let scale = Double(PDFExport.pandocColumns + 100) / share.reduce(0, +)
            dashes = share.map { max(3, Int(($0 * scale).rounded())) }
        }
        let newSeparator = "|" + zip(separator, dashes).map { cell, n -> String in
            let left = cell.hasPrefix(":"), right = cell.hasSuffix(":")
            return (left ? ":" : "-") + String(repeating: "-", count: max(1, n - 2)) + (right ? ":" : "-")
        }.joined(separator: "|") + "|"
        return ([body[0], newSeparator] + body.dropFirst()).joined(separator: "\n")
    }

    /// Columns whose body cells are at most this many characters never wrap.
    static let shortColumn = 16

    /// The longest line (between `<br>`s) of each column's body cells, at least 3.
    static func columnWidths(_ rows: ArraySlice<String>, columns: Int) -> [Int] {
        var widest = [Int](repeating: 3, count: columns)
        for row in rows {
            for (c, cell) in cellsOf(row).enumerated() where c < columns {
                let longestLine = cell.components(separatedBy: "<br>").map { $0.trimmingCharacters(in: .whitespaces).count }.max() ?? 0
                widest[c] = max(widest[c], longestLine)
            }
        }
        return widest
    }

    /// A YAML scalar in single quotes (a quote is doubled), safe for colons and hashes.
    static func yamlString(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
}
