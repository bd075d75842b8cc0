import Foundation

/// The recording `Decoder` behind `ContextSchema.of`: every keyed request records its key
/// and answers with a default ("" for a string, false for a flag), `decodeNil` says no so
/// that an optional's wrapped type is recorded too, and a list holds exactly one item so
/// that its item type is recorded even where the data has none.
struct SchemaDecoder: Decoder {
    /// What one value turned out to be: an object (keys asked for), a list (its item) or a leaf.
    final class Record {
        var keys: [String: Record]?
        var item: Record?

        var schema: ContextSchema {
            if let keys { return .object(keys.mapValues(\.schema)) }
            if let item { return .list(item.schema) }
            return .value
        }

        func child(_ key: String) -> Record {
            if keys == nil { keys = [:] }
            if let r = keys![key] { return r }
            let r = Record()
            keys![key] = r
            return r
        }
    }

    let record: Record
    var codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any]

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        if record.keys == nil { record.keys = [:] }
        return KeyedDecodingContainer(KeyedRecorder<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer { UnkeyedRecorder(decoder: self) }

    func singleValueContainer() throws -> SingleValueDecodingContainer { SingleRecorder(codingPath: codingPath) }

    func nested(_ record: Record, _ key: CodingKey) -> SchemaDecoder {
        SchemaDecoder(record: record, codingPath: codingPath + [key], userInfo: userInfo)
    }

    static func refuse<T>(_ type: T.Type, _ codingPath: [CodingKey]) -> DecodingError {
        .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "the report context holds strings and flags, not numbers"))
    }
}

private struct KeyedRecorder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: SchemaDecoder
    var codingPath: [CodingKey] { decoder.codingPath }
    var allKeys: [Key] { [] }

    func contains(_ key: Key) -> Bool { true }
    func decodeNil(forKey key: Key) throws -> Bool { false }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try T(from: decoder.nested(decoder.record.child(key.stringValue), key))
    }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { _ = decoder.record.child(key.stringValue); return false }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { _ = decoder.record.child(key.stringValue); return "" }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { throw SchemaDecoder.refuse(type, codingPath + [key]) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { throw SchemaDecoder.refuse(type, codingPath + [key]) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { throw SchemaDecoder.refuse(type, codingPath + [key]) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { throw SchemaDecoder.refuse(type, codingPath + [key]) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { throw SchemaDecoder.refuse(type, codingPath + [key]) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { throw SchemaDecoder.refuse(type, codingPath + [key]) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { throw SchemaDecoder.refuse(type, codingPath + [key]) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { throw SchemaDecoder.refuse(type, codingPath + [key]) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { throw SchemaDecoder.refuse(type, codingPath + [key]) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { throw SchemaDecoder.refuse(type, codingPath + [key]) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { throw SchemaDecoder.refuse(type, codingPath + [key]) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { throw SchemaDecoder.refuse(type, codingPath + [key]) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder.nested(decoder.record.child(key.stringValue), key).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
        try decoder.nested(decoder.record.child(key.stringValue), key).unkeyedContainer()
    }
    func superDecoder() throws -> Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> Decoder { decoder.nested(decoder.record.child(key.stringValue), key) }
}

/// A list of exactly one item, recorded as the list's item type.
private struct UnkeyedRecorder: UnkeyedDecodingContainer {
    let decoder: SchemaDecoder
    var codingPath: [CodingKey] { decoder.codingPath }
    var count: Int? { 1 }
    var isAtEnd: Bool { currentIndex >= 1 }
    var currentIndex = 0

    init(decoder: SchemaDecoder) { self.decoder = decoder }

    private mutating func item() -> SchemaDecoder {
        currentIndex += 1
        if decoder.record.item == nil { decoder.record.item = SchemaDecoder.Record() }
        return SchemaDecoder(record: decoder.record.item!, codingPath: codingPath, userInfo: decoder.userInfo)
    }

    mutating func decodeNil() throws -> Bool { false }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: item()) }
    mutating func decode(_ type: Bool.Type) throws -> Bool { _ = item(); return false }
    mutating func decode(_ type: String.Type) throws -> String { _ = item(); return "" }
    mutating func decode(_ type: Double.Type) throws -> Double { throw SchemaDecoder.refuse(type, codingPath) }
    mutating func decode(_ type: Float.Type) throws -> Float { throw SchemaDecoder.refuse(type, codingPath) }
    mutating func decode(_ type: Int.Type) throws -> Int { throw SchemaDecoder.refuse(type, codingPath) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { throw SchemaDecoder.refuse(type, codingPath) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { throw SchemaDecoder.refuse(type, codingPath) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { throw SchemaDecoder.refuse(type, codingPath) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { throw SchemaDecoder.refuse(type, codingPath) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { throw SchemaDecoder.refuse(type, codingPath) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { throw SchemaDecoder.refuse(type, codingPath) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { throw SchemaDecoder.refuse(type, codingPath) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { throw SchemaDecoder.refuse(type, codingPath) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { throw SchemaDecoder.refuse(type, codingPath) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try item().container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer { try item().unkeyedContainer() }
    mutating func superDecoder() throws -> Decoder { item() }
}

/// A leaf: a string or a flag.
private struct SingleRecorder: SingleValueDecodingContainer {
    var codingPath: [CodingKey]

    func decodeNil() -> Bool { false }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { throw SchemaDecoder.refuse(type, codingPath) }
    func decode(_ type: Bool.Type) throws -> Bool { false }
    func decode(_ type: String.Type) throws -> String { "" }
    func decode(_ type: Double.Type) throws -> Double { throw SchemaDecoder.refuse(type, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { throw SchemaDecoder.refuse(type, codingPath) }
    func decode(_ type: Int.Type) throws -> Int { throw SchemaDecoder.refuse(type, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { throw SchemaDecoder.refuse(type, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { throw SchemaDecoder.refuse(type, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { throw SchemaDecoder.refuse(type, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { throw SchemaDecoder.refuse(type, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { throw SchemaDecoder.refuse(type, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { throw SchemaDecoder.refuse(type, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { throw SchemaDecoder.refuse(type, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { throw SchemaDecoder.refuse(type, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { throw SchemaDecoder.refuse(type, codingPath) }
}
