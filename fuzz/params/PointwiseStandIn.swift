// Stand-in for the one MatrixCore type that Sources/NeuralNet/Activation.swift names besides
// SeededGenerator: MatrixCore's Pointwise (Sources/MatrixCore/Kernels.swift), whose kernels
// pull in BLAS and C kernels that the parameters parser never runs. fuzz/run-params-fuzzer.sh
// builds a MatrixCore module from this file and the real Sources/MatrixCore/SeededGenerator.swift.
// Keep the cases in step with the real enum (Activation.swift's switch will not compile otherwise).

public enum Pointwise: String, Codable, Sendable, CaseIterable {
    case sigmoid
    case improvedSigmoid
    case tanh
    case relu
    case identity
}
