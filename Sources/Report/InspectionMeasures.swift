import Experiments
import Foundation
import NeuralNet

/// The off-diagonal cells of a confusion matrix (`confusion[true][predicted]`), largest first.
struct ConfusionPairs {
    struct Pair { var cell: (Int, Int); var count: Int; var text: String { "\(cell.0) → \(cell.1) (\(count))" } }
    let pairs: [Pair]
    let errors: Int

    init(_ confusion: [[Int]]) {
        var all: [Pair] = []
        for (t, row) in confusion.enumerated() { for (p, n) in row.enumerated() where t != p && n > 0 { all.append(Pair(cell: (t, p), count: n)) } }
        // Largest first; ties by true digit, then predicted digit, so the order is fixed.
        pairs = all.sorted { ($0.count, -$0.cell.0, -$0.cell.1) > ($1.count, -$1.cell.0, -$1.cell.1) }
        errors = all.reduce(0) { $0 + $1.count }
    }

    func top(_ k: Int) -> [Pair] { Array(pairs.prefix(k)) }
    /// The fraction of all errors in the `k` largest cells.
    func share(of k: Int) -> Double { Double(top(k).reduce(0) { $0 + $1.count }) / Double(max(errors, 1)) }
    /// Two digits confused both ways among the `k` largest cells (the largest such pair).
    func mutual(within k: Int) -> (Int, Int)? {
        let cells = top(k).map(\.cell)
        return cells.first { c in cells.contains { $0 == (c.1, c.0) } }.map { (min($0.0, $0.1), max($0.0, $0.1)) }
    }
}

/// How far training moved the first layer's weights, in the middle 20 × 20 pixels (MNIST
/// fits each digit into a 20 × 20 box centred in its image) and in the 4-pixel frame around
/// them. The initial weights are drawn again from the run's seed (`Runner.model(for:)`, the
/// same draw training started from), so the change W - W0 is exact, not estimated.
/// A tile looks like its digit-shaped change only where that change is large against the
/// initial spread; where it is small the tile still shows the initial noise.
struct WeightRegions {
    /// The side of MNIST's digit box and the width of the frame around it, in pixels.
    static let box = 20, frame = 4
    /// Root mean squares over all units: final weights, initial weights, and their change.
    struct Region { var final = 0.0, initial = 0.0, change = 0.0 }
    var centre = Region(), frame = Region()

    init(_ record: InspectionRecord) {
        let w = record.weights
        let w0 = Runner.model(for: record.spec.run).parameters.first?.value.storage ?? []
        let h = record.hiddenUnits
        guard record.inputs == 784, w.count == 784 * h, w0.count == w.count else {
            centre = Region(final: .nan, initial: .nan, change: .nan); frame = centre; return
        }
        var sums = [Region(), Region()], counts = [0, 0]
        for pixel in 0..<784 {
            let (r, c) = (pixel / 28, pixel % 28)
            let inside = Self.frame..<(Self.frame + Self.box)
            let k = inside.contains(r) && inside.contains(c) ? 0 : 1
            for unit in 0..<h {
                let v = Double(w[pixel * h + unit]), v0 = Double(w0[pixel * h + unit])
                sums[k].final += v * v; sums[k].initial += v0 * v0; sums[k].change += (v - v0) * (v - v0)
                counts[k] += 1
            }
        }
        func rms(_ s: Region, _ n: Int) -> Region {
            let d = Double(max(n, 1))
            return Region(final: (s.final / d).squareRoot(), initial: (s.initial / d).squareRoot(), change: (s.change / d).squareRoot())
        }
        centre = rms(sums[0], counts[0]); frame = rms(sums[1], counts[1])
    }
}
