import Datasets
import Foundation
import MatrixCore
import NeuralNet

// The Swift side of bench/run.py: workload W1 (784-64-10 sigmoid, batch 128, lr 0.5,
// 15 epochs on 54,000 images, train/validation/test evaluated 20 times per epoch), timed.
// Prints one JSON object. Arguments: [--epochs N] [--evals N] [--threads N] [--data DIR]
// [--rule batch-mean|per-sample] [--samples N (per-sample timing only)] [--lr X] [--hidden N]
// [--activation NAME] [--fan-in 1] [--shuffle 1] [--dropout RATE] (these leave W1 for side measurements, such as the
// saturated high-lr runs of the sweeps). [--grid grouped|separate]: a learning-rate grid instead (GridBench.swift).

var arguments = [String: String]()
var it = CommandLine.arguments.dropFirst().makeIterator()
while let a = it.next() { if a.hasPrefix("--"), let v = it.next() { arguments[String(a.dropFirst(2))] = v } }
let epochs = Int(arguments["epochs"] ?? "15")!
let evals = Int(arguments["evals"] ?? "20")!
BLAS.threads = Int(arguments["threads"] ?? "1")!
let dataDir = URL(fileURLWithPath: arguments["data"] ?? "data/mnist")
let rule = UpdateRule(rawValue: arguments["rule"] ?? "batch-mean") ?? .batchMean

let mnist = try MNIST.load(directory: dataDir)
let split = try mnist.split(seed: 1)
func examples(_ s: LabelledSet) -> Examples<Float> { Examples(name: s.name, inputs: s.inputs, labels: s.labels) }
var train = examples(split.train)
let sets = [train, examples(split.validation), examples(split.test)]
if let n = arguments["samples"].flatMap(Int.init) { train = train.prefix(n) }
if let mode = arguments["grid"] {
    // A learning-rate grid, grouped or separate (GridBench.swift); bench/grid.py drives it.
    try runGridBench(mode: mode, arguments: arguments, train: train, validation: sets[1])
    exit(0)
}

let model = Sequential<Float>(inputSize: 784, seed: 1)
model.add(Dense(Int(arguments["hidden"] ?? "64")!, activation: Activation(name: arguments["activation"] ?? "sigmoid")!,
                weightInitializer: arguments["fan-in"] == "1" ? .fanInNormal : .uniform(low: -1, high: 1)))
if let rate = arguments["dropout"].flatMap(Double.init), rate > 0 { model.add(Dropout(rate: rate)) }
model.add(Dense(10, activation: .linear,
                weightInitializer: arguments["fan-in"] == "1" ? .fanInNormal : .uniform(low: -1, high: 1)))
let trainer = Trainer(model: model, optimizer: SGD(learningRate: Double(arguments["lr"] ?? "0.5")!),
                      options: TrainingOptions(epochs: epochs, batchSize: 128, shuffle: arguments["shuffle"] == "1",
                                               evaluationsPerEpoch: evals,
                                               evaluateAtStart: false, updateRule: rule))
let start = ContinuousClock.now
let history = trainer.fit(train, evaluationSets: rule == .perSample ? [] : sets)
let total = ContinuousClock.now - start
let w1 = total.seconds
let out: [String: Any] = [
    "train_epoch_s": history.trainingSeconds,
    "eval_pass_s": history.evaluationCount > 0 ? history.evaluationSeconds / Double(history.evaluationCount) : 0,
    "evaluations": history.evaluationCount,
    "w1_s": w1,
    "kernel": BLAS.kernel.active,
    "products": PanelGEMM.instructionSet.map { "dense-layer products (forward, dW, dx) through PanelGEMM (\($0))" }
        ?? "every product through BLAS (no AVX2 or AVX-512 here)",
    "threads": BLAS.threads,
    "final_test_accuracy": history.final("test")?.accuracy ?? -1,
    "samples_per_s": rule == .perSample ? Double(train.count * epochs) / history.trainingSeconds.reduce(0, +) : 0,
]
print(String(decoding: try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys]), as: UTF8.self))
