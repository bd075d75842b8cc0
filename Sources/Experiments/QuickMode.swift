/// `--quick`: a few thousand images, 2 epochs, 1 seed (unless --seeds), the smallest grids:
/// the whole pipeline in seconds, for smoke tests and the Slurm test.
public enum QuickMode {
    public static let subset = RunSpec.Subset(train: 3000, validation: 500, test: 1000)
    public static let epochs = 2

    /// Cuts `parameters` down to the quick plan.
    public static func apply(to parameters: inout Parameters, seeds: Int?) {
        parameters.seeds = seeds ?? 1
        parameters.replication.seeds = 1
        parameters.learningRateGrid = Array(parameters.learningRateGrid.filter { [0.5, 0.1].contains($0) }.prefix(2))
        if parameters.learningRateGrid.isEmpty { parameters.learningRateGrid = [0.5] }
        parameters.bonus.learningRateGrid = [parameters.bonus.learningRateGrid[parameters.bonus.learningRateGrid.count / 2]]
        parameters.bonus.hiddenUnits = min(parameters.bonus.hiddenUnits, 128)
        parameters.bonus.dropoutGrid = Array(parameters.bonus.dropoutGrid.prefix(1))
        parameters.bonus.annealingGrid = Array(parameters.bonus.annealingGrid.prefix(1))
    }
}
