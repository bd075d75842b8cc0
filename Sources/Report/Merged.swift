import Foundation

/// Two context structs presented to the template as one object: `First`'s keys and
/// `Second`'s side by side (task 3's `momentumAtBase` is a row, `RowContext`, with the
/// sentences about its instability added). Both encode into, and decode from, the same
/// keyed container, so the schema holds both key sets; the two must not share a key.
struct Merged<First: Codable, Second: Codable>: Codable {
    var first: First
    var second: Second

    init(_ first: First, _ second: Second) {
        self.first = first
        self.second = second
    }

    init(from decoder: Decoder) throws {
        first = try First(from: decoder)
        second = try Second(from: decoder)
    }

    func encode(to encoder: Encoder) throws {
        try first.encode(to: encoder)
        try second.encode(to: encoder)
    }
}
