import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on a results folder (flock on `.lock`), so that two make-report
/// processes never interleave results: the second one waits, and says so.
final class FolderLock {
    private let fd: Int32

    init(directory: URL) throws {
        let path = directory.appendingPathComponent(".lock").path
        fd = open(path, O_CREAT | O_RDWR, 0o644)
        guard fd >= 0 else { throw CheckFailure(message: "cannot create the lock file \(path): \(String(cString: strerror(errno)))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            FileHandle.standardError.write(Data("make-report: another make-report is working in \(directory.path); waiting for it to finish…\n".utf8))
            guard flock(fd, LOCK_EX) == 0 else {
                throw CheckFailure(message: "cannot lock \(path): \(String(cString: strerror(errno)))")
            }
        }
    }

    func release() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
