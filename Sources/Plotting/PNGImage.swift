import CPNG
import Foundation

/// A decoded PNG: 8-bit RGBA pixels and its text chunks. Used by tests to check pixels
/// and metadata of written figures.
public struct PNGImage: Sendable {
    public let width: Int
    public let height: Int
    /// Row-major RGBA, 4 bytes per pixel, no padding.
    public let rgba: [UInt8]
    /// tEXt and uncompressed iTXt chunks, keyword -> text.
    public let text: [String: String]

    /// The pixel at column x, row y (row 0 at the top).
    public func pixel(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8, a: UInt8) {
        let i = (y * width + x) * 4
        return (rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3])
    }

    /// Reads and decodes a PNG file. The chunk structure is checked in Swift first;
    /// pixels are decoded by libpng's simplified API, which reports errors by return
    /// value, so a corrupt file throws instead of trapping.
    public static func read(_ path: String) throws -> PNGImage {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PlotError.readFailed(path: path, reason: "cannot open file")
        }
        let bytes = [UInt8](data)
        let text = try textChunks(bytes, path: path)
        // libpng keeps the memory pointer between the two calls, so both happen while the
        // bytes are pinned.
        let decoded: Result<(Int, Int, [UInt8]), PlotError> = bytes.withUnsafeBytes { memory in
            var image = png_image()
            image.version = 1                              // PNG_IMAGE_VERSION
            guard png_image_begin_read_from_memory(&image, memory.baseAddress, memory.count) != 0 else {
                return .failure(.readFailed(path: path, reason: message(&image)))
            }
            image.format = 3                               // PNG_FORMAT_RGBA
            let width = Int(image.width), height = Int(image.height)
            var rgba = [UInt8](repeating: 0, count: width * height * 4)
            let finished = rgba.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
            guard finished != 0 else {
                let reason = message(&image)
                png_image_free(&image)
                return .failure(.readFailed(path: path, reason: reason))
            }
            return .success((width, height, rgba))
        }
        let (width, height, rgba) = try decoded.get()
        return PNGImage(width: width, height: height, rgba: rgba, text: text)
    }

    private static func message(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// Walks the chunk list (signature, then length/type/data/CRC records) and collects
    /// tEXt (Latin-1) and uncompressed iTXt (UTF-8) chunks.
    static func textChunks(_ bytes: [UInt8], path: String) throws -> [String: String] {
        let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else {
            throw PlotError.readFailed(path: path, reason: "not a PNG signature")
        }
        var text: [String: String] = [:]
        var offset = 8
        while offset + 12 <= bytes.count {
            let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            let type = String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self)
            let start = offset + 8, end = start + length
            guard end + 4 <= bytes.count else { throw PlotError.readFailed(path: path, reason: "truncated chunk \(type)") }
            let body = Array(bytes[start..<end])
            if type == "tEXt", let nul = body.firstIndex(of: 0) {
                let key = String(body[..<nul].map { Character(Unicode.Scalar($0)) })
                text[key] = String(body[(nul + 1)...].map { Character(Unicode.Scalar($0)) })
            } else if type == "iTXt", let nul = body.firstIndex(of: 0), nul + 2 < body.count, body[nul + 1] == 0 {
                let key = String(body[..<nul].map { Character(Unicode.Scalar($0)) })
                // After the flags: language tag\0, translated keyword\0, text.
                var rest = body[(nul + 3)...]
                for _ in 0..<2 {
                    guard let z = rest.firstIndex(of: 0) else { break }
                    rest = rest[(z + 1)...]
                }
                text[key] = String(decoding: rest, as: UTF8.self)
            }
            if type == "IEND" { return text }
            offset = end + 4
        }
        throw PlotError.readFailed(path: path, reason: "no IEND chunk")
    }
}
