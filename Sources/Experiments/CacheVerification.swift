import Crypto
import Foundation

/// A cached record that can prove it belongs to its key: it stores everything its key is
/// hashed from (the spec with its seed, the dataset checksums, the training-code version)
/// and the key itself, so a reader can hash them again and compare.
public protocol VerifiableRecord: Codable {
    associatedtype Spec: Encodable
    /// What the key hashes first ("run", "gradient-check", "inspection"), so two kinds never share a key.
    static var cacheKind: String { get }
    var key: String { get }
    var spec: Spec { get }
    var datasetChecksums: [String: String] { get }
    var codeVersion: Int { get }
}

extension RunResult: VerifiableRecord {
    public static var cacheKind: String { "run" }
}

extension GradientCheckRecord: VerifiableRecord {
    public static var cacheKind: String { "gradient-check" }
}

extension InspectionRecord: VerifiableRecord {
    public static var cacheKind: String { "inspection" }
}

/// Why a cached file was not believed. A rejected file is never rendered: the run is
/// trained again (or, under --check, the check fails naming the file).
public enum CacheRejection: Equatable, Sendable {
    /// The content differs from the digest recorded when the file was written.
    case edited
    /// No digest was recorded (written by hand, or by a make-report from before digests).
    case unsealed
    /// The record names another key: a file copied or renamed over this one.
    case misplaced(recordKey: String)
    /// What the key is hashed from (spec, seed, checksums, code version) hashes to another key.
    case inconsistent(recomputedKey: String)

    /// A sentence for the user, after the file's name.
    public var reason: String {
        switch self {
        case .edited:
            "tampered: its content does not match the digest recorded when it was written (edited by hand?)"
        case .unsealed:
            "unverifiable: it has no content digest, so an edit could not be noticed (written by hand or by an older make-report)"
        case .misplaced(let other):
            "misplaced: it holds the result of run \(other), copied or renamed over this one"
        case .inconsistent(let recomputed):
            "stale or tampered: the spec, seed, data checksums and code version it stores hash to \(recomputed), not to its name"
        }
    }
}

/// The envelope a record is stored in: the record's own fields plus `contentDigest`, the
/// SHA-256 of the record's canonical JSON (sorted keys, no whitespace), taken when written.
/// The digest is not part of the key: adding it changed no committed key.
struct Sealed<Value: Encodable>: Encodable {
    var value: Value
    var contentDigest: String

    private enum Keys: String, CodingKey { case contentDigest }

    func encode(to encoder: Encoder) throws {
        try value.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(contentDigest, forKey: .contentDigest)
    }
}

/// Reads a sealed record back: the record (which ignores `contentDigest`) and the digest.
struct Unsealed<Value: Decodable>: Decodable {
    var value: Value
    var contentDigest: String?

    private enum Keys: String, CodingKey { case contentDigest }

    init(from decoder: Decoder) throws {
        value = try Value(from: decoder)
        contentDigest = try decoder.container(keyedBy: Keys.self).decodeIfPresent(String.self, forKey: .contentDigest)
    }
}

enum CacheVerification {
    /// SHA-256 (hex) of `value`'s canonical JSON: what was decoded is what is digested, so
    /// any edit that could change the report changes the digest.
    static func digest(_ value: some Encodable) throws -> String {
        let data = try JSONEncoder.canonical.encode(value)
        return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// Checks that `sealed`, read from the file named `key`, belongs to `key`; nil if it does.
    static func rejection<T: VerifiableRecord>(of sealed: Unsealed<T>, key: String) -> CacheRejection? {
        guard let stored = sealed.contentDigest else { return .unsealed }
        guard (try? digest(sealed.value)) == stored else { return .edited }
        let record = sealed.value
        guard record.key == key else { return .misplaced(recordKey: record.key) }
        let recomputed = ResultStore.key(kind: T.cacheKind, spec: record.spec, checksums: record.datasetChecksums,
                                         codeVersion: record.codeVersion)
        guard recomputed == key else { return .inconsistent(recomputedKey: recomputed) }
        return nil
    }
}
