import Experiments
import Foundation

/// The names a template may use, derived from the context's types, not from a context
/// built from results: a tag inside a list that is empty for the results at hand, or under
/// an optional section that is absent, is checked all the same, and a renamed property
/// fails the check wherever the template still uses the old name.
///
/// Derived by decoding the type with `SchemaDecoder`, a `Decoder` that answers every
/// request with a default value and records which keys each type asks for. `Decodable`'s
/// synthesized `init(from:)` asks for every stored property, so the schema is exactly the
/// property names, including optional ones (decoded as present) and the item type of a
/// list (decoded once). A type declares nothing by hand and cannot drift from its schema.
///
/// The one input beyond the types is the `Planner`: collections keyed by data (`RowsById`)
/// take their keys from the rows the parameters plan, which are known before training.
public indirect enum ContextSchema: Equatable, Sendable {
    /// A string or a flag.
    case value
    /// A struct: its property names and their schemas.
    case object([String: ContextSchema])
    /// An array: its items' schema.
    case list(ContextSchema)

    /// The schema of `type`, with data-keyed collections keyed as `planner` plans them.
    public static func of<T: Decodable>(_ type: T.Type, planner: Planner) throws -> ContextSchema {
        let root = SchemaDecoder.Record()
        _ = try T(from: SchemaDecoder(record: root, codingPath: [], userInfo: [.planner: planner]))
        return root.schema
    }

    /// The schema one step down a dotted name ("a.b"), or nil when there is no such name.
    func child(_ name: String) -> ContextSchema? {
        guard case .object(let children) = self else { return nil }
        return children[name]
    }
}

extension CodingUserInfoKey {
    /// The `Planner` whose rows key `RowsById` while a schema is derived.
    static let planner = CodingUserInfoKey(rawValue: "report.planner")!
}
