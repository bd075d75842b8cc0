import Datasets
import Foundation
import XCTest

/// A small synthetic MNIST directory (valid by default) that tests damage one way at a time.
struct Fixture {
    /// Uncompressed IDX bytes by the .gz file name they are written under.
    var files: [String: [UInt8]]
    /// Bytes written verbatim instead of compressing `files[name]`.
    var rawOverride: [String: [UInt8]] = [:]
    /// Digests written to SHA256SUMS instead of the true ones, by uncompressed name.
    var checksumOverride: [String: String] = [:]
    var writeChecksums = true
    /// .gz files not written at all.
    var omit: Set<String> = []

    /// `train` and `test` images of `rows x columns` with labels `i % 10` and pixels that
    /// depend on the image and position.
    static func valid(train: Int = 30, test: Int = 10, rows: Int = 28, columns: Int = 28) -> Fixture {
        func images(_ n: Int) -> [UInt8] {
            IDX.encode(dimensions: [n, rows, columns],
                       payload: (0..<(n * rows * columns)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 784) })
        }
        func labels(_ n: Int) -> [UInt8] { IDX.encode(dimensions: [n], payload: (0..<n).map { UInt8($0 % 10) }) }
        return Fixture(files: [MNIST.trainImagesFile: images(train), MNIST.trainLabelsFile: labels(train),
                               MNIST.testImagesFile: images(test), MNIST.testLabelsFile: labels(test)])
    }

    /// The gzip bytes that `write` puts under `name`.
    func compressed(_ name: String) -> [UInt8] { rawOverride[name] ?? Gzip.compress(files[name]!) }

    /// Writes the directory under a fresh temporary folder (removed when `test` ends).
    func write(for test: XCTestCase) throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("datasets-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        var sums = ""
        for (name, bytes) in files.sorted(by: { $0.key < $1.key }) {
            let plain = String(name.dropLast(3))
            sums += "\(checksumOverride[plain] ?? Checksums.sha256Hex(bytes))  \(plain)\n"
            guard !omit.contains(name) else { continue }
            try Data(compressed(name)).write(to: dir.appendingPathComponent(name))
        }
        if writeChecksums {
            try Data(sums.utf8).write(to: dir.appendingPathComponent(Checksums.fileName))
        }
        return dir
    }
}

extension XCTestCase {
    /// Loads `directory` expecting a `DatasetError` and returns it (nil, and a failure, if the
    /// load succeeds). Checks that the message mentions `mentioning` and that
    /// `errorDescription` and `localizedDescription` carry the same message.
    @discardableResult
    func loadError(_ directory: URL, verifyChecksums: Bool = true, mentioning: String? = nil,
                   file: StaticString = #filePath, line: UInt = #line) -> DatasetError? {
        do {
            _ = try MNIST.load(directory: directory, verifyChecksums: verifyChecksums)
            XCTFail("load succeeded, expected an error", file: file, line: line)
            return nil
        } catch {
            if let mentioning {
                XCTAssertTrue(error.description.contains(mentioning),
                              "\"\(error.description)\" does not mention \(mentioning)", file: file, line: line)
            }
            XCTAssertEqual(error.errorDescription, error.description, file: file, line: line)
            XCTAssertEqual((error as Error).localizedDescription, error.description, file: file, line: line)
            return error
        }
    }
}

/// The repository's MNIST directory (data/mnist), found from this file's path.
let mnistDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("data/mnist", isDirectory: true)
