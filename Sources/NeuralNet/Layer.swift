import MatrixCore

/// One stage of a `Sequential` model.
///
/// Layers own their parameters and any state of their own (a dropout mask) but not their
/// inputs or outputs: the model owns those buffers and hands them in as row-major pointers
/// (rows = samples), so that a batch step or an evaluation chunk never allocates.
public protocol Layer<Scalar>: AnyObject {
    associatedtype Scalar: MatrixScalar

    /// Width of the output rows, known once built.
    var outputSize: Int { get }
    /// Trainable parameters, empty when there are none.
    var parameters: [Parameter<Scalar>] { get }
    /// A short description for summaries ("Dense(64, sigmoid)").
    var summary: String { get }

    /// Creates the parameters for inputs of width `inputSize`, drawing from `generator`.
    func build(inputSize: Int, index: Int, generator: inout SeededGenerator)

    /// output (rows x outputSize) = layer(input (rows x inputSize)). `batchCapacity` is the
    /// largest `rows` the model will pass, for layers that keep per-row state.
    func forward(_ input: UnsafePointer<Scalar>, rows: Int, output: UnsafeMutablePointer<Scalar>,
                 training: Bool, generator: inout SeededGenerator)

    /// Given `gradient` = dL/d(output) (rows x outputSize; the layer may overwrite it),
    /// accumulates nothing but *sets* each parameter's gradient for this batch and, when
    /// `inputGradient` is non-nil, writes dL/d(input) (rows x inputSize) there.
    /// `gradientIsPreActivation` says the caller already folded the activation in
    /// (softmax fused with cross-entropy).
    func backward(input: UnsafePointer<Scalar>, output: UnsafePointer<Scalar>, rows: Int,
                  gradient: UnsafeMutablePointer<Scalar>, gradientIsPreActivation: Bool,
                  inputGradient: UnsafeMutablePointer<Scalar>?)
}
