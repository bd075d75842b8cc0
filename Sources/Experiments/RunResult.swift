import Foundation
import NeuralNet

/// Where and with what a result was computed. It belongs to the result (stored with it),
/// not to the moment the report is rendered, so re-rendering never changes it.
public struct Provenance: Codable, Hashable, Sendable {
    public var commit: String
    public var dirty: Bool
    public var swiftVersion: String
    public var blas: String
    public var blasKernel: String
    public var blasThreads: Int
    public var machine: String
    /// What ran the Float products of the dense layers: "PanelGEMM (AVX2+FMA)",
    /// "PanelGEMM (AVX-512)" or "BLAS" (nil in results from before it was recorded).
    public var products: String?
    /// The host that trained the result (a Slurm node, or the local machine); nil in
    /// results from before it was recorded.
    public var host: String?

    public init(commit: String, dirty: Bool, swiftVersion: String, blas: String, blasKernel: String,
                blasThreads: Int, machine: String, products: String? = nil, host: String? = nil) {
        self.commit = commit; self.dirty = dirty; self.swiftVersion = swiftVersion; self.blas = blas
        self.blasKernel = blasKernel; self.blasThreads = blasThreads; self.machine = machine
        self.products = products; self.host = host
    }
}

/// The outcome of one training run: its full history (every evaluation point), timings
/// and provenance.
public struct RunResult: Codable, Sendable {
    public var key: String
    public var spec: RunSpec
    public var datasetChecksums: [String: String]
    public var codeVersion: Int
    public var history: TrainingHistory
    public var parameterCount: Int
    public var wallSeconds: Double
    public var provenance: Provenance

    public var diverged: Bool { history.divergence != nil }

    /// Accuracy of `set` at the end of `epoch` (nil if not reached, e.g. diverged).
    public func accuracy(_ set: String, epoch: Int) -> Double? { history.metrics(set, atEpoch: epoch)?.accuracy }
    public func loss(_ set: String, epoch: Int) -> Double? { history.metrics(set, atEpoch: epoch)?.loss }
}

/// Task 2b's record: the gradient check of the base network.
public struct GradientCheckSpec: Codable, Hashable, Sendable {
    public var hiddenUnits: [Int]
    public var activation: String
    public var initializer: String
    public var images: Int
    public var epsilon: Double
    public var validationImages: Int
    public var seed: UInt64
}

public struct GradientCheckRecord: Codable, Sendable {
    public var key: String
    public var spec: GradientCheckSpec
    public var datasetChecksums: [String: String]
    public var codeVersion: Int
    public var results: [GradientCheckResult]
    public var wallSeconds: Double
    public var provenance: Provenance
}
