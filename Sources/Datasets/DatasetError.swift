import Foundation

/// Every way loading a dataset can fail, each naming the file it concerns and what is wrong.
///
/// Why one typed enum: the report prints these messages as they are, tests match on the case,
/// and callers (the cache, `--quick` mode) can tell a missing download from a corrupt one.
/// `file` and `path` values are paths as the caller gave them (or the name passed to a raw
/// parser), so a message always says which file to look at.
///
/// This file imports only Foundation, so the libFuzzer build (fuzz/) can compile it alone
/// together with Gzip.swift and IDX.swift.
public enum DatasetError: Error, Equatable, Sendable {
    // Files and directories.
    case missingDirectory(path: String)
    case missingFile(path: String)
    case unreadableFile(path: String, reason: String)
    case emptyFile(file: String)

    // gzip.
    /// The first two bytes are not the gzip magic 0x1f 0x8b.
    case notGzip(file: String, firstBytes: [UInt8])
    /// All input was consumed without reaching the end of the gzip stream.
    case truncatedGzip(file: String, compressedBytes: Int, decompressedBytes: Int)
    /// zlib reported invalid data (bad header, bad deflate block, CRC-32 or length mismatch);
    /// `offset` is the input position zlib had reached, `reason` zlib's own message.
    case corruptGzip(file: String, offset: Int, reason: String)
    /// Bytes after the last gzip member that do not start another member.
    case trailingGarbage(file: String, offset: Int, count: Int)
    /// Decompression would exceed `limit` bytes (a guard against decompression bombs).
    case decompressedTooLarge(file: String, limit: Int)
    /// zlib failed for a reason other than the data (out of memory, version mismatch).
    case zlibFailure(file: String, code: Int32, message: String)

    // IDX.
    case truncatedHeader(file: String, neededBytes: Int, availableBytes: Int)
    /// The first two bytes of an IDX file must be zero.
    case badMagic(file: String, magic: UInt32)
    /// Only element type 0x08 (unsigned byte) is supported.
    case unsupportedElementType(file: String, typeCode: UInt8)
    /// The fourth magic byte, the number of dimensions, must be in 1...4.
    case badDimensionCount(file: String, count: Int)
    /// The product of the dimensions does not fit in an `Int`.
    case sizeOverflow(file: String, dimensions: [Int])
    /// Fewer payload bytes than the header promises.
    case payloadTooShort(file: String, dimensions: [Int], expectedBytes: Int, actualBytes: Int)
    /// More payload bytes than the header promises.
    case payloadTooLong(file: String, dimensions: [Int], expectedBytes: Int, actualBytes: Int)

    // MNIST semantics.
    /// The array does not have the number of dimensions its role needs (labels 1, images 3).
    case wrongRank(file: String, expected: Int, dimensions: [Int])
    case wrongImageSize(file: String, rows: Int, columns: Int, expectedRows: Int, expectedColumns: Int)
    case labelOutOfRange(file: String, index: Int, value: UInt8, validRange: ClosedRange<Int>)
    case countMismatch(imagesFile: String, images: Int, labelsFile: String, labels: Int)
    /// A split asked for more validation items than there are training items.
    case invalidSplit(reason: String)

    // Checksums.
    case missingChecksums(path: String)
    case malformedChecksums(path: String, line: Int, text: String)
    case checksumNotListed(file: String, checksumsFile: String)
    case checksumMismatch(file: String, expected: String, actual: String)
}

extension DatasetError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .missingDirectory(let path):
            return "\(path): directory not found"
        case .missingFile(let path):
            return "\(path): file not found"
        case .unreadableFile(let path, let reason):
            return "\(path): cannot read file: \(reason)"
        case .emptyFile(let file):
            return "\(file): file is empty (0 bytes)"

        case .notGzip(let file, let firstBytes):
            let shown = firstBytes.map { String(format: "%02x", $0) }.joined(separator: " ")
            return "\(file): not a gzip file (starts with \(shown), gzip starts with 1f 8b)"
        case .truncatedGzip(let file, let compressed, let decompressed):
            return "\(file): gzip stream is truncated: all \(compressed) compressed bytes were read "
                + "(\(decompressed) bytes decompressed) without reaching the end of the stream"
        case .corruptGzip(let file, let offset, let reason):
            let meaning: String
            switch reason {
            case "incorrect data check": meaning = " (CRC-32 of the decompressed data does not match)"
            case "incorrect length check": meaning = " (decompressed length does not match the trailer)"
            default: meaning = ""
            }
            return "\(file): corrupt gzip data near byte \(offset): \(reason)\(meaning)"
        case .trailingGarbage(let file, let offset, let count):
            return "\(file): \(count) bytes of trailing garbage after the gzip stream, from byte \(offset)"
        case .decompressedTooLarge(let file, let limit):
            return "\(file): decompresses to more than \(limit) bytes, the limit for this file"
        case .zlibFailure(let file, let code, let message):
            return "\(file): zlib failed with code \(code): \(message)"

        case .truncatedHeader(let file, let needed, let available):
            return "\(file): IDX header is truncated: needs \(needed) bytes, file holds \(available)"
        case .badMagic(let file, let magic):
            return "\(file): not an IDX file: magic number \(hex32(magic)), "
                + "expected two zero bytes, a type byte and a dimension count (e.g. 0x00000803)"
        case .unsupportedElementType(let file, let typeCode):
            return "\(file): IDX element type 0x\(String(format: "%02x", typeCode)) "
                + "(\(idxTypeName(typeCode))) is not supported, only 0x08 (unsigned byte)"
        case .badDimensionCount(let file, let count):
            return "\(file): IDX header gives \(count) dimensions, supported are 1 to 4"
        case .sizeOverflow(let file, let dimensions):
            return "\(file): IDX dimensions \(shape(dimensions)) describe more bytes than can be addressed"
        case .payloadTooShort(let file, let dimensions, let expected, let actual),
             .payloadTooLong(let file, let dimensions, let expected, let actual):
            return "\(file): header says \(dimensions.first ?? 0) items, file holds "
                + itemsHeld(dimensions: dimensions, actualBytes: actual)
                + " (header: \(shape(dimensions)) = \(expected) payload bytes, file: \(actual) payload bytes)"

        case .wrongRank(let file, let expected, let dimensions):
            return "\(file): expected a \(expected)-dimensional IDX array, found dimensions \(shape(dimensions))"
        case .wrongImageSize(let file, let rows, let columns, let expectedRows, let expectedColumns):
            return "\(file): images are \(rows)x\(columns), expected \(expectedRows)x\(expectedColumns): "
                + "wrong image size for the model"
        case .labelOutOfRange(let file, let index, let value, let range):
            return "\(file): label at index \(index) is \(value), labels must be in "
                + "\(range.lowerBound)...\(range.upperBound)"
        case .countMismatch(let imagesFile, let images, let labelsFile, let labels):
            return "\(imagesFile) holds \(images) images but \(labelsFile) holds \(labels) labels"
        case .invalidSplit(let reason):
            return "invalid split: \(reason)"

        case .missingChecksums(let path):
            return "\(path): checksum file not found; it lists the SHA-256 of each data file (restore it with `git checkout -- \(URL(fileURLWithPath: path).lastPathComponent)` in the data folder, or give --data-dir a folder that has it)"
        case .malformedChecksums(let path, let line, let text):
            return "\(path): line \(line) is not in sha256sum format (\"<64 hex digits>  <name>\"): \(text)"
        case .checksumNotListed(let file, let checksumsFile):
            return "\(file): no SHA-256 listed for this file in \(checksumsFile)"
        case .checksumMismatch(let file, let expected, let actual):
            return "\(file): SHA-256 mismatch: expected \(expected), actual \(actual)"
        }
    }
}

extension DatasetError: LocalizedError {
    public var errorDescription: String? { description }
}

private func hex32(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}

private func shape(_ dimensions: [Int]) -> String {
    dimensions.map(String.init).joined(separator: "x")
}

/// "9000" or "9000 items and 17 bytes" or "0 items and 100 bytes": the payload measured in
/// items of the header's item size (the product of all but the first dimension).
private func itemsHeld(dimensions: [Int], actualBytes: Int) -> String {
    var itemBytes = 1
    for d in dimensions.dropFirst() {
        let (p, overflow) = itemBytes.multipliedReportingOverflow(by: d)
        if overflow { return "\(actualBytes) bytes" }
        itemBytes = p
    }
    guard itemBytes > 0 else { return "\(actualBytes) bytes" }
    let (items, rest) = actualBytes.quotientAndRemainder(dividingBy: itemBytes)
    return rest == 0 ? "\(items)" : "\(items) items and \(rest) bytes"
}

private func idxTypeName(_ code: UInt8) -> String {
    switch code {
    case 0x08: return "unsigned byte"
    case 0x09: return "signed byte"
    case 0x0B: return "short"
    case 0x0C: return "int"
    case 0x0D: return "float"
    case 0x0E: return "double"
    default: return "unknown"
    }
}
