import Experiments
import Foundation
import Mustache
import Plotting

/// Renders the report: figures (through a scratch folder) and the template with the
/// context; `publishSet` hands the result to `Publisher`, which replaces the files as a set. Rendering is a pure function of the outcomes (no
/// clock, no training), so the same results always give byte-identical files.
public struct ReportBuilder {
    public let outcomes: Outcomes
    public let templateURL: URL

    public init(outcomes: Outcomes, templateURL: URL) {
        self.outcomes = outcomes
        self.templateURL = templateURL
    }

    public struct Rendered {
        /// report.md's text.
        public var markdown: String
        /// File name -> PNG bytes.
        public var figures: [String: Data]
    }

    /// All figures the outcomes allow.
    public func figures() -> [ReportFigure] {
        var out: [ReportFigure] = []
        let seeds = outcomes.parameters.seeds
        if let base = outcomes.base { out.append(Figures.baseCurves(base, seeds: seeds)) }
        let t = outcomes.tricks
        if t.count == 5 {
            out.append(Figures.validationCurves(t, title: "Task 3: validation loss and accuracy, tricks added one at a time",
                                                file: "3-tricks-validation.png", accuracyFloor: Figures.tricksAccuracyFloor))
            out.append(Figures.firstEpoch(t[1], t[2]))
            out.append(Figures.learningRates(t, title: "Task 3: choosing the learning rate", file: "3-learning-rates.png"))
            if let mb = outcomes.momentumAtBaseRate {
                var chosen = t[4]
                chosen.plan.label = "M at chosen lr \(Format.rate(chosen.chosenLearningRate))"
                out.append(Figures.validationCurves([mb, chosen], title: "Task 3d: momentum at lr \(Format.rate(mb.chosenLearningRate)) against the chosen rate",
                                                    file: "3d-momentum.png", accuracyFloor: 0.0))
            }
        }
        let topo = outcomes.topologies
        if !topo.isEmpty {
            out.append(Figures.hiddenSizes(topo))
            out.append(Figures.learningRates(topo, title: "Task 4: choosing the learning rate", file: "4-learning-rates.png"))
            let compared = Figures.oneVersusTwoLayerRows(outcomes)
            out.append(Figures.validationCurves(compared, title: "Task 4c: one hidden layer against two (dashed: train)",
                                                file: "4c-one-vs-two-layers.png", accuracyFloor: Figures.topologiesAccuracyFloor, sets: ["train", "validation"]))
        }
        if !outcomes.bonus.isEmpty {
            out.append(Figures.validationCurves(outcomes.bonus, title: "Task 5: the ablation chain, one change per step",
                                                file: "5-bonus-validation.png", accuracyFloor: Figures.bonusAccuracyFloor))
            out.append(Figures.finalBars(outcomes.bonus, title: "Task 5: final accuracy of each step", file: "5-bonus-final.png",
                                         categories: outcomes.bonus.map(Figures.bonusShortName)))
        }
        if !outcomes.bonusLeaveOneOut.isEmpty {
            out.append(Figures.leaveOneOut(outcomes.bonusLeaveOneOut, family: VerdictFamily.build(outcomes),
                                           title: "Task 5: each change taken back from the final net",
                                           file: "5-leave-one-out.png", chain: outcomes.bonus))
        }
        if let base = outcomes.baseInspection, let final = outcomes.finalInspection {
            let label = outcomes.bonus.last?.label ?? "last step"
            out.append(Figures.firstLayerWeights(base: base, final: final, finalLabel: label))
            out.append(Figures.confusion(final, label: label))
            out.append(Figures.mostWrong(final, label: label))
        }
        let ctx = ContextBuilder(outcomes: outcomes)
        let pairs = ctx.replicationPairs()
        if !pairs.isEmpty {
            out.append(Figures.replication(pairs: pairs.map { ($0.0, $0.1.finalAccuracy("test"), $0.2.finalAccuracy("test")) },
                                           perSampleRate: outcomes.parameters.replication.learningRate,
                                           title: "Replication: per-sample updates against mini-batch means",
                                           file: "R-per-sample-vs-batch.png",
                                           sources: pairs.flatMap { $0.2.runs.map(\.key) }))
        }
        return out
    }

    /// The template's text, checked against the context's types (`ContextSchema`), not
    /// against a context built from results: it needs only the planner, so make-report
    /// checks the template before it trains anything, and `render` checks it again.
    public static func checkedTemplate(_ url: URL, planner: Planner) throws -> String {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw TemplateError(file: url.path, line: 0, message: "cannot read the template (\(error.localizedDescription))")
        }
        try TemplateCheck.validate(text, schema: ReportContext.schema(planner: planner), file: url.path)
        return text
    }

    /// Renders figures to PNG bytes (through a scratch folder) and the Markdown text.
    public func render(scratch: URL) throws -> Rendered {
        // Created only if missing: make-report's signal handler renames the folder away before
        // removing it, and re-creating it here afterwards would leave it behind.
        if !FileManager.default.fileExists(atPath: scratch.path) {
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        }
        var figureData: [String: Data] = [:]
        var figureList: [FigureContext] = []
        // Figures are independent (each its own Cairo surface and file), so they are drawn and
        // compressed on all cores: PNG compression was about half of a cached re-render. The
        // bytes do not depend on the order; errors surface in figure order.
        let all = figures()
        let drawn = UnsafeMutableBufferPointer<Result<Data, Error>>.allocate(capacity: all.count)
        defer { drawn.deallocate() }
        DispatchQueue.concurrentPerform(iterations: all.count) { i in
            let f = all[i]
            let url = scratch.appendingPathComponent(f.file)
            let sources = f.sources.prefix(12).joined(separator: ",") + (f.sources.count > 12 ? ",… (\(f.sources.count) results)" : "")
            (drawn.baseAddress! + i).initialize(to: Result {
                try f.figure.writePNG(to: url, metadata: ["Title": f.title, "Source": sources])
                return try Data(contentsOf: url)
            })
        }
        defer { _ = drawn.baseAddress!.deinitialize(count: all.count) }
        for (i, f) in all.enumerated() {
            figureData[f.file] = try drawn[i].get()
            figureList.append(FigureContext(file: f.file, title: f.title))
        }
        let context = ContextBuilder(outcomes: outcomes).build(figures: figureList)
        let text = try Self.checkedTemplate(templateURL, planner: outcomes.planner)
        let template: MustacheTemplate
        do { template = try MustacheTemplate(string: text) } catch let e as MustacheTemplate.ParserError {
            throw TemplateError(file: templateURL.path, line: e.context.lineNumber, message: "\(e.error)")
        }
        var markdown = template.render(try MustacheEncoder.encode(context))
        // A false section inside a sentence leaves a double space; collapse it.
        markdown = markdown.replacingOccurrences(of: "(?<=\\S)  +(?=\\S)", with: " ", options: .regularExpression)
        // Mustache leaves blank lines where sections were; keep at most one in a row.
        while markdown.contains("\n\n\n") { markdown = markdown.replacingOccurrences(of: "\n\n\n", with: "\n\n") }
        // Every figure the text links must exist.
        for name in figureData.keys.sorted() where !markdown.contains(name) {
            throw TemplateError(file: templateURL.path, line: 0, message: "figure \(name) is drawn but the template never shows it")
        }
        return Rendered(markdown: markdown, figures: figureData)
    }

    /// report.md and the figures as one set to publish under `root` (see `Publisher`):
    /// `reportPath` and `figuresPath` are relative to it; PNGs in the figures folder that
    /// the report no longer draws are removed with the set.
    public static func publishSet(_ rendered: Rendered, root: URL, reportPath: String = "report/report.md",
                                  figuresPath: String = "figures") -> PublishSet {
        var files = [reportPath: Data(rendered.markdown.utf8)]
        for (name, data) in rendered.figures { files[figuresPath + "/" + name] = data }
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(figuresPath).path)) ?? []
        let stale = existing.filter { $0.hasSuffix(".png") && rendered.figures[$0] == nil }.sorted().map { figuresPath + "/" + $0 }
        return PublishSet(files: files, removals: stale)
    }

    /// Differences between a rendering and the files on disk (for --check).
    public static func differences(_ rendered: Rendered, reportURL: URL, figuresDirectory: URL) -> [String] {
        var diffs: [String] = []
        if (try? String(contentsOf: reportURL, encoding: .utf8)) != rendered.markdown { diffs.append(reportURL.path) }
        for (name, data) in rendered.figures.sorted(by: { $0.key < $1.key }) {
            let url = figuresDirectory.appendingPathComponent(name)
            if (try? Data(contentsOf: url)) != data { diffs.append(url.path) }
        }
        for file in (try? FileManager.default.contentsOfDirectory(atPath: figuresDirectory.path)) ?? []
        where file.hasSuffix(".png") && rendered.figures[file] == nil {
            diffs.append(figuresDirectory.appendingPathComponent(file).path + " (no longer drawn)")
        }
        return diffs
    }
}
