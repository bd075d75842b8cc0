import MatrixCore

/// A fully connected layer: y = f(x W + b), W of shape (inputSize x units), b of `units`.
public final class Dense<Scalar: MatrixScalar>: Layer {
    public let units: Int
    public let activation: Activation
    public let weightInitializer: Initializer
    public let biasInitializer: Initializer
    public private(set) var inputSize = 0
    public private(set) var weight: Parameter<Scalar>!
    public private(set) var bias: Parameter<Scalar>!
    /// W^T (units x inputSize), rewritten before each input-gradient product through
    /// PanelGEMM, which reads B row-major. Allocated on the first such product (a first
    /// layer, which has no input gradient, never needs it), then reused.
    private var transposedWeight: [Scalar] = []

    /// `biasInitializer` defaults to the scheme's own rule (see `Initializer.defaultBias`).
    public init(_ units: Int, activation: Activation, weightInitializer: Initializer = .uniform(low: -1, high: 1),
                biasInitializer: Initializer? = nil) {
        precondition(units > 0, "a dense layer needs at least one unit")
        self.units = units
        self.activation = activation
        self.weightInitializer = weightInitializer
        self.biasInitializer = biasInitializer ?? weightInitializer.defaultBias
    }

    public var outputSize: Int { units }
    public var parameters: [Parameter<Scalar>] { [weight, bias] }
    public var summary: String { "Dense(\(units), \(activation.name), \(weightInitializer.name))" }

    public func build(inputSize: Int, index: Int, generator: inout SeededGenerator) {
        self.inputSize = inputSize
        let w = weightInitializer.values(count: inputSize * units, fanIn: inputSize, fanOut: units, generator: &generator)
        let b = biasInitializer.values(count: units, fanIn: inputSize, fanOut: units, generator: &generator)
        weight = Parameter(name: "dense\(index).weight",
                           value: Matrix(rows: inputSize, columns: units, storage: w.map { Scalar($0) }))
        bias = Parameter(name: "dense\(index).bias", value: Matrix(rows: 1, columns: units, storage: b.map { Scalar($0) }))
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ input: UnsafePointer<Scalar>, rows: Int, output: UnsafeMutablePointer<Scalar>,
                        training: Bool, generator: inout SeededGenerator) {
        forward(input, rows: rows, output: output, softmax: true)
    }

    /// The forward pass; with `softmax: false` a softmax layer leaves its logits (for a loss
    /// that works on logits, as evaluation's does).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ input: UnsafePointer<Scalar>, rows: Int, output: UnsafeMutablePointer<Scalar>, softmax: Bool) {
        forward(input, indices: nil, rows: rows, output: output, softmax: softmax)
    }

    /// The forward pass of both entry points; `indices` (in-place rows) only where
    /// `readsRowsInPlace` and rows > 1, which the callers check.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private func forward(_ input: UnsafePointer<Scalar>, indices: UnsafePointer<Int>?, rows: Int,
                         output: UnsafeMutablePointer<Scalar>, softmax: Bool) {
        guard rows > 0 else { return }
        let n = units, k = inputSize
        // Through PanelGEMM the activation is applied in the same pass; softmax (no
        // pointwise form) always follows separately.
        let pointwise = activation.pointwise
        let done = rows > 1 && bias.value.storage.withUnsafeBufferPointer { b in
            weight.value.storage.withUnsafeBufferPointer { w in
                panelProduct(m: rows, n: n, k: k, a: input, lda: k, rows: indices, transposeA: false,
                             b: w.baseAddress!, ldb: n, bias: b.baseAddress!, activation: pointwise ?? .identity,
                             c: output)
            }
        }
        precondition(done || indices == nil, "rows in place need readsRowsInPlace")
        if !done {
            // Start from the broadcast bias, then add x W with beta = 1.
            bias.value.storage.withUnsafeBufferPointer { b in
                for r in 0..<rows { (output + r * n).update(from: b.baseAddress!, count: n) }
            }
            weight.value.storage.withUnsafeBufferPointer { w in
                if rows == 1 {
                    // y = W^T x: a matrix-vector product, no packing of W.
                    Scalar.gemv(transpose: true, m: k, n: n, alpha: 1, a: w.baseAddress!, lda: n, x: input, beta: 1, y: output)
                } else {
                    Scalar.gemm(transposeA: false, transposeB: false, m: rows, n: n, k: k,
                                alpha: 1, a: input, lda: k, b: w.baseAddress!, ldb: n, beta: 1, c: output, ldc: n)
                }
            }
        }
        if let f = pointwise {
            if !done { Kernels.apply(f, output, count: rows * n) }
        } else if softmax {
            Kernels.softmaxRows(output, rows: rows, columns: n)
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(input: UnsafePointer<Scalar>, output: UnsafePointer<Scalar>, rows: Int,
                         gradient: UnsafeMutablePointer<Scalar>, gradientIsPreActivation: Bool,
                         inputGradient: UnsafeMutablePointer<Scalar>?) {
        backward(input: input, indices: nil, output: output, rows: rows, gradient: gradient,
                 gradientIsPreActivation: gradientIsPreActivation, inputGradient: inputGradient)
    }

    /// The backward pass of both entry points; `indices` as in `forward`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private func backward(input: UnsafePointer<Scalar>, indices: UnsafePointer<Int>?, output: UnsafePointer<Scalar>,
                          rows: Int, gradient: UnsafeMutablePointer<Scalar>, gradientIsPreActivation: Bool,
                          inputGradient: UnsafeMutablePointer<Scalar>?) {
        let n = units, k = inputSize
        if !gradientIsPreActivation {
            guard let f = activation.pointwise else {
                preconditionFailure("softmax must be the output layer, fused with cross-entropy")
            }
            Kernels.multiplyByDerivative(f, output: output, gradient: gradient, count: rows * n)
        }
        // dW = x^T dz (k x n), db = column sums of dz, dx = dz W^T (rows x k).
        weight.gradient.storage.withUnsafeMutableBufferPointer { dw in
            if rows == 1 {
                // dW = x dz^T, an outer product.
                for i in 0..<k {
                    let xi = input[i], row = dw.baseAddress! + i * n
                    for j in 0..<n { row[j] = xi * gradient[j] }
                }
            } else if !panelProduct(m: k, n: n, k: rows, a: input, lda: k, rows: indices, transposeA: true,
                                    b: gradient, ldb: n, bias: nil, activation: .identity, c: dw.baseAddress!) {
                precondition(indices == nil, "rows in place need readsRowsInPlace")
                Scalar.gemm(transposeA: true, transposeB: false, m: k, n: n, k: rows,
                            alpha: 1, a: input, lda: k, b: gradient, ldb: n, beta: 0, c: dw.baseAddress!, ldc: n)
            }
        }
        bias.gradient.storage.withUnsafeMutableBufferPointer { db in
            Kernels.sumColumns(gradient, rows: rows, columns: n, into: db.baseAddress!)
        }
        if let dx = inputGradient {
            weight.value.storage.withUnsafeBufferPointer { w in
                if rows == 1 {
                    Scalar.gemv(transpose: false, m: k, n: n, alpha: 1, a: w.baseAddress!, lda: n, x: gradient, beta: 0, y: dx)
                } else if Scalar.self == Float.self && PanelGEMM.isAvailable {
                    // dx = dz W^T through the same kernel as the other products (W^T copied
                    // first: k n floats against rows k n FMAs), so that no product of Float
                    // training depends on which BLAS kernel this CPU gets.
                    if transposedWeight.count != k * n { transposedWeight = [Scalar](repeating: 0, count: k * n) }
                    transposedWeight.withUnsafeMutableBufferPointer { wt in
                        for i in 0..<k { for j in 0..<n { wt[j * k + i] = w[i * n + j] } }
                        let done = panelProduct(m: rows, n: k, k: n, a: gradient, lda: n, transposeA: false,
                                                b: UnsafePointer(wt.baseAddress!), ldb: k, bias: nil, activation: .identity,
                                                c: dx, ldc: k)
                        precondition(done)
                    }
                } else {
                    Scalar.gemm(transposeA: false, transposeB: true, m: rows, n: k, k: n,
                                alpha: 1, a: gradient, lda: n, b: w.baseAddress!, ldb: n, beta: 0, c: dx, ldc: k)
                }
            }
        }
    }

    /// True where `forward(rowsOf:)` and `backward(rowsOf:)` work: Float on AVX-512 or AVX2 + FMA.
    public var readsRowsInPlace: Bool { Scalar.self == Float.self && PanelGEMM.isAvailable }

    /// `forward` for the first layer of a shuffled batch, reading batch row r from row
    /// `indices[r]` of `inputs` (a stored matrix with `inputSize` columns) instead of a
    /// gathered copy; the same arithmetic, so the same bits. Needs `readsRowsInPlace` and
    /// rows > 1 (returns false, doing nothing, otherwise: the caller gathers).
    @_specialize(where Scalar == Float)
    public func forward(rowsOf inputs: UnsafePointer<Scalar>, indices: UnsafePointer<Int>, rows: Int,
                        output: UnsafeMutablePointer<Scalar>) -> Bool {
        guard readsRowsInPlace, rows > 1 else { return false }
        forward(inputs, indices: indices, rows: rows, output: output, softmax: true)
        return true
    }

    /// `backward` for the first layer of a shuffled batch (no input gradient), reading the
    /// input rows in place as `forward(rowsOf:)` does; false, doing nothing, where that
    /// returned false.
    @_specialize(where Scalar == Float)
    public func backward(rowsOf inputs: UnsafePointer<Scalar>, indices: UnsafePointer<Int>, output: UnsafePointer<Scalar>,
                         rows: Int, gradient: UnsafeMutablePointer<Scalar>, gradientIsPreActivation: Bool) -> Bool {
        guard readsRowsInPlace, rows > 1 else { return false }
        backward(input: inputs, indices: indices, output: output, rows: rows, gradient: gradient,
                 gradientIsPreActivation: gradientIsPreActivation, inputGradient: nil)
        return true
    }

    /// C (m x n, row stride ldc, n when nil) = f([bias on every row, or 0] + op(A) B) through
    /// `PanelGEMM`, the Float path of the forward product, dW and dx (`rows`: stored rows of A, see
    /// PanelGEMM); false (nothing done) for Double
    /// and where the CPU has neither AVX-512 nor AVX2 + FMA, and the caller uses BLAS.
    @inline(__always)
    private func panelProduct(m: Int, n: Int, k: Int, a: UnsafePointer<Scalar>, lda: Int,
                              rows: UnsafePointer<Int>? = nil, transposeA: Bool,
                              b: UnsafePointer<Scalar>, ldb: Int, bias: UnsafePointer<Scalar>?,
                              activation: Pointwise, c: UnsafeMutablePointer<Scalar>, ldc: Int? = nil) -> Bool {
        guard Scalar.self == Float.self, PanelGEMM.isAvailable else { return false }
        func float(_ p: UnsafePointer<Scalar>) -> UnsafePointer<Float> {
            UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
        }
        return PanelGEMM.multiply(m: m, n: n, k: k, a: float(a), lda: lda, rows: rows, transposeA: transposeA,
                                  b: float(b), ldb: ldb, start: bias.map { .row(float($0)) } ?? .zero,
                                  activation: activation, c: UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), ldc: ldc ?? n)
    }
}
