import MatrixCore

/// A trainable tensor and its gradient, shared by reference between the layer that owns
/// it, the optimiser that updates it and the gradient check that perturbs it.
public final class Parameter<Scalar: MatrixScalar> {
    /// A name for reports and gradient-check results ("dense1.weight").
    public var name: String
    public var value: Matrix<Scalar>
    /// d loss / d value for the last backward pass; same shape as `value`.
    public var gradient: Matrix<Scalar>

    public init(name: String, value: Matrix<Scalar>) {
        self.name = name
        self.value = value
        self.gradient = Matrix(rows: value.rows, columns: value.columns)
    }
}
