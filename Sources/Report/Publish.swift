import Crypto
import Experiments
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The files a rendering replaces, as one set: paths relative to the output root
/// ("report/report.md", "figures/2c-base-curves.png").
public struct PublishSet: Sendable {
    /// Path -> the new bytes.
    public var files: [String: Data]
    /// Paths to remove (figures the report no longer draws).
    public var removals: [String]
    public init(files: [String: Data], removals: [String]) { self.files = files; self.removals = removals }
}

/// Replaces report.md and the figures as a set: a reader (or an interruption) sees either
/// every old file or every new one, never a new figure beside an old report.
///
/// How, in the folder `.make-report-publish` beside the outputs (same file system, so moves
/// are renames):
/// 1. *Stage*: the new files go to `new/`, then `manifest.json` (each path with the SHA-256
///    of its new bytes) is written. A failure here (disk full) deletes the folder; the
///    outputs were never touched.
/// 2. *Commit*: `journal.json` says "committing"; each old file is moved to `old/` and its new
///    one moved into place; removed files go to `old/` too. Then the folder is deleted. A
///    failure in this step moves every old file back (roll back).
/// 3. *Recover*: a folder left by a process that died (SIGKILL, power loss) is finished by the
///    next run: with a journal, the commit is completed (the manifest proves every new file
///    is whole); without one, the half-staged folder is deleted.
///
/// SIGINT and SIGTERM never cut a commit short: the signal handler takes `gate` first, which
/// a commit holds for its few renames, and each staging step for its one file (see
/// `Interruption` in make-report).
public final class Publisher: @unchecked Sendable {
    public static let folderName = ".make-report-publish"
    public let root: URL
    /// Called before every file operation with its description; tests throw from it to
    /// fail the publish half-way. A `PublishCrash` thrown from it skips the roll back, as a
    /// killed process would.
    public var beforeStep: (String) throws -> Void = { _ in }

    /// Held for the whole of a commit or a recovery, and for each staging step; the signal
    /// handler takes it and never gives it back.
    public static let gate = NSLock()
    nonisolated(unsafe) private static var publishedRoots: Set<String> = []
    private static let stateLock = NSLock()

    public init(root: URL) { self.root = root }

    public var folder: URL { root.appendingPathComponent(Self.folderName) }
    var newFolder: URL { folder.appendingPathComponent("new") }
    var oldFolder: URL { folder.appendingPathComponent("old") }
    var manifestURL: URL { folder.appendingPathComponent("manifest.json") }
    var journalURL: URL { folder.appendingPathComponent("journal.json") }

    struct Manifest: Codable {
        var install: [String: String]
        var removals: [String]
    }

    public enum Outcome: Equatable, Sendable {
        /// Files replaced or added, and files removed.
        case published(written: Int, removed: Int)
        /// Every file already had the new bytes.
        case unchanged
    }

    /// Whether a publish into `root` was completed by this process (for the signal handler's message).
    public static func hasPublished(into root: URL) -> Bool {
        stateLock.lock(); defer { stateLock.unlock() }
        return publishedRoots.contains(root.standardizedFileURL.path)
    }

    /// Stages `set`, then commits it. Files whose bytes are already in place are left alone.
    public func publish(_ set: PublishSet) throws -> Outcome {
        let changed = set.files.filter { (try? Data(contentsOf: root.appendingPathComponent($0.key))) != $0.value }
        let removals = set.removals.filter { FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path) }
        guard !changed.isEmpty || !removals.isEmpty else { return .unchanged }
        try checkTargets(Array(changed.keys) + removals)
        do {
            try stage(changed, removals: removals)
        } catch {
            discard()
            throw PublishError.staging(reason: describe(error), root: root.path)
        }
        Self.gate.lock()
        defer { Self.gate.unlock() }
        do {
            try commit()
        } catch let crash as PublishCrash {
            throw crash
        } catch {
            let reason = describe(error)
            do {
                try rollBack()
            } catch {
                throw PublishError.rollBackFailed(reason: reason, rollBack: describe(error), folder: folder.path)
            }
            throw PublishError.rolledBack(reason: reason, root: root.path)
        }
        Self.stateLock.lock(); Self.publishedRoots.insert(root.standardizedFileURL.path); Self.stateLock.unlock()
        return .published(written: changed.count, removed: removals.count)
    }

    /// Whether an earlier run left a publish unfinished here.
    public var isPending: Bool { FileManager.default.fileExists(atPath: folder.path) }

    public enum Recovery: Equatable, Sendable {
        /// A commit was under way: it was completed.
        case completed(files: Int)
        /// Staging had not finished: the partial copy was deleted (the outputs were untouched).
        case discarded
    }

    /// Finishes or undoes what an earlier, killed run left (see the type's comment); nil if nothing.
    public func recover() throws -> Recovery? {
        guard isPending else { return nil }
        Self.gate.lock()
        defer { Self.gate.unlock() }
        guard FileManager.default.fileExists(atPath: journalURL.path) else {
            try FileManager.default.removeItem(at: folder)
            return .discarded
        }
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: manifestURL))
        try commit(manifest: manifest)
        return .completed(files: manifest.install.count)
    }

    /// Deletes a staging folder that has no journal (a publish not yet committing); used on
    /// every exit path. Returns false, leaving it for the next run, when a commit was under way.
    @discardableResult
    public func discard() -> Bool {
        guard !FileManager.default.fileExists(atPath: journalURL.path) else { return false }
        try? FileManager.default.removeItem(at: folder)
        return true
    }

    // MARK: Steps

    /// Each step holds `gate`: the signal handler takes it and then deletes the staging
    /// folder, so no step can run mid-deletion (a step's `createDirectory` would otherwise
    /// re-create the folder the handler had just removed, and leave it behind).
    private func stage(_ files: [String: Data], removals: [String]) throws {
        let fm = FileManager.default
        try Self.step {
            if fm.fileExists(atPath: folder.path) { try fm.removeItem(at: folder) }
            try fm.createDirectory(at: newFolder, withIntermediateDirectories: true)
        }
        var install: [String: String] = [:]
        for (path, data) in files.sorted(by: { $0.key < $1.key }) {
            let url = newFolder.appendingPathComponent(path)
            try beforeStep("stage \(path)")
            try Self.step {
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try writeDurably(data, to: url)
            }
            install[path] = Self.sha256(data)
        }
        try beforeStep("write manifest")
        try Self.step {
            try writeDurably(JSONEncoder.sorted.encode(Manifest(install: install, removals: removals)), to: manifestURL)
        }
    }

    private static func step(_ body: () throws -> Void) throws {
        gate.lock(); defer { gate.unlock() }
        try body()
    }

    private func commit() throws {
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: manifestURL))
        try beforeStep("write journal")
        try writeDurably(Data(#"{"state":"committing"}"#.utf8), to: journalURL)
        try commit(manifest: manifest)
    }

    /// Moves every new file into place (old ones to `old/`) and removes the removals; each
    /// step checks where it stands, so running it again after a crash is safe.
    private func commit(manifest: Manifest) throws {
        let fm = FileManager.default
        for (path, digest) in manifest.install.sorted(by: { $0.key < $1.key }) {
            let target = root.appendingPathComponent(path), staged = newFolder.appendingPathComponent(path)
            guard fm.fileExists(atPath: staged.path) else { continue }   // already moved into place
            let saved = oldFolder.appendingPathComponent(path)
            guard (try? Self.sha256(Data(contentsOf: staged))) == digest else {
                throw PublishError.damagedStaging(path: staged.path)
            }
            if fm.fileExists(atPath: target.path) && !fm.fileExists(atPath: saved.path) {
                try beforeStep("save old \(path)")
                try fm.createDirectory(at: saved.deletingLastPathComponent(), withIntermediateDirectories: true)
                try move(target, to: saved)
            }
            try beforeStep("install \(path)")
            try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try move(staged, to: target)
        }
        for path in manifest.removals {
            let target = root.appendingPathComponent(path), saved = oldFolder.appendingPathComponent(path)
            guard fm.fileExists(atPath: target.path) else { continue }
            try beforeStep("remove \(path)")
            try fm.createDirectory(at: saved.deletingLastPathComponent(), withIntermediateDirectories: true)
            try move(target, to: saved)
        }
        try beforeStep("finish")
        try fm.removeItem(at: journalURL)
        try? fm.removeItem(at: folder)
    }

    /// Puts every old file back and deletes new files that had no old version.
    private func rollBack() throws {
        let fm = FileManager.default
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: manifestURL))
        for path in Array(manifest.install.keys) + manifest.removals {
            let target = root.appendingPathComponent(path)
            let saved = oldFolder.appendingPathComponent(path), staged = newFolder.appendingPathComponent(path)
            if fm.fileExists(atPath: saved.path) {
                try move(saved, to: target)
            } else if manifest.install[path] != nil, !fm.fileExists(atPath: staged.path), fm.fileExists(atPath: target.path) {
                try fm.removeItem(at: target)   // new, with no old version: undo by removing it
            }
        }
        try? fm.removeItem(at: journalURL)
        try fm.removeItem(at: folder)
    }

    /// Before staging: every target's folder must be a folder (or not exist yet), and no
    /// target may be a folder, so that the commit cannot fail on the outputs' shape.
    private func checkTargets(_ paths: [String]) throws {
        for path in paths {
            let target = root.appendingPathComponent(path)
            if let blocker = FileErrors.firstFileComponent(of: target.path) {
                throw FileProblem(message: "\(blocker) is a file where a folder is needed (for \(target.path)): move or rename it; "
                                  + "nothing was changed")
            }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory), isDirectory.boolValue {
                throw FileProblem(message: "\(target.path) is a folder where the report writes a file: move or rename it; nothing was changed")
            }
        }
    }

    private func move(_ from: URL, to: URL) throws {
        if rename(from.path, to.path) != 0 {
            throw FileProblem(message: FileErrors.describe(errno: errno, path: to.path))
        }
    }

    private func writeDurably(_ data: Data, to url: URL) throws {
        try data.write(to: url)
        let fd = open(url.path, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
    }

    private func describe(_ error: Error) -> String {
        (error as? FileProblem)?.message ?? (error as? PublishError)?.description ?? FileErrors.describe(error)
    }

    static func sha256(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }
}

/// Thrown by a test's `beforeStep` to stop a publish as a kill would: nothing rolled back.
public struct PublishCrash: Error { public init() {} }

/// What went wrong in a publish, and the state the outputs are in.
public enum PublishError: Error, CustomStringConvertible, LocalizedError {
    case staging(reason: String, root: String)
    case rolledBack(reason: String, root: String)
    case rollBackFailed(reason: String, rollBack: String, folder: String)
    case damagedStaging(path: String)

    public var description: String {
        switch self {
        case .staging(let reason, let root):
            "\(reason). The new report was not published: report.md and the figures under \(root) were not changed"
        case .rolledBack(let reason, let root):
            "\(reason). Publishing was rolled back: report.md and the figures under \(root) are as they were"
        case .rollBackFailed(let reason, let rollBack, let folder):
            "\(reason); putting the old files back failed too (\(rollBack)). The next make-report completes the change from \(folder)"
        case .damagedStaging(let path):
            "\(path) does not match the manifest beside it (a staged file was changed); nothing more was moved"
        }
    }
    public var errorDescription: String? { description }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted]
        return e
    }
}
