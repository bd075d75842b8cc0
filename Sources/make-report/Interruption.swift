import Dispatch
import Experiments
import Foundation
import Report
#if canImport(Glibc)
import Glibc
#endif

/// Turns SIGINT and SIGTERM into a clean stop: results already finished are on disk (each
/// written atomically) and the run in progress leaves nothing behind; the report and
/// figures are either all old or all new (a publish under way is completed first, see
/// `Publisher.gate`); temporary folders are removed; the message says which of these
/// happened; the exit status is 128 + the signal (130, 143), as a shell reports it.
enum Interruption {
    private struct State {
        var outputRoot: URL?
        var store: ResultStore?
        var publisher: Publisher?
        var temporary: [URL] = []
    }
    nonisolated(unsafe) private static var state = State()
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    private static let lock = NSLock()

    static func install() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { stop(sig) }
            source.resume()
            sources.append(source)
        }
    }

    static func watch(outputRoot: URL? = nil, store: ResultStore? = nil, publisher: Publisher? = nil) {
        lock.lock(); defer { lock.unlock() }
        if let outputRoot { state.outputRoot = outputRoot }
        if let store { state.store = store }
        if let publisher { state.publisher = publisher }
    }

    /// A new folder `<prefix>-XXXXXX` in the temporary directory, removed on every exit:
    /// normal, error or signal (call `removeNow` at the end). It is created and registered
    /// under one lock, so a signal cannot arrive between the two and leave it behind.
    static func temporaryFolder(_ prefix: String) throws -> URL {
        let base = FileManager.default.temporaryDirectory
        var template = Array(base.appendingPathComponent("\(prefix)-XXXXXX").path.utf8CString)
        lock.lock(); defer { lock.unlock() }
        guard let made = mkdtemp(&template) else {
            throw FileProblem(message: "cannot create a temporary folder: " + FileErrors.describe(errno: errno, path: base.path))
        }
        let url = URL(fileURLWithPath: String(cString: made))
        state.temporary.append(url)
        return url
    }

    /// Removes the temporary folders and a staging folder that never began committing.
    ///
    /// On a signal the main thread may still be writing figures into a folder while it is
    /// removed, and a file created mid-removal makes the last `rmdir` fail. So each folder is
    /// first renamed (atomic): paths under the old name then fail to resolve, nothing new can
    /// appear in the renamed folder, and removing it cannot be outrun.
    ///
    /// One removal at a time (`removal`): a signal that arrives while the normal exit is
    /// removing a renamed folder waits for that removal to end and then finishes what is
    /// left, instead of exiting halfway through it and leaving `<folder>.removing` behind.
    static func removeNow() {
        removal.lock(); defer { removal.unlock() }
        lock.lock(); let s = state; lock.unlock()
        let files = FileManager.default
        for url in s.temporary {
            let doomed = URL(fileURLWithPath: url.path + ".removing")
            if files.fileExists(atPath: url.path), rename(url.path, doomed.path) != 0 {
                for _ in 0..<3 where files.fileExists(atPath: url.path) { try? files.removeItem(at: url) }
            }
            for _ in 0..<3 where files.fileExists(atPath: doomed.path) { try? files.removeItem(at: doomed) }
        }
        s.publisher?.discard()
    }
    private static let removal = NSLock()

    private static func stop(_ sig: Int32) {
        Publisher.gate.lock()   // a commit under way finishes first; this never gives it back
        AtomicWrites.gate.lock()   // likewise for atomic writes: none can start after the clean-up below
        lock.lock(); let s = state; lock.unlock()
        try? s.store?.saveIndex(gated: false)
        if let store = s.store { removeStaleTemporaryFiles(in: store.directory) }
        removeNow()
        let name = sig == SIGINT ? "SIGINT" : "SIGTERM"
        var message = "\nmake-report: stopped by \(name)."
        if let store = s.store, !store.readOnly {
            message += " Finished experiments are cached in \(store.directory.path); run make-report again to resume."
        }
        if let root = s.outputRoot {
            message += Publisher.hasPublished(into: root)
                ? " The new report.md and figures under \(root.path) had been published before the stop."
                : " report.md and the figures under \(root.path) were not changed."
        }
        FileHandle.standardError.write(Data((message + "\n").utf8))
        _exit(128 + sig)
    }
}
