import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A claim on one cache key in a shared results folder, so that two workers (two Slurm
/// arrays on the same folder, or a re-submission while the first still runs) never train
/// the same key at the same time.
///
/// The claim is `<folder>/.claims/<key>.claim`, created with `link(2)` from a private
/// temporary file: exclusive on local file systems and on NFS, where `O_EXCL` is not
/// reliable. Its holder touches it every `timeout / 4` seconds (a heartbeat); a claim not
/// touched for `timeout` seconds, or one held by a process of this host that no longer
/// exists, is stale and may be taken over (a worker killed with SIGKILL or a node that
/// died leaves one behind). The claim is removed when the key's result is written, or when
/// the worker stops.
public final class ClaimFile: @unchecked Sendable {
    public let url: URL
    /// Who claimed it: release removes the file only while it still names this holder (a
    /// worker that took the claim over as stale owns it now).
    public let holder: Holder
    private let heartbeat: DispatchSourceTimer
    private var released = false
    private let lock = NSLock()

    /// Who holds a claim: written into the file for people and for the staleness test.
    public struct Holder: Codable, Sendable, Equatable {
        public var host: String
        public var pid: Int32
        /// The Slurm job (`SLURM_JOB_ID`), or "local".
        public var job: String
    }

    /// Every claim this process holds, so a signal handler can give them up.
    nonisolated(unsafe) private static var held: [ObjectIdentifier: ClaimFile] = [:]
    private static let heldLock = NSLock()

    /// Gives up every claim this process holds (on SIGTERM, before exiting).
    public static func releaseAll() {
        heldLock.lock(); let all = Array(held.values); heldLock.unlock()
        for claim in all { claim.release() }
    }

    private init(url: URL, holder: Holder, timeout: TimeInterval) {
        self.url = url
        self.holder = holder
        heartbeat = DispatchSource.makeTimerSource(queue: .global())
        let interval = max(timeout / 4, 0.05)
        heartbeat.schedule(deadline: .now() + interval, repeating: interval)
        heartbeat.setEventHandler { [url] in _ = utimes(url.path, nil) }
        heartbeat.resume()
        Self.heldLock.lock(); Self.held[ObjectIdentifier(self)] = self; Self.heldLock.unlock()
    }


    /// The claims folder of a results folder.
    public static func directory(in results: URL) -> URL { results.appendingPathComponent(".claims") }

    /// The outcome of trying to claim a key.
    public enum Attempt {
        case claimed(ClaimFile)
        /// Someone else holds a live claim.
        case held(by: Holder?)
    }

    /// Claims `key`, taking over a stale claim. Throws when the folder cannot be written.
    public static func claim(key: String, in results: URL, timeout: TimeInterval, holder: Holder = .current) throws -> Attempt {
        let dir = directory(in: results)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let target = dir.appendingPathComponent("\(key).claim")
        let temp = dir.appendingPathComponent(".\(key).\(holder.host).\(holder.pid).\(UInt32.random(in: 0...UInt32.max)).tmp")
        try JSONEncoder().encode(holder).write(to: temp)
        defer { unlink(temp.path) }
        for _ in 0..<3 {
            if link(temp.path, target.path) == 0 { return .claimed(ClaimFile(url: target, holder: holder, timeout: timeout)) }
            guard errno == EEXIST else {
                throw CocoaError(.fileWriteNoPermission, userInfo: [NSLocalizedDescriptionKey:
                    "cannot create the claim \(target.path): \(String(cString: strerror(errno)))"])
            }
            guard let stale = staleClaim(at: target, timeout: timeout) else { return .held(by: read(target)) }
            takeOver(target, stale: stale)
        }
        return .held(by: read(target))
    }

    /// The inode of the claim at `url` when it is stale (not touched for `timeout`, or held
    /// by a dead process of this host); nil when it is live or gone.
    static func staleClaim(at url: URL, timeout: TimeInterval) -> ino_t? {
        var st = stat()
        guard stat(url.path, &st) == 0 else { return nil }
        let age = Date().timeIntervalSince1970 - (Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9)
        if age > timeout { return st.st_ino }
        if let h = read(url), h.host == Holder.current.host, kill(h.pid, 0) != 0, errno == ESRCH { return st.st_ino }
        return nil
    }

    /// Moves a stale claim aside; if another worker replaced it in between (a different
    /// inode was moved), puts that one back.
    static func takeOver(_ url: URL, stale: ino_t) {
        let aside = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).stale.\(Holder.current.pid).\(UInt32.random(in: 0...UInt32.max))")
        guard rename(url.path, aside.path) == 0 else { return }
        var st = stat()
        if stat(aside.path, &st) == 0, st.st_ino != stale { _ = link(aside.path, url.path) }
        unlink(aside.path)
    }

    static func read(_ url: URL) -> Holder? {
        (try? Data(contentsOf: url)).flatMap { try? JSONDecoder().decode(Holder.self, from: $0) }
    }

    /// Gives the claim up (idempotent).
    public func release() {
        lock.lock(); defer { lock.unlock() }
        guard !released else { return }
        released = true
        heartbeat.cancel()
        Self.heldLock.lock(); Self.held[ObjectIdentifier(self)] = nil; Self.heldLock.unlock()
        if ClaimFile.read(url) == holder { unlink(url.path) }
    }
}

extension ClaimFile.Holder {
    /// This process.
    public static var current: Self {
        Self(host: hostName(), pid: getpid(), job: ProcessInfo.processInfo.environment["SLURM_JOB_ID"] ?? "local")
    }
}

/// This machine's host name (gethostname), as Slurm and `hostname` print it.
public func hostName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count) == 0 else { return "unknown" }
    return String(cString: buffer)
}
