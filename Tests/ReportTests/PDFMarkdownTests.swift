import Foundation
import XCTest
@testable import Report

/// The PDF copy of report.md: what pandoc must see differently, and nothing else.
final class PDFMarkdownTests: XCTestCase {
    let sample = """
    # TDT4265 Assignment 2: a test

    Intro with $x_i$ and `code`.

    ## Task 1

    $$
    a = b

    $$

    ![Task 2c](../figures/2c-base-curves.png)

    *Figure 1: loss (left) and accuracy
    (right).*

    *Table 2: accuracy (%).*

    | Row | Value |
    |---|---:|
    | a | 1.50 ± 0.20 |

    Text after.

    """

    func testTitleBlockFiguresAndCaptions() {
        let out = PDFMarkdown.convert(sample, figuresPath: "figures", date: "Results of 1 May 2026 (trained by commit abc)",
                                      widths: ["2c-base-curves.png": 0.75])
        XCTAssertTrue(out.hasPrefix("---\ntitle: 'TDT4265 Assignment 2: a test'\ndate: 'Results of 1 May 2026 (trained by commit abc)'\n---\n"), out)
        XCTAssertFalse(out.contains("# TDT4265"), "the heading became the title")
        // The figure is the vector file with report.md's caption, kept together.
        XCTAssertTrue(out.contains("![Figure 1: loss (left) and accuracy (right).](figures/2c-base-curves.pdf){width=75%}"), out)
        XCTAssertFalse(out.contains("*Figure 1"))
        // The table's caption is attached to it; the " ± " cannot break.
        XCTAssertTrue(out.contains(": Table 2: accuracy (%).\n\n| Row | Value |\n|---|--:|\n| a | 1.50\\ ±\\ 0.20 |"), out)
        // Everything else is as it was, display math with its blank line included.
        XCTAssertTrue(out.contains("Intro with $x_i$ and `code`.\n\n## Task 1\n\n$$\na = b\n\n$$"), out)
        XCTAssertTrue(out.hasSuffix("Text after.\n"))
    }

    func testWideTableWrapsTextColumnsButNotNumbers() {
        let long = String(repeating: "word ", count: 30)
        let table = """
        | # | Claim | Evidence |
        |---|---|---|
        | 1 | \(long) | mini-batch: 96.77 ± 0.03<br>per-sample: 97.23 |
        """
        let out = PDFMarkdown.convert(table, figuresPath: "f", date: nil)
        let lines = out.components(separatedBy: "\n")
        XCTAssertFalse(out.hasPrefix("---"), "no title block without a heading or date")
        let separator = lines[1]
        // Longer than pandoc's --columns, so pandoc reads relative widths from it.
        XCTAssertGreaterThan(separator.count, PDFExport.pandocColumns)
        let dashes = separator.split(separator: "|").map(\.count)
        XCTAssertEqual(dashes.count, 3)
        XCTAssertLessThan(dashes[0] * 5, dashes[1], "the number column is narrow, the claim wide")
        XCTAssertTrue(lines[2].contains("96.77\\ ±\\ 0.03 \\newline per-sample"), lines[2])
    }

    /// Short cells under long headers (Tables 8 and 9) ran off the page: the headers count
    /// towards the width, and wrap between words instead.
    func testLongHeadersOverShortCellsWrapInsideThePage() {
        let table = """
        | Row | Mini-batch lr | Mini-batch test acc. | Per-sample lr | Per-sample test acc. | Per-sample − mini-batch (points, 95 % CI) |
        |---|---:|---:|---:|---:|---:|
        | B | 1 | 94.43 ± 0.26 | 0.5 | 93.96 ± 0.09 | −0.47 (−0.79 to −0.15), n.s. |
        """
        let lines = PDFMarkdown.convert(table, figuresPath: "f", date: nil).components(separatedBy: "\n")
        XCTAssertGreaterThan(lines[1].count, PDFExport.pandocColumns, "relative widths, so pandoc wraps: \(lines[1])")
        let dashes = lines[1].split(separator: "|").map(\.count)
        XCTAssertEqual(dashes.count, 6)
        XCTAssertGreaterThan(dashes[5], dashes[1], "the long last column gets the most room")
    }

    func testNarrowTableKeepsNaturalWidths() {
        let out = PDFMarkdown.convert("| a | b |\n|---|---:|\n| 1 | 2 |\n", figuresPath: "f", date: nil)
        XCTAssertEqual(out, "| a | b |\n|---|--:|\n| 1 | 2 |\n")
    }
}
