import Crypto
import Foundation

/// The cache of results: one JSON file per run under `report/results/`, named by a key
/// that hashes everything that can change the result: the spec (parameters and seed), the
/// dataset checksums and the training-code version. A second run finds every file and
/// trains nothing; changing one parameter changes exactly the keys of the runs that use it.
///
/// Files are written to a temporary name and renamed, so an interrupted run leaves either
/// no entry or a whole one. Every read is verified (see `CacheVerification`): an entry that
/// does not decode, or does not belong to its key, is reported and recomputed.
public final class ResultStore: @unchecked Sendable {
    public let directory: URL
    /// A read-only store (--check, --dry-run) creates no folder and writes no file.
    public let readOnly: Bool
    private let lock = NSLock()
    private var index: [String: String] = [:]
    private var rejected: [String: CacheRejection] = [:]

    public init(directory: URL, readOnly: Bool = false) throws {
        self.directory = directory
        self.readOnly = readOnly
        if !readOnly { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
        if let data = try? Data(contentsOf: indexURL),
           let decoded = try? JSONDecoder().decode([String: String].self, from: data) {
            index = decoded
        }
    }

    private var indexURL: URL { directory.appendingPathComponent("index.json") }

    /// The cache key of `spec` (16 hex digits of SHA-256).
    public static func key(kind: String, spec: some Encodable, checksums: [String: String], codeVersion: Int) -> String {
        var hasher = SHA256()
        hasher.update(data: Data(kind.utf8))
        hasher.update(data: (try? JSONEncoder.canonical.encode(spec)) ?? Data())
        for (file, sum) in checksums.sorted(by: { $0.key < $1.key }) { hasher.update(data: Data("\(file)=\(sum);".utf8)) }
        hasher.update(data: Data("code=\(codeVersion)".utf8))
        return hasher.finalize().map { String(format: "%02x", $0) }.joined().prefix(16).description
    }

    public enum Lookup<T> {
        case found(T)
        case missing
        case corrupt(String)
    }

    public func url(for key: String) -> URL { directory.appendingPathComponent("\(key).json") }

    /// The record stored under `key`, if it is there, decodes, and belongs to `key` (its
    /// digest matches its content, and what it stores hashes to `key`). A rejected record
    /// comes back as `.corrupt` with the reason, and is remembered in `rejections`.
    public func load<T: VerifiableRecord>(_ type: T.Type, key: String) -> Lookup<T> {
        let url = url(for: key)
        guard FileManager.default.fileExists(atPath: url.path) else { return .missing }
        let sealed: Unsealed<T>
        do {
            let data = try Data(contentsOf: url)
            sealed = try JSONDecoder.tolerant.decode(Unsealed<T>.self, from: data)
        } catch {
            return .corrupt("\(url.lastPathComponent): \(describe(error))")
        }
        if let rejection = CacheVerification.rejection(of: sealed, key: key) {
            lock.lock(); rejected[key] = rejection; lock.unlock()
            return .corrupt("\(url.lastPathComponent): \(rejection.reason)")
        }
        return .found(sealed.value)
    }

    /// The entries read so far that were rejected, by key.
    public var rejections: [String: CacheRejection] {
        lock.lock(); defer { lock.unlock() }
        return rejected
    }

    /// Writes atomically (temporary file + rename), sealed with its content digest, and
    /// records `name -> key`.
    public func save(_ value: some Encodable, key: String, name: String) throws {
        guard !readOnly else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: url(for: key).path]) }
        let data = try JSONEncoder.readable.encode(Sealed(value: value, contentDigest: CacheVerification.digest(value)))
        try writeAtomically(data, to: url(for: key))
        lock.lock()
        index[name] = key
        rejected[key] = nil
        lock.unlock()
    }

    /// The key last stored under `name`, for explaining why a run is re-run.
    public func previousKey(name: String) -> String? {
        lock.lock(); defer { lock.unlock() }
        return index[name]
    }

    public func record(name: String, key: String) {
        lock.lock(); index[name] = key; lock.unlock()
    }

    /// Name -> key, as recorded so far.
    var indexEntries: [String: String] {
        lock.lock(); defer { lock.unlock() }
        return index
    }

    /// Forgets the names not in `names` (saved by the next `saveIndex`).
    func retainIndexNames(_ names: Set<String>) {
        lock.lock(); index = index.filter { names.contains($0.key) }; lock.unlock()
    }

    /// Saves the name index (atomically); a read-only store keeps it in memory. `gated:
    /// false` is for the signal handler, which already holds `AtomicWrites.gate`.
    public func saveIndex(gated: Bool = true) throws {
        guard !readOnly else { return }
        lock.lock()
        let data = try JSONEncoder.readable.encode(index)
        lock.unlock()
        if gated { try writeAtomically(data, to: indexURL) } else { try AtomicWrites.ungated(data, to: indexURL) }
    }

}

/// Writes `data` to a temporary file beside `url`, then renames it over `url`: readers
/// see the old file or the new one, whole, never a half-written one. Holds
/// `AtomicWrites.gate` for the write and the rename.
public func writeAtomically(_ data: Data, to url: URL) throws {
    AtomicWrites.gate.lock(); defer { AtomicWrites.gate.unlock() }
    try AtomicWrites.ungated(data, to: url)
}

public enum AtomicWrites {
    /// Held by every atomic write from its temporary file to its rename. make-report's
    /// signal handler takes it and never gives it back: a write under way finishes, no new
    /// temporary file can appear, and the handler's clean-up of temporary files is final.
    public static let gate = NSLock()

    /// The write itself; callers hold `gate`.
    public static func ungated(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let temp = dir.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        do {
            try data.write(to: temp)
            if rename(temp.path, url.path) != 0 {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: temp)
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path, NSLocalizedDescriptionKey: "cannot write \(url.path): \(reason)"])
            }
        } catch {
            try? FileManager.default.removeItem(at: temp)
            throw error
        }
    }
}

func describe(_ error: Error) -> String {
    if let e = error as? DecodingError {
        switch e {
        case .dataCorrupted(let c): return "not valid JSON (\(c.debugDescription))"
        case .keyNotFound(let k, _): return "missing field '\(k.stringValue)'"
        case .typeMismatch(_, let c), .valueNotFound(_, let c):
            return "wrong value at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        @unknown default: return "\(e)"
        }
    }
    return error.localizedDescription
}
