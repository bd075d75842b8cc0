import Foundation

/// One run the experimenter expects to train, for the whole run's progress line.
public struct PlannedRun: Sendable, Equatable {
    /// The job's name ("3/N/lr=0.1/seed=2/sweep").
    public var name: String
    /// Wall seconds of a comparable run trained before (the same task, row and seed, found in
    /// the cache under this name), when there is one.
    public var expectedSeconds: Double?
    /// Relative cost (`Experimenter`'s parameters x epochs x evaluations), which scales the
    /// seconds of measured runs to runs without a comparable one.
    public var cost: Double

    public init(name: String, expectedSeconds: Double?, cost: Double) {
        self.name = name; self.expectedSeconds = expectedSeconds; self.cost = cost
    }
}

/// Runs done of all the runs a `make-report` will train, and the time left. The experimenter
/// trains in phases (fixed runs and sweeps; the bonus's choices; the runs at the chosen
/// rates) and only knows a later phase's runs once the earlier ones chose their rates, so at
/// the start it forecasts the later phases and each forecast is replaced by the actual list
/// when its phase begins. Times are seconds on the caller's clock.
public struct RunProgress: Sendable {
    private var phases: [String: [PlannedRun]] = [:]
    private var started: [String: Double] = [:]
    private var finished: [String: Double] = [:]
    /// Runs trained at once (`--jobs`), which divides the work left.
    public var workers: Int = 1

    public init() {}

    /// Sets (or replaces the forecast of) the runs of `phase`.
    public mutating func plan(_ runs: [PlannedRun], phase: String) { phases[phase] = runs }

    public mutating func start(_ name: String, at time: Double) { started[name] = time }

    public mutating func finish(_ name: String, seconds: Double) {
        started[name] = nil
        finished[name] = seconds
    }

    private var planned: [PlannedRun] { phases.keys.sorted().flatMap { phases[$0]! } }

    /// All runs planned or forecast, of every phase.
    public var total: Int { planned.count }
    public var done: Int { planned.filter { finished[$0.name] != nil }.count }
    public var running: Int { started.count }

    /// Seconds per unit of cost: from the runs finished in this process when there are any
    /// (this machine, this load), else from the comparable runs' recorded times.
    private var secondsPerCost: Double? {
        let runs = planned
        let measured = runs.compactMap { r in finished[r.name].map { ($0, r.cost) } }
        let known = measured.isEmpty ? runs.compactMap { r in r.expectedSeconds.map { ($0, r.cost) } } : measured
        let cost = known.reduce(0) { $0 + $1.1 }
        guard !known.isEmpty, cost > 0 else { return nil }
        return known.reduce(0) { $0 + $1.0 } / cost
    }

    /// The wall time left: each unfinished run's expected seconds (its comparable run's, else
    /// its cost times the rate of the known ones), less what a running one has used, shared
    /// among the workers. Nil while nothing is known to estimate from.
    public func secondsLeft(now: Double) -> Double? {
        let rate = secondsPerCost
        var work = 0.0
        var runs = 0
        for run in planned where finished[run.name] == nil {
            guard let expected = run.expectedSeconds ?? rate.map({ $0 * run.cost }) else { return nil }
            let used = started[run.name].map { now - $0 } ?? 0
            work += max(expected - used, 0)
            runs += 1
        }
        return runs == 0 ? 0 : work / Double(max(1, min(workers, runs)))
    }

    /// "27/290 runs done, 2 running, about 41 min left".
    public func line(now: Double) -> String {
        var s = "\(done)/\(total) runs done"
        if running > 0 { s += ", \(running) running" }
        if done < total {
            if let left = secondsLeft(now: now) { s += ", about \(Self.duration(left)) left" } else { s += ", time left not known yet" }
        }
        return s
    }

    /// "45 s", "12 min", "1 h 05 min".
    public static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 90 { return "\(s) s" }
        let minutes = Int((seconds / 60).rounded())
        if minutes < 60 { return "\(minutes) min" }
        return String(format: "%d h %02d min", minutes / 60, minutes % 60)
    }
}
