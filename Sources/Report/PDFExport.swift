import Experiments
import Foundation
import Plotting

/// report.pdf from the rendered report: every figure drawn again by the same Cairo code as
/// a vector PDF into a build folder, the PDF copy of the Markdown (`PDFMarkdown`), then
/// Debian's pandoc with XeLaTeX. Nothing here trains or reads a clock: the results' date
/// comes from the commits that trained them, and pandoc/LaTeX get it as
/// `SOURCE_DATE_EPOCH`, so the same results give the same PDF bytes.
public struct PDFExport {
    /// The tools the PDF needs, and the Debian packages that bring them.
    public static let tools = ["pandoc": "pandoc", "xelatex": "texlive-xetex"]
    /// Pandoc's line width for reading pipe tables: wide enough that only a separator
    /// written long on purpose (`PDFMarkdown.table`) switches a table to wrapping columns.
    static let pandocColumns = 1000

    /// Where the build happens (ignored by git): report.md for pandoc, figures/*.pdf, the
    /// LaTeX header.
    public let buildDirectory: URL
    /// The results' date, for the title block and SOURCE_DATE_EPOCH.
    public let date: ResultsDate?

    public init(buildDirectory: URL, date: ResultsDate?) {
        self.buildDirectory = buildDirectory
        self.date = date
    }

    /// When the results were trained: the newest commit time among the commits named in
    /// their provenance (read with git from `repository`); nil when git does not know them.
    public struct ResultsDate: Equatable, Sendable {
        /// Seconds since 1970 (UTC): SOURCE_DATE_EPOCH.
        public var epoch: Int
        /// The newest training commit, abbreviated as in the provenance.
        public var commit: String

        public init(epoch: Int, commit: String) { self.epoch = epoch; self.commit = commit }

        /// "30 November 2026", in UTC, whatever the locale.
        public var day: String {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_GB")
            f.timeZone = TimeZone(identifier: "UTC")
            f.dateFormat = "d MMMM yyyy"
            return f.string(from: Date(timeIntervalSince1970: TimeInterval(epoch)))
        }

        /// The title block's date line.
        public var titleLine: String { "Results of \(day) (trained by commit \(commit))" }

        public static func of(_ outcomes: Outcomes, repository: URL) -> ResultsDate? {
            let commits = Set(outcomes.allRuns.map(\.provenance.commit)).filter { $0 != "unknown" }.sorted()
            var newest: ResultsDate?
            for commit in commits {
                guard let text = run("git", ["-C", repository.path, "show", "-s", "--format=%ct", commit + "^{commit}"],
                                     in: repository).output,
                      let epoch = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { continue }
                if newest == nil || epoch > newest!.epoch { newest = ResultsDate(epoch: epoch, commit: commit) }
            }
            return newest
        }
    }

    /// The tools of `tools` that are not on PATH.
    public static func missingTools() -> [String] {
        tools.keys.sorted().filter { run("which", [$0], in: nil).status != 0 }
    }

    /// Draws every figure as a PDF into buildDirectory/figures (on all cores; each figure
    /// has its own Cairo surface), removing PDFs the report no longer draws.
    public func writeFigures(_ figures: [ReportFigure]) throws {
        let folder = buildDirectory.appendingPathComponent("figures")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let results = UnsafeMutableBufferPointer<Result<Void, Error>>.allocate(capacity: figures.count)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: figures.count) { i in
            let f = figures[i]
            let url = folder.appendingPathComponent(PDFMarkdown.vectorName(f.file))
            (results.baseAddress! + i).initialize(to: Result { try f.figure.writeVector(.pdf, to: url, title: f.title) })
        }
        defer { _ = results.baseAddress!.deinitialize(count: figures.count) }
        for r in results { try r.get() }
        let kept = Set(figures.map { PDFMarkdown.vectorName($0.file) })
        for file in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where file.hasSuffix(".pdf") && !kept.contains(file) {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(file))
        }
    }

    /// LaTeX additions to pandoc's template: report.md's captions carry their own
    /// "Figure N:"/"Table N:", so LaTeX adds no label. Figures stay where report.md has them
    /// ([H]): LaTeX's floats were pushed past the long tables to the last pages, far from
    /// the text that discusses them. Tables in 9 pt, as reports print them.
    static let header = """
    \\usepackage{float}
    \\floatplacement{figure}{H}
    \\usepackage{caption}
    \\captionsetup{labelformat=empty, font={small,it}, skip=4pt}
    \\urlstyle{same}
    \\usepackage{etoolbox}
    \\AtBeginEnvironment{longtable}{\\small}

    """

    /// Writes the PDF copy of `markdown`, has pandoc turn it into LaTeX (report.tex) and
    /// XeLaTeX into a PDF in the build folder, then copies that to `output` atomically (a
    /// temporary file in the same folder, then a rename). Throws `PDFError` with the tool's
    /// message when a step fails.
    ///
    /// pandoc's own `--pdf-engine` is not used: it copies the figures into a random temporary
    /// folder, and that path changed the order of objects in the PDF from one run to the next.
    public func writePDF(markdown: String, figures: [ReportFigure], to output: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: buildDirectory, withIntermediateDirectories: true)
        let widths = Dictionary(figures.map { ($0.file, PDFMarkdown.textWidthShare(inches: $0.figure.width)) }) { a, _ in a }
        let source = PDFMarkdown.convert(markdown, figuresPath: "figures", date: date?.titleLine, widths: widths)
        try Data(source.utf8).write(to: buildDirectory.appendingPathComponent("report.md"), options: .atomic)
        try Data(Self.header.utf8).write(to: buildDirectory.appendingPathComponent("header.tex"), options: .atomic)
        var environment = ProcessInfo.processInfo.environment
        environment["SOURCE_DATE_EPOCH"] = String(date?.epoch ?? 0)
        environment["FORCE_SOURCE_DATE"] = "1"
        let pandoc = Self.run("pandoc", Self.pandocArguments(output: "report.tex"), in: buildDirectory, environment: environment)
        guard pandoc.status == 0 else {
            throw PDFError(message: "pandoc could not convert \(buildDirectory.appendingPathComponent("report.md").path) to LaTeX:\n"
                           + pandoc.error.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        try? fm.removeItem(at: buildDirectory.appendingPathComponent("report.pdf"))
        // LaTeX settles longtable column widths over passes; it says "Rerun" until they have.
        for _ in 0..<4 {
            let latex = Self.run("xelatex", ["-interaction=nonstopmode", "-halt-on-error", "report.tex"],
                                 in: buildDirectory, environment: environment)
            let log = (try? String(contentsOf: buildDirectory.appendingPathComponent("report.log"), encoding: .utf8)) ?? ""
            guard latex.status == 0 else {
                let error = log.components(separatedBy: "\n").drop { !$0.hasPrefix("!") }.prefix(8).joined(separator: "\n")
                throw PDFError(message: "xelatex could not build the PDF from \(buildDirectory.appendingPathComponent("report.tex").path):\n"
                               + (error.isEmpty ? latex.error : error) + "\nThe full log is \(buildDirectory.appendingPathComponent("report.log").path).")
            }
            if !log.contains("Rerun") { break }
        }
        let built = buildDirectory.appendingPathComponent("report.pdf")
        guard let bytes = fm.contents(atPath: built.path), bytes.starts(with: Data("%PDF-".utf8)) else {
            throw PDFError(message: "xelatex wrote no PDF at \(built.path).")
        }
        try fm.createDirectory(at: output.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = output.deletingLastPathComponent()
            .appendingPathComponent(".\(output.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? fm.removeItem(at: temporary) }
        try bytes.write(to: temporary)
        guard rename(temporary.path, output.path) == 0 else {
            throw PDFError(message: "cannot move the PDF into place at \(output.path): \(String(cString: strerror(errno))).")
        }
    }

    /// pandoc's command line, run in the build folder on its report.md: a standalone LaTeX
    /// document for XeLaTeX.
    static func pandocArguments(output: String) -> [String] {
        ["report.md", "--from=markdown-smart", "--to=latex", "--standalone", "--columns=\(pandocColumns)", "--pdf-engine=xelatex",
         "--include-in-header=header.tex",
         "-V", "papersize=a4", "-V", "fontsize=10pt", "-V", "geometry:margin=2cm",
         "-V", "mainfont=DejaVu Sans", "-V", "monofont=DejaVu Sans Mono",
         "-V", "linkcolor=black", "-V", "urlcolor=black",
         "-o", output]
    }

    /// Runs a program found on PATH; its exit status and output (stdout, stderr).
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], in directory: URL?,
                    environment: [String: String]? = nil) -> (status: Int32, output: String?, error: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + arguments
        if let directory { p.currentDirectoryURL = directory }
        if let environment { p.environment = environment }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch { return (127, nil, "cannot start \(tool): \(error)") }
        // Drain stderr on another thread so a chatty LaTeX cannot fill the pipe and stall.
        final class Drained: @unchecked Sendable { var data = Data() }
        let errorData = Drained()
        let drained = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { errorData.data = err.fileHandleForReading.readDataToEndOfFile(); drained.signal() }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        return (p.terminationStatus, p.terminationStatus == 0 ? text : nil, String(decoding: errorData.data, as: UTF8.self))
    }
}

/// The PDF could not be built; the message says what failed and what to do.
public struct PDFError: Error, LocalizedError, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
    public var errorDescription: String? { message }
}
