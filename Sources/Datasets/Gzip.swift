import CZlib
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// gzip through the system zlib.
///
/// Decompression streams: input is handed to zlib at most `inputChunk` bytes at a time, and
/// the output buffer grows (doubling) as bytes actually come out, so memory follows the
/// decompressed size, never a size claimed by the file (the gzip trailer's length field is
/// not trusted), and stays bounded by `limit`. Concatenated members are
/// decompressed one after another, as `gunzip` does.
///
/// Imports only CZlib and the C library, so the fuzzer (fuzz/idx) can compile it without the package.
public enum Gzip {
    static let inputChunk = 1 << 20
    /// The first output allocation; growth happens when less than a quarter of this is free.
    static let outputChunk = 1 << 18

    /// Whether `bytes` start with the gzip magic 0x1f 0x8b.
    public static func isGzip(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// Decompresses a complete gzip file held in memory.
    ///
    /// - Parameters:
    ///   - input: the compressed bytes, one or more gzip members.
    ///   - name: the file name or path used in error messages.
    ///   - limit: the most decompressed bytes accepted (bound against decompression bombs);
    ///     the output buffer never grows past `limit + 1` bytes.
    /// - Returns: the decompressed bytes.
    /// - Throws: `.emptyFile`, `.notGzip`, `.truncatedGzip` (input ends before the stream
    ///   does), `.corruptGzip` (bad deflate data, CRC-32 or length mismatch),
    ///   `.trailingGarbage` (bytes after the last member that are not another member),
    ///   `.decompressedTooLarge`, `.zlibFailure`.
    public static func decompress(_ input: UnsafeRawBufferPointer, name: String,
                                  limit: Int = .max) throws(DatasetError) -> [UInt8] {
        precondition(limit >= 0, "limit must be non-negative")
        guard let base = input.baseAddress, input.count > 0 else { throw .emptyFile(file: name) }
        guard isGzip(input) else { throw .notGzip(file: name, firstBytes: Array(input.prefix(4))) }

        var stream = z_stream()
        let initStatus = inflateInit2_(&stream, 16 + MAX_WBITS, zlibVersion(),
                                       Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else {
            throw .zlibFailure(file: name, code: initStatus, message: message(of: stream, code: initStatus))
        }
        defer { inflateEnd(&stream) }

        // Output goes straight into a buffer that doubles (realloc, which moves large blocks by
        // remapping pages) whenever less than a quarter chunk is free, and never past limit + 1.
        var storage: UnsafeMutableRawPointer? = nil
        defer { free(storage) }
        var capacity = 0
        var produced = 0
        let maximumCapacity = limit == .max ? limit : limit + 1
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        var handedOver = 0                       // input bytes given to zlib so far
        var position: Int { handedOver - Int(stream.avail_in) }   // next unread input byte

        while true {
            if stream.avail_in == 0 && handedOver < input.count {
                let n = min(inputChunk, input.count - handedOver)
                stream.next_in = UnsafeMutablePointer(mutating: bytes + handedOver)
                stream.avail_in = UInt32(n)
                handedOver += n
            }
            if capacity - produced < outputChunk / 4 && capacity < maximumCapacity {
                let doubled = capacity > Int.max / 2 ? Int.max : capacity * 2
                let grown = min(maximumCapacity, max(outputChunk, doubled))
                guard let moved = realloc(storage, grown) else {
                    throw .zlibFailure(file: name, code: Z_MEM_ERROR, message: "cannot allocate \(grown) bytes")
                }
                storage = moved
                capacity = grown
            }
            let room = min(capacity - produced, Int(UInt32.max))
            stream.next_out = storage!.assumingMemoryBound(to: UInt8.self) + produced
            stream.avail_out = UInt32(room)
            let status = inflate(&stream, Z_NO_FLUSH)
            produced += room - Int(stream.avail_out)
            if produced > limit { throw .decompressedTooLarge(file: name, limit: limit) }

            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                let next = position
                if next == input.count {
                    return Array(UnsafeRawBufferPointer(start: storage, count: produced))
                }
                let rest = input.count - next
                if rest >= 2 && bytes[next] == 0x1f && bytes[next + 1] == 0x8b {
                    // Another member follows; inflateReset keeps next_in/avail_in.
                    let reset = inflateReset(&stream)
                    guard reset == Z_OK else {
                        throw .zlibFailure(file: name, code: reset, message: message(of: stream, code: reset))
                    }
                    continue
                }
                throw .trailingGarbage(file: name, offset: next, count: rest)
            case Z_BUF_ERROR where stream.avail_in == 0 && handedOver == input.count:
                // No progress possible and nothing left to give: the stream was cut short.
                throw .truncatedGzip(file: name, compressedBytes: input.count, decompressedBytes: produced)
            case Z_DATA_ERROR, Z_NEED_DICT:
                throw .corruptGzip(file: name, offset: position, reason: message(of: stream, code: status))
            default:
                // Z_MEM_ERROR, Z_STREAM_ERROR, or Z_BUF_ERROR with input left, which cannot
                // happen while output room is non-zero; failing here keeps the loop finite.
                throw .zlibFailure(file: name, code: status, message: message(of: stream, code: status))
            }
        }
    }

    /// Decompresses `input` (see `decompress(_:name:limit:)`).
    public static func decompress(_ input: [UInt8], name: String,
                                  limit: Int = .max) throws(DatasetError) -> [UInt8] {
        try withRawBytes(input) { (raw) throws(DatasetError) in try decompress(raw, name: name, limit: limit) }
    }

    /// Compresses `input` as one gzip member without name or time stamp (like `gzip -n`).
    /// Used to write test fixtures and the fuzzer's seed corpus.
    ///
    /// - Parameter level: zlib compression level 0...9.
    public static func compress(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        let status = deflateInit2_(&stream, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY,
                                   zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "deflateInit2 failed with \(status)")
        defer { deflateEnd(&stream) }
        // deflateBound covers the zlib wrapper; gzip's header and trailer add 18 - 6 bytes more.
        let bound = Int(deflateBound(&stream, UInt(input.count))) + 32
        var output = [UInt8](repeating: 0, count: bound)
        let written = input.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst -> Int in
                stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress)
                stream.avail_in = UInt32(src.count)
                stream.next_out = dst.baseAddress
                stream.avail_out = UInt32(dst.count)
                let result = deflate(&stream, Z_FINISH)
                precondition(result == Z_STREAM_END, "deflate did not finish: \(result)")
                return dst.count - Int(stream.avail_out)
            }
        }
        output.removeLast(bound - written)
        return output
    }

    private static func message(of stream: z_stream, code: Int32) -> String {
        if let msg = stream.msg { return String(cString: msg) }
        if let text = zError(code) { return String(cString: text) }
        return "zlib error \(code)"
    }
}

/// Calls `body` with the bytes of `array`, keeping `body`'s typed error. (The buffer of an
/// empty array may have a nil base address; callers check `count`.)
@inline(__always)
func withRawBytes<R>(_ array: [UInt8],
                     _ body: (UnsafeRawBufferPointer) throws(DatasetError) -> R) throws(DatasetError) -> R {
    let result: Result<R, DatasetError> = array.withUnsafeBytes { raw in
        do throws(DatasetError) { return .success(try body(raw)) } catch { return .failure(error) }
    }
    return try result.get()
}
