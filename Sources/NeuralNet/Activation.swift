import MatrixCore

/// What a dense layer applies to its pre-activations z = xW + b.
///
/// `softmax` is only meaningful on the output layer, where it is fused with the
/// cross-entropy loss: the gradient with respect to z is then simply (p - y) / batch.
public enum Activation: Equatable, Sendable, Codable {
    case sigmoid
    /// LeCun's improved sigmoid 1.7159 * tanh(2x/3).
    case improvedSigmoid
    case tanh
    case relu
    case linear
    case softmax

    /// The elementwise function, or nil for softmax (row-wise).
    var pointwise: Pointwise? {
        switch self {
        case .sigmoid: .sigmoid
        case .improvedSigmoid: .improvedSigmoid
        case .tanh: .tanh
        case .relu: .relu
        case .linear: .identity
        case .softmax: nil
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
