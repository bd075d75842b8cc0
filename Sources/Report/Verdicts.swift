import Experiments
import Foundation

/// One comparison the report states a verdict on: what was compared under which
/// conditions, the difference of means with its interval, and the verdict after Holm's
/// correction over every comparison of the report.
public struct Verdict: Sendable {
    public enum Direction: String, Sendable { case higher, lower, indistinguishable, untestable }

    public var id: String
    /// "S vs B, test accuracy after epoch 15, at lr 1 and 1" (for the closing list and tests).
    public var description: String
    public var a: Summary
    public var b: Summary
    /// nil when a side has fewer than two runs: no test, and no borrowed spread.
    public var difference: MeanDifference?
    /// Holm-adjusted over the whole family; nil without a test.
    public var adjustedP: Double?
    /// The id of an earlier comparison of exactly the same runs (task 4's base net is task
    /// 3's row N, so the per-sample rule's "64" is its "N"): this one repeats that verdict
    /// under its own name and does not enter Holm's family a second time.
    public var duplicateOf: String?

    /// The family-wise level of the report's verdicts.
    public static let level = 0.05

    public var direction: Direction {
        guard let d = difference, let p = adjustedP else { return .untestable }
        guard p < Self.level else { return .indistinguishable }
        return d.estimate > 0 ? .higher : .lower
    }
}

/// Every comparison of the report, defined in one place (`VerdictFamily.build`), tested and
/// corrected together, so that no sentence states a verdict the family did not test.
public struct VerdictFamily: Sendable {
    public private(set) var verdicts: [Verdict] = []

    public subscript(id: String) -> Verdict? { verdicts.first { $0.id == id } }

    /// A comparison's inputs: per-seed values of each side and whether they pair by seed.
    public struct Request {
        var id: String
        var description: String
        var a: [UInt64: Double]
        var b: [UInt64: Double]
        var paired: Bool
    }

    /// Tests every request and applies Holm's correction across all that could be tested,
    /// each set of data once: a request with the same values on both sides, paired alike, as
    /// an earlier one is that one's duplicate and takes its verdict.
    public init(_ requests: [Request]) {
        var out = requests.enumerated().map { i, r in
            Verdict(id: r.id, description: r.description, a: Summary(r.a.keys.sorted().map { r.a[$0]! }),
                    b: Summary(r.b.keys.sorted().map { r.b[$0]! }),
                    difference: MeanDifference.test(r.a, r.b, paired: r.paired), adjustedP: nil,
                    duplicateOf: requests[..<i].first { $0.a == r.a && $0.b == r.b && $0.paired == r.paired }?.id)
        }
        let tested = out.indices.filter { out[$0].difference != nil && out[$0].duplicateOf == nil }
        let adjusted = Holm.adjust(tested.map { out[$0].difference!.pValue })
        for (i, p) in zip(tested, adjusted) { out[i].adjustedP = p }
        for i in out.indices { if let original = out[i].duplicateOf { out[i].adjustedP = out.first { $0.id == original }?.adjustedP } }
        verdicts = out
    }

    /// The size of Holm's family: the comparisons with a test, each set of data once.
    public var testedCount: Int { verdicts.filter { $0.difference != nil && $0.duplicateOf == nil }.count }

    /// The template key of a verdict id: "3b.first@matched" -> "v3bFirstMatched".
    public static func key(_ id: String) -> String {
        var out = "v", upper = false
        for c in id {
            if c.isLetter || c.isNumber { out.append(upper ? Character(c.uppercased()) : c); upper = false } else { upper = true }
        }
        return out
    }
}

extension VerdictFamily {
    /// The report's comparisons. Each compares a row with the row it adds one change to, at
    /// the rates both chose (plotted runs, all seeds); where those rates differ, the same
    /// comparison is repeated at the candidate's rate from the sweeps (validation accuracy,
    /// the sweeps' seeds), so that a verdict never rests on a difference of rates alone.
    public static func build(_ o: Outcomes) -> VerdictFamily {
        var requests: [Request] = []
        func find(_ id: String, _ rows: [RowOutcome]) -> RowOutcome? { rows.first { $0.id == id } }
        func rates(_ a: Double, _ b: Double) -> String {
            a == b ? "both at lr \(Format.rate(a))" : "at lr \(Format.rate(a)) and \(Format.rate(b))"
        }
        let batchRows = o.tricks + o.topologies

        /// Whether the two rows' runs draw the same split, initialisation and order from each seed.
        func sharesDraws(_ a: RowOutcome, _ b: RowOutcome) -> Bool {
            a.runs.first.map { x in b.runs.first.map { x.spec.sharesRandomDraws(with: $0.spec) } ?? false } ?? false
        }
        /// a vs b on `set` at `epoch` (nil: the last), and the matched-rate repeat.
        func compare(_ id: String, _ a: RowOutcome?, _ b: RowOutcome?, set: String = "test", epoch: Int? = nil,
                     matched: Bool = true) {
            guard let a, let b else { return }
            let e = epoch ?? a.finalEpoch
            let paired = sharesDraws(a, b)
            let when = epoch == nil ? (a.finalEpoch == b.finalEpoch ? "after the last epoch" : "after the last epoch (\(a.finalEpoch) and \(b.finalEpoch))")
                : "after epoch \(e)"
            requests.append(Request(
                id: id,
                description: "\(a.id) vs \(b.id), \(set) accuracy \(when), \(rates(a.chosenLearningRate, b.chosenLearningRate))",
                a: a.values(set, epoch: e), b: b.values(set, epoch: epoch ?? b.finalEpoch), paired: paired))
            guard matched, a.chosenLearningRate != b.chosenLearningRate,
                  let pa = a.sweepPoint(at: a.chosenLearningRate), let pb = b.sweepPoint(at: a.chosenLearningRate) else { return }
            let sweepEpoch = epoch ?? pa.runs.first?.spec.epochs ?? a.finalEpoch
            requests.append(Request(
                id: id + "@matched",
                description: "\(a.id) vs \(b.id), validation accuracy after epoch \(sweepEpoch), both at lr \(Format.rate(a.chosenLearningRate)) (sweeps)",
                a: pa.validationAccuracy(epoch: sweepEpoch), b: pb.validationAccuracy(epoch: sweepEpoch), paired: paired))
        }
        /// The train−test gaps, paired by seed on the same condition as the accuracies.
        func compareGap(_ id: String, _ a: RowOutcome?, _ b: RowOutcome?) {
            guard let a, let b else { return }
            requests.append(Request(id: id, description: "\(a.id) vs \(b.id), train−test gap after the last epoch",
                                    a: a.finalGapValues, b: b.finalGapValues, paired: sharesDraws(a, b)))
        }

        // Task 2: is validation a stand-in for test? The same runs, so paired.
        if let base = o.base {
            requests.append(Request(id: "2.validation-test", description: "base network, validation vs test accuracy after the last epoch (same runs)",
                                    a: base.finalValues("validation"), b: base.finalValues("test"), paired: true))
        }
        // Task 3 and its per-sample replication (ledger claims 1-4).
        for (prefix, rows) in [("", o.tricks), ("R.", perSampleRows(o))] {
            compare(prefix + "3a", find("S", rows), find("B", rows), matched: prefix.isEmpty)
            compare(prefix + "3b.first", find("I", rows), find("S", rows), set: "validation", epoch: 1, matched: prefix.isEmpty)
            compare(prefix + "3b.final", find("I", rows), find("S", rows), matched: prefix.isEmpty)
            compare(prefix + "3c", find("N", rows), find("I", rows), matched: prefix.isEmpty)
            compare(prefix + "3d", find("M", rows), find("N", rows), matched: prefix.isEmpty)
            if prefix.isEmpty { compare("3d.first", find("M", rows), find("N", rows), set: "validation", epoch: 1, matched: false) }
        }
        // Task 4 (ledger claims 5-7), both rules.
        let h = o.planner.matchedTwoLayerSize
        let w = TopologyWidths(o)
        for (prefix, rows) in [("", o.topologies), ("R.", perSampleRows(o))] {
            let base = find(w.base, rows)
            compare(prefix + "4a.halving", find(w.half, rows), base, matched: prefix.isEmpty)
            compare(prefix + "4a.bottleneck", find(w.smallest, rows), base, matched: prefix.isEmpty)
            compare(prefix + "4b.test", find(w.double, rows), base, matched: prefix.isEmpty)
            compare(prefix + "4b.train", find(w.double, rows), base, set: "train", matched: false)
            compareGap(prefix + "4b.gap", find(w.double, rows), base)
            compare(prefix + "4c", find("\(h)-\(h)", rows), base, matched: prefix.isEmpty)
        }
        // Task 5: each step of the chain against the step it changes one thing of (same
        // rate), and the final net against itself with each change taken back.
        for step in o.bonus {
            guard let baseline = step.plan.baseline.flatMap({ find($0, o.bonus) }) else { continue }
            compare("5.\(step.id)", step, baseline, matched: false)
            compareGap("5.\(step.id).gap", step, baseline)
        }
        if let final = find(Planner.finalBonusID, o.bonus) {
            // A removal that gives back a chain step (the shorter schedule) is that step's own
            // comparison with the final net: tested once, not twice in the family.
            for row in o.bonusLeaveOneOut {
                let id = leaveOneOutID(row, chain: o.bonus)
                guard id.hasPrefix("5.loo.") else { continue }
                compare(id, final, row, matched: false)
                compareGap(id + ".gap", final, row)
            }
        }
        // The two rules, row by row.
        for r in o.replication {
            let id = String(r.id.dropFirst(2))
            guard let batch = find(id, batchRows) else { continue }
            requests.append(Request(
                id: "rule.\(id)",
                description: "\(id) per-sample vs mini-batch, test accuracy after the last epoch, \(rates(r.chosenLearningRate, batch.chosenLearningRate))",
                a: r.finalValues("test"), b: batch.finalValues("test"), paired: false))
        }
        return VerdictFamily(requests)
    }

    /// The verdict id of a task 5 leave-one-out row ("5.loo.Dropout"); a removal that gives
    /// back the final net's baseline step (the shorter schedule) is the final step's own
    /// comparison ("5.Long", final minus that step), tested once, not twice.
    public static func leaveOneOutID(_ row: RowOutcome, chain: [RowOutcome]) -> String {
        if let final = chain.last, let base = chain.first(where: { $0.id == final.plan.baseline }),
           base.plan.template == row.plan.template {
            return "5.\(final.id)"
        }
        return "5.loo.\(row.plan.removes ?? row.id)"
    }

    /// The replication's rows under the ids of the rows they replicate ("R-N" -> "N").
    static func perSampleRows(_ o: Outcomes) -> [RowOutcome] {
        o.replication.map { r in var r = r; r.plan.id = String(r.id.dropFirst(2)); return r }
    }
}

/// Task 4's widths as row ids, from the parameters: the base layer, its half and double
/// (4a and 4b of the assignment) and the smallest net tried (the bottleneck).
struct TopologyWidths {
    var base: String, half: String, double: String, smallest: String

    init(_ o: Outcomes) {
        let w = o.planner.baseTemplate.hiddenUnits.first ?? 64
        base = "\(w)"; half = "\(w / 2)"; double = "\(w * 2)"
        smallest = "\(o.parameters.topologies.hiddenUnits.min() ?? w)"
    }
}

extension Format {
    /// A difference of accuracies in points with its interval and test:
    /// "+0.09 points (95 % CI −0.30 to +0.48, Welch; Holm p = 1.00)".
    public static func interval(_ v: Verdict) -> String {
        guard let d = v.difference, let p = v.adjustedP else {
            return "no test: \(min(v.a.count, v.b.count)) run on one side, and no other row's spread is borrowed"
        }
        let signed = signedPoints
        let method = d.method == .paired ? "paired by seed, n = \(d.countA)" : "Welch, n = \(d.countA) and \(d.countB)"
        let holm = p < 0.001 ? "Holm p < 0.001" : "Holm p = \(pValue(p))"
        return "\(signed(d.estimate)) points, 95 % CI \(signed(d.low)) to \(signed(d.high)); \(method); \(holm)"
    }

    /// A difference of fractions in signed percentage points, two decimals: "+0.09", "−1.37".
    public static func signedPoints(_ x: Double) -> String {
        let s = String(format: "%.2f", abs(100 * x))
        return x < 0 && s != "0.00" ? "−" + s : "+" + s
    }

    /// p-values as a reader expects them: "< 0.001", "0.012", "1.00".
    public static func pValue(_ p: Double) -> String {
        p < 0.001 ? "< 0.001" : p < 0.1 ? String(format: "%.3f", p) : String(format: "%.2f", p)
    }
}
