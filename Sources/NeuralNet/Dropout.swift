import MatrixCore

/// Inverted dropout (Srivastava et al., 2014): while training, each input is kept with
/// probability 1 - rate and scaled by 1 / (1 - rate), so nothing changes at evaluation
/// time; evaluation passes inputs through untouched.
public final class Dropout<Scalar: MatrixScalar>: Layer {
    public let rate: Double
    public private(set) var size = 0
    /// The last training mask, (rows x size) of 0 or 1/(1-rate); grown as needed, reused.
    private var mask: [Scalar] = []

    public init(rate: Double) {
        precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1)")
        self.rate = rate
    }

    public var outputSize: Int { size }
    public var parameters: [Parameter<Scalar>] { [] }
    public var summary: String { "Dropout(\(rate))" }

    public func build(inputSize: Int, index: Int, generator: inout SeededGenerator) { size = inputSize }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ input: UnsafePointer<Scalar>, rows: Int, output: UnsafeMutablePointer<Scalar>,
                        training: Bool, generator: inout SeededGenerator) {
        let count = rows * size
        guard training, rate > 0 else {
            output.update(from: input, count: count)
            return
        }
        if mask.count < count { mask.append(contentsOf: repeatElement(0, count: count - mask.count)) }
        let keep = Scalar(1 / (1 - rate))
        // Compare 53-bit uniforms against the keep probability: one draw per unit.
        let threshold = UInt64((1 - rate) * 0x1p53)
        mask.withUnsafeMutableBufferPointer { m in
            for i in 0..<count {
                let kept = (generator.next() >> 11) < threshold
                m[i] = kept ? keep : 0
                output[i] = input[i] * m[i]
            }
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(input: UnsafePointer<Scalar>, output: UnsafePointer<Scalar>, rows: Int,
                         gradient: UnsafeMutablePointer<Scalar>, gradientIsPreActivation: Bool,
                         inputGradient: UnsafeMutablePointer<Scalar>?) {
        guard let dx = inputGradient else { return }
        let count = rows * size
        if rate == 0 { dx.update(from: gradient, count: count); return }
        mask.withUnsafeBufferPointer { m in
            for i in 0..<count { dx[i] = gradient[i] * m[i] }
        }
    }
}
