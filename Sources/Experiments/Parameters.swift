import Foundation
import NeuralNet
import Yams

/// Every hyperparameter of the report, as read from `report/parameters.yaml`.
///
/// Defaults are the assignment's; the file overrides any of them. Validation happens here,
/// once, with the key and line of each mistake, so that nothing downstream trains on a
/// nonsensical value.
public struct Parameters: Codable, Hashable, Sendable {
    public struct Network: Codable, Hashable, Sendable {
        public var hiddenUnits: [Int] = [64]
        public var activation = "sigmoid"
        public var initializer = "uniform"
        public var learningRate = 0.5
        public var batchSize = 128
        public var epochs = 15
        public var momentum = 0.0
        public var shuffle = false
    }
    public struct Evaluation: Codable, Hashable, Sendable {
        /// 2c: evaluations per epoch of the base run.
        public var basePerEpoch = 20
        /// 3b: evaluations in the first epoch of task 3's plotted runs.
        public var firstEpoch = 20
        /// Evaluations per epoch of every other plotted run (sweeps: epoch ends only).
        public var plottedPerEpoch = 5
        /// Early stopping's patience, in epochs, replayed on every run's validation loss.
        public var earlyStoppingPatience = 3
    }
    public struct GradientCheckSettings: Codable, Hashable, Sendable {
        public var images = 50
        public var epsilon = 0.01
    }
    public struct Tricks: Codable, Hashable, Sendable {
        public var momentum = 0.9
    }
    public struct Topologies: Codable, Hashable, Sendable {
        public var hiddenUnits = [5, 10, 20, 32, 64, 128]
        /// Two-layer nets besides the one matched in parameter count to the base net.
        public var twoLayerExtra: [[Int]] = [[60, 60]]
    }
    public struct Bonus: Codable, Hashable, Sendable {
        public var hiddenUnits = 512
        /// The initialiser the ablation adds for ReLU (He et al.), and the one it is compared
        /// with side by side (Glorot and Bengio's).
        public var initializer = "he"
        public var comparedInitializer = "xavier"
        /// Dropout rates tried on the wide layer; the best on validation is kept.
        public var dropoutGrid = [0.2, 0.4]
        /// T of lr0 / (1 + t/T), in batches, tried; the best on validation is kept.
        public var annealingGrid = [1055.0, 4220.0]
        public var shiftPixels = 2
        public var epochs = 20
        /// The longer schedule of the last step and of every leave-one-out run.
        public var finalEpochs = 50
        /// The learning-rate grid searched for the first bonus step (ReLU), reused after.
        public var learningRateGrid = [0.2, 0.1, 0.05, 0.02]
        /// Seeds used to choose dropout and T (the first ones of the report's seeds).
        public var choiceSeeds = 1
    }
    public struct Replication: Codable, Hashable, Sendable {
        public var seeds = 1
        public var learningRate = 0.5
        public var momentumLearningRate = 0.05
    }

    /// Seeds 1...seeds of every plotted row (the runs the tables, figures and verdicts
    /// quote); each changes split, initialisation, shuffling and dropout.
    public var seeds = 3
    /// Seeds 1...sweepSeeds of every learning-rate sweep point (at most `seeds`): a rate is
    /// chosen on fewer seeds than the chosen row is then trained on.
    public var sweepSeeds = 3
    public var validationImages = 6000
    public var base = Network()
    public var evaluation = Evaluation()
    public var gradientCheck = GradientCheckSettings()
    public var learningRateGrid = [1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01]
    /// Steps (0 or 1) a learning-rate grid is extended by, on the 1-2-5 ladder, when the
    /// rate chosen from it sits on its largest or smallest value; the choice is then redone.
    public var gridEdgeSteps = 1
    public var tricks = Tricks()
    public var topologies = Topologies()
    public var bonus = Bonus()
    public var replication = Replication()

    public init() {}

    public var seedList: [UInt64] { (1...max(seeds, 1)).map(UInt64.init) }

    /// Reads and validates a parameters file.
    public static func load(from url: URL) throws -> Parameters {
        let text: String
        if let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int, size > maximumFileBytes {
            throw ParameterError(key: "", line: nil, message: tooLarge(size), file: url.path)
        }
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ParameterError(key: "", line: nil, message: "cannot read the parameters file (\(error.localizedDescription))",
                                 file: url.path)
        }
        return try parse(text, file: url.path)
    }

    /// A parameters file is a few kB; a larger one is the wrong file, and parsing a huge one
    /// would take minutes and gigabytes before any value could be checked.
    public static let maximumFileBytes = 64 << 10

    private static func tooLarge(_ size: Int) -> String {
        "the file is \(size) bytes; a parameters file is a few kB (at most \(maximumFileBytes) bytes): is it the right file?"
    }

    public static func parse(_ text: String, file: String = "parameters.yaml") throws -> Parameters {
        guard text.utf8.count <= maximumFileBytes else { throw ParameterError(key: "", line: nil, message: tooLarge(text.utf8.count), file: file) }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch let YamlError.duplicatedKeysInMapping(duplicates, _) {
            // Yams names one duplicate in an order that varies from run to run; name them all, sorted.
            let keys = Set(duplicates.map { "\($0)" }).sorted().map { "'\($0)'" }.joined(separator: ", ")
            throw ParameterError(key: "", line: nil, message: "not valid YAML: duplicated key(s) \(keys) in one mapping", file: file)
        } catch let error as YamlError {
            throw ParameterError(key: "", line: yamlLine(error), message: "not valid YAML: \(error)", file: file)
        }
        var p = Parameters()
        guard let root else { return p }
        let top = try YAMLFields(root, path: "", file: file)
        p.seeds = try top.int("seeds", default: p.seeds)
        guard (1...100).contains(p.seeds) else { throw top.error("seeds", "must be between 1 and 100") }
        p.sweepSeeds = try top.int("sweep_seeds", default: min(p.sweepSeeds, p.seeds))
        guard (1...p.seeds).contains(p.sweepSeeds) else {
            throw top.error("sweep_seeds", "must be between 1 and seeds (\(p.seeds))")
        }
        p.validationImages = try top.int("validation_images", default: p.validationImages)
        guard p.validationImages > 0 && p.validationImages < 60000 else {
            throw top.error("validation_images", "must be between 1 and 59,999 (of the 60,000 training images)")
        }
        let baseFields = try top.mapping("base")
        if let b = baseFields {
            p.base.hiddenUnits = try b.ints("hidden_units", default: p.base.hiddenUnits, atMost: 10)
            guard !p.base.hiddenUnits.isEmpty, p.base.hiddenUnits.allSatisfy({ (1...100_000).contains($0) }) else {
                throw b.error("hidden_units", "every hidden layer needs between 1 and 100,000 units")
            }
            // Names enter the cache keys in their one spelling ("Sigmoid" is "sigmoid"), so a
            // different spelling of the same function never re-runs anything.
            p.base.activation = try checkActivation(b.string("activation", default: p.base.activation), b, "activation")
            p.base.initializer = try checkInitializer(b.string("initializer", default: p.base.initializer), b, "initializer")
            p.base.learningRate = try b.double("learning_rate", default: p.base.learningRate)
            guard p.base.learningRate > 0 else { throw b.error("learning_rate", "must be greater than 0") }
            p.base.batchSize = try b.int("batch_size", default: p.base.batchSize)
            guard p.base.batchSize > 0 else { throw b.error("batch_size", "must be at least 1") }
            p.base.epochs = try b.int("epochs", default: p.base.epochs)
            guard (1...1000).contains(p.base.epochs) else { throw b.error("epochs", "must be between 1 and 1000") }
            p.base.momentum = try b.double("momentum", default: p.base.momentum)
            guard (0..<1).contains(p.base.momentum) else { throw b.error("momentum", "must be in [0, 1)") }
            p.base.shuffle = try b.bool("shuffle", default: p.base.shuffle)
            try b.rejectUnknownKeys()
        }
        if let e = try top.mapping("evaluation") {
            p.evaluation.basePerEpoch = try positive(e, "base_per_epoch", p.evaluation.basePerEpoch)
            p.evaluation.firstEpoch = try positive(e, "first_epoch", p.evaluation.firstEpoch)
            p.evaluation.plottedPerEpoch = try positive(e, "plotted_per_epoch", p.evaluation.plottedPerEpoch)
            p.evaluation.earlyStoppingPatience = try positive(e, "early_stopping_patience", p.evaluation.earlyStoppingPatience)
            try e.rejectUnknownKeys()
        }
        let gradientFields = try top.mapping("gradient_check")
        if let g = gradientFields {
            p.gradientCheck.images = try positive(g, "images", p.gradientCheck.images)
            p.gradientCheck.epsilon = try g.double("epsilon", default: p.gradientCheck.epsilon)
            guard p.gradientCheck.epsilon > 0 else { throw g.error("epsilon", "must be greater than 0") }
            try g.rejectUnknownKeys()
        }
        p.learningRateGrid = try top.doubles("learning_rate_grid", default: p.learningRateGrid, atMost: 20)
        guard !p.learningRateGrid.isEmpty, p.learningRateGrid.allSatisfy({ $0 > 0 }) else {
            throw top.error("learning_rate_grid", "needs at least one learning rate, each greater than 0")
        }
        p.gridEdgeSteps = try top.int("grid_edge_steps", default: p.gridEdgeSteps)
        guard (0...1).contains(p.gridEdgeSteps) else {
            throw top.error("grid_edge_steps", "must be 0 (never extend a grid) or 1 (one step past an edge the choice sits on)")
        }
        if let t = try top.mapping("tricks") {
            p.tricks.momentum = try t.double("momentum", default: p.tricks.momentum)
            guard (0..<1).contains(p.tricks.momentum) else { throw t.error("momentum", "must be in [0, 1)") }
            try t.rejectUnknownKeys()
        }
        if let t = try top.mapping("topologies") {
            p.topologies.hiddenUnits = try t.ints("hidden_units", default: p.topologies.hiddenUnits, atMost: 20)
            guard !p.topologies.hiddenUnits.isEmpty, p.topologies.hiddenUnits.allSatisfy({ (1...100_000).contains($0) }) else {
                throw t.error("hidden_units", "hidden sizes must be between 1 and 100,000")
            }
            if t.has("two_layer_extra") {
                let flat = try t.ints("two_layer_extra", default: [], atMost: 20)
                guard flat.count % 2 == 0, flat.allSatisfy({ (1...100_000).contains($0) }) else {
                    throw t.error("two_layer_extra", "expected pairs of positive sizes, like [60, 60]")
                }
                p.topologies.twoLayerExtra = stride(from: 0, to: flat.count, by: 2).map { [flat[$0], flat[$0 + 1]] }
            }
            try t.rejectUnknownKeys()
        }
        if let b = try top.mapping("bonus") {
            p.bonus.hiddenUnits = try positive(b, "hidden_units", p.bonus.hiddenUnits)
            guard p.bonus.hiddenUnits <= 100_000 else { throw b.error("hidden_units", "must be at most 100,000") }
            p.bonus.dropoutGrid = try b.doubles("dropout_grid", default: p.bonus.dropoutGrid, atMost: 20)
            guard !p.bonus.dropoutGrid.isEmpty, p.bonus.dropoutGrid.allSatisfy({ $0 >= 0 && $0 < 1 }) else {
                throw b.error("dropout_grid", "needs at least one dropout rate, each in [0, 1)")
            }
            p.bonus.annealingGrid = try b.doubles("annealing_grid", default: p.bonus.annealingGrid, atMost: 20)
            guard !p.bonus.annealingGrid.isEmpty, p.bonus.annealingGrid.allSatisfy({ $0 > 0 }) else {
                throw b.error("annealing_grid", "needs at least one T, each greater than 0")
            }
            p.bonus.choiceSeeds = try positive(b, "choice_seeds", p.bonus.choiceSeeds)
            guard p.bonus.choiceSeeds <= p.seeds else { throw b.error("choice_seeds", "cannot exceed seeds (\(p.seeds))") }
            p.bonus.shiftPixels = try b.int("shift_pixels", default: p.bonus.shiftPixels)
            guard (0...8).contains(p.bonus.shiftPixels) else { throw b.error("shift_pixels", "must be between 0 and 8") }
            p.bonus.epochs = try positive(b, "epochs", p.bonus.epochs)
            guard p.bonus.epochs <= 1000 else { throw b.error("epochs", "must be at most 1000") }
            p.bonus.finalEpochs = try positive(b, "final_epochs", p.bonus.finalEpochs)
            guard p.bonus.finalEpochs <= 1000, p.bonus.finalEpochs > p.bonus.epochs else {
                throw b.error("final_epochs", "must be more than epochs (\(p.bonus.epochs)) and at most 1000")
            }
            p.bonus.initializer = try checkInitializer(b.string("initializer", default: p.bonus.initializer), b, "initializer")
            p.bonus.comparedInitializer = try checkInitializer(b.string("compared_initializer", default: p.bonus.comparedInitializer),
                                                               b, "compared_initializer")
            p.bonus.learningRateGrid = try b.doubles("learning_rate_grid", default: p.bonus.learningRateGrid, atMost: 20)
            guard !p.bonus.learningRateGrid.isEmpty, p.bonus.learningRateGrid.allSatisfy({ $0 > 0 }) else {
                throw b.error("learning_rate_grid", "needs at least one learning rate, each greater than 0")
            }
            try b.rejectUnknownKeys()
        }
        if let r = try top.mapping("replication") {
            p.replication.seeds = try positive(r, "seeds", p.replication.seeds)
            guard p.replication.seeds <= p.seeds else { throw r.error("seeds", "cannot exceed the report's seeds (\(p.seeds))") }
            p.replication.learningRate = try r.double("learning_rate", default: p.replication.learningRate)
            guard p.replication.learningRate > 0 else { throw r.error("learning_rate", "must be greater than 0") }
            p.replication.momentumLearningRate = try r.double("momentum_learning_rate", default: p.replication.momentumLearningRate)
            guard p.replication.momentumLearningRate > 0 else { throw r.error("momentum_learning_rate", "must be greater than 0") }
            try r.rejectUnknownKeys()
        }
        try top.rejectUnknownKeys()
        // Checks across sections, whichever sections the file has.
        let training = 60000 - p.validationImages
        guard p.base.batchSize <= training else {
            let message = "is larger than the \(training) training image\(training == 1 ? "" : "s") that validation_images "
                + "(\(p.validationImages)) leaves: hold out at most \(60000 - p.base.batchSize) images or use a smaller batch"
            if let b = baseFields, b.has("batch_size") { throw b.error("batch_size", message) }
            throw top.error("validation_images", "leaves \(training) training image\(training == 1 ? "" : "s"), fewer than one batch "
                            + "of base.batch_size (\(p.base.batchSize)): hold out at most \(60000 - p.base.batchSize) images")
        }
        guard p.gradientCheck.images <= training else {
            let message = "is more than the \(training) training images that validation_images (\(p.validationImages)) leaves"
            if let g = gradientFields, g.has("images") { throw g.error("images", message) }
            throw top.error("validation_images", "leaves \(training) training images, fewer than gradient_check.images (\(p.gradientCheck.images))")
        }
        return p
    }

    private static func positive(_ f: YAMLFields, _ key: String, _ d: Int) throws -> Int {
        let v = try f.int(key, default: d)
        guard v > 0 else { throw f.error(key, "must be at least 1") }
        return v
    }

    /// The activation's one spelling (Activation.name), or an error naming the choices.
    private static func checkActivation(_ name: String, _ f: YAMLFields, _ key: String) throws -> String {
        guard let activation = Activation(name: name), activation != .softmax else {
            var m = "unknown activation '\(name)'; one of \(Activation.names.filter { $0 != "softmax" }.joined(separator: ", "))"
            if let s = closest(name, among: Activation.names) { m += " (did you mean '\(s)'?)" }
            throw f.error(key, m)
        }
        return activation.name
    }

    private static func checkInitializer(_ name: String, _ f: YAMLFields, _ key: String) throws -> String {
        guard let initializer = Initializer(name: name) else {
            var m = "unknown initializer '\(name)'; one of \(Initializer.names.joined(separator: ", "))"
            if let s = closest(name, among: Initializer.names) { m += " (did you mean '\(s)'?)" }
            throw f.error(key, m)
        }
        return initializer.name
    }

    private static func yamlLine(_ error: YamlError) -> Int? {
        switch error {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _), let .composer(_, _, mark, _):
            return mark.line
        default:
            return nil
        }
    }
}
