import XCTest
@testable import Report

/// What the typed context becomes for swift-mustache: the same dictionaries, strings,
/// flags and lists the template has always been rendered with.
final class MustacheEncoderTests: XCTestCase {
    struct Item: Codable { var id: String }
    struct Extra: Codable { var more: Bool }
    struct Value: Codable {
        var text: String
        var flag: Bool
        var items: [Item]
        var none: Item?
        var noText: String?
        var merged: Merged<Item, Extra>
    }

    func testStructsBecomeDictionariesAndAbsentOptionalsFalse() throws {
        let v = Value(text: "a", flag: true, items: [Item(id: "x"), Item(id: "y")], none: nil, noText: nil,
                      merged: Merged(Item(id: "m"), Extra(more: true)))
        let d = try XCTUnwrap(try MustacheEncoder.encode(v) as? [String: Any])
        XCTAssertEqual(Set(d.keys), ["text", "flag", "items", "none", "noText", "merged"])
        XCTAssertEqual(d["text"] as? String, "a")
        XCTAssertEqual(d["flag"] as? Bool, true)
        XCTAssertEqual((d["items"] as? [Any])?.compactMap { ($0 as? [String: Any])?["id"] as? String }, ["x", "y"])
        XCTAssertEqual(d["none"] as? Bool, false)
        XCTAssertEqual(d["noText"] as? Bool, false)
        let merged = try XCTUnwrap(d["merged"] as? [String: Any])
        XCTAssertEqual(merged["id"] as? String, "m")
        XCTAssertEqual(merged["more"] as? Bool, true)
    }

    /// Numbers are formatted by the context builder, never by Mustache.
    func testNumbersAreRefused() {
        struct Number: Codable { var x: Double }
        XCTAssertThrowsError(try MustacheEncoder.encode(Number(x: 1)))
        XCTAssertThrowsError(try ContextSchema.of(Number.self, planner: .init(parameters: .init())))
    }
}
