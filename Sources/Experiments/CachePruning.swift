import Foundation

/// Removing cached results is never a side effect of a run: only `--prune` does it, and only
/// after a complete run with the project's own parameters, so that every result the report
/// could need is in `keep`. A one-off override (--seeds, --params, --only) plans other runs,
/// and pruning with its plan would delete the shared cache's results.
extension ResultStore {
    /// A cached result that no current plan references.
    public struct Unreferenced: Sendable, Equatable {
        /// The file's name ("0a1b2c3d4e5f6789.json").
        public var file: String
        /// The run names the index gives it ("3/B/lr=0.5/seed=2/sweep"); empty when none.
        public var names: [String]
    }

    /// Files named like results (16 hex digits + .json) whose key is not in `keep`, sorted.
    /// index.json, the dataset checksum memo and anything else are never candidates.
    public func unreferenced(keepingKeys keep: Set<String>) throws -> [Unreferenced] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        let byKey = Dictionary(grouping: indexEntries, by: \.value).mapValues { $0.map(\.key).sorted() }
        return files.sorted().compactMap { file -> Unreferenced? in
            guard file.hasSuffix(".json") else { return nil }
            let key = String(file.dropLast(5))
            guard Self.isResultKey(key), !keep.contains(key) else { return nil }
            return Unreferenced(file: file, names: byKey[key] ?? [])
        }
    }

    /// Removes `entries` (as listed by `unreferenced`) and the index names not in `names`,
    /// then saves the index. Returns the entries removed, in order; stops at the first failure.
    public func remove(_ entries: [Unreferenced], keepingNames names: Set<String>) throws -> [Unreferenced] {
        var removed: [Unreferenced] = []
        for entry in entries {
            try FileManager.default.removeItem(at: directory.appendingPathComponent(entry.file))
            removed.append(entry)
        }
        retainIndexNames(names)
        try saveIndex()
        return removed
    }

    static func isResultKey(_ s: String) -> Bool { s.count == 16 && s.allSatisfy(\.isHexDigit) }
}
