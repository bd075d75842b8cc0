import Dispatch
import Experiments
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Turns SIGINT and SIGTERM into a clean stop: results already finished are on disk
/// (each written atomically), the run in progress leaves nothing behind, the report and
/// figures are untouched (they are only written after every experiment is done), and the
/// next run resumes from the cache.
enum Interruption {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    static func install(store: ResultStore, resultsDirectory: URL) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                try? store.saveIndex()
                removeStaleTemporaryFiles(in: resultsDirectory)
                let name = sig == SIGINT ? "SIGINT" : "SIGTERM"
                let message = "\nmake-report: stopped by \(name). Finished experiments are cached in \(resultsDirectory.path); "
                    + "the report and figures were not changed. Run make-report again to resume.\n"
                FileHandle.standardError.write(Data(message.utf8))
                _exit(130)
            }
            source.resume()
            sources.append(source)
        }
    }
}
