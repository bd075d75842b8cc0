import Datasets
import Foundation
import XCTest
@testable import Experiments

/// The dataset checksum memo (Sources/Datasets/ChecksumMemo.swift): a cached re-render gets
/// the checksums without inflating the files, and is never fooled by changed files.
final class ChecksumMemoTests: XCTestCase {
    private let mnist = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("data/mnist")

    /// A private copy of data/mnist that a test may damage.
    private func copyOfData() throws -> URL {
        let copy = temporaryDirectory().appendingPathComponent("mnist")
        try FileManager.default.copyItem(at: mnist, to: copy)
        return copy
    }

    func testTheFirstRunLoadsAndRemembersTheSecondReadsTheMemo() throws {
        let memo = temporaryDirectory().appendingPathComponent("mnist-checksums.json")
        let first = MNISTProvider(directory: mnist, checksumMemo: memo)
        let loaded = try first.checksums()
        XCTAssertEqual(first.checksumSource, .loaded)
        XCTAssertEqual(loaded, try MNIST.load(directory: mnist).checksums)
        XCTAssertTrue(FileManager.default.fileExists(atPath: memo.path))

        let second = MNISTProvider(directory: mnist, checksumMemo: memo)
        XCTAssertEqual(try second.checksums(), loaded)
        XCTAssertEqual(second.checksumSource, .memo)
    }

    func testAChangedFileIsLoadedAndReportedAsWithoutAMemo() throws {
        let data = try copyOfData()
        let memo = temporaryDirectory().appendingPathComponent("mnist-checksums.json")
        _ = try MNISTProvider(directory: data, checksumMemo: memo).checksums()

        // One byte of the compressed labels flipped: the memo no longer vouches, and the load
        // reports the damage (a gzip CRC or checksum error) naming the file.
        let labels = data.appendingPathComponent(MNIST.testLabelsFile)
        var bytes = try Data(contentsOf: labels)
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: labels)
        XCTAssertNil(ChecksumMemo.checksums(directory: data, memo: memo))
        let provider = MNISTProvider(directory: data, checksumMemo: memo)
        XCTAssertThrowsError(try provider.checksums()) { error in
            XCTAssertTrue("\(error)".contains(MNIST.testLabelsFile), "\(error)")
        }
        XCTAssertNil(provider.checksumSource)
    }

    func testAnEditedChecksumListIsNotBypassed() throws {
        let data = try copyOfData()
        let memo = temporaryDirectory().appendingPathComponent("mnist-checksums.json")
        _ = try MNISTProvider(directory: data, checksumMemo: memo).checksums()
        XCTAssertNotNil(ChecksumMemo.checksums(directory: data, memo: memo))

        let sumsURL = data.appendingPathComponent("SHA256SUMS")
        let text = try String(contentsOf: sumsURL, encoding: .utf8)
        let edited = (text.first == "0" ? "1" : "0") + text.dropFirst()  // the first listed sum changed
        try edited.write(to: sumsURL, atomically: true, encoding: .utf8)
        XCTAssertNil(ChecksumMemo.checksums(directory: data, memo: memo))
        XCTAssertThrowsError(try MNISTProvider(directory: data, checksumMemo: memo).checksums())
    }

    func testPruningKeepsTheMemoAndTheIndex() throws {
        let dir = temporaryDirectory()
        let store = try ResultStore(directory: dir)
        for name in ["mnist-checksums.json", "0123456789abcdef.json"] {
            try Data("{}".utf8).write(to: dir.appendingPathComponent(name))
        }
        let unreferenced = try store.unreferenced(keepingKeys: [])
        XCTAssertEqual(unreferenced.map(\.file), ["0123456789abcdef.json"])
        XCTAssertEqual(try store.remove(unreferenced, keepingNames: []).count, 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("mnist-checksums.json").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("0123456789abcdef.json").path))
    }
}
