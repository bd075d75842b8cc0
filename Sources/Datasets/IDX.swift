import Foundation

/// The validated header of an IDX file of unsigned bytes.
///
/// IDX layout (big-endian): two zero bytes, the element type (0x08 = unsigned byte), the
/// number of dimensions d, then d 32-bit sizes, then the payload in row-major order.
public struct IDXHeader: Sendable, Equatable {
    /// Sizes from outermost to innermost, e.g. [60000, 28, 28] for MNIST training images.
    public let dimensions: [Int]
    /// The product of `dimensions`: payload bytes the header promises (one byte per element).
    public let payloadBytes: Int
    /// Bytes before the payload: 4 + 4 * dimensions.count.
    public var headerBytes: Int { 4 + 4 * dimensions.count }
}

/// An IDX array of unsigned bytes: its shape and its row-major payload.
public struct IDXArray: Sendable, Equatable {
    /// Sizes from outermost to innermost; 1 to 4 entries.
    public let dimensions: [Int]
    /// The payload, `dimensions.reduce(1, *)` bytes in row-major order.
    public let bytes: [UInt8]

    /// Items along the first dimension (images, labels).
    public var count: Int { dimensions[0] }
    /// The shape of one item, e.g. [28, 28]; empty for a 1-dimensional array.
    public var itemShape: [Int] { Array(dimensions.dropFirst()) }
}

/// Reading IDX files (the format of MNIST and Fashion-MNIST).
///
/// Every size is checked against the bytes present before anything is allocated from it: a
/// header claiming 2^31 images in a 100-byte file fails with `.payloadTooShort` without
/// allocating. Imports only Foundation (for file reading), so the fuzzer can compile it.
public enum IDX {
    /// Element type code of unsigned bytes, the only type supported.
    public static let unsignedByte: UInt8 = 0x08
    /// Dimension counts accepted (the format allows up to 255; no dataset uses more than 4).
    public static let dimensionRange: ClosedRange<Int> = 1...4

    /// Validates the header of the IDX file held in `raw` against `raw.count`.
    ///
    /// - Parameters:
    ///   - raw: the whole (uncompressed) file.
    ///   - name: the file name or path used in error messages.
    /// - Throws: `.emptyFile`, `.truncatedHeader`, `.badMagic`, `.unsupportedElementType`,
    ///   `.badDimensionCount`, `.sizeOverflow`, `.payloadTooShort`, `.payloadTooLong`.
    public static func parseHeader(_ raw: UnsafeRawBufferPointer, name: String) throws(DatasetError) -> IDXHeader {
        let available = raw.count
        guard available > 0 else { throw .emptyFile(file: name) }
        guard available >= 4 else { throw .truncatedHeader(file: name, neededBytes: 4, availableBytes: available) }
        let magic = bigEndianUInt32(raw, at: 0)
        guard raw[0] == 0, raw[1] == 0 else { throw .badMagic(file: name, magic: magic) }
        guard raw[2] == unsignedByte else { throw .unsupportedElementType(file: name, typeCode: raw[2]) }
        let rank = Int(raw[3])
        guard dimensionRange.contains(rank) else { throw .badDimensionCount(file: name, count: rank) }
        let headerBytes = 4 + 4 * rank
        guard available >= headerBytes else {
            throw .truncatedHeader(file: name, neededBytes: headerBytes, availableBytes: available)
        }
        let dimensions = (0..<rank).map { Int(bigEndianUInt32(raw, at: 4 + 4 * $0)) }
        var expected = 1
        for d in dimensions {
            let (product, overflow) = expected.multipliedReportingOverflow(by: d)
            guard !overflow else { throw .sizeOverflow(file: name, dimensions: dimensions) }
            expected = product
        }
        let actual = available - headerBytes
        if actual < expected {
            throw .payloadTooShort(file: name, dimensions: dimensions, expectedBytes: expected, actualBytes: actual)
        }
        if actual > expected {
            throw .payloadTooLong(file: name, dimensions: dimensions, expectedBytes: expected, actualBytes: actual)
        }
        return IDXHeader(dimensions: dimensions, payloadBytes: expected)
    }

    /// Parses an uncompressed IDX file, taking over `bytes` (the header is removed in place,
    /// so a uniquely referenced array is not copied).
    public static func parse(_ bytes: consuming [UInt8], name: String) throws(DatasetError) -> IDXArray {
        let header = try withRawBytes(bytes) { (raw) throws(DatasetError) in try parseHeader(raw, name: name) }
        bytes.removeFirst(header.headerBytes)
        return IDXArray(dimensions: header.dimensions, bytes: bytes)
    }

    /// Parses an uncompressed IDX file from raw memory, copying the payload (the fuzzer's entry).
    public static func parse(raw: UnsafeRawBufferPointer, name: String) throws(DatasetError) -> IDXArray {
        let header = try parseHeader(raw, name: name)
        return IDXArray(dimensions: header.dimensions, bytes: Array(raw[header.headerBytes...]))
    }

    /// Parses an IDX file that may be gzip-compressed (recognised by its magic 0x1f 0x8b;
    /// an IDX file starts with two zero bytes, so the two cannot be confused).
    ///
    /// - Parameter limit: the most decompressed bytes accepted.
    public static func decode(_ raw: UnsafeRawBufferPointer, name: String,
                              limit: Int = .max) throws(DatasetError) -> IDXArray {
        if Gzip.isGzip(raw) {
            return try parse(Gzip.decompress(raw, name: name, limit: limit), name: name)
        }
        return try parse(raw: raw, name: name)
    }

    /// Reads and parses an IDX file, gzip-compressed or not.
    public static func read(contentsOf url: URL, limit: Int = .max) throws(DatasetError) -> IDXArray {
        let data = try readFile(url)
        let result: Result<IDXArray, DatasetError> = data.withUnsafeBytes { raw in
            do throws(DatasetError) { return .success(try decode(raw, name: url.path, limit: limit)) }
            catch { return .failure(error) }
        }
        return try result.get()
    }

    /// The bytes of an IDX file of unsigned bytes with the given header and payload. The
    /// payload is not checked against the dimensions, so tests can write inconsistent files.
    ///
    /// - Precondition: 1 to 4 dimensions, each in 0...UInt32.max.
    public static func encode(dimensions: [Int], payload: [UInt8]) -> [UInt8] {
        precondition(dimensionRange.contains(dimensions.count), "IDX needs 1 to 4 dimensions")
        var out: [UInt8] = [0, 0, unsignedByte, UInt8(dimensions.count)]
        out.reserveCapacity(4 + 4 * dimensions.count + payload.count)
        for d in dimensions {
            let v = UInt32(d)
            out += [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)]
        }
        out += payload
        return out
    }

    @inline(__always)
    private static func bigEndianUInt32(_ raw: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        UInt32(raw[offset]) << 24 | UInt32(raw[offset + 1]) << 16 | UInt32(raw[offset + 2]) << 8 | UInt32(raw[offset + 3])
    }
}

/// The contents of `url`, memory-mapped where the system allows.
///
/// - Throws: `.missingFile` when nothing is at the path, `.unreadableFile` otherwise.
func readFile(_ url: URL) throws(DatasetError) -> Data {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
        throw .missingFile(path: url.path)
    }
    guard !isDirectory.boolValue else { throw .unreadableFile(path: url.path, reason: "it is a folder, not a file") }
    var info = stat()
    if stat(url.path, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
        throw .unreadableFile(path: url.path, reason: "not a regular file (a named pipe, device or socket)")
    }
    do {
        return try Data(contentsOf: url, options: .mappedIfSafe)
    } catch {
        throw .unreadableFile(path: url.path, reason: error.localizedDescription)
    }
}
