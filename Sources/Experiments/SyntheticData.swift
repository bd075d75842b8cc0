import Foundation
import MatrixCore
import NeuralNet

/// MNIST-shaped stand-in data (784 features in [-1, 1], 10 classes as noisy blobs) that
/// trains in milliseconds: for tests and for trying the pipeline without the data files.
/// Its "checksums" are whatever it is given, so tests can simulate a changed dataset.
public final class SyntheticData: DataProvider, @unchecked Sendable {
    private let sums: [String: String]
    private let sizes: (train: Int, validation: Int, test: Int)

    public init(checksum: String = "synthetic", train: Int = 300, validation: Int = 100, test: Int = 100) {
        sums = ["synthetic-images": checksum, "synthetic-labels": checksum]
        sizes = (train, validation, test)
    }

    public func checksums() throws -> [String: String] { sums }

    public func split(seed: UInt64, validationImages: Int, subset: RunSpec.Subset?) throws -> SplitData {
        var centres = SeededGenerator(seed: 77)
        let means = (0..<10).map { _ in (0..<784).map { _ in Float(centres.uniform(-1, 1)) } }
        func make(_ name: String, _ n: Int) -> Examples<Float> {
            var g = SeededGenerator(seed: seed, stream: name)
            var x = [Float](), y = [Int]()
            x.reserveCapacity(n * 784)
            for i in 0..<n {
                let c = i % 10
                y.append(c)
                for f in 0..<784 { x.append(max(-1, min(1, means[c][f] + Float(g.normal(standardDeviation: 0.8))))) }
            }
            return Examples(name: name, inputs: Matrix(rows: n, columns: 784, storage: x), labels: y)
        }
        return SplitData(train: make("train", sizes.train), validation: make("validation", sizes.validation),
                         test: make("test", sizes.test))
    }
}
