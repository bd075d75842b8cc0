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
    public func forward(_ input: MatrixView<Scalar>, output: UnsafeMutablePointer<Scalar>,
                        training: Bool, generator: inout SeededGenerator) {
        let rows = input.rows, count = rows * size
        guard training, rate > 0 else {
            for r in 0..<rows { (output + r * size).update(from: input.row(r), count: size) }
            return
        }
        if mask.count < count { mask.append(contentsOf: repeatElement(0, count: count - mask.count)) }
        let keep = Scalar(1 / (1 - rate))
        // Compare 53-bit uniforms against the keep probability: one draw per unit, row by row.
        let threshold = UInt64((1 - rate) * 0x1p53)
        mask.withUnsafeMutableBufferPointer { m in
            for r in 0..<rows {
                let x = input.row(r)
                for c in 0..<size {
                    let i = r * size + c
                    let kept = (generator.next() >> 11) < threshold
                    m[i] = kept ? keep : 0
                    output[i] = x[c] * m[i]
                }
            }
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(input: MatrixView<Scalar>, output: UnsafePointer<Scalar>,
                         gradient: UnsafeMutablePointer<Scalar>, inputGradient: UnsafeMutablePointer<Scalar>?) {
        guard let dx = inputGradient else { return }
        let count = input.rows * size
        if rate == 0 { dx.update(from: gradient, count: count); return }
        mask.withUnsafeBufferPointer { m in
            for i in 0..<count { dx[i] = gradient[i] * m[i] }
        }
    }
}
