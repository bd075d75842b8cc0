import Experiments
import Foundation
import NeuralNet

/// Task 4: hidden layers of other widths and two layers of about the same parameter count.
struct TopologiesContext: Codable {
    /// Always true: the section is absent (false) when task 4 has no rows.
    var available: Bool
    var v4aHalving: VerdictContext
    var v4aHalvingMatched: VerdictContext
    var v4aBottleneck: VerdictContext
    var v4aBottleneckMatched: VerdictContext
    var v4bTest: VerdictContext
    var v4bTestMatched: VerdictContext
    var v4bTrain: VerdictContext
    var v4bGap: VerdictContext
    var v4c: VerdictContext
    var v4cMatched: VerdictContext
    var table: String
    var row: RowsById<TopologyRows>
    /// The two-layer net's width per layer, its row id ("59-59") and chosen rate.
    var matchedSize: String
    var matchedId: String
    var matchedLr: String
    var matchedParameters: String
    var baseParameters: String
    /// The other two-layer nets of the parameters, "32-32 and 128-128"; absent when none.
    var extras: String?
    var extrasVerb: String
    var edge: String?
    var sweepClasses: String
    var curveRates: String
    var zoom: String?
    var widths: WidthsContext
    var baseRow: RowContext
    var halfRow: RowContext
    var doubleRow: RowContext
    var smallestRow: RowContext
    /// The bottleneck is worse and its train−test gap narrower than the base width's.
    var smallestUnderfits: Bool
}

/// Task 4's widths as row ids (`TopologyWidths`).
struct WidthsContext: Codable {
    var base: String
    var half: String
    var double: String
    var smallest: String
}

extension ContextBuilder {
    func topologiesContext() -> TopologiesContext? {
        let rows = outcomes.topologies
        guard !rows.isEmpty else { return nil }
        let h = outcomes.planner.matchedTwoLayerSize
        let base = outcomes.planner.baseTemplate
        var two = base; two.hiddenUnits = [h, h]
        let extras = p.topologies.twoLayerExtra.filter { $0 != [h, h] }.map { $0.map(String.init).joined(separator: "-") }
        let compared = Figures.oneVersusTwoLayerRows(outcomes)
        let w = TopologyWidths(outcomes)
        func widthRow(_ id: String) -> RowContext { row(id, in: rows).map(rowContext) ?? .missing }
        var underfits = false
        if let small = row(w.smallest, in: rows), let base = row(w.base, in: rows) {
            underfits = family["4a.bottleneck"]?.direction == .lower && small.finalGap.mean < base.finalGap.mean
        }
        return TopologiesContext(
            available: true,
            v4aHalving: verdict("4a.halving"), v4aHalvingMatched: verdict("4a.halving@matched"),
            v4aBottleneck: verdict("4a.bottleneck"), v4aBottleneckMatched: verdict("4a.bottleneck@matched"),
            v4bTest: verdict("4b.test"), v4bTestMatched: verdict("4b.test@matched"),
            v4bTrain: verdict("4b.train"), v4bGap: verdict("4b.gap"),
            v4c: verdict("4c"), v4cMatched: verdict("4c@matched"),
            table: epochTable(rows, includeRate: true, includeParameters: true).markdown,
            row: RowsById(rows.map(rowContext)),
            matchedSize: "\(h)",
            matchedId: "\(h)-\(h)",
            matchedLr: row("\(h)-\(h)", in: rows).map { Format.rate($0.chosenLearningRate) } ?? "–",
            matchedParameters: Format.integer(two.parameterCount),
            baseParameters: Format.integer(base.parameterCount),
            extras: extras.isEmpty ? nil : Words.list(extras),
            extrasVerb: extras.count == 1 ? "is" : "are",
            edge: edgeText(rows).nonEmpty,
            sweepClasses: sweepClasses(rows),
            curveRates: compared.map { "\($0.id): \(Format.rate($0.chosenLearningRate))" }.joined(separator: ", "),
            zoom: zoom(Figures.topologiesAccuracyFloor, compared, sets: ["train", "validation"]),
            widths: WidthsContext(base: w.base, half: w.half, double: w.double, smallest: w.smallest),
            baseRow: widthRow(w.base), halfRow: widthRow(w.half), doubleRow: widthRow(w.double),
            smallestRow: widthRow(w.smallest),
            smallestUnderfits: underfits)
    }
}
