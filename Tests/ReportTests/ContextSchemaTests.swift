import XCTest
import Experiments
import ExperimentsTestSupport
@testable import Report

/// The committed template against the report context's schema, which comes from the
/// context's types and the project's parameters, not from any results.
final class ContextSchemaTests: XCTestCase {
    static let templateURL = ReportRenderingTests.root.appendingPathComponent("report/template.md")

    private func projectPlanner() throws -> Planner {
        Planner(parameters: try Parameters.load(from: ReportRenderingTests.root.appendingPathComponent("report/parameters.yaml")))
    }

    private func template() throws -> String { try String(contentsOf: Self.templateURL, encoding: .utf8) }

    private func failure(_ template: String, _ schema: ContextSchema) -> TemplateError? {
        do { try TemplateCheck.validate(template, schema: schema, file: "template.md"); return nil }
        catch let e as TemplateError { return e } catch { XCTFail("\(error)"); return nil }
    }

    /// The line number (1-based) of the first line of `text` containing `needle`.
    private func line(of needle: String, in text: String) -> Int? {
        text.components(separatedBy: "\n").firstIndex { $0.contains(needle) }.map { $0 + 1 }
    }

    func testTheCommittedTemplatePassesWithoutResults() throws {
        XCTAssertNil(failure(try template(), try ReportContext.schema(planner: try projectPlanner())))
    }

    /// Lists and optional sections are in the schema with their items' and contents' keys;
    /// rows by id are keyed by the planned rows; every verdict a task can state is a key.
    func testTheSchemaHoldsOptionalSectionsListItemsAndPlannedRows() throws {
        let planner = try projectPlanner()
        let schema = try ReportContext.schema(planner: planner)
        XCTAssertEqual(schema.child("figures"), .list(.object(["file": .value, "title": .value])))
        XCTAssertEqual(schema.child("tricks")?.child("rates"), .list(.object(["id": .value, "lr": .value])))
        XCTAssertNotNil(schema.child("bonus")?.child("like2019")?.child("plain")?.child("best"))
        XCTAssertNotNil(schema.child("tricks")?.child("momentumAtBase")?.child("swing"), "the merged extras")
        XCTAssertNotNil(schema.child("tricks")?.child("momentumAtBase")?.child("validationLoss"), "the merged row")
        guard case .object(let trickRows)? = schema.child("tricks")?.child("row"),
              case .object(let topologyRows)? = schema.child("topologies")?.child("row") else { return XCTFail("rows by id") }
        XCTAssertEqual(Set(trickRows.keys), ["B", "S", "I", "N", "M"])
        XCTAssertEqual(Set(topologyRows.keys), Set(planner.topologyRows.map { RowsById<TopologyRows>.key($0.id) }))
        XCTAssertTrue(topologyRows.keys.contains("x60x60"), "\(topologyRows.keys.sorted())")
    }

    /// A misspelt tag inside a list section and a tag naming no property fail, with the
    /// line, whatever the results: the schema has no data to be empty.
    func testAMisspeltTagInAListAndAnUnknownPropertyFailWithTheirLine() throws {
        let schema = try ReportContext.schema(planner: try projectPlanner())
        var lines = try template().components(separatedBy: "\n")
        let at = try XCTUnwrap(line(of: "{{#tricks.rates}}", in: lines.joined(separator: "\n")))
        lines[at - 1] = lines[at - 1].replacingOccurrences(of: "{{lr}}", with: "{{lrr}}")
        XCTAssertEqual(failure(lines.joined(separator: "\n"), schema)?.description, "template.md:\(at): unknown tag 'lrr'")

        var other = try template().components(separatedBy: "\n")
        other.insert("The net trains for {{params.epochz}} epochs.", at: 100)
        XCTAssertEqual(failure(other.joined(separator: "\n"), schema)?.description, "template.md:101: unknown tag 'params.epochz'")
        XCTAssertEqual(failure("{{#figures}}\n{{files}}{{/figures}}", schema)?.description, "template.md:2: unknown tag 'files'")
    }

    /// Renaming a property of one context struct (here `RowContext.lr` to `learningRate`,
    /// simulated on the schema) fails the committed template where it first uses the old
    /// name, while the unrelated `lr` of other structs still resolves.
    func testRenamingARowPropertyFailsTheTemplate() throws {
        let schema = try ReportContext.schema(planner: try projectPlanner())
        /// RowContext is the object with a `divergence` key.
        func renamed(_ s: ContextSchema) -> ContextSchema {
            switch s {
            case .value: return .value
            case .list(let item): return .list(renamed(item))
            case .object(var keys):
                keys = keys.mapValues(renamed)
                if keys["divergence"] != nil, let lr = keys.removeValue(forKey: "lr") { keys["learningRate"] = lr }
                return .object(keys)
            }
        }
        let text = try template()
        let e = try XCTUnwrap(failure(text, renamed(schema)))
        XCTAssertEqual(e.message, "unknown tag 'tricks.row.B.lr'")
        XCTAssertEqual(e.line, line(of: "{{tricks.row.B.lr}}", in: text))
    }

    /// Every verdict the family states for tasks 3 and 4 has its property in the schema,
    /// so no verdict can be built that the template could not name.
    func testEveryVerdictOfTasks3And4IsAProperty() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mr-schema-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var p = tinyParameters(seeds: 2)
        p.topologies.hiddenUnits = [5, 32, 64, 128]
        let e = Experimenter(planner: Planner(parameters: p), store: try ResultStore(directory: dir), data: SyntheticData(),
                             options: ExperimentOptions(jobs: 2, only: [.tricks, .topologies]), log: RecordingLog(),
                             provenance: testProvenance)
        let o = try e.run()
        let schema = try ReportContext.schema(planner: o.planner)
        let family = VerdictFamily.build(o)
        var seen = 0
        for v in family.verdicts {
            let section = v.id.hasPrefix("3") ? "tricks" : v.id.hasPrefix("4") ? "topologies" : nil
            guard let section else { continue }
            XCTAssertNotNil(schema.child(section)?.child(VerdictFamily.key(v.id)), v.id)
            seen += 1
        }
        XCTAssertGreaterThanOrEqual(seen, 12)
    }
}
