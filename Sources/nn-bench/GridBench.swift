import Foundation
import MatrixCore
import NeuralNet

/// `nn-bench --grid grouped|separate`: a learning-rate grid of one seed, as task 4's sweeps
/// train it (784-h-10, improved sigmoid, fan-in initialisation, shuffled batches of 128, plain
/// SGD, the validation set evaluated before training and at every epoch's end, the hidden
/// layer's diagnostics on 1,000 validation images as `Runner` records them), trained as one
/// `GridTrainer` (grouped) or one run after another (separate). Prints one JSON object: the
/// wall seconds of the whole grid, training and evaluation seconds summed over the rates, and
/// each rate's final validation loss bits (grouped and separate must print the same).
/// Arguments: [--hidden N (32)] [--epochs N (2)] [--rates 1,0.5,... (the report's grid)]
/// [--activation NAME] [--initializer NAME] [--probe 0 (no diagnostics, as bench/grid_numpy.py)].
func runGridBench(mode: String, arguments: [String: String], train: Examples<Float>, validation: Examples<Float>) throws {
    let hidden = Int(arguments["hidden"] ?? "32")!
    let epochs = Int(arguments["epochs"] ?? "2")!
    let rates = (arguments["rates"] ?? "1,0.5,0.2,0.1,0.05,0.02,0.01").split(separator: ",").map { Double($0)! }
    let activation = Activation(name: arguments["activation"] ?? "improved-sigmoid")!
    let initializer = Initializer(name: arguments["initializer"] ?? "fan-in")!
    let probe = validation.prefix(1000)
    func trainer(_ rate: Double) -> Trainer<Float> {
        let model = Sequential<Float>(inputSize: 784, seed: 1)
        model.add(Dense(hidden, activation: activation, weightInitializer: initializer))
        model.add(Dense(10, activation: .linear, weightInitializer: initializer))
        let t = Trainer(model: model, optimizer: SGD(learningRate: rate),
                        options: TrainingOptions(epochs: epochs, batchSize: 128, shuffle: true, evaluationsPerEpoch: 1, seed: 1))
        if arguments["probe"] != "0" { t.diagnosticsProbe = probe }
        return t
    }
    let start = ContinuousClock.now
    let histories: [TrainingHistory]
    switch mode {
    case "grouped": histories = GridTrainer(rates.map(trainer)).fit(train, evaluationSets: [validation])
    case "separate": histories = rates.map { trainer($0).fit(train, evaluationSets: [validation]) }
    default: throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "--grid grouped or separate, not \(mode)"])
    }
    let seconds = (ContinuousClock.now - start).seconds
    let out: [String: Any] = [
        "mode": mode,
        "hidden": hidden,
        "epochs": epochs,
        "rates": rates,
        "grid_s": seconds,
        "train_s": histories.map { $0.trainingSeconds.reduce(0, +) }.reduce(0, +),
        "eval_s": histories.map(\.evaluationSeconds).reduce(0, +),
        "final_validation_accuracy": histories.map { $0.final("validation")?.accuracy ?? -1 },
        "final_validation_loss_bits": histories.map { String(($0.final("validation")?.loss ?? .nan).bitPattern, radix: 16) },
        "diagnostics": arguments["probe"] != "0",
        "products": PanelGEMM.instructionSet.map { "PanelGEMM (\($0))" } ?? "BLAS",
        "kernel": BLAS.kernel.active,
        "threads": BLAS.threads,
    ]
    print(String(decoding: try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys]), as: UTF8.self))
}
