import XCTest
@testable import Report

final class TemplateCheckTests: XCTestCase {
    let context: [String: Any] = ["a": "1", "flag": true, "rows": [["id": "x"], ["id": "y"]], "nested": ["b": "2"], "empty": [[String: Any]]()]

    private func failure(_ template: String) -> TemplateError? {
        do { try TemplateCheck.validate(template, context: context, file: "t.md"); return nil }
        catch let e as TemplateError { return e } catch { return nil }
    }

    func testKnownTagsPass() {
        XCTAssertNil(failure("{{% CONTENT_TYPE: TEXT}}\n{{a}} {{nested.b}}\n{{#rows}}{{id}} {{a}}{{/rows}}\n{{#flag}}x{{/flag}}{{^flag}}y{{/flag}}{{! comment }}"))
        XCTAssertNil(failure("{{#empty}}{{anything}}{{/empty}}"), "an empty list renders nothing, so its body is not checked")
    }

    func testUnknownTagNamesTagAndLine() {
        let e = failure("line one\nline two {{a}}\nline three {{mistyped}}\n")
        XCTAssertEqual(e?.line, 3)
        XCTAssertEqual(e?.description, "t.md:3: unknown tag 'mistyped'")
        XCTAssertEqual(failure("{{nested.c}}")?.message, "unknown tag 'nested.c'")
        XCTAssertEqual(failure("{{#rows}}{{nope}}{{/rows}}")?.message, "unknown tag 'nope'")
    }

    func testUnclosedAndMismatchedSections() {
        let unclosed = failure("a\n{{#flag}}\nb\n")
        XCTAssertEqual(unclosed?.line, 2)
        XCTAssertEqual(unclosed?.message, "section 'flag' is never closed")
        let mismatched = failure("{{#flag}}\n{{#rows}}\n{{/flag}}\n{{/rows}}")
        XCTAssertEqual(mismatched?.line, 3)
        XCTAssertTrue(mismatched?.message.contains("closes section 'rows' opened on line 2") ?? false)
        XCTAssertEqual(failure("{{/flag}}")?.line, 1)
        XCTAssertEqual(failure("{{#missing}}{{/missing}}")?.message, "unknown section 'missing'")
    }
}
