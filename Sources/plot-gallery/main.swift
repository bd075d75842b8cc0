// Draws one figure of each kind from synthetic data into OUTDIR (default: gallery), so
// the look of the Plotting module can be checked by eye: `swift run plot-gallery OUTDIR`.
import Foundation
import Plotting

/// A small deterministic generator (64-bit LCG) so every run draws the same figures.
struct Noise {
    var state: UInt64
    mutating func next() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }
    /// Approximately standard normal (sum of 12 uniforms).
    mutating func gaussian() -> Double { (0..<12).reduce(0) { acc, _ in acc + next() } - 6 }
}

let outDirectory = URL(fileURLWithPath: CommandLine.arguments.dropFirst().first ?? "gallery", isDirectory: true)
try FileManager.default.createDirectory(at: outDirectory, withIntermediateDirectories: true)
var noise = Noise(state: 42)

func save(_ figure: Figure, _ name: String, source: String) throws {
    let url = outDirectory.appendingPathComponent(name)
    try figure.writePNG(to: url, metadata: ["Source": source])
    print(url.path)
}

/// Mean and sd across seeds of a noisy decaying curve.
func curves(_ iterations: [Double], start: Double, end: Double, rate: Double, seeds: Int = 5) -> (mean: [Double], sd: [Double]) {
    let runs = (0..<seeds).map { _ in
        iterations.map { end + (start - end) * exp(-rate * $0) + 0.02 * noise.gaussian() * exp(-rate * $0 / 3) }
    }
    let mean = iterations.indices.map { i in runs.map { $0[i] }.reduce(0, +) / Double(seeds) }
    let sd = iterations.indices.map { i in
        (runs.map { pow($0[i] - mean[i], 2) }.reduce(0, +) / Double(seeds - 1)).squareRoot()
    }
    return (mean, sd)
}

// 1. Training curves: loss and accuracy side by side, bands across seeds, zoomed percent axis.
do {
    let figure = Figure(width: 12.8, height: 4.8, scale: 2, rows: 1, columns: 2, title: "Task 2c: learning rate 0.1, 5 seeds")
    let iterations = stride(from: 0.0, through: 3000, by: 50).map { $0 }
    let loss = figure.axes(row: 0, column: 0)
    loss.title = "Loss"; loss.xLabel = "Iteration"; loss.yLabel = "Cross-entropy"
    let accuracy = figure.axes(row: 0, column: 1)
    accuracy.title = "Accuracy"; accuracy.xLabel = "Iteration"; accuracy.yLabel = "Accuracy"
    accuracy.yLimits = 0.8...1.0; accuracy.yFormat = .percent; accuracy.grid = true
    for (name, start, end, dashed) in [("Train", 2.3, 0.08, false), ("Validation", 2.3, 0.15, true)] {
        let c = curves(iterations, start: start, end: end, rate: 0.003)
        let color = loss.nextColor()
        loss.band(x: iterations, lower: zip(c.mean, c.sd).map { $0 - $1 }, upper: zip(c.mean, c.sd).map { $0 + $1 }, color: color)
        loss.plot(x: iterations, y: c.mean, label: name, color: color, style: dashed ? .dashed : .solid)
        let a = curves(iterations, start: 0.1, end: dashed ? 0.955 : 0.985, rate: 0.004)
        let accColor = accuracy.nextColor()
        accuracy.band(x: iterations, lower: zip(a.mean, a.sd).map { $0 - $1 }, upper: zip(a.mean, a.sd).map { $0 + $1 }, color: accColor)
        accuracy.plot(x: iterations, y: a.mean, label: name, color: accColor, style: dashed ? .dashed : .solid)
    }
    try save(figure, "training.png", source: "2c-train,2c-validation")
}

// 2. Log2 x axis: final accuracy against batch size, one run diverged (marked with a cross).
do {
    let figure = Figure(title: "Batch size sweep")
    let ax = figure.axes[0]
    ax.xScale = .log(base: 2); ax.xLabel = "Batch size"; ax.yLabel = "Test accuracy"; ax.grid = true
    ax.yFormat = .percent
    let sizes = (0...7).map { pow(2, Double($0)) }
    for (name, shift) in [("SGD", 0.0), ("Momentum", 0.01)] {
        let y = sizes.map { 0.97 + shift - 0.004 * log2($0) + 0.002 * noise.gaussian() }
        ax.plot(x: sizes, y: y, label: name, marker: .circle)
    }
    ax.scatter(x: [128], y: [0.93], label: "Diverged", color: Color.tab10[3], marker: .cross)
    try save(figure, "log2.png", source: "3-B,3-S")
}

// 3. Images: digits in grey, first-layer weights as diverging tiles.
do {
    let figure = Figure(width: 12.8, height: 3.4, rows: 1, columns: 2)
    func digit(_ k: Int) -> [Double] {
        (0..<784).map { i in
            let x = Double(i % 28) - 13.5, y = Double(i / 28) - 13.5
            let r = (x * x / (30 + Double(k) * 4) + y * y / 90).squareRoot()
            return max(0, 1 - abs(r - 1) * 4)
        }
    }
    let digits = figure.axes[0]
    digits.title = "Training digits"
    digits.imageGrid(images: (0..<32).map(digit), width: 28, height: 28, columns: 8, colorMap: .grey)
    let weights = figure.axes[1]
    weights.title = "Hidden units (784 weights each)"
    let tiles = (0..<32).map { k -> [Double] in
        let angle = Double(k) * 0.4, frequency = 0.2 + Double(k % 4) * 0.08
        return (0..<784).map { i in
            let x = Double(i % 28) - 13.5, y = Double(i / 28) - 13.5
            let u = x * cos(angle) + y * sin(angle)
            return sin(u * frequency) * exp(-(x * x + y * y) / 120) * (0.5 + Double(k) / 32) + 0.05 * noise.gaussian()
        }
    }
    weights.imageGrid(images: tiles, width: 28, height: 28, columns: 8, colorMap: .diverging, symmetric: true)
    try save(figure, "images.png", source: "4-weights")
}

// 4. Confusion matrix: heatmap with a colour bar and counts in the cells.
do {
    let figure = Figure(width: 7.2, height: 6.4)
    let ax = figure.axes[0]
    ax.title = "Confusion matrix (test set)"; ax.xLabel = "Predicted"; ax.yLabel = "True"
    let counts = (0..<10).map { r in (0..<10).map { c in
        r == c ? Double(950 + Int(noise.next() * 40)) : Double(Int(pow(noise.next(), 4) * 25))
    } }
    let names = (0..<10).map(String.init)
    ax.heatmap(values: counts, rowLabels: names, columnLabels: names, annotate: true, colorBar: true)
    try save(figure, "confusion.png", source: "5-confusion")
}

// 5. Grouped bars: final accuracy per configuration with sd across seeds.
do {
    let figure = Figure(title: "Final accuracy per configuration")
    let ax = figure.axes[0]
    ax.yLabel = "Accuracy"; ax.yFormat = .percent
    let configurations = ["Baseline", "Wider", "Deeper", "Dropout", "Weight decay"]
    let series = ["Train", "Validation", "Test"].enumerated().map { s, name in
        (label: name, values: configurations.indices.map { i in 0.95 + 0.008 * Double(i) - 0.012 * Double(s) })
    }
    ax.bars(categories: configurations, series: series,
            errors: series.map { $0.values.map { _ in 0.004 + 0.003 * noise.next() } })
    ax.yLimits = 0.9...1.0
    try save(figure, "bars.png", source: "6-final")
}

// 6. Degenerate inputs: each panel must render sensibly without crashing.
do {
    let figure = Figure(width: 12.8, height: 7.2, rows: 2, columns: 3, title: "Degenerate inputs")
    let cases: [(String, [Double], [Double])] = [
        ("Empty", [], []),
        ("One point", [3], [0.5]),
        ("Constant", [0, 1, 2, 3], [2, 2, 2, 2]),
        ("All NaN", [0, 1, 2], [.nan, .nan, .nan]),
        ("Range 1e-9", [0, 1, 2, 3], [1, 1 + 1e-9, 1 + 3e-10, 1 + 7e-10]),
        ("Range 1e9", [0, 1, 2, 3], [0, 2.5e9, 1e9, 3e9]),
    ]
    for (ax, (name, x, y)) in zip(figure.axes, cases) {
        ax.title = name
        ax.plot(x: x, y: y, label: name, marker: .circle)
    }
    figure.axes[3].plot(x: (0..<12).map(Double.init), y: [1, 1.2, 1.5, .nan, 1.7, 1.6, .infinity, 1.4, 1.3, 1.35, .nan, 1.2], label: "Gaps")
    try save(figure, "degenerate.png", source: "none")
}
