import MatrixCore

/// A stack of layers ending in a softmax layer trained with cross-entropy, Keras style:
///
///     let model = Sequential<Float>(inputSize: 784, seed: 1)
///     model.add(Dense(64, activation: .sigmoid))
///     model.add(Dense(10, activation: .softmax))
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
    private var activations: [[Scalar]] = []
    /// Two ping-pong buffers for dL/d(activation) on the way down.
    private var gradientA: [Scalar] = []
    private var gradientB: [Scalar] = []
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
        capacity = 0
    }

    /// Width of the model's output (the input width while empty).
    public var outputSize: Int { layers.last?.outputSize ?? inputSize }

    public var parameters: [Parameter<Scalar>] { layers.flatMap { $0.parameters } }

    /// Number of trainable scalars (weights and biases).
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    public var summary: String {
        "Sequential(\(inputSize) -> " + layers.map { $0.summary }.joined(separator: " -> ") + "), \(parameterCount) parameters"
    }

    /// A copy of every parameter value, for restoring the best weights later.
    public func snapshot() -> [Matrix<Scalar>] { parameters.map { $0.value } }

    public func restore(_ values: [Matrix<Scalar>]) {
        for (p, v) in zip(parameters, values) { p.value = v }
    }

    private func reserve(rows: Int) {
        guard rows > capacity else { return }
        capacity = rows
        activations = layers.map { [Scalar](repeating: 0, count: rows * $0.outputSize) }
        let widest = ([inputSize] + layers.map { $0.outputSize }).max()!
        gradientA = [Scalar](repeating: 0, count: rows * widest)
        gradientB = gradientA
    }

    /// Runs the layers on `rows` rows at `input`; the result stays in the last activation
    /// buffer, which `body` reads.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private func forward(_ input: UnsafePointer<Scalar>, inputRows: UnsafePointer<Int>? = nil, rows: Int, training: Bool,
                         logits: Bool = false) {
        reserve(rows: rows)
        var source = input
        for i in layers.indices {
            activations[i].withUnsafeMutableBufferPointer { out in
                if i == 0, let indices = inputRows {
                    let done = (layers[0] as? Dense<Scalar>)?.forward(rowsOf: input, indices: indices, rows: rows,
                                                                      output: out.baseAddress!) ?? false
                    precondition(done, "rows in place need readsRowsInPlace")
                } else if logits, i == layers.count - 1, let dense = layers[i] as? Dense<Scalar> {
                    dense.forward(source, rows: rows, output: out.baseAddress!, softmax: false)
                } else {
                    layers[i].forward(source, rows: rows, output: out.baseAddress!, training: training,
                                      generator: &dropoutGenerator)
                }
                source = UnsafePointer(out.baseAddress!)
            }
        }
    }

    /// True when `computeGradients(inputRows:)` can read a shuffled batch in place: the
    /// first layer is a Dense layer that `readsRowsInPlace` (Float on AVX-512 or AVX2 + FMA).
    public var readsRowsInPlace: Bool { (layers.first as? Dense<Scalar>)?.readsRowsInPlace ?? false }

    /// One forward and backward pass on `rows` examples at `input` with `labels`, leaving
    /// every parameter's gradient of the *mean* cross-entropy over these rows. With
    /// `inputRows`, example r is row inputRows[r] of the matrix at `input` (read in place,
    /// no gathered copy; needs `readsRowsInPlace`).
    /// Returns (mean loss, correct predictions) of the batch, from the training-mode pass.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    @discardableResult
    public func computeGradients(input: UnsafePointer<Scalar>, inputRows: UnsafePointer<Int>? = nil,
                                 labels: UnsafePointer<Int32>, rows: Int) -> (loss: Double, correct: Int) {
        precondition(!layers.isEmpty, "the model has no layers")
        precondition(inputRows == nil || (readsRowsInPlace && rows > 1), "rows in place need readsRowsInPlace and rows > 1")
        forward(input, inputRows: inputRows, rows: rows, training: true)
        let classes = outputSize
        let last = layers.count - 1
        var result = (loss: 0.0, correct: 0)
        activations[last].withUnsafeBufferPointer { p in
            let ce = Kernels.crossEntropy(probabilities: p.baseAddress!, labels: labels, rows: rows, columns: classes)
            result = (ce.lossSum / Double(rows), ce.correct)
            // dL/dz of the fused softmax + mean cross-entropy: (p - onehot(y)) / rows.
            gradientA.withUnsafeMutableBufferPointer { g in
                let inv = 1 / Scalar(rows)
                for i in 0..<(rows * classes) { g[i] = p[i] * inv }
                for r in 0..<rows { g[r * classes + Int(labels[r])] -= inv }
            }
        }
        // Walk down: the gradient for layer i's output is in `gradientA`; layer i writes
        // the gradient for its input into `gradientB` (unless it is the first layer).
        for i in stride(from: last, through: 0, by: -1) {
            let layer = layers[i]
            let fused = i == last
            withInput(of: i, base: input) { x in
                activations[i].withUnsafeBufferPointer { y in
                    gradientA.withUnsafeMutableBufferPointer { g in
                        if i > 0 {
                            gradientB.withUnsafeMutableBufferPointer { dx in
                                layer.backward(input: x, output: y.baseAddress!, rows: rows, gradient: g.baseAddress!,
                                               gradientIsPreActivation: fused, inputGradient: dx.baseAddress!)
                            }
                        } else if let indices = inputRows {
                            let done = (layer as? Dense<Scalar>)?.backward(rowsOf: x, indices: indices, output: y.baseAddress!,
                                                                           rows: rows, gradient: g.baseAddress!,
                                                                           gradientIsPreActivation: fused) ?? false
                            precondition(done, "rows in place need readsRowsInPlace")
                        } else {
                            layer.backward(input: x, output: y.baseAddress!, rows: rows, gradient: g.baseAddress!,
                                           gradientIsPreActivation: fused, inputGradient: nil)
                        }
                    }
                }
            }
            swap(&gradientA, &gradientB)
        }
        return result
    }

    private func withInput<R>(of layer: Int, base: UnsafePointer<Scalar>, _ body: (UnsafePointer<Scalar>) -> R) -> R {
        if layer == 0 { return body(base) }
        return activations[layer - 1].withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// Mean cross-entropy and accuracy over `examples`, weights fixed, dropout off; runs
    /// in chunks of `chunk` rows straight from the examples' storage.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func evaluate(_ examples: Examples<Scalar>, chunk: Int = 2048) -> (loss: Double, accuracy: Double) {
        Denormals.flushed { evaluateFlushed(examples, chunk: chunk) }
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
        // Where the loss can come straight from the logits (Float, AVX-512 or AVX2, a softmax layer
        // of at most 16 classes), the probabilities are never formed.
        let fromLogits = Kernels.crossEntropyFromLogitsAvailable(Scalar.self, columns: classes)
            && (layers.last as? Dense<Scalar>)?.activation == .softmax
        examples.inputs.storage.withUnsafeBufferPointer { x in
            examples.labels.withUnsafeBufferPointer { y in
                var start = 0
                while start < n {
                    let rows = min(chunk, n - start)
                    forward(x.baseAddress! + start * width, rows: rows, training: false, logits: fromLogits)
                    activations[layers.count - 1].withUnsafeBufferPointer { p in
                        let labels = y.baseAddress! + start
                        let ce = fromLogits
                            ? Kernels.crossEntropy(logits: p.baseAddress!, labels: labels, rows: rows, columns: classes)!
                            : Kernels.crossEntropy(probabilities: p.baseAddress!, labels: labels, rows: rows, columns: classes)
                        lossSum += ce.lossSum
                        correct += ce.correct
                    }
                    start += rows
                }
            }
        }
        return (lossSum / Double(n), Double(correct) / Double(n))
    }

    /// Class probabilities (n x classes) for `inputs`, dropout off.
    public func predict(_ inputs: Matrix<Scalar>) -> Matrix<Scalar> {
        var out = Matrix<Scalar>(rows: inputs.rows, columns: outputSize)
        guard inputs.rows > 0 else { return out }
        inputs.storage.withUnsafeBufferPointer { x in
            forward(x.baseAddress!, rows: inputs.rows, training: false)
        }
        out.storage = Array(activations[layers.count - 1][0..<(inputs.rows * outputSize)])
        return out
    }
}
