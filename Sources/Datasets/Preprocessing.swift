import Foundation
import MatrixCore

/// Inputs and labels ready for training: one row per example.
public struct LabelledSet: Sendable, Equatable {
    /// `count x 784` pixels scaled to [-1, 1] (see `Preprocessing.scale`), one image per row.
    public var inputs: Matrix<Float>
    /// `count` class indices in 0..<10, aligned with the rows of `inputs`.
    public var labels: [Int]
    /// "train", "validation" or "test": used in logs, tables and cache keys.
    public var name: String

    public init(inputs: Matrix<Float>, labels: [Int], name: String) {
        precondition(inputs.rows == labels.count,
                     "\(name): \(inputs.rows) input rows but \(labels.count) labels")
        self.inputs = inputs
        self.labels = labels
        self.name = name
    }

    /// Number of examples.
    public var count: Int { labels.count }

    /// The labels one-hot encoded: `count x 10`, 1 in the label's column, 0 elsewhere.
    public var oneHot: Matrix<Float> { Preprocessing.oneHot(labels, classes: MNIST.classes) }

    /// How many examples of each class, indexed by class (10 entries).
    public func classCounts(classes: Int = MNIST.classes) -> [Int] {
        var counts = [Int](repeating: 0, count: classes)
        for label in labels { counts[label] += 1 }
        return counts
    }

    /// The first `min(k, count)` examples (fast tests, `--quick`).
    public func prefix(_ k: Int) -> LabelledSet {
        precondition(k >= 0, "prefix length must be non-negative")
        let n = min(k, count)
        return LabelledSet(inputs: inputs.rows(0..<n), labels: Array(labels[..<n]), name: name)
    }

    /// The examples at `indices`, in that order (batches, resampling).
    public func gathering(_ indices: some Collection<Int>) -> LabelledSet {
        LabelledSet(inputs: inputs.gatheringRows(indices), labels: indices.map { labels[$0] }, name: name)
    }
}

/// MNIST as the report uses it: training images split into train and validation by a seeded
/// permutation, plus the untouched test images.
public struct MNISTSplit: Sendable, Equatable {
    public var train: LabelledSet
    public var validation: LabelledSet
    public var test: LabelledSet
    /// The seed of the split permutation.
    public var seed: UInt64
    /// Rows of the original 60,000-image training file, in the order of `train`'s rows.
    public var trainIndices: [Int]
    /// Rows of the original training file, in the order of `validation`'s rows.
    public var validationIndices: [Int]

    public init(train: LabelledSet, validation: LabelledSet, test: LabelledSet,
                seed: UInt64, trainIndices: [Int], validationIndices: [Int]) {
        self.train = train
        self.validation = validation
        self.test = test
        self.seed = seed
        self.trainIndices = trainIndices
        self.validationIndices = validationIndices
    }

    /// The first `k` examples of each set (or all of a smaller set).
    public func prefix(_ k: Int) -> MNISTSplit { prefix(train: k, validation: k, test: k) }

    /// The first `train`, `validation` and `test` examples of the respective sets.
    public func prefix(train k: Int, validation v: Int, test t: Int) -> MNISTSplit {
        MNISTSplit(train: train.prefix(k), validation: validation.prefix(v), test: test.prefix(t),
                   seed: seed, trainIndices: Array(trainIndices.prefix(k)),
                   validationIndices: Array(validationIndices.prefix(v)))
    }
}

/// Pixel scaling, one-hot encoding and the train/validation split.
public enum Preprocessing {
    /// Maps a pixel 0...255 to [-1, 1]: `p / 127.5 - 1` (0 -> -1, 255 -> 1 exactly).
    /// Zero-centred inputs keep tanh units out of saturation at initialisation.
    @inline(__always)
    public static func scale(_ pixel: UInt8) -> Float { Float(pixel) / 127.5 - 1 }

    /// The images at `rows` (indices into `images`, in that order), scaled, as a
    /// `rows.count x pixelsPerImage` matrix. Gathering and scaling in one pass avoids an
    /// intermediate 60,000 x 784 float matrix; large inputs are scaled in row blocks on all
    /// cores (the work is bound by writing fresh memory, 4 bytes per pixel).
    ///
    /// - Parameter images: `n x pixelsPerImage` bytes, row-major.
    /// - Precondition: every index in `rows` is in `0..<n`.
    public static func scaledInputs(images: [UInt8], pixelsPerImage: Int,
                                    rows: some Collection<Int>) -> Matrix<Float> {
        let rows = Array(rows)
        let n = rows.count
        let p = pixelsPerImage
        let available = p == 0 ? 0 : images.count / p
        for row in rows { precondition(row >= 0 && row < available, "image index \(row) out of range 0..<\(available)") }
        let blocks = n * p >= 1 << 20 ? max(1, min(ProcessInfo.processInfo.activeProcessorCount, 16)) : 1
        let storage = [Float](unsafeUninitializedCapacity: n * p) { out, initialised in
            images.withUnsafeBufferPointer { src in
                guard let dstBase = out.baseAddress, let srcBase = src.baseAddress else { return }
                // Addresses as integers: the blocks write disjoint rows of one buffer.
                let dstAddress = Int(bitPattern: dstBase), srcAddress = Int(bitPattern: srcBase)
                DispatchQueue.concurrentPerform(iterations: blocks) { block in
                    let dst = UnsafeMutablePointer<Float>(bitPattern: dstAddress)!
                    let source = UnsafePointer<UInt8>(bitPattern: srcAddress)!
                    for r in (block * n / blocks)..<((block + 1) * n / blocks) {
                        let s = source + rows[r] * p
                        let d = dst + r * p
                        for j in 0..<p { (d + j).initialize(to: scale(s[j])) }
                    }
                }
            }
            initialised = n * p
        }
        return Matrix(rows: n, columns: p, storage: storage)
    }

    /// All `images.count / pixelsPerImage` images in order, scaled.
    public static func scaledInputs(images: [UInt8], pixelsPerImage: Int) -> Matrix<Float> {
        scaledInputs(images: images, pixelsPerImage: pixelsPerImage, rows: 0..<(images.count / pixelsPerImage))
    }

    /// `labels.count x classes`: row i has a 1 in column labels[i] and 0 elsewhere.
    public static func oneHot(_ labels: [Int], classes: Int) -> Matrix<Float> {
        var out = Matrix<Float>(rows: labels.count, columns: classes)
        for (i, label) in labels.enumerated() {
            precondition(label >= 0 && label < classes, "label \(label) outside 0..<\(classes)")
            out.storage[i * classes + label] = 1
        }
        return out
    }

    /// Splits indices 0..<count by a random permutation from
    /// `SeededGenerator(seed: seed, stream: "split")`: its first `count - validationCount`
    /// entries train, the rest validate. The same seed always gives the same split.
    ///
    /// - Throws: `.invalidSplit` unless 0 <= validationCount <= count.
    public static func splitIndices(count: Int, validationCount: Int,
                                    seed: UInt64) throws(DatasetError) -> (train: [Int], validation: [Int]) {
        guard validationCount >= 0, validationCount <= count else {
            throw .invalidSplit(reason: "\(validationCount) validation images requested, "
                                + "the training file holds \(count)")
        }
        var generator = SeededGenerator(seed: seed, stream: "split")
        let permutation = generator.permutation(count)
        let cut = count - validationCount
        return (Array(permutation[..<cut]), Array(permutation[cut...]))
    }
}

extension MNIST {
    /// The report's view of MNIST: the 60,000 training images split into
    /// `60,000 - validationCount` train and `validationCount` validation images (see
    /// `Preprocessing.splitIndices`), and the 10,000 test images in file order; all scaled
    /// to [-1, 1] as `n x 784` matrices.
    public func split(seed: UInt64, validationCount: Int = 6000) throws(DatasetError) -> MNISTSplit {
        let (trainRows, validationRows) = try Preprocessing.splitIndices(
            count: train.count, validationCount: validationCount, seed: seed)
        let p = MNIST.pixelsPerImage
        func set(_ part: Part, _ rows: [Int], _ name: String) -> LabelledSet {
            LabelledSet(inputs: Preprocessing.scaledInputs(images: part.images, pixelsPerImage: p, rows: rows),
                        labels: rows.map { Int(part.labels[$0]) }, name: name)
        }
        return MNISTSplit(train: set(train, trainRows, "train"),
                          validation: set(train, validationRows, "validation"),
                          test: set(test, Array(0..<test.count), "test"),
                          seed: seed, trainIndices: trainRows, validationIndices: validationRows)
    }
}
