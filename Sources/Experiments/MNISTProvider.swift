import Datasets
import Foundation
import MatrixCore
import NeuralNet

/// MNIST from a directory of IDX files, loaded and verified once, split per seed on
/// demand and kept (a split is three matrices, about 220 MB for all 70,000 images).
public final class MNISTProvider: DataProvider, @unchecked Sendable {
    public let directory: URL
    private let lock = NSLock()
    private var mnist: MNIST?
    private var splits: [String: SplitData] = [:]

    public init(directory: URL) { self.directory = directory }

    /// Loads and verifies the files (once). Throws `DatasetError` naming file and fault.
    public func load() throws -> MNIST {
        lock.lock(); defer { lock.unlock() }
        if let mnist { return mnist }
        let loaded = try MNIST.load(directory: directory)
        mnist = loaded
        return loaded
    }

    public func checksums() throws -> [String: String] { try load().checksums }

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
