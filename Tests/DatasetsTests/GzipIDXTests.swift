import Datasets
import MatrixCore
import XCTest

final class GzipTests: XCTestCase {
    /// Bytes with some structure (so deflate has work to do), larger than one output chunk.
    private func sample(_ n: Int) -> [UInt8] {
        var generator = SeededGenerator(seed: 7, stream: "gzip-test")
        return (0..<n).map { i in i % 3 == 0 ? UInt8(truncatingIfNeeded: generator.next()) : UInt8(i % 251) }
    }

    func testRoundTripAcrossChunks() throws {
        for n in [0, 1, 1000, 700_000] {
            let data = sample(n)
            XCTAssertEqual(try Gzip.decompress(Gzip.compress(data), name: "x"), data, "n = \(n)")
        }
    }

    func testConcatenatedMembersDecompressLikeGunzip() throws {
        let a = sample(5000), b = Array(sample(300).reversed())
        XCTAssertEqual(try Gzip.decompress(Gzip.compress(a) + Gzip.compress(b), name: "x"), a + b)
    }

    func testLimitBoundsOutput() throws {
        let zeros = Gzip.compress([UInt8](repeating: 0, count: 1 << 20))
        XCTAssertLessThan(zeros.count, 2000)
        XCTAssertThrowsError(try Gzip.decompress(zeros, name: "bomb.gz", limit: 1000)) { error in
            XCTAssertEqual(error as? DatasetError, .decompressedTooLarge(file: "bomb.gz", limit: 1000))
        }
        XCTAssertEqual(try Gzip.decompress(zeros, name: "bomb.gz", limit: 1 << 20).count, 1 << 20)
    }

    func testEveryTruncationIsAnError() {
        let gz = Gzip.compress(sample(3000))
        for cut in 0..<gz.count {
            XCTAssertThrowsError(try Gzip.decompress(Array(gz[..<cut]), name: "cut.gz"), "cut at \(cut)") { error in
                guard let error = error as? DatasetError else { return XCTFail("untyped error") }
                switch error {
                case .emptyFile, .notGzip, .truncatedGzip: break
                default: XCTFail("cut at \(cut): \(error)")
                }
            }
        }
    }

    func testLengthMismatchInTrailer() {
        var gz = Gzip.compress(sample(3000))
        gz[gz.count - 4] ^= 1                       // ISIZE, the length modulo 2^32
        XCTAssertThrowsError(try Gzip.decompress(gz, name: "len.gz")) { error in
            guard case .corruptGzip(_, _, "incorrect length check") = error as? DatasetError else {
                return XCTFail("\(error)")
            }
        }
    }
}

final class IDXTests: XCTestCase {
    func testRoundTrip() throws {
        let payload = (0..<24).map { UInt8($0) }
        let array = try IDX.parse(IDX.encode(dimensions: [2, 3, 4], payload: payload), name: "a")
        XCTAssertEqual(array.dimensions, [2, 3, 4])
        XCTAssertEqual(array.count, 2)
        XCTAssertEqual(array.itemShape, [3, 4])
        XCTAssertEqual(array.bytes, payload)
        // The raw-memory entry and the gzip-detecting one agree.
        let file = IDX.encode(dimensions: [2, 3, 4], payload: payload)
        XCTAssertEqual(try file.withUnsafeBytes { try IDX.parse(raw: $0, name: "a") }, array)
        XCTAssertEqual(try Gzip.compress(file).withUnsafeBytes { try IDX.decode($0, name: "a") }, array)
        XCTAssertEqual(try file.withUnsafeBytes { try IDX.decode($0, name: "a") }, array)
    }

    func testZeroItemsIsValid() throws {
        XCTAssertEqual(try IDX.parse(IDX.encode(dimensions: [0, 28, 28], payload: []), name: "e").count, 0)
    }

    func testHeaderTruncation() {
        let file = IDX.encode(dimensions: [5, 2], payload: Array(repeating: 0, count: 10))
        for cut in 1..<12 {
            XCTAssertThrowsError(try IDX.parse(Array(file[..<cut]), name: "h")) { error in
                XCTAssertEqual(error as? DatasetError,
                               .truncatedHeader(file: "h", neededBytes: cut < 4 ? 4 : 12, availableBytes: cut))
            }
        }
        XCTAssertThrowsError(try IDX.parse([], name: "h")) { XCTAssertEqual($0 as? DatasetError, .emptyFile(file: "h")) }
    }

    func testSizeOverflowIsAnErrorNotATrap() {
        let max = Int(UInt32.max)
        let file = IDX.encode(dimensions: [max, max, max, max], payload: [1, 2, 3])
        XCTAssertThrowsError(try IDX.parse(file, name: "o")) { error in
            XCTAssertEqual(error as? DatasetError, .sizeOverflow(file: "o", dimensions: [max, max, max, max]))
        }
    }

    func testFiveDimensionsRejected() {
        var file = IDX.encode(dimensions: [1, 1, 1, 1], payload: [0])
        file[3] = 5
        file.insert(contentsOf: [0, 0, 0, 1], at: 20)
        XCTAssertThrowsError(try IDX.parse(file, name: "d")) { error in
            XCTAssertEqual(error as? DatasetError, .badDimensionCount(file: "d", count: 5))
        }
    }

    func testReadFromDisk() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("idx-\(UUID().uuidString).gz")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(Gzip.compress(IDX.encode(dimensions: [3], payload: [1, 2, 3]))).write(to: url)
        XCTAssertEqual(try IDX.read(contentsOf: url).bytes, [1, 2, 3])
        try FileManager.default.removeItem(at: url)
        XCTAssertThrowsError(try IDX.read(contentsOf: url)) { error in
            XCTAssertEqual(error as? DatasetError, .missingFile(path: url.path))
        }
    }
}

final class ChecksumTests: XCTestCase {
    func testKnownDigest() {
        XCTAssertEqual(Checksums.sha256Hex(Array("abc".utf8)),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testParseSha256sumFormat() throws {
        let a = String(repeating: "0f", count: 32), b = String(repeating: "AB", count: 32)
        let sums = try Checksums.parse("\(a)  one\n\n\(b) *two with space\r\n", path: "S")
        XCTAssertEqual(sums, ["one": a, "two with space": b.lowercased()])
        XCTAssertThrowsError(try Checksums.parse("\(a)  one\n\(a.dropLast())  two\n", path: "S")) { error in
            guard case .malformedChecksums("S", 2, _) = error as? DatasetError else { return XCTFail("\(error)") }
        }
    }
}
