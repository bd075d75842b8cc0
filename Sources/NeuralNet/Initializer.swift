import MatrixCore

/// How a dense layer's weights (fanIn x fanOut) and biases are first drawn.
public enum Initializer: Equatable, Sendable, Codable {
    /// Uniform on [low, high): the assignment's baseline uses (-1, 1) for weights *and* biases.
    case uniform(low: Double, high: Double)
    /// N(0, sd = 1/sqrt(fanIn)): LeCun's fan-in rule (Efficient BackProp, section 4.6).
    case fanInNormal
    /// Glorot and Bengio (2010): U(+-sqrt(6 / (fanIn + fanOut))).
    case xavierUniform
    /// Glorot and Bengio (2010): N(0, sd = sqrt(2 / (fanIn + fanOut))).
    case xavierNormal
    /// He et al. (2015), for ReLU: N(0, sd = sqrt(2 / fanIn)).
    case he
    case zeros

    /// Fills `count` values for a layer with the given fan-in and fan-out.
    func values(count: Int, fanIn: Int, fanOut: Int, generator g: inout SeededGenerator) -> [Double] {
        switch self {
        case let .uniform(low, high):
            return (0..<count).map { _ in g.uniform(low, high) }
        case .fanInNormal:
            let sd = 1 / Double(fanIn).squareRoot()
            return (0..<count).map { _ in g.normal(standardDeviation: sd) }
        case .xavierUniform:
            let limit = (6 / Double(fanIn + fanOut)).squareRoot()
            return (0..<count).map { _ in g.uniform(-limit, limit) }
        case .xavierNormal:
            let sd = (2 / Double(fanIn + fanOut)).squareRoot()
            return (0..<count).map { _ in g.normal(standardDeviation: sd) }
        case .he:
            let sd = (2 / Double(fanIn)).squareRoot()
            return (0..<count).map { _ in g.normal(standardDeviation: sd) }
        case .zeros:
            return Array(repeating: 0, count: count)
        }
    }

    /// The bias scheme that goes with a weight scheme: the baseline's uniform draws biases
    /// from the same range, every other scheme starts biases at zero.
    public var defaultBias: Initializer {
        if case .uniform = self { return self }
        return .zeros
    }

    /// Parses the names the parameters file uses ("uniform" means uniform(-1, 1)).
    public init?(name: String) {
        switch name.lowercased() {
        case "uniform": self = .uniform(low: -1, high: 1)
        case "fan-in", "fanin", "fan-in-normal", "lecun": self = .fanInNormal
        case "xavier", "xavier-uniform", "glorot": self = .xavierUniform
        case "xavier-normal", "glorot-normal": self = .xavierNormal
        case "he": self = .he
        case "zeros": self = .zeros
        default: return nil
        }
    }

    public static let names = ["uniform", "fan-in", "xavier", "xavier-normal", "he", "zeros"]

    /// How a report names the scheme: "uniform on [-1, 1]", "Xavier uniform", "He normal".
    public var displayName: String {
        switch self {
        case let .uniform(low, high): "uniform on [\(Self.plain(low)), \(Self.plain(high))]"
        case .fanInNormal: "fan-in normal"
        case .xavierUniform: "Xavier uniform"
        case .xavierNormal: "Xavier normal"
        case .he: "He normal"
        case .zeros: "zeros"
        }
    }

    /// The scheme's family as a row label names it ("+ He init", "Xavier init instead"); the
    /// distribution is in `displayName`.
    public var shortName: String {
        switch self {
        case .uniform: "uniform"
        case .fanInNormal: "fan-in"
        case .xavierUniform: "Xavier"
        case .xavierNormal: "Xavier (normal)"
        case .he: "He"
        case .zeros: "zeros"
        }
    }

    /// A bound as the report prints it: "−1", "1", "0.5" (a minus sign, not a hyphen). Plain
    /// Swift, no Foundation: the parameters fuzzer compiles this file on its own.
    static func plain(_ x: Double) -> String {
        let text = x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
        return String(text.map { $0 == "-" ? "−" : $0 })
    }

    public var name: String {
        switch self {
        case let .uniform(low, high): low == -1 && high == 1 ? "uniform" : "uniform(\(low), \(high))"
        case .fanInNormal: "fan-in"
        case .xavierUniform: "xavier"
        case .xavierNormal: "xavier-normal"
        case .he: "he"
        case .zeros: "zeros"
        }
    }
}
