import Experiments
import Foundation
import Plotting

/// Task 5's pictures of what two networks learned, drawn from their inspection records
/// (`InspectionRecord`): first-layer weight tiles, the test confusion matrix and the test
/// images the final net gets most confidently wrong.
extension Figures {
    /// How many first-layer units the weight figure shows per net (an 8 x 8 grid).
    static let tilesShown = 64

    /// Each unit's 784 incoming weights as a 28 x 28 tile, on a diverging map centred on
    /// zero with one symmetric range per net (±max |w| of the tiles shown), so a tile's colour
    /// is comparable with every other tile of its panel; units in their order in the layer.
    static func firstLayerWeights(base: InspectionRecord, final: InspectionRecord, finalLabel: String) -> ReportFigure {
        let f = Figure(width: 12.8, height: 6.4, scale: 2, rows: 1, columns: 2,
                       title: "Task 5: first-layer weights, one 28 × 28 tile per hidden unit (red positive, blue negative)")
        for (column, (record, name)) in [(base, "Base net (task 2)"), (final, "Final task 5 net (\(finalLabel))")].enumerated() {
            let shown = min(tilesShown, record.hiddenUnits)
            let weights = record.weights
            let tiles = (0..<shown).map { record.tile($0, from: weights).map(Double.init) }
            let m = tiles.joined().map(abs).max() ?? 1
            let ax = f.axes(row: 0, column: column)
            ax.title = shown == record.hiddenUnits ? "\(name): all \(shown) units"
                                                   : "\(name): units 1–\(shown) of \(record.hiddenUnits)"
            ax.imageGrid(images: tiles, width: 28, height: 28, columns: 8, colorMap: .diverging,
                         range: -m...m, colorBar: true)
        }
        return ReportFigure(file: "5-first-layer-weights.png", title: "Task 5: first-layer weights of the base and the final net",
                            figure: f, sources: [base.key, final.key])
    }

    /// The final net's test confusion matrix, rows the true digit and columns the
    /// prediction: all counts, and beside it the errors alone (diagonal left blank) on their
    /// own colour scale, since next to about 1,000 correct images per digit every error
    /// cell would be the palest colour.
    static func confusion(_ record: InspectionRecord, label: String) -> ReportFigure {
        let f = Figure(width: 12.8, height: 6.0, scale: 2, rows: 1, columns: 2,
                       title: "Task 5: test confusion matrix of the final net (\(label)), \(Format.integer(record.testImages)) images")
        let digits = (0..<10).map(String.init)
        let counts = record.confusion.map { $0.map(Double.init) }
        let errors = counts.enumerated().map { r, row in row.enumerated().map { c, v in r == c ? Double.nan : v } }
        for (column, (values, title)) in [(counts, "All counts"), (errors, "Errors only (diagonal blank)")].enumerated() {
            let ax = f.axes(row: 0, column: column)
            ax.title = title; ax.xLabel = "Predicted digit"; ax.yLabel = "True digit"
            ax.heatmap(values: values, rowLabels: digits, columnLabels: digits, annotate: true, colorBar: true,
                       colorMap: .blues)
        }
        return ReportFigure(file: "5-confusion.png", title: "Task 5: test confusion matrix of the final net",
                            figure: f, sources: [record.key])
    }

    /// The test images the final net gets most confidently wrong, most confident first, each
    /// titled "true → predicted (probability of the prediction)".
    static func mostWrong(_ record: InspectionRecord, label: String) -> ReportFigure {
        let wrong = record.mostConfidentlyWrong
        let columns = 5, rows = max(1, (wrong.count + columns - 1) / columns)
        let f = Figure(width: 8.0, height: 1.75 * Double(rows) + 0.5, scale: 2, rows: rows, columns: columns,
                       title: "Task 5: the \(wrong.count) most confident mistakes (true → predicted, probability)")
        for (i, w) in wrong.enumerated() {
            let ax = f.axes(row: i / columns, column: i % columns)
            ax.title = "\(w.label) → \(w.predicted) (\(String(format: "%.2f", w.probability)))"
            ax.imageGrid(images: [w.pixelValues.map(Double.init)], width: 28, height: 28, columns: 1,
                         colorMap: .greyInverted, range: 0...255)
        }
        return ReportFigure(file: "5-most-wrong.png", title: "Task 5: most confidently wrong test images of the final net",
                            figure: f, sources: [record.key])
    }
}
