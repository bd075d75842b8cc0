import Datasets
import Foundation
import MatrixCore
import XCTest

/// The real files in data/mnist, loaded once for all tests of this file.
private let realLoad: Result<MNIST, DatasetError> = Result { () throws(DatasetError) in
    try MNIST.load(directory: mnistDirectory)
}

final class MNISTTests: XCTestCase {
    private func mnist() throws -> MNIST { try realLoad.get() }

    func testRealFilesShapesAndClassCounts() throws {
        let mnist = try mnist()
        XCTAssertEqual(mnist.train.count, 60_000)
        XCTAssertEqual(mnist.test.count, 10_000)
        XCTAssertEqual(mnist.train.images.count, 60_000 * 28 * 28)
        XCTAssertEqual(mnist.test.images.count, 10_000 * 28 * 28)
        XCTAssertEqual(mnist.train.classCounts(), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
        XCTAssertEqual(mnist.test.classCounts(), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
        XCTAssertEqual(mnist.train.image(0).count, 784)
        XCTAssertEqual(mnist.test.image(0).max(), 255)
        XCTAssertEqual(mnist.test.image(0).min(), 0)
        // The well-known first labels of each file.
        XCTAssertEqual(Array(mnist.train.labels.prefix(5)), [5, 0, 4, 1, 9])
        XCTAssertEqual(Array(mnist.test.labels.prefix(5)), [7, 2, 1, 0, 4])
    }

    func testChecksumsExposedAndVerified() throws {
        let mnist = try mnist()
        XCTAssertTrue(mnist.checksumsVerified)
        let text = try String(contentsOf: mnistDirectory.appendingPathComponent("SHA256SUMS"), encoding: .utf8)
        XCTAssertEqual(mnist.checksums, try Checksums.parse(text, path: "SHA256SUMS"))
        XCTAssertEqual(mnist.checksums["train-images-idx3-ubyte"],
                       "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db")
        XCTAssertEqual(mnist.fingerprint.count, 64)
    }

    func testSplitSizesDisjointAndCovering() throws {
        let split = try mnist().split(seed: 1)
        XCTAssertEqual(split.train.count, 54_000)
        XCTAssertEqual(split.validation.count, 6_000)
        XCTAssertEqual(split.test.count, 10_000)
        XCTAssertEqual(split.train.inputs.shape.rows, 54_000)
        XCTAssertEqual(split.train.inputs.shape.columns, 784)
        XCTAssertEqual(split.validation.inputs.shape.rows, 6_000)
        XCTAssertEqual(split.test.inputs.shape.columns, 784)
        let train = Set(split.trainIndices), validation = Set(split.validationIndices)
        XCTAssertEqual(train.count, 54_000)
        XCTAssertEqual(validation.count, 6_000)
        XCTAssertTrue(train.isDisjoint(with: validation))
        XCTAssertEqual(train.union(validation), Set(0..<60_000))
        XCTAssertEqual(split.train.classCounts().reduce(0, +) + split.validation.classCounts().reduce(0, +), 60_000)
        XCTAssertEqual(split.test.classCounts(), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
    }

    func testSplitFollowsThePermutation() throws {
        let mnist = try mnist()
        let split = try mnist.split(seed: 42)
        var generator = SeededGenerator(seed: 42, stream: "split")
        let permutation = generator.permutation(60_000)
        XCTAssertEqual(split.trainIndices, Array(permutation[..<54_000]))
        XCTAssertEqual(split.validationIndices, Array(permutation[54_000...]))
        // Rows and labels come from the original images they index.
        for (row, source) in [(0, split.validationIndices[0]), (5999, split.validationIndices[5999])] {
            XCTAssertEqual(split.validation.labels[row], Int(mnist.train.labels[source]))
            XCTAssertEqual(split.validation.inputs.row(row), mnist.train.image(source).map(Preprocessing.scale))
        }
        XCTAssertEqual(split.train.labels[123], Int(mnist.train.labels[split.trainIndices[123]]))
        XCTAssertEqual(split.test.inputs.row(9999), mnist.test.image(9999).map(Preprocessing.scale))
    }

    func testSameSeedSameSplitOtherSeedDifferent() throws {
        let mnist = try mnist()
        let a = try mnist.split(seed: 7, validationCount: 100)
        let b = try mnist.split(seed: 7, validationCount: 100)
        let c = try mnist.split(seed: 8, validationCount: 100)
        XCTAssertEqual(a.validationIndices, b.validationIndices)
        XCTAssertEqual(a.train.inputs, b.train.inputs)
        XCTAssertNotEqual(a.validationIndices, c.validationIndices)
        XCTAssertNotEqual(Set(a.validationIndices), Set(c.validationIndices))
        XCTAssertEqual(a.train.count, 59_900)
        XCTAssertEqual(a.validation.count, 100)
    }

    func testInvalidValidationCount() throws {
        XCTAssertThrowsError(try mnist().split(seed: 1, validationCount: 60_001)) { error in
            guard case .invalidSplit = error as? DatasetError else { return XCTFail("\(error)") }
        }
    }

    func testPrefixSubset() throws {
        let split = try mnist().split(seed: 1)
        let quick = split.prefix(500)
        XCTAssertEqual([quick.train.count, quick.validation.count, quick.test.count], [500, 500, 500])
        XCTAssertEqual(quick.train.inputs.shape.rows, 500)
        XCTAssertEqual(quick.train.inputs.row(499), split.train.inputs.row(499))
        XCTAssertEqual(quick.test.labels, Array(split.test.labels.prefix(500)))
        XCTAssertEqual(quick.validationIndices, Array(split.validationIndices.prefix(500)))
        let uneven = split.prefix(train: 1000, validation: 10_000, test: 0)
        XCTAssertEqual([uneven.train.count, uneven.validation.count, uneven.test.count], [1000, 6000, 0])
    }

    /// Load + decompress + parse + SHA-256 verify + split + scale of the full dataset.
    /// Datasets is compiled with -O even in debug builds; the bound is loose because the
    /// machine may be busy, the printed time is the measurement.
    func testFullLoadIsFast() throws {
        let start = Date()
        let mnist = try MNIST.load(directory: mnistDirectory)
        let loaded = Date()
        let split = try mnist.split(seed: 3)
        let end = Date()
        XCTAssertEqual(split.train.count + split.validation.count, 60_000)
        let load = loaded.timeIntervalSince(start), scale = end.timeIntervalSince(loaded)
        print(String(format: "MNIST load+verify %.3f s, split+scale %.3f s, total %.3f s", load, scale, load + scale))
        XCTAssertLessThan(load + scale, 3.0)
    }
}

final class PreprocessingTests: XCTestCase {
    func testScaling() {
        XCTAssertEqual(Preprocessing.scale(0), -1)
        XCTAssertEqual(Preprocessing.scale(255), 1)
        XCTAssertEqual(Preprocessing.scale(51), 51 / 127.5 - 1, accuracy: 1e-7)
        let m = Preprocessing.scaledInputs(images: [0, 255, 128, 64, 1, 2], pixelsPerImage: 3)
        XCTAssertEqual(m.shape.rows, 2)
        XCTAssertEqual(m.shape.columns, 3)
        XCTAssertEqual(m[0, 0], -1)
        XCTAssertEqual(m[0, 1], 1)
        XCTAssertEqual(m[1, 0], Float(64) / 127.5 - 1)
        let gathered = Preprocessing.scaledInputs(images: [0, 255, 128, 64, 1, 2], pixelsPerImage: 3, rows: [1, 1, 0])
        XCTAssertEqual(gathered.row(0), m.row(1))
        XCTAssertEqual(gathered.row(2), m.row(0))
        XCTAssertTrue(m.storage.allSatisfy { (-1...1).contains($0) })
    }

    func testOneHot() {
        let set = LabelledSet(inputs: Matrix(rows: 3, columns: 2), labels: [3, 0, 9], name: "t")
        let oneHot = set.oneHot
        XCTAssertEqual(oneHot.shape.rows, 3)
        XCTAssertEqual(oneHot.shape.columns, 10)
        XCTAssertEqual(oneHot.row(0), [0, 0, 0, 1, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(oneHot.row(2), [0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
        XCTAssertEqual(oneHot.storage.reduce(0, +), 3)
    }

    func testGatheringAndPrefix() {
        let inputs = Matrix<Float>([[0, 0], [1, 1], [2, 2]])
        let set = LabelledSet(inputs: inputs, labels: [0, 1, 2], name: "s")
        let g = set.gathering([2, 0])
        XCTAssertEqual(g.labels, [2, 0])
        XCTAssertEqual(g.inputs, Matrix<Float>([[2, 2], [0, 0]]))
        XCTAssertEqual(set.prefix(2).labels, [0, 1])
        XCTAssertEqual(set.prefix(10).count, 3)
        XCTAssertEqual(set.prefix(0).inputs.shape.rows, 0)
    }

    func testSplitIndicesEdgeCases() throws {
        let all = try Preprocessing.splitIndices(count: 10, validationCount: 10, seed: 1)
        XCTAssertEqual(all.train, [])
        XCTAssertEqual(Set(all.validation), Set(0..<10))
        let none = try Preprocessing.splitIndices(count: 10, validationCount: 0, seed: 1)
        XCTAssertEqual(none.validation, [])
        XCTAssertThrowsError(try Preprocessing.splitIndices(count: 10, validationCount: -1, seed: 1))
    }
}
