import Foundation

/// Turns a typed template context (`ReportContext` and its sections) into the values
/// swift-mustache renders: a struct becomes `[String: Any]` keyed by its property names, an
/// array `[Any]`, and `String` and `Bool` stay themselves. An absent optional becomes
/// `false`, which Mustache treats as an absent key (a `{{#x}}` section is skipped, a
/// `{{^x}}` one shown, `{{x.y}}` is empty) but which stops a name from being looked up in
/// an outer section's scope.
///
/// Numbers are refused: every number the report shows is formatted once, by the context
/// builder (`Format`), so that the template never prints a `Double`'s description.
enum MustacheEncoder {
    static func encode<T: Encodable>(_ value: T) throws -> Any {
        let root = Node()
        try root.store(value, codingPath: [])
        return root.resolved
    }

    /// One value under construction: an object, a list or a leaf. Containers of nested
    /// values hold references, so a struct's properties can be filled after its key is set,
    /// and two `container(keyedBy:)` calls on one encoder fill the same object (`Merged`).
    fileprivate final class Node {
        var object: [String: Node]?
        var items: [Node]?
        var leaf: Any?

        var resolved: Any {
            if let object { return object.mapValues(\.resolved) }
            if let items { return items.map(\.resolved) }
            return leaf ?? false
        }

        func store<T: Encodable>(_ value: T, codingPath: [CodingKey]) throws {
            switch value {
            case let s as String: leaf = s
            case let b as Bool: leaf = b
            default: try value.encode(to: NodeEncoder(node: self, codingPath: codingPath))
            }
        }
    }

    static func refuse(_ value: Any, _ codingPath: [CodingKey]) -> EncodingError {
        EncodingError.invalidValue(value, .init(codingPath: codingPath,
            debugDescription: "the report context holds formatted strings and flags, not numbers"))
    }
}

private typealias Node = MustacheEncoder.Node

private struct NodeEncoder: Encoder {
    let node: Node
    var codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if node.object == nil { node.object = [:] }
        return KeyedEncodingContainer(KeyedNodeContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        if node.items == nil { node.items = [] }
        return UnkeyedNodeContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> SingleValueEncodingContainer { SingleNodeContainer(node: node, codingPath: codingPath) }
}

private struct KeyedNodeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    var codingPath: [CodingKey]

    private func child(_ key: Key) -> Node {
        let n = Node()
        node.object![key.stringValue] = n
        return n
    }

    mutating func encodeNil(forKey key: Key) throws { child(key).leaf = false }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try child(key).store(value, codingPath: codingPath + [key])
    }
    // An absent optional is `false` (see `MustacheEncoder`), not a missing key.
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encode(_ value: Bool, forKey key: Key) throws { child(key).leaf = value }
    mutating func encode(_ value: String, forKey key: Key) throws { child(key).leaf = value }
    mutating func encode(_ value: Double, forKey key: Key) throws { throw MustacheEncoder.refuse(value, codingPath + [key]) }
    mutating func encode(_ value: Float, forKey key: Key) throws { throw MustacheEncoder.refuse(value, codingPath + [key]) }
    mutating func encode(_ value: Int, forKey key: Key) throws { throw MustacheEncoder.refuse(value, codingPath + [key]) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { throw MustacheEncoder.refuse(value, codingPath + [key]) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { throw MustacheEncoder.refuse(value, codingPath + [key]) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { throw MustacheEncoder.refuse(value, codingPath + [key]) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { throw MustacheEncoder.refuse(value, codingPath + [key]) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { throw MustacheEncoder.refuse(value, codingPath + [key]) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { throw MustacheEncoder.refuse(value, codingPath + [key]) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { throw MustacheEncoder.refuse(value, codingPath + [key]) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { throw MustacheEncoder.refuse(value, codingPath + [key]) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { throw MustacheEncoder.refuse(value, codingPath + [key]) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: child(key), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        NodeEncoder(node: child(key), codingPath: codingPath + [key]).unkeyedContainer()
    }
    mutating func superEncoder() -> Encoder { NodeEncoder(node: node, codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> Encoder { NodeEncoder(node: child(key), codingPath: codingPath + [key]) }
}

private struct IndexKey: CodingKey {
    var stringValue: String { "\(intValue!)" }
    var intValue: Int?
    init(_ i: Int) { intValue = i }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct UnkeyedNodeContainer: UnkeyedEncodingContainer {
    let node: Node
    var codingPath: [CodingKey]
    var count: Int { node.items!.count }

    private func next() -> Node {
        let n = Node()
        node.items!.append(n)
        return n
    }
    private var path: [CodingKey] { codingPath + [IndexKey(count)] }

    mutating func encodeNil() throws { next().leaf = false }
    mutating func encode<T: Encodable>(_ value: T) throws { let p = path; try next().store(value, codingPath: p) }
    mutating func encode(_ value: Bool) throws { next().leaf = value }
    mutating func encode(_ value: String) throws { next().leaf = value }
    mutating func encode(_ value: Double) throws { throw MustacheEncoder.refuse(value, path) }
    mutating func encode(_ value: Float) throws { throw MustacheEncoder.refuse(value, path) }
    mutating func encode(_ value: Int) throws { throw MustacheEncoder.refuse(value, path) }
    mutating func encode(_ value: Int8) throws { throw MustacheEncoder.refuse(value, path) }
    mutating func encode(_ value: Int16) throws { throw MustacheEncoder.refuse(value, path) }
    mutating func encode(_ value: Int32) throws { throw MustacheEncoder.refuse(value, path) }
    mutating func encode(_ value: Int64) throws { throw MustacheEncoder.refuse(value, path) }
    mutating func encode(_ value: UInt) throws { throw MustacheEncoder.refuse(value, path) }
    mutating func encode(_ value: UInt8) throws { throw MustacheEncoder.refuse(value, path) }
    mutating func encode(_ value: UInt16) throws { throw MustacheEncoder.refuse(value, path) }
    mutating func encode(_ value: UInt32) throws { throw MustacheEncoder.refuse(value, path) }
    mutating func encode(_ value: UInt64) throws { throw MustacheEncoder.refuse(value, path) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let p = path
        return NodeEncoder(node: next(), codingPath: p).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        let p = path
        return NodeEncoder(node: next(), codingPath: p).unkeyedContainer()
    }
    mutating func superEncoder() -> Encoder { let p = path; return NodeEncoder(node: next(), codingPath: p) }
}

private struct SingleNodeContainer: SingleValueEncodingContainer {
    let node: Node
    var codingPath: [CodingKey]

    mutating func encodeNil() throws { node.leaf = false }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.store(value, codingPath: codingPath) }
    mutating func encode(_ value: Bool) throws { node.leaf = value }
    mutating func encode(_ value: String) throws { node.leaf = value }
    mutating func encode(_ value: Double) throws { throw MustacheEncoder.refuse(value, codingPath) }
    mutating func encode(_ value: Float) throws { throw MustacheEncoder.refuse(value, codingPath) }
    mutating func encode(_ value: Int) throws { throw MustacheEncoder.refuse(value, codingPath) }
    mutating func encode(_ value: Int8) throws { throw MustacheEncoder.refuse(value, codingPath) }
    mutating func encode(_ value: Int16) throws { throw MustacheEncoder.refuse(value, codingPath) }
    mutating func encode(_ value: Int32) throws { throw MustacheEncoder.refuse(value, codingPath) }
    mutating func encode(_ value: Int64) throws { throw MustacheEncoder.refuse(value, codingPath) }
    mutating func encode(_ value: UInt) throws { throw MustacheEncoder.refuse(value, codingPath) }
    mutating func encode(_ value: UInt8) throws { throw MustacheEncoder.refuse(value, codingPath) }
    mutating func encode(_ value: UInt16) throws { throw MustacheEncoder.refuse(value, codingPath) }
    mutating func encode(_ value: UInt32) throws { throw MustacheEncoder.refuse(value, codingPath) }
    mutating func encode(_ value: UInt64) throws { throw MustacheEncoder.refuse(value, codingPath) }
}
