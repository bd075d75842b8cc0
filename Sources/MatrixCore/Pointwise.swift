import RealModule

/// The pointwise activations of the hidden layers: the one table in Swift of what each computes.
/// A row gives the function f(z), the backward step g f'(z) written in terms of the output
/// y = f(z) (what the forward pass keeps), and the C kernel that runs it on Float buffers
/// (`kernel`: the `CK_ACT_*` code of Sources/CKernels/include/ckernels.h and its parameters).
/// `Kernels.apply`, `Kernels.multiplyByDerivative` and `PanelGEMM` read these columns; adding
/// an activation is a case here plus its `CK_ACT_*` code in C.
///
/// This file imports only RealModule, so that the parameters fuzzer (fuzz/run-params-fuzzer.sh)
/// compiles this very enum rather than a copy.
public enum Pointwise: String, Codable, Sendable, CaseIterable {
    /// 1 / (1 + e^-z); backward g y (1 - y).
    case sigmoid
    /// LeCun's a tanh(b z), a = 1.7159, b = 2/3 (Efficient BackProp, 1998); backward g (b/a)(a^2 - y^2).
    case improvedSigmoid
    /// tanh z; backward g (1 - y^2).
    case tanh
    /// max(0, z); backward g where y > 0, else 0.
    case relu
    /// z; backward g.
    case identity

    /// LeCun's constants: f(z) = a tanh(b z) with f(+-1) = +-1.
    public static let lecunA = 1.7159
    public static let lecunB = 2.0 / 3.0

    /// f(z), in the scalar type's own arithmetic (Double everywhere; Float where no C kernel runs).
    @inlinable
    public func value<S: Real & BinaryFloatingPoint>(_ z: S) -> S {
        switch self {
        case .sigmoid: 1 / (1 + S.exp(-z))
        case .improvedSigmoid: S(Pointwise.lecunA) * S.tanh(S(Pointwise.lecunB) * z)
        case .tanh: S.tanh(z)
        case .relu: z > 0 ? z : 0
        case .identity: z
        }
    }

    /// g f'(z) from the output y = f(z): the backward pass's elementwise step.
    @inlinable
    public func backward<S: Real & BinaryFloatingPoint>(_ g: S, output y: S) -> S {
        switch self {
        case .sigmoid: g * (y * (1 - y))
        case .improvedSigmoid: g * (S(Pointwise.lecunB / Pointwise.lecunA) * (S(Pointwise.lecunA * Pointwise.lecunA) - y * y))
        case .tanh: g * (1 - y * y)
        case .relu: y > 0 ? g : 0
        case .identity: g
        }
    }

    /// The C kernel's code (`CK_ACT_NONE` 0, `CK_ACT_SIGMOID` 1, `CK_ACT_SCALED_TANH` 2 for
    /// a tanh(b z), `CK_ACT_RELU` 3; KernelTests checks them against the header) and a, b.
    public var kernel: (code: Int32, a: Double, b: Double) {
        switch self {
        case .sigmoid: (1, 0, 0)
        case .improvedSigmoid: (2, Pointwise.lecunA, Pointwise.lecunB)
        case .tanh: (2, 1, 1)
        case .relu: (3, 0, 0)
        case .identity: (0, 0, 0)
        }
    }
}
