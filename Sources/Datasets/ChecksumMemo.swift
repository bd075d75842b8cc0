import Foundation

/// The checksums of MNIST's uncompressed files (what every cache key contains), remembered
/// against the SHA-256 of the compressed files they were computed from.
///
/// Why: a fully cached re-render needs the checksums and nothing else of the data, and
/// getting them means inflating 55 MB and hashing it: 0.3 s of a 1.7 s re-render. Hashing the
/// 11 MB of `.gz` files instead takes a few milliseconds. The memo is only believed when the
/// compressed files hash to what it says and `SHA256SUMS` still lists the same uncompressed
/// sums; otherwise the caller loads and verifies the files as before, so a changed or corrupt
/// file is reported exactly as without a memo.
public struct ChecksumMemo: Codable, Equatable, Sendable {
    public struct File: Codable, Equatable, Sendable {
        /// The uncompressed name, as in `SHA256SUMS` ("train-images-idx3-ubyte").
        public var name: String
        /// SHA-256 of the `.gz` file's bytes.
        public var compressed: String
        /// SHA-256 of its uncompressed bytes.
        public var uncompressed: String
    }

    public var files: [File]

    static let fileNames = [MNIST.trainImagesFile, MNIST.trainLabelsFile, MNIST.testImagesFile, MNIST.testLabelsFile]

    /// The memo for the files in `directory` after a verified load gave `checksums`.
    public static func make(directory: URL, checksums: [String: String]) throws(DatasetError) -> ChecksumMemo {
        var files: [File] = []
        for gz in fileNames {
            let name = String(gz.dropLast(3))
            guard let sum = checksums[name] else { throw .checksumNotListed(file: gz, checksumsFile: "(the loaded checksums)") }
            files.append(File(name: name, compressed: try compressedChecksum(directory.appendingPathComponent(gz)),
                              uncompressed: sum))
        }
        return ChecksumMemo(files: files)
    }

    /// The uncompressed checksums if the memo at `url` vouches for the files in `directory`
    /// (see the type's comment); nil when it cannot, for any reason.
    public static func checksums(directory: URL, memo url: URL) -> [String: String]? {
        guard let data = try? Data(contentsOf: url),
              let memo = try? JSONDecoder().decode(ChecksumMemo.self, from: data),
              Set(memo.files.map(\.name)) == Set(fileNames.map { String($0.dropLast(3)) }),
              let listed = try? Checksums.load(from: directory.appendingPathComponent(Checksums.fileName))
        else { return nil }
        for file in memo.files {
            guard listed[file.name] == file.uncompressed,
                  let actual = try? compressedChecksum(directory.appendingPathComponent(file.name + ".gz")),
                  actual == file.compressed
            else { return nil }
        }
        return Dictionary(uniqueKeysWithValues: memo.files.map { ($0.name, $0.uncompressed) })
    }

    /// Writes the memo atomically, as sorted, indented JSON (it is committed with the results).
    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: url, options: .atomic)
    }

    private static func compressedChecksum(_ url: URL) throws(DatasetError) -> String {
        let data = try readFile(url)
        return data.withUnsafeBytes { Checksums.sha256Hex($0) }
    }
}
