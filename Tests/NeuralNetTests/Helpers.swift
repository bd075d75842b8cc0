import MatrixCore
@testable import NeuralNet

/// A small synthetic classification problem: Gaussian blobs around `classes` centres.
func blobs<S: MatrixScalar>(_: S.Type = S.self, count: Int, features: Int = 12, classes: Int = 4,
                            seed: UInt64 = 5, name: String = "train") -> Examples<S> {
    var g = SeededGenerator(seed: 99)  // fixed centres
    let centres = (0..<classes).map { _ in (0..<features).map { _ in g.uniform(-1, 1) } }
    var d = SeededGenerator(seed: seed)
    var x: [S] = [], y: [Int] = []
    for i in 0..<count {
        let c = i % classes
        y.append(c)
        for f in 0..<features { x.append(S(centres[c][f] + d.normal(standardDeviation: 0.6))) }
    }
    return Examples(name: name, inputs: Matrix(rows: count, columns: features, storage: x), labels: y)
}

func mlp<S: MatrixScalar>(_: S.Type = S.self, inputs: Int, hidden: [Int], classes: Int, activation: Activation,
                          initializer: Initializer = .uniform(low: -1, high: 1), seed: UInt64 = 1) -> Sequential<S> {
    let model = Sequential<S>(inputSize: inputs, seed: seed)
    for h in hidden { model.add(Dense(h, activation: activation, weightInitializer: initializer)) }
    model.add(Dense(classes, activation: .linear, weightInitializer: initializer))
    return model
}
