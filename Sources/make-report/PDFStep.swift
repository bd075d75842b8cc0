import Foundation
import MatrixCore
import Report

extension MakeReport {
    /// --pdf needs pandoc and XeLaTeX; say so before anything trains.
    func requirePDFTools() throws {
        let missing = PDFExport.missingTools()
        guard missing.isEmpty else {
            throw PDFError(message: "--pdf needs \(missing.joined(separator: " and ")), which are not installed. "
                           + "Run `make pdf` (it installs them: scripts/install-deps --pdf) or install the Debian packages "
                           + "\(missing.compactMap { PDFExport.tools[$0] }.joined(separator: " ")) yourself.")
        }
    }

    /// Writes report/report.pdf under `outputRoot` from the rendered report; the vector
    /// figures and pandoc's input go to `outputRoot`/.build/report-pdf (ignored by git).
    func writePDF(builder: ReportBuilder, rendered: ReportBuilder.Rendered, outputRoot: URL, repository: URL) throws {
        let start = ContinuousClock.now
        let date = PDFExport.ResultsDate.of(builder.outcomes, repository: repository)
        let export = PDFExport(buildDirectory: outputRoot.appendingPathComponent(".build/report-pdf"), date: date)
        let figures = builder.figures()
        try export.writeFigures(figures)
        let pdfURL = outputRoot.appendingPathComponent("report/report.pdf")
        try export.writePDF(markdown: rendered.markdown, figures: figures, to: pdfURL)
        let elapsed = ContinuousClock.now - start
        print("wrote \(pdfURL.path) " + String(format: "(%.1f s)", elapsed.seconds)
              + (date == nil ? "; the results' commit is unknown to git, so the title block has no date" : ""))
    }
}
