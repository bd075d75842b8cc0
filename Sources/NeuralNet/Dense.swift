import MatrixCore

/// A fully connected layer, task 1.2's equations for one layer: z = x W + b, a = f(z), with
/// W (inputSize x units), b (units), x (rows x inputSize), a and z (rows x units).
///
/// The products go through `Products`, which chooses the kernel (PanelGEMM, BLAS GEMM or
/// gemv) and makes any copy; this class states the maths. The model's output layer takes
/// `.linear` and emits logits z; the loss (`SoftmaxCrossEntropy`) applies the softmax.
public final class Dense<Scalar: MatrixScalar>: Layer {
    public let units: Int
    public let activation: Activation
    public let weightInitializer: Initializer
    public let biasInitializer: Initializer
    public private(set) var inputSize = 0
    public private(set) var weight: Parameter<Scalar>!
    public private(set) var bias: Parameter<Scalar>!
    private let products = Products<Scalar>()

    /// `biasInitializer` defaults to the scheme's own rule (see `Initializer.defaultBias`).
    public init(_ units: Int, activation: Activation, weightInitializer: Initializer = .uniform(low: -1, high: 1),
                biasInitializer: Initializer? = nil) {
        precondition(units > 0, "a dense layer needs at least one unit")
        precondition(activation != .softmax,
                     "softmax belongs to the loss: end the model with Dense(classes, activation: .linear), which emits logits")
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
    public func forward(_ x: MatrixView<Scalar>, output a: UnsafeMutablePointer<Scalar>,
                        training: Bool, generator: inout SeededGenerator) {
        withParameters { W, b, _, _ in
            // z = x W + b;  a = f(z), applied as the product is stored.
            products.multiply(x, W, plus: b, then: activation.pointwise, into: a)
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(input x: MatrixView<Scalar>, output a: UnsafePointer<Scalar>,
                         gradient da: UnsafeMutablePointer<Scalar>, inputGradient dx: UnsafeMutablePointer<Scalar>?) {
        withParameters { W, _, dW, db in
            // dz = da ⊙ f'(z), f' from the output a (dz overwrites da).
            Kernels.multiplyByDerivative(activation.pointwise, output: a, gradient: da, count: x.rows * units)
            let dz = MatrixView(UnsafePointer(da), rows: x.rows, columns: units)
            // dW = xᵀ dz
            products.multiply(x.transposed, dz, into: dW)
            // db = Σ over the batch's rows of dz
            Kernels.sumColumns(da, rows: x.rows, columns: units, into: db)
            // dx = dz Wᵀ
            if let dx { products.multiply(dz, W.transposed, into: dx) }
        }
    }

    /// W (inputSize x units) and b as views, dW and db as pointers, for one pass.
    @inline(__always)
    private func withParameters(_ body: (MatrixView<Scalar>, UnsafePointer<Scalar>,
                                         UnsafeMutablePointer<Scalar>, UnsafeMutablePointer<Scalar>) -> Void) {
        weight.value.storage.withUnsafeBufferPointer { w in
            bias.value.storage.withUnsafeBufferPointer { b in
                weight.gradient.storage.withUnsafeMutableBufferPointer { dw in
                    bias.gradient.storage.withUnsafeMutableBufferPointer { db in
                        body(MatrixView(w.baseAddress!, rows: inputSize, columns: units), b.baseAddress!,
                             dw.baseAddress!, db.baseAddress!)
                    }
                }
            }
        }
    }
}
