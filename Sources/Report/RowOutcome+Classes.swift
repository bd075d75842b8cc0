import Experiments

extension RowOutcome {
    /// Per run, the median relative epoch-to-epoch change of validation loss over the second
    /// half of training (`RunClass.relativeSwing`), nil for a run with too few epoch ends.
    /// It is what "oscillates" means in this report, whether or not the run also collapsed.
    var validationSwings: [Double?] {
        runs.map { run in RunClass.relativeSwing((1...finalEpoch).compactMap { run.loss("validation", epoch: $0) }) }
    }

    /// The mean over runs of `validationSwings` (runs without one left out).
    var meanValidationSwing: Double { Summary(validationSwings.compactMap { $0 }).mean }

    /// How many runs oscillate: finite losses whose swing is above `RunClass.oscillationThreshold`.
    var oscillatingRunCount: Int {
        zip(runs, validationSwings).filter { run, swing in
            run.history.divergence == nil && (swing ?? 0) > RunClass.oscillationThreshold
        }.count
    }
}

extension Words {
    /// The runs that diverged, collapsed or oscillated, by class ("of 3 seeds, 2 collapsed and
    /// 1 oscillating"); "" when every run trained normally.
    static func classSummary(_ runs: [RunResult]) -> String {
        let found = runs.map(\.runClass)
        return classes([RunClass.diverged, .collapsed, .oscillating].map { cls in
            RunClassCount(name: cls.rawValue, count: found.filter { $0 == cls }.count, total: runs.count)
        })
    }
}
