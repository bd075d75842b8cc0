import Foundation
import Plotting
import XCTest

/// report.pdf read as a reader would: `make-report --pdf` on the committed results (copied
/// into a scratch folder, so nothing trains and the project is not touched), then the PDF is
/// turned back into text, fonts, images and pixels with poppler's tools.
/// Skipped when pandoc, XeLaTeX or poppler-utils are missing (`make test` does not install
/// them); CI installs them through `make pdf` and runs this test.
final class PDFReportTests: CommandTestCase {
    static let tools = ["pandoc", "xelatex", "pdftotext", "pdffonts", "pdftoppm", "pdfimages", "pdfinfo"]

    /// A program's standard output, or nil when it fails.
    func tool(_ name: String, _ arguments: [String]) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [name] + arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return p.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }

    /// The PDF of the committed results, built once for all tests of this class.
    static var built: (pdf: URL, markdown: String)?

    func buildPDF() throws -> (pdf: URL, markdown: String) {
        let missing = Self.tools.filter { tool("which", [$0]) == nil }
        if !missing.isEmpty {
            throw XCTSkip("the PDF tests need \(missing.joined(separator: ", ")): run `make pdf` "
                          + "(scripts/install-deps --pdf installs pandoc, XeLaTeX and poppler-utils)")
        }
        if let built = Self.built { return built }
        let scratch = temporaryDirectory()
        try FileManager.default.createDirectory(at: scratch.appendingPathComponent("report"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: CommandTestCase.root.appendingPathComponent("report/results"),
                                         to: scratch.appendingPathComponent("report/results"))
        let r = try run(["--output", scratch.path, "--pdf"])
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertFalse(r.output.contains("ran ("), "the committed results must be reused, not retrained:\n\(r.output)")
        let markdown = try String(contentsOf: scratch.appendingPathComponent("report/report.md"), encoding: .utf8)
        let committed = try String(contentsOf: CommandTestCase.root.appendingPathComponent("report/report.md"), encoding: .utf8)
        XCTAssertEqual(markdown, committed, "the scratch rendering is the committed report")
        Self.built = (scratch.appendingPathComponent("report/report.pdf"), markdown)
        return Self.built!
    }

    /// Text as pdftotext gives it, with no-break spaces and runs of white space as one space.
    func normalised(_ s: String) -> String {
        s.replacingOccurrences(of: "\u{00A0}", with: " ")
            .replacingOccurrences(of: "\\s+", with: " ", options: .regularExpression)
    }

    func numbers(_ s: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: "[0-9]+(?:\\.[0-9]+)?")
        return regex.matches(in: s, range: NSRange(s.startIndex..., in: s)).map { String(s[Range($0.range, in: s)!]) }
    }

    func testEverySectionAndEveryNumberOfEveryTableIsInThePDF() throws {
        let (pdf, markdown) = try buildPDF()
        // -layout: plain pdftotext joins a hyphen at a line end to the next line ("784-60-60-" + "10" -> "6010").
        let text = normalised(try XCTUnwrap(tool("pdftotext", ["-layout", "-enc", "UTF-8", pdf.path, "-"])))
        let headings = markdown.components(separatedBy: "\n").filter { $0.hasPrefix("#") }
        XCTAssertGreaterThanOrEqual(headings.count, 10)
        for heading in headings {
            let title = normalised(heading.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces))
            XCTAssertTrue(text.contains(title), "section '\(title)' is not in the PDF")
        }
        // Each table's numbers lie between its caption and the next table's, as often as in report.md.
        let tables = markdownTables(markdown)
        XCTAssertGreaterThanOrEqual(tables.count, 10)
        for (index, table) in tables.enumerated() {
            guard let start = text.range(of: "Table \(table.number):") else {
                XCTFail("caption of table \(table.number) not in the PDF"); continue
            }
            let end = index + 1 < tables.count ? text.range(of: "Table \(tables[index + 1].number):", range: start.upperBound..<text.endIndex)?.lowerBound : nil
            let region = numbers(String(text[start.upperBound..<(end ?? text.endIndex)]))
            var available = Dictionary(region.map { ($0, 1) }, uniquingKeysWith: +)
            var lost: [String] = []
            for n in numbers(table.rows.joined(separator: "\n")) {
                if available[n, default: 0] > 0 { available[n]! -= 1 } else { lost.append(n) }
            }
            XCTAssertTrue(lost.isEmpty, "table \(table.number): \(lost.count) numbers missing from the PDF, e.g. \(lost.prefix(5))")
        }
        // The title block: course and assignment from the template, the results' date.
        let first = normalised(try XCTUnwrap(tool("pdftotext", ["-f", "1", "-l", "1", pdf.path, "-"])))
        XCTAssertTrue(first.contains("TDT4265 Assignment 2"))
        XCTAssertTrue(first.contains("Results of "), "the title block dates the results")
    }

    /// report.md's tables: their caption's number and their rows (separator excluded).
    func markdownTables(_ markdown: String) -> [(number: Int, rows: [String])] {
        var tables: [(number: Int, rows: [String])] = []
        var number: Int?
        for line in markdown.components(separatedBy: "\n") {
            if line.hasPrefix("*Table "), let n = Int(line.dropFirst(7).prefix { $0.isNumber }) {
                number = n
            } else if line.hasPrefix("|"), let n = number {
                if tables.last?.number != n { tables.append((n, [])) }
                if !line.contains("---") { tables[tables.count - 1].rows.append(line) }
            }
        }
        return tables
    }

    func testEveryFontIsEmbeddedAndFiguresAreVectors() throws {
        let (pdf, _) = try buildPDF()
        let fonts = try XCTUnwrap(tool("pdffonts", [pdf.path])).components(separatedBy: "\n").dropFirst(2).filter { !$0.isEmpty }
        XCTAssertGreaterThan(fonts.count, 3)
        for line in fonts {
            // name, type (may hold spaces), encoding, then emb sub uni object ID.
            let fields = line.split(separator: " ")
            XCTAssertEqual(fields.count >= 5 ? fields[fields.count - 5] : "", "yes", "font not embedded: \(line)")
        }
        // The figures are paths and text; the only raster images are data drawn at their own
        // size, as matplotlib's imshow embeds them: a 28 x 28 weight tile or digit, a 10 x 10
        // confusion matrix, a 1 x 256 colour bar. A rasterised figure (1280 px and up) fails.
        let images = try XCTUnwrap(tool("pdfimages", ["-list", pdf.path])).components(separatedBy: "\n").dropFirst(2).filter { !$0.isEmpty }
        for line in images {
            // page num type width height ...
            let fields = line.split(separator: " ")
            let width = fields.count > 4 ? Int(fields[3]) ?? .max : .max, height = fields.count > 4 ? Int(fields[4]) ?? .max : .max
            XCTAssertTrue(width <= 256 && height <= 256, "a raster image larger than its data in the PDF: \(line)")
        }
    }

    func testFirstPageAndAFigurePageRenderWithInk() throws {
        let (pdf, _) = try buildPDF()
        let info = try XCTUnwrap(tool("pdfinfo", [pdf.path]))
        let pages = try XCTUnwrap(info.components(separatedBy: "\n").first { $0.hasPrefix("Pages:") }.flatMap { Int($0.dropFirst(6).trimmingCharacters(in: .whitespaces)) })
        XCTAssertGreaterThan(pages, 5)
        let figurePage = try XCTUnwrap((1...pages).first { page in
            tool("pdftotext", ["-f", "\(page)", "-l", "\(page)", pdf.path, "-"])?.contains("Figure 1:") ?? false
        }, "no page shows Figure 1")
        let out = temporaryDirectory()
        for (page, minimumColoured) in [(1, 0), (figurePage, 500)] {
            let prefix = out.appendingPathComponent("page\(page)").path
            XCTAssertNotNil(tool("pdftoppm", ["-r", "50", "-png", "-singlefile", "-f", "\(page)", "-l", "\(page)", pdf.path, prefix]))
            let image = try PNGImage.read(prefix + ".png")
            var dark = 0, coloured = 0
            for y in 0..<image.height {
                for x in 0..<image.width {
                    let p = image.pixel(x: x, y: y)
                    let hi = max(p.r, p.g, p.b), lo = min(p.r, p.g, p.b)
                    if hi < 128 { dark += 1 }
                    if hi - lo > 60 { coloured += 1 }
                }
            }
            XCTAssertGreaterThan(dark, image.width * image.height / 200, "page \(page) is blank")
            // The figure's curves are drawn in colour; text alone is black.
            XCTAssertGreaterThanOrEqual(coloured, minimumColoured, "page \(page): the figure is blank")
        }
    }
}
