import Foundation

/// Where the experiments get their data: MNIST from disk in the command, something small
/// and synthetic in tests. Must be safe to call from several threads.
public protocol DataProvider: Sendable {
    /// SHA-256 of each data file's uncompressed bytes, part of every cache key.
    func checksums() throws -> [String: String]
    /// The split of one seed (the seed permutes the 60,000 training images into train and
    /// validation), optionally cut to a subset.
    func split(seed: UInt64, validationImages: Int, subset: RunSpec.Subset?) throws -> SplitData
}
