import CPNG
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Encodes RGB pixels as PNG through libpng, into memory, and writes files atomically.
///
/// libpng reports errors by longjmp, which Swift cannot catch. Encoding therefore goes to
/// an in-memory buffer (so I/O cannot fail inside libpng) after every input has been
/// validated; the only remaining libpng errors are internal ones, which trap with the
/// library's message. File I/O happens afterwards in Swift and throws `PlotError`.
enum PNGWriter {
    static let software = "make-report Plotting 1.0"
    /// Fixed zlib level: the same pixels always compress to the same bytes.
    static let compressionLevel: Int32 = 6

    /// Accumulates libpng's output.
    private final class Sink { var bytes: [UInt8] = [] }

    /// PNG bytes for an 8-bit RGB image with the given text chunks, sorted by key (tEXt
    /// when key and value are Latin-1, else uncompressed UTF-8 iTXt). `path` is only for
    /// error messages.
    static func encode(width: Int, height: Int, rgb: [UInt8], text: [String: String], path: String) throws -> [UInt8] {
        precondition(width > 0 && height > 0 && rgb.count == width * height * 3, "PNGWriter: pixel buffer size mismatch")
        for key in text.keys where !isValidKeyword(key) {
            throw PlotError.invalidMetadataKey(path: path, key: key)
        }
        let errorHandler: png_error_ptr = { _, message in
            fatalError("libpng: \(message.map { String(cString: $0) } ?? "unknown error")")
        }
        let warningHandler: png_error_ptr = { _, _ in }
        var pngOptional = png_create_write_struct(png_get_libpng_ver(nil), nil, errorHandler, warningHandler)
        var info = pngOptional.flatMap { png_create_info_struct($0) }
        defer { png_destroy_write_struct(&pngOptional, &info) }
        guard let png = pngOptional, info != nil else {
            throw PlotError.writeFailed(path: path, reason: "libpng could not allocate a write structure")
        }
        let sink = Sink()
        let unmanaged = Unmanaged.passRetained(sink)
        defer { unmanaged.release() }
        png_set_write_fn(png, unmanaged.toOpaque(), { png, data, length in
            guard let png, let data, let io = png_get_io_ptr(png) else { return }
            let sink = Unmanaged<Sink>.fromOpaque(io).takeUnretainedValue()
            sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: length))
        }, nil)
        png_set_compression_level(png, compressionLevel)
        // 8 bits, colour type 2 (RGB), no interlace, default compression and filter method.
        png_set_IHDR(png, info, UInt32(width), UInt32(height), 8, 2, 0, 0, 0)

        var allocations: [UnsafeMutablePointer<CChar>] = []
        defer { allocations.forEach { free($0) } }
        func cString(_ bytes: [UInt8]) -> UnsafeMutablePointer<CChar> {
            let p = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
            p.initialize(repeating: 0, count: bytes.count + 1)
            bytes.withUnsafeBufferPointer { b in
                b.withMemoryRebound(to: CChar.self) { p.update(from: $0.baseAddress!, count: bytes.count) }
            }
            let copy = strdup(p)!
            p.deallocate()
            allocations.append(copy)
            return copy
        }
        var chunks: [png_text] = []
        for key in text.keys.sorted() {
            let value = text[key]!
            var chunk = png_text()
            chunk.key = cString(latin1(key)!)
            if let bytes = latin1(value), !bytes.contains(0) {
                chunk.compression = -1          // PNG_TEXT_COMPRESSION_NONE: tEXt
                chunk.text = cString(bytes)
                chunk.text_length = bytes.count
            } else {
                let bytes = Array(value.utf8).filter { $0 != 0 }
                chunk.compression = 1           // PNG_ITXT_COMPRESSION_NONE: iTXt
                chunk.text = cString(bytes)
                chunk.itxt_length = bytes.count
                chunk.lang = cString([])
                chunk.lang_key = cString([])
            }
            chunks.append(chunk)
        }
        if !chunks.isEmpty { png_set_text(png, info, &chunks, Int32(chunks.count)) }

        png_write_info(png, info)
        rgb.withUnsafeBufferPointer { buffer in
            for row in 0..<height {
                png_write_row(png, buffer.baseAddress! + row * width * 3)
            }
        }
        png_write_end(png, info)
        return sink.bytes
    }

    /// PNG keywords: 1-79 printable Latin-1 characters without leading, trailing or
    /// consecutive spaces.
    static func isValidKeyword(_ key: String) -> Bool {
        guard let bytes = latin1(key), (1...79).contains(bytes.count) else { return false }
        guard bytes.allSatisfy({ (32...126).contains($0) || (161...255).contains($0) }) else { return false }
        return bytes.first != 32 && bytes.last != 32 && !key.contains("  ")
    }

    /// ISO 8859-1 bytes, or nil when a character is outside Latin-1.
    static func latin1(_ s: String) -> [UInt8]? {
        var out: [UInt8] = []
        for scalar in s.unicodeScalars {
            guard scalar.value <= 0xff else { return nil }
            out.append(UInt8(scalar.value))
        }
        return out
    }

    /// Writes `bytes` to a temporary file next to `url`, flushes it to disk and renames it
    /// over `url`, so readers see either the old file or the complete new one. The
    /// temporary file is removed on failure.
    static func writeAtomically(_ bytes: [UInt8], to url: URL) throws {
        let path = url.path
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        func failure(_ what: String) -> PlotError {
            PlotError.writeFailed(path: path, reason: "\(what): \(String(cString: strerror(errno)))")
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot create temporary file in '\(directory)'") }
        var written = 0
        let ok: Bool = bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let n = write(fd, buffer.baseAddress! + written, buffer.count - written)
                if n < 0 { if errno == EINTR { continue }; return false }
                written += n
            }
            return true
        }
        if !ok || fsync(fd) != 0 {
            let error = failure("write failed")
            close(fd); unlink(temporary)
            throw error
        }
        if close(fd) != 0 {
            let error = failure("close failed")
            unlink(temporary)
            throw error
        }
        if rename(temporary, path) != 0 {
            let error = failure("rename failed")
            unlink(temporary)
            throw error
        }
    }
}
