import Foundation
import NeuralNet

/// One learning rate of a sweep: the final validation accuracy of each seed.
public struct SweepPoint: Sendable {
    public var learningRate: Double
    /// Per seed; nil where the run diverged.
    public var finalValidationAccuracy: [Double?]
    /// The sweep's runs, one per seed (validation evaluated at epoch ends only).
    public var runs: [RunResult] = []
    public var divergedSeeds: Int { finalValidationAccuracy.filter { $0 == nil }.count }
    /// Seeds whose run diverged or collapsed (`RunClass`): such a rate is never chosen.
    public var disqualifiedSeeds: Int { divergedSeeds + runs.filter { !$0.diverged && $0.runClass.disqualifiesRate }.count }
    /// Validation accuracy after `epoch`, per seed (seeds that diverged before are absent).
    public func validationAccuracy(epoch: Int) -> [UInt64: Double] {
        Dictionary(uniqueKeysWithValues: runs.compactMap { r in r.accuracy("validation", epoch: epoch).map { (r.spec.seed, $0) } })
    }
    /// Over the seeds that did not diverge.
    public var summary: Summary { Summary(finalValidationAccuracy.compactMap { $0 }) }
}

/// One of the bonus's choices on validation: a knob, its candidates and what won.
public struct Choice: Sendable {
    /// "dropout" or "T".
    public var knob: String
    public var step: String
    /// Candidate value -> final validation accuracy per choice seed.
    public var candidates: [(value: Double, accuracy: Summary)]
    public var chosen: Double
}

/// A table row after running: its sweep, the chosen rate and the plotted runs (one per seed).
public struct RowOutcome: Sendable {
    public var plan: RowPlan
    public var sweep: [SweepPoint]
    public var chosenLearningRate: Double
    public var runs: [RunResult]

    public init(plan: RowPlan, sweep: [SweepPoint], chosenLearningRate: Double, runs: [RunResult]) {
        self.plan = plan; self.sweep = sweep; self.chosenLearningRate = chosenLearningRate; self.runs = runs
    }

    public var id: String { plan.id }
    public var label: String { plan.label }
    public var parameterCount: Int { runs.first?.parameterCount ?? plan.template.parameterCount }
    public var divergedRuns: [RunResult] { runs.filter(\.diverged) }

    /// `set` accuracy after `epoch` per seed, for tests of differences (diverged seeds absent).
    public func values(_ set: String, epoch: Int) -> [UInt64: Double] {
        Dictionary(uniqueKeysWithValues: runs.compactMap { r in r.accuracy(set, epoch: epoch).map { (r.spec.seed, $0) } })
    }
    public func finalValues(_ set: String) -> [UInt64: Double] { values(set, epoch: finalEpoch) }
    /// Train minus test accuracy after the last epoch, per seed.
    public var finalGapValues: [UInt64: Double] {
        Dictionary(uniqueKeysWithValues: runs.compactMap { r -> (UInt64, Double)? in
            guard let a = r.accuracy("train", epoch: finalEpoch), let b = r.accuracy("test", epoch: finalEpoch) else { return nil }
            return (r.spec.seed, a - b)
        })
    }
    /// The sweep point at `learningRate`, if the row was swept there.
    public func sweepPoint(at learningRate: Double) -> SweepPoint? { sweep.first { $0.learningRate == learningRate } }

    /// Mean +- sd over seeds of `set` accuracy at the end of `epoch` (diverged seeds left out).
    public func accuracy(_ set: String, epoch: Int) -> Summary { Summary(runs.compactMap { $0.accuracy(set, epoch: epoch) }) }
    public func loss(_ set: String, epoch: Int) -> Summary { Summary(runs.compactMap { $0.loss(set, epoch: epoch) }) }
    public var finalEpoch: Int { plan.template.epochs }
    public func finalAccuracy(_ set: String) -> Summary { accuracy(set, epoch: finalEpoch) }
    public func finalLoss(_ set: String) -> Summary { loss(set, epoch: finalEpoch) }

    /// Train minus test accuracy after the last epoch, per seed (the overfitting gap).
    public var finalGap: Summary {
        Summary(runs.compactMap { run -> Double? in
            guard let train = run.accuracy("train", epoch: finalEpoch), let test = run.accuracy("test", epoch: finalEpoch) else { return nil }
            return train - test
        })
    }

    /// The learning rate picked from the grid by mean final validation accuracy: among rates
    /// where no seed diverged or collapsed (`RunClass`), the best mean; ties go to the
    /// earlier rate in the grid.
    public static func choose(from sweep: [SweepPoint]) -> Double? {
        var best: (lr: Double, acc: Double)?
        for point in sweep where point.disqualifiedSeeds == 0 && !point.finalValidationAccuracy.isEmpty {
            let m = point.summary.mean
            if best == nil || m > best!.acc { best = (point.learningRate, m) }
        }
        return best?.lr
    }
}

/// Everything the report is drawn from.
public struct Outcomes: Sendable {
    public var parameters: Parameters
    public var planner: Planner
    public var base: RowOutcome?
    public var gradientCheck: GradientCheckRecord?
    public var tricks: [RowOutcome] = []
    public var momentumAtBaseRate: RowOutcome?
    public var topologies: [RowOutcome] = []
    /// Task 5's chain, each step one change on its `baseline` step; the last is the final net.
    public var bonus: [RowOutcome] = []
    /// Task 5's final net with one change taken back each (`RowPlan.removes`).
    public var bonusLeaveOneOut: [RowOutcome] = []
    public var replication: [RowOutcome] = []
    /// The bonus's choices of dropout rate and T, in order.
    public var bonusChoices: [Choice] = []
    /// Task 5's pictures: task 2's base net and task 5's final net, looked into (seed 1).
    public var baseInspection: InspectionRecord?
    public var finalInspection: InspectionRecord?
    /// Groups whose results are not all available (not run yet, or excluded by --only).
    public var missing: Set<ExperimentGroup> = []
    /// Every result key and run name the outcomes were built from (for pruning the cache).
    public var keys: Set<String> = []
    public var names: Set<String> = []
    public var datasetChecksums: [String: String] = [:]

    public init(parameters: Parameters, planner: Planner) {
        self.parameters = parameters
        self.planner = planner
    }

    public var isComplete: Bool { missing.isEmpty }

    /// Every plotted training result (each row's runs, so a run shown in two rows appears
    /// twice), for provenance and timing tables.
    public var allRuns: [RunResult] {
        ([base].compactMap { $0 } + tricks + [momentumAtBaseRate].compactMap { $0 } + topologies + bonus + bonusLeaveOneOut
         + replication).flatMap(\.runs)
    }
}
