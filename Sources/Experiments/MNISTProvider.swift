import Datasets
import Foundation
import MatrixCore
import NeuralNet

/// MNIST from a directory of IDX files, loaded and verified once, split per seed on
/// demand and kept (a split is three matrices, about 220 MB for all 70,000 images).
public final class MNISTProvider: DataProvider, @unchecked Sendable {
    public let directory: URL
    /// Where the checksums are remembered between runs (see `ChecksumMemo`), or nil.
    public let checksumMemo: URL?
    /// false: the memo is read but never written (--check and --dry-run write nothing).
    public let writesMemo: Bool
    private let lock = NSLock()
    private var mnist: MNIST?
    private var splits: [String: SplitData] = [:]
    private var memoized: [String: String]?

    /// How `checksums()` got its answer the first time: from the memo, or by loading.
    public enum ChecksumSource: Sendable { case memo, loaded }
    public private(set) var checksumSource: ChecksumSource?

    public init(directory: URL, checksumMemo: URL? = nil, writesMemo: Bool = true) {
        self.directory = directory
        self.checksumMemo = checksumMemo
        self.writesMemo = writesMemo
    }

    /// Loads and verifies the files (once). Throws `DatasetError` naming file and fault.
    public func load() throws -> MNIST {
        lock.lock(); defer { lock.unlock() }
        if let mnist { return mnist }
        let loaded = try MNIST.load(directory: directory)
        mnist = loaded
        return loaded
    }

    /// The files' checksums: from the memo when it vouches for the files, else by loading
    /// and verifying them (then the memo is written for next time; failing to write it only
    /// costs that time). Throws as `load()` does.
    public func checksums() throws -> [String: String] {
        lock.lock()
        if let memoized { lock.unlock(); return memoized }
        lock.unlock()
        let sums: [String: String], source: ChecksumSource
        if let remembered = checksumMemo.flatMap({ ChecksumMemo.checksums(directory: directory, memo: $0) }) {
            (sums, source) = (remembered, .memo)
        } else {
            let loaded = try load()
            (sums, source) = (loaded.checksums, .loaded)
            if let url = checksumMemo, writesMemo, loaded.checksumsVerified,
               let memo = try? ChecksumMemo.make(directory: directory, checksums: loaded.checksums) {
                try? memo.write(to: url)
            }
        }
        lock.lock(); defer { lock.unlock() }
        memoized = sums
        if checksumSource == nil { checksumSource = source }
        return sums
    }

    public func split(seed: UInt64, validationImages: Int, subset: RunSpec.Subset?) throws -> SplitData {
        let data = try load()
        let key = "\(seed)/\(validationImages)/\(subset.map { "\($0.train),\($0.validation),\($0.test)" } ?? "all")"
        lock.lock()
        if let cached = splits[key] { lock.unlock(); return cached }
        lock.unlock()
        var s = try data.split(seed: seed, validationCount: validationImages)
        if let subset { s = s.prefix(train: subset.train, validation: subset.validation, test: subset.test) }
        func examples(_ set: LabelledSet) -> Examples<Float> { Examples(name: set.name, inputs: set.inputs, labels: set.labels) }
        let result = SplitData(train: examples(s.train), validation: examples(s.validation), test: examples(s.test))
        lock.lock(); splits[key] = result; lock.unlock()
        return result
    }
}
