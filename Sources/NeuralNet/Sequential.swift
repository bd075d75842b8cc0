import MatrixCore

/// A stack of layers whose last emits logits, trained with `SoftmaxCrossEntropy`, Keras style:
///
///     let model = Sequential<Float>(inputSize: 784, seed: 1)
///     model.add(Dense(64, activation: .sigmoid))
///     model.add(Dense(10, activation: .linear))   // logits; the loss applies the softmax
///
/// Layers are built as they are added, drawing their initial values from the model's
/// "init" stream; dropout masks come from its "dropout" stream. The model owns every
/// activation and gradient buffer (sized for the largest batch seen, then reused), so
/// `trainStep` and `evaluate` allocate nothing once warmed up.
public final class Sequential<Scalar: MatrixScalar> {
    public let inputSize: Int
    public private(set) var layers: [any Layer<Scalar>] = []
    private var initGenerator: SeededGenerator
    private var dropoutGenerator: SeededGenerator

    /// activations[i] = output of layer i for the current batch, rows x layers[i].outputSize.
    private var activations: [UnsafeMutablePointer<Scalar>] = []
    /// Two ping-pong buffers for dL/d(activation) on the way down, rows x the widest layer.
    private var gradientA: UnsafeMutablePointer<Scalar>?
    private var gradientB: UnsafeMutablePointer<Scalar>?
    /// The rows the buffers hold (allocated for the largest batch seen, then reused).
    private var capacity = 0

    public init(inputSize: Int, seed: UInt64) {
        precondition(inputSize > 0)
        self.inputSize = inputSize
        initGenerator = SeededGenerator(seed: seed, stream: "init")
        dropoutGenerator = SeededGenerator(seed: seed, stream: "dropout")
    }

    /// Appends and builds a layer; its input width is the previous layer's output width.
    public func add(_ layer: some Layer<Scalar>) {
        layer.build(inputSize: outputSize, index: layers.count + 1, generator: &initGenerator)
        layers.append(layer)
        release()
    }

    /// Width of the model's output (the input width while empty).
    public var outputSize: Int { layers.last?.outputSize ?? inputSize }

    public var parameters: [Parameter<Scalar>] { layers.flatMap { $0.parameters } }

    /// Number of trainable scalars (weights and biases).
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    public var summary: String {
        "Sequential(\(inputSize) -> " + layers.map { $0.summary }.joined(separator: " -> ") + "), \(parameterCount) parameters"
    }

    private func reserve(rows: Int) {
        guard rows > capacity else { return }
        release()
        capacity = rows
        func zeros(_ count: Int) -> UnsafeMutablePointer<Scalar> {
            let p = UnsafeMutablePointer<Scalar>.allocate(capacity: count)
            p.initialize(repeating: 0, count: count)
            return p
        }
        activations = layers.map { zeros(rows * $0.outputSize) }
        let widest = ([inputSize] + layers.map { $0.outputSize }).max()!
        gradientA = zeros(rows * widest)
        gradientB = zeros(rows * widest)
    }

    private func release() {
        for p in activations { p.deallocate() }
        gradientA?.deallocate()
        gradientB?.deallocate()
        activations = []
        capacity = 0
    }

    deinit { release() }

    /// Runs the layers on `input` (rows x inputSize); each layer's output stays in its
    /// activation buffer, the logits in the last, which the loss reads.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private func forward(_ input: MatrixView<Scalar>, training: Bool, from first: Int = 0) {
        reserve(rows: input.rows)
        for i in first..<layers.count {
            layers[i].forward(self.input(of: i, input), output: activations[i], training: training, generator: &dropoutGenerator)
        }
    }

    /// One forward and backward pass on the batch `input` (rows x inputSize, rows possibly
    /// read in place through a row index) with `labels`, leaving every parameter's gradient
    /// of the *mean* loss over these rows. Returns (mean loss, correct predictions) of the
    /// batch, from the training-mode pass.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    @discardableResult
    public func computeGradients(_ input: MatrixView<Scalar>, labels: UnsafePointer<Int32>) -> (loss: Double, correct: Int) {
        precondition(!layers.isEmpty, "the model has no layers")
        precondition(input.columns == inputSize && !input.isTransposed, "a batch has the model's \(inputSize) inputs a row")
        forward(input, training: true)
        return lossAndBackward(input, labels: labels, downTo: 0)
    }

    /// The loss of the logits the training-mode forward pass left, then the backward pass
    /// from the last layer down to layer `lowest`; returns (mean loss, correct). The gradient
    /// for layer `lowest - 1`'s output is then in `gradientA` (when `lowest > 0`).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private func lossAndBackward(_ input: MatrixView<Scalar>, labels: UnsafePointer<Int32>,
                                 downTo lowest: Int) -> (loss: Double, correct: Int) {
        let last = layers.count - 1
        // dL/dz of the logits into `gradientA`.
        let result = SoftmaxCrossEntropy.evaluate(logits: activations[last], labels: labels, rows: input.rows,
                                                  classes: outputSize, gradient: gradientA!)
        // Walk down: the gradient for layer i's output is in `gradientA`; layer i writes
        // the gradient for its input into `gradientB` (unless it is the first layer).
        for i in stride(from: last, through: lowest, by: -1) {
            layers[i].backward(input: self.input(of: i, input), output: activations[i], gradient: gradientA!,
                               inputGradient: i > 0 ? gradientB! : nil)
            swap(&gradientA, &gradientB)
        }
        return (result.lossSum / Double(input.rows), result.correct)
    }

    // MARK: The training pass split at the first layer (for `GridTrainer`)

    /// Layer 0's output buffer (rows x layers[0].outputSize), sized for `rows`: the grid
    /// writes the first layer's forward product there instead of the layer.
    func firstLayerOutput(rows: Int) -> UnsafeMutablePointer<Scalar> {
        reserve(rows: rows)
        return activations[0]
    }

    /// `computeGradients` without the first layer's two products: expects layer 0's output
    /// in `firstLayerOutput(rows:)`, runs layers 1... forward (dropout drawing from this
    /// model's stream, as `computeGradients` does), the loss and the backward pass down to
    /// layer 1, and returns (mean loss, correct) with dL/d(layer 0's output) (rows x
    /// layers[0].outputSize), which layer 0's backward pass would have received.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func gradientsAboveFirstLayer(_ input: MatrixView<Scalar>, labels: UnsafePointer<Int32>)
        -> (loss: Double, correct: Int, firstOutputGradient: UnsafeMutablePointer<Scalar>) {
        precondition(layers.count >= 2, "the first layer is split off only when others follow it")
        forward(input, training: true, from: 1)
        let result = lossAndBackward(input, labels: labels, downTo: 1)
        return (result.loss, result.correct, gradientA!)
    }

    /// Layer `layer`'s input: the batch for the first, else the previous layer's output.
    private func input(of layer: Int, _ batch: MatrixView<Scalar>) -> MatrixView<Scalar> {
        layer == 0 ? batch : MatrixView(activations[layer - 1], rows: batch.rows, columns: layers[layer - 1].outputSize)
    }

    /// Mean cross-entropy and accuracy over `examples`, weights fixed, dropout off; runs
    /// in chunks of `chunk` rows straight from the examples' storage, through the same
    /// loss as training.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func evaluate(_ examples: Examples<Scalar>, chunk: Int = 2048) -> (loss: Double, accuracy: Double) {
        Denormals.flushed { evaluateFlushed(examples, chunk: chunk) }
    }

    /// The logits (examples.count x outputSize, row-major) of every example, weights fixed,
    /// dropout off: the same forward pass in the same chunks as `evaluate`, so the first
    /// largest logit of a row is the class `evaluate` counts as predicted. For looking at a
    /// trained network (confusion matrix, its most confident mistakes); training never calls it.
    public func logits(_ examples: Examples<Scalar>, chunk: Int = 2048) -> Matrix<Scalar> {
        Denormals.flushed {
            let n = examples.count, width = inputSize, classes = outputSize
            precondition(examples.inputs.columns == width,
                         "\(examples.name): inputs have \(examples.inputs.columns) features, the model expects \(width)")
            var out = Matrix<Scalar>(rows: n, columns: classes)
            examples.inputs.storage.withUnsafeBufferPointer { x in
                var start = 0
                while start < n {
                    let rows = min(chunk, n - start)
                    forward(MatrixView(x.baseAddress! + start * width, rows: rows, columns: width), training: false)
                    let z = activations[layers.count - 1]
                    for i in 0..<(rows * classes) { out.storage[start * classes + i] = z[i] }
                    start += rows
                }
            }
            return out
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private func evaluateFlushed(_ examples: Examples<Scalar>, chunk: Int) -> (loss: Double, accuracy: Double) {
        let n = examples.count
        guard n > 0 else { return (.nan, .nan) }
        var lossSum = 0.0, correct = 0
        let classes = outputSize, width = inputSize
        precondition(examples.inputs.columns == width,
                     "\(examples.name): inputs have \(examples.inputs.columns) features, the model expects \(width)")
        examples.inputs.storage.withUnsafeBufferPointer { x in
            examples.labels.withUnsafeBufferPointer { y in
                var start = 0
                while start < n {
                    let rows = min(chunk, n - start)
                    forward(MatrixView(x.baseAddress! + start * width, rows: rows, columns: width), training: false)
                    let chunkResult = SoftmaxCrossEntropy.evaluate(logits: activations[layers.count - 1],
                                                                   labels: y.baseAddress! + start, rows: rows, classes: classes)
                    lossSum += chunkResult.lossSum
                    correct += chunkResult.correct
                    start += rows
                }
            }
        }
        return (lossSum / Double(n), Double(correct) / Double(n))
    }
}
