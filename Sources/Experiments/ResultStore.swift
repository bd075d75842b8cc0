import Crypto
import Foundation

/// The cache of results: one JSON file per run under `report/results/`, named by a key
/// that hashes everything that can change the result: the spec (parameters and seed), the
/// dataset checksums and the training-code version. A second run finds every file and
/// trains nothing; changing one parameter changes exactly the keys of the runs that use it.
///
/// Files are written to a temporary name and renamed, so an interrupted run leaves either
/// no entry or a whole one. An entry that does not decode is reported and recomputed.
public final class ResultStore: @unchecked Sendable {
    public let directory: URL
    private let lock = NSLock()
    private var index: [String: String] = [:]

    public init(directory: URL) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
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

    public func load<T: Decodable>(_ type: T.Type, key: String) -> Lookup<T> {
        let url = url(for: key)
        guard FileManager.default.fileExists(atPath: url.path) else { return .missing }
        do {
            let data = try Data(contentsOf: url)
            return .found(try JSONDecoder.tolerant.decode(T.self, from: data))
        } catch {
            return .corrupt("\(url.lastPathComponent): \(describe(error))")
        }
    }

    /// Writes atomically (temporary file + rename) and records `name -> key`.
    public func save(_ value: some Encodable, key: String, name: String) throws {
        let data = try JSONEncoder.readable.encode(value)
        try writeAtomically(data, to: url(for: key))
        lock.lock()
        index[name] = key
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

    /// Saves the name index (atomically).
    public func saveIndex() throws {
        lock.lock()
        let data = try JSONEncoder.readable.encode(index)
        lock.unlock()
        try writeAtomically(data, to: indexURL)
    }

    /// Deletes result files whose keys are not in `keep` and index names not in `names`:
    /// after a complete run, what remains is exactly what the report was built from.
    public func prune(keepingKeys keep: Set<String>, names: Set<String>) throws -> Int {
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        var removed = 0
        // Only files named like a result (16 hex digits) are results; index.json and the
        // dataset checksum memo stay.
        func isResultName(_ s: String) -> Bool { s.count == 16 && s.allSatisfy(\.isHexDigit) }
        for file in files where file.pathExtension == "json" && isResultName(file.deletingPathExtension().lastPathComponent) {
            if !keep.contains(file.deletingPathExtension().lastPathComponent) {
                try FileManager.default.removeItem(at: file)
                removed += 1
            }
        }
        lock.lock()
        index = index.filter { names.contains($0.key) }
        lock.unlock()
        try saveIndex()
        return removed
    }
}

/// Writes `data` to a temporary file beside `url`, then renames it over `url`: readers
/// see the old file or the new one, whole, never a half-written one.
public func writeAtomically(_ data: Data, to url: URL) throws {
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
