import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// File-system failures as sentences a user can act on: the path, what is wrong with it, and
/// what to do. Foundation's own descriptions ("The operation could not be completed",
/// "NSCocoaErrorDomain Code=512 (null)") name neither the cause nor the remedy.
public enum FileErrors {
    /// The sentence for `error`, which happened on `path` (or on the path the error names).
    public static func describe(_ error: Error, path fallback: String? = nil) -> String {
        let (code, named) = posixCode(of: error)
        let path = named ?? fallback ?? "a file"
        guard let code else {
            return "\(path): \((error as? LocalizedError)?.errorDescription ?? String(describing: error))"
        }
        return describe(errno: code, path: path)
    }

    /// The sentence for the POSIX error `code` on `path`.
    public static func describe(errno code: Int32, path: String) -> String {
        switch code {
        case ENOSPC, EDQUOT:
            return "no space left on the device that holds \(path): free some space (or choose another --output) and run make-report again"
        case EISDIR:
            return "\(path) is a folder, not a file: move or rename it"
        case ENOTDIR:
            let blocker = firstFileComponent(of: path) ?? path
            return "\(blocker) is a file where a folder is needed (for \(path)): move or rename it"
        case EEXIST, ENOTEMPTY:
            return "\(path) already exists and is in the way: move or rename it"
        case EACCES, EPERM:
            return "permission denied for \(path): make it readable and writable for this user (chmod/chown), or choose another --output"
        case EROFS:
            return "\(path) is on a read-only file system: choose another --output"
        case ENOENT:
            return "\(path) does not exist"
        case ENAMETOOLONG:
            return "\(path): the path is too long"
        default:
            return "\(path): \(String(cString: strerror(code)))"
        }
    }

    /// Throws unless `url` is a regular file (following symbolic links): a folder, a named
    /// pipe or a device would otherwise fail late, block, or be reported as something else.
    public static func requireRegularFile(_ url: URL, role: String) throws {
        var info = stat()
        guard stat(url.path, &info) == 0 else { throw FileProblem(message: "\(role) \(describe(errno: errno, path: url.path))") }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFDIR: throw FileProblem(message: "\(role) \(url.path) is a folder, not a file")
        case S_IFIFO: throw FileProblem(message: "\(role) \(url.path) is a named pipe, not a regular file: give a file")
        default: throw FileProblem(message: "\(role) \(url.path) is not a regular file (a device or socket): give a file")
        }
    }

    /// The errno behind `error` and the path it names, when it has them.
    static func posixCode(of error: Error) -> (Int32?, String?) {
        if let posix = error as? POSIXError { return (posix.code.rawValue, nil) }
        let ns = error as NSError
        let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return (Int32(underlying.code), path)
        }
        if ns.domain == NSPOSIXErrorDomain { return (Int32(ns.code), path) }
        guard ns.domain == NSCocoaErrorDomain else { return (nil, path) }
        switch CocoaError.Code(rawValue: ns.code) {
        case .fileWriteOutOfSpace: return (ENOSPC, path)
        case .fileWriteFileExists: return (EEXIST, path)
        case .fileNoSuchFile, .fileReadNoSuchFile: return (ENOENT, path)
        case .fileWriteNoPermission, .fileReadNoPermission: return (EACCES, path)
        case .fileWriteVolumeReadOnly: return (EROFS, path)
        default: return (path.flatMap(diagnose), path)
        }
    }

    /// For Foundation's "unknown" codes, which carry no errno: what is wrong with `path`, if
    /// something visibly is (a file where a folder is needed, a folder where a file is).
    static func diagnose(_ path: String) -> Int32? {
        if firstFileComponent(of: path) != nil { return ENOTDIR }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { return EISDIR }
        return nil
    }

    /// The first proper ancestor of `path` that exists and is not a folder.
    public static func firstFileComponent(of path: String) -> String? {
        var prefix = URL(fileURLWithPath: path).deletingLastPathComponent()
        var ancestors: [URL] = []
        while prefix.path != "/" && !prefix.path.isEmpty { ancestors.append(prefix); prefix.deleteLastPathComponent() }
        for ancestor in ancestors.reversed() {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory) {
                if !isDirectory.boolValue { return ancestor.path }
            } else { return nil }
        }
        return nil
    }
}

/// A problem with a file or folder, already phrased for the user.
public struct FileProblem: Error, LocalizedError, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
    public var errorDescription: String? { message }
}
