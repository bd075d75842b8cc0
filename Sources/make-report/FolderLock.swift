import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on a results folder (flock on `.lock`), so that two make-report
/// processes never interleave results: the second one waits, and says so. Runs that write
/// nothing (--check, --dry-run) take a shared lock instead, without creating the file or
/// waiting (see `shared(directory:)`).
final class FolderLock {
    private let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    enum Shared {
        /// No lock file (nobody ever wrote here) or it cannot be opened: nothing to wait for.
        case none
        case held(FolderLock)
        /// Another run holds the write lock.
        case busy
    }

    /// A shared (read) lock on `directory`'s `.lock`, if it exists; never creates, never waits.
    static func shared(directory: URL) -> Shared {
        let fd = open(directory.appendingPathComponent(".lock").path, O_RDONLY)
        guard fd >= 0 else { return .none }
        guard flock(fd, LOCK_SH | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            close(fd)
            return busy ? .busy : .none
        }
        return .held(FolderLock(fd: fd))
    }

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
