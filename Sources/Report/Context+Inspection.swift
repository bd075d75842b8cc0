import Experiments
import Foundation
import NeuralNet

/// What the three task 5 pictures show, in numbers the discussion quotes: the confusions
/// that dominate, how they changed from the base net, how sure the net is of its worst
/// mistakes, and where in the image the first layer puts its weight.
struct InspectionContext: Codable {
    /// Always true: the section is absent (false) without both inspections.
    var available: Bool
    var finalLabel: String
    var base: NetInspectionContext
    var final: NetInspectionContext
    var tilesShown: String
    var topPairs: String
    var topShare: String
    var baseTopPairs: String
    /// How many of the final net's top confusions are among the base net's: "none", "one", "all three".
    var sharedTop: String
    var topCount: String
    var shareCells: String
    var box: String
    var frame: String
    var sharedTopOne: Bool
    var mutual: MutualConfusionContext
    var mostWrong: MostWrongContext
}

/// One inspected net: its test accuracy recomputed, and how far training moved its first
/// layer in the digit box and in the frame around it (`WeightRegions`).
struct NetInspectionContext: Codable {
    var accuracy: String
    var wrong: String
    var seed: String
    var units: String
    var inputs: String
    /// The recomputed accuracy equals the run's reported one.
    var reproduced: Bool
    var initialRMS: String
    var centreChange: String
    var frameChange: String
    var centreChangeRatio: String
    var frameChangeRatio: String
    var initializer: String
    /// The learned change is under half the initial spread: the tiles show mostly the initial draw.
    var mostlyInitial: Bool
    var centreMovedMore: Bool
}

/// Two digits confused both ways among the largest cells ("" each when none).
struct MutualConfusionContext: Codable {
    var any: Bool
    var a: String
    var b: String
}

/// The final net's most confidently wrong images: how many, their probabilities.
struct MostWrongContext: Codable {
    var count: String
    var lowest: String
    var highest: String
    var over90: String
    var threshold: String
}

extension ContextBuilder {
    func inspectionContext() -> InspectionContext? {
        guard let base = outcomes.baseInspection, let final = outcomes.finalInspection else { return nil }
        let finalPairs = ConfusionPairs(final.confusion), basePairs = ConfusionPairs(base.confusion)
        let topFinal = finalPairs.top(Self.confusionsNamed)
        let shared = topFinal.filter { p in basePairs.top(Self.confusionCellsSummed).contains { $0.cell == p.cell } }.count
        let mutual = finalPairs.mutual(within: Self.confusionCellsSummed)
        let p = final.mostConfidentlyWrong.map(\.probability)
        return InspectionContext(
            available: true,
            finalLabel: outcomes.bonus.last?.label ?? "last step",
            base: netContext(base, row: outcomes.base),
            final: netContext(final, row: outcomes.bonus.last),
            tilesShown: "\(min(Figures.tilesShown, final.hiddenUnits))",
            topPairs: Words.list(topFinal.map(\.text)),
            topShare: Format.percent(finalPairs.share(of: Self.confusionCellsSummed), decimals: 0),
            baseTopPairs: Words.list(basePairs.top(Self.confusionsNamed).map(\.text)),
            sharedTop: shared == 0 ? "none" : shared == topFinal.count && shared > 1 ? "all \(Words.number(shared))" : Words.number(shared),
            topCount: Words.number(Self.confusionsNamed),
            shareCells: Words.number(Self.confusionCellsSummed),
            box: "\(WeightRegions.box)", frame: "\(WeightRegions.frame)",
            sharedTopOne: shared == 1,
            mutual: MutualConfusionContext(any: mutual != nil, a: mutual.map { "\($0.0)" } ?? "", b: mutual.map { "\($0.1)" } ?? ""),
            mostWrong: MostWrongContext(
                count: "\(p.count)",
                lowest: String(format: "%.2f", p.min() ?? .nan),
                highest: String(format: "%.2f", p.max() ?? .nan),
                over90: Words.count(p.filter { $0 > Self.confidentProbability }.count, "image"),
                threshold: Format.rate(Self.confidentProbability)))
    }

    /// The confusions the text names, the cells whose share of the errors it gives, and the
    /// probability above which a wrong answer counts as confident.
    static var confusionsNamed: Int { 3 }
    static var confusionCellsSummed: Int { 5 }
    static var confidentProbability: Double { 0.9 }

    private func netContext(_ record: InspectionRecord, row: RowOutcome?) -> NetInspectionContext {
        let run = row?.runs.first { $0.key == record.runKey }
        let reported = run.flatMap { r in row.flatMap { r.accuracy("test", epoch: $0.finalEpoch) } }
        let regions = WeightRegions(record)
        return NetInspectionContext(
            accuracy: Format.percent(record.accuracy),
            wrong: Format.integer(record.testImages - record.correct),
            seed: "\(record.spec.run.seed)",
            units: "\(record.hiddenUnits)",
            inputs: "\(record.inputs)",
            reproduced: reported == record.accuracy,
            initialRMS: Format.significant(regions.centre.initial),
            centreChange: Format.significant(regions.centre.change),
            frameChange: Format.significant(regions.frame.change),
            centreChangeRatio: Format.percent(regions.centre.change / regions.centre.initial, decimals: 0),
            frameChangeRatio: Format.percent(regions.frame.change / regions.frame.initial, decimals: 0),
            initializer: Initializer(name: record.spec.run.initializer)?.displayName ?? record.spec.run.initializer,
            mostlyInitial: regions.centre.change < 0.5 * regions.centre.initial,
            centreMovedMore: regions.centre.change > regions.frame.change)
    }
}
