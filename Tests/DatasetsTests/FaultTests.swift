import Datasets
import Foundation
import XCTest

/// Each way a dataset directory can be damaged gives its own error, naming the file.
final class FaultTests: XCTestCase {
    let labels = MNIST.trainLabelsFile
    let images = MNIST.trainImagesFile

    func testValidFixtureLoads() throws {
        let dir = try Fixture.valid().write(for: self)
        let mnist = try MNIST.load(directory: dir)
        XCTAssertEqual(mnist.train.count, 30)
        XCTAssertEqual(mnist.test.count, 10)
        XCTAssertEqual(mnist.train.images.count, 30 * 784)
        XCTAssertEqual(mnist.train.labels, (0..<30).map { UInt8($0 % 10) })
        XCTAssertEqual(mnist.train.classCounts(), [3, 3, 3, 3, 3, 3, 3, 3, 3, 3])
        XCTAssertTrue(mnist.checksumsVerified)
    }

    func testTruncatedGzip() throws {
        var fixture = Fixture.valid()
        let gz = fixture.compressed(labels)
        fixture.rawOverride[labels] = Array(gz[..<(gz.count - 5)])
        let error = loadError(try fixture.write(for: self), mentioning: labels)
        guard case .truncatedGzip(_, let compressed, _) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(compressed, gz.count - 5)
        XCTAssertTrue(error!.description.contains("truncated"))
    }

    func testTruncatedGzipMidStream() throws {
        var fixture = Fixture.valid()
        let gz = fixture.compressed(images)
        fixture.rawOverride[images] = Array(gz[..<(gz.count / 2)])
        guard case .truncatedGzip = loadError(try fixture.write(for: self), mentioning: images) else {
            return XCTFail("expected truncatedGzip")
        }
    }

    func testCorruptCRC() throws {
        var fixture = Fixture.valid()
        var gz = fixture.compressed(labels)
        gz[gz.count - 8] ^= 0xff                    // first byte of the CRC-32 in the trailer
        fixture.rawOverride[labels] = gz
        let error = loadError(try fixture.write(for: self), mentioning: labels)
        guard case .corruptGzip(_, _, let reason) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(reason, "incorrect data check")
        XCTAssertTrue(error!.description.contains("CRC-32"))
    }

    func testCorruptDeflateData() throws {
        var fixture = Fixture.valid()
        var gz = fixture.compressed(images)
        gz[gz.count / 2] ^= 0x55                    // inside the deflate data
        fixture.rawOverride[images] = gz
        guard case .corruptGzip = loadError(try fixture.write(for: self), mentioning: images) else {
            return XCTFail("expected corruptGzip")
        }
    }

    func testTrailingGarbage() throws {
        var fixture = Fixture.valid()
        let gz = fixture.compressed(labels)
        fixture.rawOverride[labels] = gz + [0x00, 0x41, 0x42]
        guard case .trailingGarbage(_, let offset, let count) = loadError(try fixture.write(for: self),
                                                                           mentioning: labels) else {
            return XCTFail("expected trailingGarbage")
        }
        XCTAssertEqual(offset, gz.count)
        XCTAssertEqual(count, 3)
    }

    func testNotGzip() throws {
        var fixture = Fixture.valid()
        fixture.rawOverride[labels] = fixture.files[labels]!   // uncompressed under a .gz name
        guard case .notGzip = loadError(try fixture.write(for: self), mentioning: labels) else {
            return XCTFail("expected notGzip")
        }
    }

    func testEmptyFile() throws {
        var fixture = Fixture.valid()
        fixture.rawOverride[labels] = []
        guard case .emptyFile(let file) = loadError(try fixture.write(for: self), mentioning: labels) else {
            return XCTFail("expected emptyFile")
        }
        XCTAssertTrue(file.hasSuffix(labels))
    }

    func testWrongMagic() throws {
        var fixture = Fixture.valid()
        fixture.files[labels]![0] = 0x01
        guard case .badMagic(_, let magic) = loadError(try fixture.write(for: self), mentioning: labels) else {
            return XCTFail("expected badMagic")
        }
        XCTAssertEqual(magic, 0x0100_0801)
    }

    func testWrongElementType() throws {
        var fixture = Fixture.valid()
        fixture.files[images]![2] = 0x0D          // float
        guard case .unsupportedElementType(_, 0x0D) = loadError(try fixture.write(for: self),
                                                                mentioning: images) else {
            return XCTFail("expected unsupportedElementType")
        }
    }

    func testBadDimensionCount() throws {
        var fixture = Fixture.valid()
        fixture.files[labels]![3] = 0
        guard case .badDimensionCount(_, 0) = loadError(try fixture.write(for: self), mentioning: labels) else {
            return XCTFail("expected badDimensionCount")
        }
    }

    func testHeaderCountLargerThanPayload() throws {
        var fixture = Fixture.valid()
        fixture.files[MNIST.testLabelsFile] = IDX.encode(dimensions: [10], payload: Array(repeating: 1, count: 9))
        let error = loadError(try fixture.write(for: self), mentioning: MNIST.testLabelsFile)
        guard case .payloadTooShort(_, [10], 10, 9) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(error!.description.contains("\(MNIST.testLabelsFile): header says 10 items, file holds 9"),
                      error!.description)
    }

    func testHeaderCountSmallerThanPayload() throws {
        var fixture = Fixture.valid()
        // Header says 29 images, the payload holds 30 images and 5 bytes.
        var payload = Array(fixture.files[images]![16...])
        payload += [1, 2, 3, 4, 5]
        fixture.files[images] = IDX.encode(dimensions: [29, 28, 28], payload: payload)
        let error = loadError(try fixture.write(for: self), mentioning: images)
        guard case .payloadTooLong(_, [29, 28, 28], 29 * 784, 30 * 784 + 5) = error else {
            return XCTFail("\(String(describing: error))")
        }
        XCTAssertTrue(error!.description.contains("header says 29 items, file holds 30 items and 5 bytes"),
                      error!.description)
    }

    func testHugeHeaderInTinyFileFailsFast() throws {
        var fixture = Fixture.valid()
        fixture.files[images] = IDX.encode(dimensions: [1 << 31, 28, 28], payload: Array(repeating: 7, count: 100))
        let start = Date()
        let error = loadError(try fixture.write(for: self), mentioning: images)
        XCTAssertLessThan(Date().timeIntervalSince(start), 1.0)
        guard case .payloadTooShort(_, let dims, let expected, 100) = error else {
            return XCTFail("\(String(describing: error))")
        }
        XCTAssertEqual(dims, [1 << 31, 28, 28])
        XCTAssertEqual(expected, (1 << 31) * 784)
        XCTAssertTrue(error!.description.contains("header says 2147483648 items, file holds 0 items and 100 bytes"),
                      error!.description)
    }

    func testLabelOutOfRange() throws {
        var fixture = Fixture.valid()
        fixture.files[labels]![8 + 17] = 10
        let error = loadError(try fixture.write(for: self), mentioning: labels)
        guard case .labelOutOfRange(_, 17, 10, 0...9) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(error!.description.contains("label at index 17 is 10"))
    }

    func testImageLabelCountMismatch() throws {
        var fixture = Fixture.valid()
        fixture.files[labels] = IDX.encode(dimensions: [29], payload: (0..<29).map { UInt8($0 % 10) })
        let error = loadError(try fixture.write(for: self), mentioning: images)
        guard case .countMismatch(_, 30, _, 29) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(error!.description.contains(labels), "names both files")
    }

    func testWrongImageSize() throws {
        var fixture = Fixture.valid()
        fixture.files[images] = Fixture.valid(rows: 27, columns: 28).files[images]
        let error = loadError(try fixture.write(for: self), mentioning: "wrong image size for the model")
        guard case .wrongImageSize(_, 27, 28, 28, 28) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(error!.description.contains(images))
    }

    func testWrongRank() throws {
        var fixture = Fixture.valid()
        fixture.files[images] = IDX.encode(dimensions: [30, 784], payload: Array(repeating: 0, count: 30 * 784))
        guard case .wrongRank(_, 3, [30, 784]) = loadError(try fixture.write(for: self), mentioning: images) else {
            return XCTFail("expected wrongRank")
        }
    }

    func testChecksumMismatch() throws {
        var fixture = Fixture.valid()
        let wrong = String(repeating: "ab", count: 32)
        fixture.checksumOverride["t10k-images-idx3-ubyte"] = wrong
        let dir = try fixture.write(for: self)
        let error = loadError(dir, mentioning: MNIST.testImagesFile)
        let actual = Checksums.sha256Hex(fixture.files[MNIST.testImagesFile]!)
        XCTAssertEqual(error, .checksumMismatch(file: dir.appendingPathComponent(MNIST.testImagesFile).path,
                                                expected: wrong, actual: actual))
        XCTAssertTrue(error!.description.contains(wrong) && error!.description.contains(actual))
        // Without verification the same directory loads, and reports the actual digest.
        let mnist = try MNIST.load(directory: dir, verifyChecksums: false)
        XCTAssertEqual(mnist.checksums["t10k-images-idx3-ubyte"], actual)
        XCTAssertFalse(mnist.checksumsVerified)
    }

    func testFileNotListedInChecksums() throws {
        let dir = try Fixture.valid().write(for: self)
        let sums = try String(contentsOf: dir.appendingPathComponent(Checksums.fileName), encoding: .utf8)
        let kept = sums.split(separator: "\n").filter { !$0.hasSuffix("train-labels-idx1-ubyte") }
        try Data((kept.joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent(Checksums.fileName))
        guard case .checksumNotListed = loadError(dir, mentioning: labels) else {
            return XCTFail("expected checksumNotListed")
        }
    }

    func testMissingChecksumFile() throws {
        var fixture = Fixture.valid()
        fixture.writeChecksums = false
        let dir = try fixture.write(for: self)
        guard case .missingChecksums = loadError(dir, mentioning: Checksums.fileName) else {
            return XCTFail("expected missingChecksums")
        }
        XCTAssertEqual(try MNIST.load(directory: dir, verifyChecksums: false).train.count, 30)
    }

    func testMalformedChecksumFile() throws {
        let dir = try Fixture.valid().write(for: self)
        try Data("not a checksum line\n".utf8).write(to: dir.appendingPathComponent(Checksums.fileName))
        guard case .malformedChecksums(_, 1, _) = loadError(dir, mentioning: Checksums.fileName) else {
            return XCTFail("expected malformedChecksums")
        }
    }

    func testMissingFile() throws {
        var fixture = Fixture.valid()
        fixture.omit = [MNIST.testLabelsFile]
        let dir = try fixture.write(for: self)
        XCTAssertEqual(loadError(dir, mentioning: MNIST.testLabelsFile),
                       .missingFile(path: dir.appendingPathComponent(MNIST.testLabelsFile).path))
    }

    func testMissingDirectory() {
        let dir = URL(fileURLWithPath: "/nonexistent/mnist-\(UUID().uuidString)")
        XCTAssertEqual(loadError(dir, mentioning: dir.path), .missingDirectory(path: dir.path))
    }

    /// The distinct faults above give distinct error cases (not one catch-all).
    func testFaultsAreDistinct() throws {
        var fixture = Fixture.valid()
        fixture.files[labels] = IDX.encode(dimensions: [30], payload: Array(repeating: 1, count: 31))
        let tooLong = loadError(try fixture.write(for: self))
        fixture.files[labels] = IDX.encode(dimensions: [30], payload: Array(repeating: 1, count: 29))
        let tooShort = loadError(try fixture.write(for: self))
        XCTAssertNotEqual(tooLong, tooShort)
        XCTAssertNotEqual(tooLong?.description, tooShort?.description)
    }
}
