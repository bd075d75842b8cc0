import MatrixCore

/// Inputs and integer class labels: row i of `inputs` is example i, `labels[i]` its class.
public struct Examples<Scalar: MatrixScalar>: Sendable {
    public var name: String
    /// n x features, row-major.
    public var inputs: Matrix<Scalar>
    /// n labels in 0..<classes, stored as Int32 for the loss kernel.
    public var labels: [Int32]

    public init(name: String, inputs: Matrix<Scalar>, labels: [Int]) {
        precondition(inputs.rows == labels.count, "\(name): \(inputs.rows) inputs but \(labels.count) labels")
        self.name = name
        self.inputs = inputs
        self.labels = labels.map { Int32($0) }
    }

    public var count: Int { labels.count }

    /// The first `n` examples (or all, when fewer).
    public func prefix(_ n: Int) -> Examples {
        let k = min(n, count)
        return Examples(name: name, inputs: inputs.rows(0..<k), labels: labels[0..<k].map { Int($0) })
    }
}
