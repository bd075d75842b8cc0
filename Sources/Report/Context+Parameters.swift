import Experiments
import Foundation
import NeuralNet

/// How the report's evidence is gathered: seeds, the test family and its level, and the
/// thresholds that classify runs.
struct DesignContext: Codable {
    var plottedSeeds: String
    var sweepSeeds: String
    var replicationSeeds: String
    var choiceSeeds: String
    var singleChoiceSeed: Bool
    /// How many comparisons the Holm family tests.
    var family: String
    var level: String
    var confidence: String
    var collapseAccuracy: String
    var oscillation: String
    var chance: String
}

/// The parameters the text quotes, from parameters.yaml and the planned base network.
struct ParamsContext: Codable {
    var hidden: String
    var allTrainImages: String
    var activation: String
    var initializer: String
    var learningRate: String
    var batchSize: String
    var epochs: String
    var momentum: String
    var shuffle: String
    var trainImages: String
    var validationImages: String
    var testImages: String
    var batchesPerEpoch: String
    var evalBase: String
    var evalPlotted: String
    var evalFirst: String
    var diagnosticsImages: String
    var patience: String
    var grid: String
    var trickMomentum: String
    var parameterCount: String
    var gradientImages: String
    var gradientEpsilon: String
    var bonusGrid: String
    var bonusWidth: String
    var bonusDropoutGrid: String
    var bonusTGrid: String
    var bonusShift: String
    var bonusInit: String
    var bonusOtherInit: String
    var bonusChoiceSeeds: String
    var bonusChoiceSeedsPlural: Bool
    var bonusEpochs: String
    var replicationSeeds: String
    var replicationRate: String
    var replicationMomentumRate: String
    var replicationStep: String
}

extension ContextBuilder {
    func designContext() -> DesignContext {
        let planner = outcomes.planner
        return DesignContext(
            plottedSeeds: Words.count(planner.seeds(for: .tricks).count, "seed"),
            sweepSeeds: Words.count(planner.sweepSeeds(for: .tricks).count, "seed"),
            replicationSeeds: Words.count(planner.seeds(for: .replication).count, "seed"),
            choiceSeeds: Words.count(planner.choiceSeeds.count, "seed"),
            singleChoiceSeed: planner.choiceSeeds.count == 1,
            family: "\(family.testedCount)",
            level: Format.rate(Verdict.level),
            confidence: Format.rate(100 * (family.verdicts.compactMap(\.difference).first?.confidence ?? 0.95)),
            collapseAccuracy: Format.rate(100 * RunClass.collapseAccuracy),
            oscillation: Format.rate(100 * RunClass.oscillationThreshold),
            chance: Format.rate(100.0 / 10))
    }

    func parameterContext() -> ParamsContext {
        let train = 60000 - p.validationImages
        let base = outcomes.planner.baseTemplate
        return ParamsContext(
            hidden: p.base.hiddenUnits.map(String.init).joined(separator: "-"),
            allTrainImages: Format.integer(60000),
            activation: p.base.activation,
            initializer: p.base.initializer == "uniform" ? "uniform(−1, 1)" : p.base.initializer,
            learningRate: Format.rate(p.base.learningRate),
            batchSize: "\(p.base.batchSize)",
            epochs: "\(base.epochs)",
            momentum: Format.rate(p.base.momentum),
            shuffle: p.base.shuffle ? "yes" : "no",
            trainImages: Format.integer(base.subset?.train ?? train),
            validationImages: Format.integer(base.subset?.validation ?? p.validationImages),
            testImages: Format.integer(base.subset?.test ?? 10000),
            batchesPerEpoch: Format.integer(((base.subset?.train ?? train) + p.base.batchSize - 1) / p.base.batchSize),
            evalBase: "\(p.evaluation.basePerEpoch)",
            evalPlotted: "\(p.evaluation.plottedPerEpoch)",
            evalFirst: "\(p.evaluation.firstEpoch)",
            diagnosticsImages: Format.integer(Runner.diagnosticsImages),
            patience: "\(p.evaluation.earlyStoppingPatience)",
            grid: p.learningRateGrid.map(Format.rate).joined(separator: ", "),
            trickMomentum: Format.rate(p.tricks.momentum),
            parameterCount: Format.integer(base.parameterCount),
            gradientImages: "\(p.gradientCheck.images)",
            gradientEpsilon: Format.rate(p.gradientCheck.epsilon),
            bonusGrid: p.bonus.learningRateGrid.map(Format.rate).joined(separator: ", "),
            bonusWidth: "\(p.bonus.hiddenUnits)",
            bonusDropoutGrid: p.bonus.dropoutGrid.map(Format.rate).joined(separator: ", "),
            bonusTGrid: p.bonus.annealingGrid.map(Format.rate).joined(separator: ", "),
            bonusShift: "\(p.bonus.shiftPixels)",
            bonusInit: Planner.initializerName(p.bonus.initializer),
            bonusOtherInit: Planner.initializerName(p.bonus.comparedInitializer),
            bonusChoiceSeeds: "\(outcomes.planner.choiceSeeds.count)",
            bonusChoiceSeedsPlural: outcomes.planner.choiceSeeds.count > 1,
            bonusEpochs: "\(outcomes.planner.bonusRows.first?.template.epochs ?? p.bonus.epochs)",
            replicationSeeds: "\(min(p.replication.seeds, p.seeds))",
            replicationRate: Format.rate(p.replication.learningRate),
            replicationMomentumRate: Format.rate(p.replication.momentumLearningRate),
            replicationStep: String(format: "%.4f", p.replication.learningRate / Double(p.base.batchSize)))
    }
}
