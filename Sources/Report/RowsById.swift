import Experiments
import Foundation

/// A task's rows keyed for the template (`{{tricks.row.N.lr}}`, `{{topologies.row.x59x59.gap}}`).
///
/// This is the context's one collection whose keys come from data: a row's id is the
/// parameters' (task 4's widths, "59-59", are a list in parameters.yaml). The keys are
/// therefore taken from the `Planner`, which knows the rows from the parameters before
/// anything is trained: the schema (`ContextSchema.of`) records one key per planned row,
/// and the built context holds the rows the outcomes have, which are those rows.
struct RowsById<Family: RowFamily>: Codable {
    var rows: [String: RowContext]

    init(_ rows: [RowContext]) {
        var d: [String: RowContext] = [:]
        for r in rows { d[Self.key(r.id)] = r }
        self.rows = d
    }

    /// The template key of a row id: "B" stays "B"; ids that start with a digit get an "x"
    /// and dashes become "x" ("59-59" -> "x59x59"), since Mustache names cannot hold them.
    static func key(_ id: String) -> String {
        let k = id.replacingOccurrences(of: "-", with: "x")
        return k.first?.isNumber == true ? "x" + k : k
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: AnyKey.self)
        for (k, row) in rows { try c.encode(row, forKey: AnyKey(k)) }
    }

    /// Decodes the rows the `Planner` in `userInfo[.planner]` plans for `Family`: only the
    /// schema decodes a context, and it needs every key a template may name.
    init(from decoder: Decoder) throws {
        guard let planner = decoder.userInfo[.planner] as? Planner else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "rows by id are keyed by the planned rows: decode with a Planner in userInfo"))
        }
        let c = try decoder.container(keyedBy: AnyKey.self)
        var d: [String: RowContext] = [:]
        for id in Family.ids(planner) { d[Self.key(id)] = try c.decode(RowContext.self, forKey: AnyKey(Self.key(id))) }
        rows = d
    }
}

/// Which planned rows a `RowsById` holds.
protocol RowFamily {
    static func ids(_ planner: Planner) -> [String]
}

/// Task 3's rows (B, S, I, N, M).
enum TrickRows: RowFamily {
    static func ids(_ planner: Planner) -> [String] { planner.trickRows.map(\.id) }
}

/// Task 4's rows, one per width of the parameters.
enum TopologyRows: RowFamily {
    static func ids(_ planner: Planner) -> [String] { planner.topologyRows.map(\.id) }
}

/// A coding key made from a string, for keys known only at run time.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
