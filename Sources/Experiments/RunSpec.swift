import Foundation
import NeuralNet

/// One training run, fully specified: everything that can change its result except the
/// data files and the training code, which the cache key adds (see `ResultStore`).
public struct RunSpec: Codable, Hashable, Sendable {
    public var hiddenUnits: [Int]
    public var activation: String
    public var initializer: String
    /// Dropout rate after each hidden layer (0: none).
    public var dropout: Double = 0
    public var learningRate: Double
    public var momentum: Double = 0
    /// T of lr0 / (1 + t/T) in batches; nil for a constant rate.
    public var annealingBatches: Double? = nil
    public var batchSize: Int
    public var epochs: Int
    public var shuffle: Bool
    public var updateRule: UpdateRule = .batchMean
    /// Training-time augmentation: random shifts of up to this many pixels (0: none).
    public var shiftPixels: Int = 0
    public var evaluationsPerEpoch: Int
    public var firstEpochEvaluations: Int? = nil
    /// Which sets are evaluated: sweeps need only "validation".
    public var evaluationSets: [String] = ["train", "validation", "test"]
    public var validationImages: Int
    /// Quick mode: use only the first images of each set.
    public var subset: Subset? = nil
    public var seed: UInt64

    public struct Subset: Codable, Hashable, Sendable {
        public var train: Int
        public var validation: Int
        public var test: Int
        public init(train: Int, validation: Int, test: Int) {
            self.train = train; self.validation = validation; self.test = test
        }
    }

    /// Weight and bias count of the network this spec builds (784 inputs, 10 classes).
    public var parameterCount: Int {
        var total = 0, width = 784
        for h in hiddenUnits + [10] { total += width * h + h; width = h }
        return total
    }

    /// What a learning-rate grid's runs share: this spec with the rate set to 0, or nil where
    /// the run cannot train in a grid (the per-sample rule; augmentation, whose batches are
    /// copies). Runs with the same identity see the same batches in the same order.
    public var gridIdentity: RunSpec? {
        guard updateRule == .batchMean, shiftPixels == 0 else { return nil }
        var s = self
        s.learningRate = 0
        return s
    }

    /// A one-line description for progress and logs.
    public var summary: String {
        var s = "784-\(hiddenUnits.map(String.init).joined(separator: "-"))-10 \(activation) \(initializer) lr \(learningRate.formatted6)"
        if momentum > 0 { s += " mom \(momentum.formatted6)" }
        if dropout > 0 { s += " dropout \(dropout.formatted6)" }
        if let t = annealingBatches { s += " anneal T=\(t.formatted6)" }
        if shiftPixels > 0 { s += " shift \(shiftPixels)px" }
        if shuffle { s += " shuffled" }
        if updateRule == .perSample { s += " per-sample" }
        return s + " seed \(seed)"
    }

    /// The fields that differ from `other`, by name, for "ran (why)" messages.
    public func differences(from other: RunSpec) -> [String] {
        let a = (try? JSONSerialization.jsonObject(with: JSONEncoder.canonical.encode(self))) as? [String: Any] ?? [:]
        let b = (try? JSONSerialization.jsonObject(with: JSONEncoder.canonical.encode(other))) as? [String: Any] ?? [:]
        return Set(a.keys).union(b.keys).sorted().compactMap { k in
            let x = a[k].map { "\($0)" } ?? "-", y = b[k].map { "\($0)" } ?? "-"
            return x == y ? nil : "\(k) \(y) -> \(x)"
        }
    }
}

extension Double {
    /// Up to 6 significant digits, no trailing zeros ("0.5", "0.05", "2110").
    var formatted6: String {
        var s = String(format: "%.6g", self)
        if s.contains("e") { return s }
        if s.contains(".") { while s.hasSuffix("0") { s.removeLast() }; if s.hasSuffix(".") { s.removeLast() } }
        return s
    }
}

extension JSONEncoder {
    /// Sorted keys and no pretty printing: the same value always encodes to the same bytes.
    static var canonical: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }
    /// For files people read and diff: sorted and indented.
    static var readable: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }
}

extension JSONDecoder {
    static var tolerant: JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }
}
