import Experiments
import Foundation
import NeuralNet

/// The numbers task 3's "because" sentences are chosen by: how saturated the hidden layer of
/// a row is when training starts and when it ends (`LayerDiagnostics`, measured on the first
/// validation images at every evaluation). A sentence names a mechanism only when these
/// numbers show it; results cached before the diagnostics existed give "available": false.
extension ContextBuilder {
    /// Mean over a row's seeds of its first hidden layer's diagnostics at the first and the
    /// last evaluation.
    func layerState(_ row: RowOutcome) -> [String: Any] {
        let firsts = row.runs.compactMap { $0.history.points.first?.layers?.first }
        let lasts = row.runs.compactMap { $0.history.points.last?.layers?.first }
        guard !firsts.isEmpty, firsts.count == lasts.count else { return ["available": false] }
        func mean(_ d: [LayerDiagnostics], _ value: (LayerDiagnostics) -> Double) -> Double { Summary(d.map(value)).mean }
        let state = (startSaturated: mean(firsts, \.saturatedFraction), endSaturated: mean(lasts, \.saturatedFraction),
                     startSlope: mean(firsts, \.meanRelativeSlope), endSlope: mean(lasts, \.meanRelativeSlope))
        return [
            "available": true,
            "startSaturated": Format.percent(state.startSaturated, decimals: 1),
            "endSaturated": Format.percent(state.endSaturated, decimals: 1),
            "startSlope": String(format: "%.2f", state.startSlope),
            "endSlope": String(format: "%.2f", state.endSlope),
            "startSpread": Format.significant(mean(firsts, \.preActivationSpread)),
            "seeds": Words.count(firsts.count, "seed"),
            "values": [state.startSaturated, state.endSaturated, state.startSlope, state.endSlope],
            // Every (image, unit) pair saturated, up to 1 %: the layer outputs nearly the same
            // vector for every image, so what follows it cannot tell the images apart.
            "allSaturated": state.endSaturated >= 0.99,
        ]
    }

    /// Two rows' hidden layers side by side, with which one is more saturated at the start
    /// and at the end. "Clearly" means by at least `saturationMargin` (a share of the
    /// (image, unit) pairs); closer than that the sentence says the two are alike.
    func saturationComparison(_ a: RowOutcome, _ b: RowOutcome) -> [String: Any] {
        let x = layerState(a), y = layerState(b)
        guard x["available"] as? Bool == true, y["available"] as? Bool == true,
              let u = x["values"] as? [Double], let v = y["values"] as? [Double] else { return ["available": false] }
        func order(_ d: Double) -> [String: Bool] {
            ["more": d >= Self.saturationMargin, "less": d <= -Self.saturationMargin, "alike": abs(d) < Self.saturationMargin]
        }
        return ["available": true, "a": x, "b": y, "start": order(u[0] - v[0]), "end": order(u[1] - v[1]),
                "margin": Format.rate(100 * Self.saturationMargin)]
    }

    /// |z| beyond which a unit counts as saturated (slope under `LayerDiagnostics.saturationThreshold`
    /// of its largest), solved in closed form: the sigmoid's 4 s (1 - s) = t, and the improved
    /// sigmoid's sech²(2z/3) = t.
    static func saturationOnset() -> (sigmoid: Double, improved: Double) {
        let t = LayerDiagnostics.saturationThreshold
        let s = (1 - (1 - t).squareRoot()) / 2
        return (-log(s / (1 - s)), 1.5 * acosh(1 / t.squareRoot()))
    }

    /// Five points of the (image, unit) pairs: a smaller gap is not called a difference in saturation.
    static let saturationMargin = 0.05
}
