import Crypto
import Foundation

/// SHA-256 digests of dataset files, and the `sha256sum` file that pins them.
///
/// Why: the report's numbers are only reproducible on the exact bytes they came from, and
/// the experiment cache keys its entries on these digests. Digests are taken over the
/// *uncompressed* files, so recompressing a file (other gzip level or tool) changes nothing.
public enum Checksums {
    /// The name of the checksum file in a dataset directory.
    public static let fileName = "SHA256SUMS"

    /// The SHA-256 of `bytes` as 64 lowercase hex digits.
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// The SHA-256 of `raw` as 64 lowercase hex digits.
    public static func sha256Hex(_ raw: UnsafeRawBufferPointer) -> String {
        hex(SHA256.hash(data: raw))
    }

    /// Parses `sha256sum` output: lines `<64 hex digits><space><space or *><name>`; blank
    /// lines are skipped. Returns file name -> lowercase hex digest.
    ///
    /// - Parameter path: the checksum file's path, for error messages.
    /// - Throws: `.malformedChecksums` naming the first bad line (1-based).
    public static func parse(_ text: String, path: String) throws(DatasetError) -> [String: String] {
        var sums: [String: String] = [:]
        // Split on bytes: as Characters, "\r\n" is one grapheme and would not split on "\n".
        for (index, line) in text.utf8.split(separator: UInt8(ascii: "\n"),
                                             omittingEmptySubsequences: false).enumerated() {
            var chars = Array(line)
            if chars.last == UInt8(ascii: "\r") { chars.removeLast() }
            if chars.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { continue }
            guard chars.count > 66, chars[..<64].allSatisfy(isHexDigit), chars[64] == UInt8(ascii: " "),
                  chars[65] == UInt8(ascii: " ") || chars[65] == UInt8(ascii: "*") else {
                throw .malformedChecksums(path: path, line: index + 1, text: String(decoding: chars, as: UTF8.self))
            }
            sums[String(decoding: chars[66...], as: UTF8.self)] = String(decoding: chars[..<64], as: UTF8.self).lowercased()
        }
        return sums
    }

    /// Reads and parses the checksum file at `url`.
    ///
    /// - Throws: `.missingChecksums` when it does not exist, `.unreadableFile`, `.malformedChecksums`.
    public static func load(from url: URL) throws(DatasetError) -> [String: String] {
        guard FileManager.default.fileExists(atPath: url.path) else { throw .missingChecksums(path: url.path) }
        let data = try readFile(url)
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadableFile(path: url.path, reason: "not UTF-8 text")
        }
        return try parse(text, path: url.path)
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isHexDigit(_ c: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
            || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(c)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(c)
    }
}
