import MatrixCore

/// What a dense layer applies to its pre-activations z = xW + b, by the names the parameters
/// file uses; what each computes is `Pointwise`'s table (MatrixCore).
///
/// `softmax` is not a layer's: it is the loss's (`SoftmaxCrossEntropy` takes the output
/// layer's logits), and `Dense` refuses it. It is named here so that the parameters file can
/// recognise the name and reject it as a hidden activation.
public enum Activation: Equatable, Sendable, Codable {
    case sigmoid
    /// LeCun's improved sigmoid 1.7159 * tanh(2x/3).
    case improvedSigmoid
    case tanh
    case relu
    case linear
    case softmax

    /// The row of `Pointwise`'s table (not defined for softmax, which no layer applies).
    var pointwise: Pointwise {
        switch self {
        case .sigmoid: .sigmoid
        case .improvedSigmoid: .improvedSigmoid
        case .tanh: .tanh
        case .relu: .relu
        case .linear: .identity
        case .softmax: preconditionFailure("softmax is the loss's, not a layer's")
        }
    }

    /// Parses the names the parameters file uses.
    public init?(name: String) {
        switch name.lowercased() {
        case "sigmoid": self = .sigmoid
        case "improved-sigmoid", "improvedsigmoid", "improved_sigmoid", "lecun-tanh": self = .improvedSigmoid
        case "tanh": self = .tanh
        case "relu": self = .relu
        case "linear", "identity": self = .linear
        case "softmax": self = .softmax
        default: return nil
        }
    }

    public static let names = ["sigmoid", "improved-sigmoid", "tanh", "relu", "linear", "softmax"]

    public var name: String {
        switch self {
        case .sigmoid: "sigmoid"
        case .improvedSigmoid: "improved-sigmoid"
        case .tanh: "tanh"
        case .relu: "relu"
        case .linear: "linear"
        case .softmax: "softmax"
        }
    }
}
