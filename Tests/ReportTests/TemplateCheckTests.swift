import XCTest
import Experiments
@testable import Report

/// The check's rules on a small context type: names resolve through sections as Mustache
/// resolves them, and every name is checked against the type, whatever the data holds.
final class TemplateCheckTests: XCTestCase {
    struct Row: Codable { var id: String }
    struct Nested: Codable { var b: String }
    struct Context: Codable {
        var a: String
        var flag: Bool
        var rows: [Row]
        var nested: Nested
        /// A list with no items in any data this test has: its item type is still known.
        var empty: [Row]
        /// An optional section, absent in the data: its properties are still known.
        var absent: Nested?
    }

    static let schema = try! ContextSchema.of(Context.self, planner: Planner(parameters: Parameters()))

    static func failure(_ template: String, schema: ContextSchema = schema) -> TemplateError? {
        do { try TemplateCheck.validate(template, schema: schema, file: "t.md"); return nil }
        catch let e as TemplateError { return e } catch { return nil }
    }

    func testTheSchemaIsTheTypesKeyTree() {
        XCTAssertEqual(Self.schema, .object([
            "a": .value, "flag": .value, "rows": .list(.object(["id": .value])), "nested": .object(["b": .value]),
            "empty": .list(.object(["id": .value])), "absent": .object(["b": .value]),
        ]))
    }

    func testKnownTagsPass() {
        XCTAssertNil(Self.failure("{{% CONTENT_TYPE: TEXT}}\n{{a}} {{nested.b}}\n{{#rows}}{{id}} {{a}}{{/rows}}\n{{#flag}}x{{/flag}}{{^flag}}y{{/flag}}{{! comment }}"))
        XCTAssertNil(Self.failure("{{#empty}}{{id}}{{/empty}}{{#absent}}{{b}}{{/absent}}{{absent.b}}"))
    }

    /// A list that is empty for the results at hand, or an optional section that is absent,
    /// renders nothing; its tags are checked all the same, with their line.
    func testTagsInsideEmptyListsAndAbsentSectionsAreChecked() {
        let inList = Self.failure("first line\n{{#empty}}\n{{idd}}\n{{/empty}}\n")
        XCTAssertEqual(inList?.description, "t.md:3: unknown tag 'idd'")
        let inAbsent = Self.failure("{{#absent}}{{b}}\n{{c}}{{/absent}}")
        XCTAssertEqual(inAbsent?.description, "t.md:2: unknown tag 'c'")
        XCTAssertEqual(Self.failure("\n{{absent.c}}")?.description, "t.md:2: unknown tag 'absent.c'")
    }

    func testUnknownTagNamesTagAndLine() {
        let e = Self.failure("line one\nline two {{a}}\nline three {{mistyped}}\n")
        XCTAssertEqual(e?.line, 3)
        XCTAssertEqual(e?.description, "t.md:3: unknown tag 'mistyped'")
        XCTAssertEqual(Self.failure("{{nested.c}}")?.message, "unknown tag 'nested.c'")
        XCTAssertEqual(Self.failure("{{#rows}}{{nope}}{{/rows}}")?.message, "unknown tag 'nope'")
        XCTAssertEqual(Self.failure("{{rows.id}}")?.message, "unknown tag 'rows.id'", "a list's items are in scope only inside it")
    }

    func testUnclosedAndMismatchedSections() {
        let unclosed = Self.failure("a\n{{#flag}}\nb\n")
        XCTAssertEqual(unclosed?.line, 2)
        XCTAssertEqual(unclosed?.message, "section 'flag' is never closed")
        let mismatched = Self.failure("{{#flag}}\n{{#rows}}\n{{/flag}}\n{{/rows}}")
        XCTAssertEqual(mismatched?.line, 3)
        XCTAssertTrue(mismatched?.message.contains("closes section 'rows' opened on line 2") ?? false)
        XCTAssertEqual(Self.failure("{{/flag}}")?.line, 1)
        XCTAssertEqual(Self.failure("{{#missing}}{{/missing}}")?.message, "unknown section 'missing'")
    }
}
