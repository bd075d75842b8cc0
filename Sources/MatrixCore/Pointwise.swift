/// The pointwise functions of the networks' hidden layers; `Kernels` applies them to whole
/// buffers. In a file of its own, with no imports, so that the parameters fuzzer
/// (fuzz/run-params-fuzzer.sh) compiles this very enum rather than a copy.
public enum Pointwise: String, Codable, Sendable, CaseIterable {
    /// 1 / (1 + e^-x).
    case sigmoid
    /// LeCun's 1.7159 * tanh(2x/3) (Efficient BackProp, 1998).
    case improvedSigmoid
    case tanh
    /// max(0, x).
    case relu
    /// x.
    case identity
}
