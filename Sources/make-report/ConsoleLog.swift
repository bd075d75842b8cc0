import Experiments
import Foundation
import NeuralNet

/// Progress for people: on a terminal, one live line per running experiment (epoch,
/// batch, validation accuracy, time left) redrawn in place; elsewhere plain lines, one per
/// finished run and at most one progress line per run every 15 s. Beside them, one line for
/// the whole run (`RunProgress`: runs done of all, time left): the last live line on a
/// terminal, elsewhere a plain "progress:" line at most every 30 s.
final class ConsoleLog: ExperimentLog, @unchecked Sendable {
    private let lock = NSLock()
    private let terminal = isatty(STDOUT_FILENO) == 1
    private struct Job {
        var summary: String
        var epochs: Int
        var epoch = 0
        var batch = 0
        var batches = 1
        var validation: Double?
        var started = Date()
        var lastPlain = Date()
    }
    private var jobs: [String: Job] = [:]
    private var order: [String] = []
    private var drawnLines = 0
    private var lastDraw = Date.distantPast
    private var progress = RunProgress()
    private let clockStart = Date()
    /// When the last plain "progress:" line was printed (nil: none yet).
    private var lastProgressLine: Date?
    /// Plain progress lines at most this often, in seconds.
    static let plainProgressInterval: TimeInterval = 30

    private var now: Double { Date().timeIntervalSince(clockStart) }

    func planned(_ runs: [PlannedRun], phase: String, workers: Int) {
        lock.lock(); defer { lock.unlock() }
        progress.workers = workers
        progress.plan(runs, phase: phase)
        // Both lines wait for a run to start: by then every phase is planned (the forecast
        // arrives phase by phase, and a total shown in between would flicker upwards).
        if terminal && progress.running > 0 { draw(force: true) }
    }

    /// Prints the plain progress line when there is something to train and 30 s have passed
    /// since the last one (or `force`, for the last line of a run).
    private func printProgress(force: Bool = false) {
        guard !terminal, progress.total > 0 else { return }
        if !force, let last = lastProgressLine, Date().timeIntervalSince(last) < Self.plainProgressInterval { return }
        lastProgressLine = Date()
        print("progress: " + progress.line(now: now))
        fflush(stdout)
    }

    func note(_ line: String) {
        lock.lock(); defer { lock.unlock() }
        erase()
        print(line)
        draw()
    }

    func started(job: String, summary: String, epochs: Int) {
        lock.lock(); defer { lock.unlock() }
        jobs[job] = Job(summary: summary, epochs: epochs)
        order.append(job)
        progress.start(job, at: now)
        printProgress()
        draw(force: true)
    }

    func event(job: String, _ event: TrainingEvent) {
        lock.lock(); defer { lock.unlock() }
        guard var j = jobs[job] else { return }
        switch event {
        case let .batchEnded(epoch, batch, batches, _):
            j.epoch = epoch; j.batch = batch; j.batches = batches
        case let .evaluated(point):
            if let v = point.metrics["validation"]?.accuracy { j.validation = v }
        default:
            break
        }
        jobs[job] = j
        if terminal { draw(); return }
        printProgress()
        if Date().timeIntervalSince(j.lastPlain) > 15 {
            jobs[job]?.lastPlain = Date()
            print("  \(job): \(status(j))")
            fflush(stdout)
        }
    }

    func finished(job: String, seconds: Double, outcome: String) {
        lock.lock(); defer { lock.unlock() }
        erase()
        jobs[job] = nil
        order.removeAll { $0 == job }
        progress.finish(job, seconds: seconds)
        print(String(format: "%@: %@ [%.1f s]", job, outcome, seconds))
        fflush(stdout)
        printProgress()
        draw(force: true)
    }

    /// Ends the live lines; elsewhere prints the final progress line if anything trained.
    func clear() {
        lock.lock(); defer { lock.unlock() }
        erase()
        if progress.done > 0 { printProgress(force: true) }
    }

    private func status(_ j: Job) -> String {
        let done = Double(max(j.epoch - 1, 0)) + Double(j.batch) / Double(max(j.batches, 1))
        let elapsed = Date().timeIntervalSince(j.started)
        let left = done > 0 ? elapsed * (Double(j.epochs) - done) / done : .nan
        let width = 20
        let filled = j.epochs > 0 ? Int(Double(width) * min(done / Double(j.epochs), 1)) : 0
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        var s = "\(bar) epoch \(j.epoch)/\(j.epochs) batch \(j.batch)/\(j.batches)"
        if let v = j.validation { s += String(format: " val %.2f%%", 100 * v) }
        if left.isFinite { s += String(format: " ~%.0f s left", left) }
        return s
    }

    private func erase() {
        guard terminal, drawnLines > 0 else { return }
        print("\u{1B}[\(drawnLines)A\u{1B}[J", terminator: "")
        drawnLines = 0
    }

    private func draw(force: Bool = false) {
        guard terminal else { return }
        guard force || Date().timeIntervalSince(lastDraw) > 0.1 else { return }
        erase()
        for name in order {
            guard let j = jobs[name] else { continue }
            print("  \(name)  \(status(j))")
        }
        drawnLines = order.count
        if progress.total > 0 {
            print("  all runs: " + progress.line(now: now))
            drawnLines += 1
        }
        lastDraw = Date()
        fflush(stdout)
    }
}
