import MatrixCore

/// One stage of a `Sequential` model.
///
/// Layers own their parameters and any state of their own (a dropout mask) but not their
/// inputs or outputs: the model owns those buffers and hands them in (rows = samples), so
/// that a batch step or an evaluation chunk never allocates. The input is a `MatrixView`
/// (rows x inputSize), which may read a shuffled batch's rows in place through a row index.
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

    /// output (input.rows x outputSize) = layer(input); `training` switches on what only
    /// training does (dropout), drawing from `generator`.
    func forward(_ input: MatrixView<Scalar>, output: UnsafeMutablePointer<Scalar>,
                 training: Bool, generator: inout SeededGenerator)

    /// Given `gradient` = dL/d(output) (input.rows x outputSize; the layer may overwrite it)
    /// and the `output` its forward pass wrote, *sets* (not accumulates) each parameter's
    /// gradient for this batch and, when `inputGradient` is non-nil, writes dL/d(input)
    /// (input.rows x inputSize) there.
    func backward(input: MatrixView<Scalar>, output: UnsafePointer<Scalar>,
                  gradient: UnsafeMutablePointer<Scalar>, inputGradient: UnsafeMutablePointer<Scalar>?)
}
