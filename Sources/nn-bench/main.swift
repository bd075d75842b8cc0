import Foundation
import MatrixCore
import NeuralNet

// Temporary synthetic version: MNIST-shaped random data.
var g = SeededGenerator(seed: 1)
@MainActor func randomSet(_ name: String, _ n: Int) -> Examples<Float> {
    Examples(name: name, inputs: Matrix(rows: n, columns: 784, storage: (0..<(n * 784)).map { _ in Float(g.uniform(-1, 1)) }),
             labels: (0..<n).map { _ in g.index(below: 10) })
}
BLAS.threads = 1
print(BLAS.kernel)
let train = randomSet("train", 54000), val = randomSet("validation", 6000), test = randomSet("test", 10000)
let model = Sequential<Float>(inputSize: 784, seed: 1)
model.add(Dense(64, activation: .sigmoid))
model.add(Dense(10, activation: .softmax))
let trainer = Trainer(model: model, optimizer: SGD(learningRate: 0.5),
                      options: TrainingOptions(epochs: 2, batchSize: 128, evaluationsPerEpoch: 1))
let h = trainer.fit(train, evaluationSets: [train, val, test])
print("epoch seconds", h.trainingSeconds, "eval per pass", h.evaluationSeconds / Double(h.evaluationCount))
