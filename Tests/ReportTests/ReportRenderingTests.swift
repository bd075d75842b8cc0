import XCTest
import Experiments
import ExperimentsTestSupport
import NeuralNet
import Plotting
@testable import Report

/// The whole pipeline on synthetic data: experiments -> figures + report.md, parsed back.
final class ReportRenderingTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private func tinyOutcomes(_ dir: URL) throws -> Outcomes {
        var p = tinyParameters(seeds: 2)
        p.topologies.hiddenUnits = [5, 32, 64, 128]
        let e = Experimenter(planner: Planner(parameters: p), store: try ResultStore(directory: dir), data: SyntheticData(),
                             options: ExperimentOptions(jobs: 2), log: RecordingLog(), provenance: testProvenance)
        return try e.run()
    }

    func testReportHasEverySectionTableAndFigureAndNoUnresolvedTags() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mr-report-\(UUID().uuidString)")
        let outcomes = try tinyOutcomes(dir.appendingPathComponent("results"))
        XCTAssertTrue(outcomes.isComplete)
        let builder = ReportBuilder(outcomes: outcomes, templateURL: Self.root.appendingPathComponent("report/template.md"))
        let rendered = try builder.render(scratch: dir.appendingPathComponent("scratch"))
        let md = rendered.markdown
        XCTAssertFalse(md.contains("{{"), "unresolved tag")
        let headings = md.split(separator: "\n").filter { $0.hasPrefix("## ") }.map(String.init)
        XCTAssertEqual(headings, ["## Task 1: Backpropagation", "## Task 2: The base network", "## Task 3: Tricks of the trade",
                                  "## Task 4: Topologies", "## Task 5: Beyond the tricks (bonus)",
                                  "## Replicating the 2019 training rule", "## Claims ledger", "## Provenance",
                                  "## Appendix: every comparison"])
        // Every image link resolves to a rendered, valid PNG, and every PNG is linked.
        let links = md.components(separatedBy: "](../figures/").dropFirst().map { String($0.prefix { $0 != ")" }) }
        XCTAssertEqual(Set(links), Set(rendered.figures.keys))
        XCTAssertGreaterThanOrEqual(links.count, 10)
        for (name, data) in rendered.figures {
            let url = dir.appendingPathComponent(name)
            try data.write(to: url)
            let png = try PNGImage.read(url.path)
            XCTAssertEqual(png.width >= 1280, true, name)
            XCTAssertNotNil(png.text["Title"], name)
        }
        // Tables: the task 3 table has 5 rows x 3 sets, cells are mean ± sd with two seeds.
        let tableLines = md.split(separator: "\n").filter { $0.hasPrefix("| ") }
        XCTAssertTrue(tableLines.contains { $0.hasPrefix("| B: base |") && $0.contains(" ± ") })
        XCTAssertTrue(tableLines.contains { $0.hasPrefix("| dense1.weight |") })
        // The ledger has one row per claim tested, each with a verdict.
        let ledger = md.components(separatedBy: "## Claims ledger")[1].components(separatedBy: "## Provenance")[0]
        let claims = ledger.split(separator: "\n").filter { $0.range(of: #"^\| [1-8] \|"#, options: .regularExpression) != nil }
        XCTAssertEqual(claims.count, 8)
        XCTAssertTrue(claims.allSatisfy { $0.contains("supported") || $0.contains("contradicted") || $0.contains("not distinguishable") })
        // The appendix lists the whole Holm family, one row per comparison, with the numbers
        // and the word the family gives it.
        let family = VerdictFamily.build(outcomes)
        let appendix = md.components(separatedBy: "## Appendix: every comparison")[1]
        let rows = appendix.split(separator: "\n").filter { $0.hasPrefix("| `") }
        XCTAssertEqual(rows.count, family.verdicts.count)
        XCTAssertTrue(appendix.contains("(\(family.testedCount) tests)"))
        for v in family.verdicts {
            guard let row = rows.first(where: { $0.hasPrefix("| `\(v.id)`: ") }) else { XCTFail("\(v.id) not in the appendix"); continue }
            XCTAssertTrue(row.hasSuffix("| \(ContextBuilder.tableVerdict(v.direction)) |"), String(row))
            if let d = v.difference {
                XCTAssertTrue(row.contains("| \(Format.signedPoints(d.low)) to \(Format.signedPoints(d.high)) |"), String(row))
            }
        }
        // Rendering is a pure function of the results: twice gives identical bytes.
        let again = try builder.render(scratch: dir.appendingPathComponent("scratch2"))
        XCTAssertEqual(again.markdown, md)
        XCTAssertEqual(again.figures, rendered.figures)
    }

    /// Plurals come from the data: neither the template nor a rendering of it holds a
    /// "word(s)" leftover, and the committed report.md holds none.
    func testNoPluralLeftovers() throws {
        let leftover = #"[A-Za-z]\((s|es)\)"#
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mr-report-\(UUID().uuidString)")
        let outcomes = try tinyOutcomes(dir.appendingPathComponent("results"))
        let template = try String(contentsOf: Self.root.appendingPathComponent("report/template.md"), encoding: .utf8)
        let committed = try String(contentsOf: Self.root.appendingPathComponent("report/report.md"), encoding: .utf8)
        let rendered = try ReportBuilder(outcomes: outcomes, templateURL: Self.root.appendingPathComponent("report/template.md"))
            .render(scratch: dir.appendingPathComponent("scratch")).markdown
        for (name, text) in [("template.md", template), ("report.md", committed), ("a rendering", rendered)] {
            let hits = text.split(separator: "\n").filter { $0.range(of: leftover, options: .regularExpression) != nil }
            XCTAssertEqual(hits, [], "\(name) has plural leftovers")
        }
    }

    func testUnknownTagInTemplateFailsWithItsLineAndWritesNothing() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mr-report-\(UUID().uuidString)")
        let outcomes = try tinyOutcomes(dir.appendingPathComponent("results"))
        var text = try String(contentsOf: Self.root.appendingPathComponent("report/template.md"), encoding: .utf8)
        text += "\nA closing line with {{base.noSuchNumber}}.\n"
        let template = dir.appendingPathComponent("template.md")
        try text.write(to: template, atomically: true, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        XCTAssertThrowsError(try ReportBuilder(outcomes: outcomes, templateURL: template).render(scratch: dir.appendingPathComponent("s"))) { error in
            let e = error as? TemplateError
            XCTAssertEqual(e?.message, "unknown tag 'base.noSuchNumber'")
            XCTAssertEqual(e?.line, lines)
        }
    }
}

/// Task 5's verdicts: each chain step against the step it changes one thing of (never merely
/// the step before it in the table), and the final net against itself with each change taken
/// back; and the report shows both tables and the leave-one-out figure.
final class AblationReportTests: XCTestCase {
    func testEachStepIsTestedAgainstItsBaselineAndTheFinalNetAgainstEachRemoval() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mr-ablation-\(UUID().uuidString)")
        let e = Experimenter(planner: Planner(parameters: tinyParameters(seeds: 2)), store: try ResultStore(directory: dir),
                             data: SyntheticData(), options: ExperimentOptions(jobs: 2), log: RecordingLog(), provenance: testProvenance)
        let outcomes = try e.run()
        XCTAssertEqual(outcomes.bonus.map(\.id), ["ReLU", "Init", "OtherInit", "Wide", "Dropout", "Anneal", "Shift", Planner.finalBonusID])
        XCTAssertEqual(outcomes.bonusLeaveOneOut.count, 7)
        let family = VerdictFamily.build(outcomes)
        for step in outcomes.bonus.dropFirst() {
            let v = try XCTUnwrap(family["5.\(step.id)"], step.id)
            XCTAssertTrue(v.description.hasPrefix("\(step.id) vs \(step.plan.baseline!),"), v.description)
            XCTAssertNotNil(v.difference, step.id)
        }
        for row in outcomes.bonusLeaveOneOut {
            let id = VerdictFamily.leaveOneOutID(row, chain: outcomes.bonus)
            let v = try XCTUnwrap(family[id], id)
            // Taking back the longer schedule gives the final net's baseline step: that step's
            // own verdict, not a second test of the same runs.
            let other = row.plan.removes == Planner.finalBonusID ? "Shift" : row.id
            XCTAssertEqual(id, row.plan.removes == Planner.finalBonusID ? "5.\(Planner.finalBonusID)" : "5.loo.\(row.plan.removes!)")
            XCTAssertTrue(v.description.hasPrefix("\(Planner.finalBonusID) vs \(other),"), v.description)
            XCTAssertNotNil(v.difference, row.id)
        }
        XCTAssertNil(family["5.loo.\(Planner.finalBonusID)"], "the same comparison twice in the Holm family")
        let rendered = try ReportBuilder(outcomes: outcomes, templateURL: ReportRenderingTests.root.appendingPathComponent("report/template.md"))
            .render(scratch: dir.appendingPathComponent("scratch"))
        let md = rendered.markdown
        XCTAssertTrue(md.contains("| + dropout 0.2 | + 32 units |"), "chain table names each step's baseline")
        XCTAssertTrue(md.contains("| no dropout |"), "leave-one-out table")
        XCTAssertNotNil(rendered.figures["5-leave-one-out.png"])
    }

    /// A claim of two parts is judged part by part: halving shown to hurt and the bottleneck not
    /// shown is "in part", never "contradicted" (the old verdict for the per-sample rule).
    func testATwoPartClaimIsNeverContradictedByAPartThatIsOnlyNotShown() throws {
        let outcomes = Outcomes(parameters: Parameters(), planner: Planner(parameters: Parameters()))
        let family = VerdictFamily([
            .init(id: "R.4a.halving", description: "", a: [1: 0.950, 2: 0.951, 3: 0.949], b: [1: 0.970, 2: 0.971, 3: 0.969], paired: false),
            .init(id: "R.4a.bottleneck", description: "", a: [1: 0.80, 2: 0.99, 3: 0.60], b: [1: 0.970, 2: 0.971, 3: 0.969], paired: false),
        ])
        let claim = try XCTUnwrap(ClaimsLedger(outcomes: outcomes, family: family).claims().first { $0.number == "5" })
        XCTAssertEqual(claim.verdict, "per-sample: halving supported; bottleneck not distinguishable at the report's level")
    }

    /// The same runs compared twice under two names (task 4's base net is task 3's N) enter
    /// Holm's family once: the second takes the first's verdict and adjusted p, and the
    /// family's size, which sets every other adjusted p, counts it once.
    func testAComparisonOfTheSameRunsEntersHolmOnce() {
        let a: [UInt64: Double] = [1: 0.950, 2: 0.952, 3: 0.949], b: [UInt64: Double] = [1: 0.940, 2: 0.941, 3: 0.943]
        let other: [UInt64: Double] = [1: 0.90, 2: 0.93, 3: 0.91]
        let family = VerdictFamily([
            .init(id: "rule.N", description: "", a: a, b: b, paired: false),
            .init(id: "rule.64", description: "", a: a, b: b, paired: false),
            .init(id: "rule.32", description: "", a: other, b: b, paired: false),
            .init(id: "paired.N", description: "", a: a, b: b, paired: true),
        ])
        XCTAssertEqual(family.testedCount, 3)
        XCTAssertEqual(family["rule.64"]?.duplicateOf, "rule.N")
        XCTAssertNil(family["paired.N"]?.duplicateOf, "a paired test of the same values is another test")
        XCTAssertEqual(family["rule.64"]?.adjustedP, family["rule.N"]?.adjustedP)
        let raw = [a, other].map { MeanDifference.test($0, b, paired: false)!.pValue } + [MeanDifference.test(a, b, paired: true)!.pValue]
        XCTAssertEqual(family["rule.N"]?.adjustedP, Holm.adjust(raw)[0])
    }
}
