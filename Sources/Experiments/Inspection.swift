import Foundation
import MatrixCore
import NeuralNet

/// What to look at in one trained network: the run (trained again from its spec, so the
/// network is bit for bit the one whose curves the report shows) and how many of its most
/// confidently wrong test images to keep.
public struct InspectionSpec: Codable, Hashable, Sendable {
    public var run: RunSpec
    public var mostWrong: Int

    public init(run: RunSpec, mostWrong: Int) {
        self.run = run
        self.mostWrong = mostWrong
    }
}

/// A test image the network classifies wrongly, with the probability it gave its answer.
public struct WrongPrediction: Codable, Hashable, Sendable {
    /// Row of the test set (= position in the test file; the test set is never permuted).
    public var index: Int
    public var label: Int
    public var predicted: Int
    /// Softmax probability of `predicted` (computed in Double from the Float logits).
    public var probability: Double
    /// The 28 x 28 image, row-major, top row first: 784 bytes (0 background, 255 ink), base64.
    public var pixels: String

    /// The 784 pixel values 0...255 (empty if `pixels` is not valid base64).
    public var pixelValues: [UInt8] { Data(base64Encoded: pixels).map { Array($0) } ?? [] }
}

/// Task 5's pictures of a trained network: its first layer's weights, its confusion matrix
/// on the test set and its most confidently wrong test images. Cached like a run, under
/// its own kind ("inspection"), so no run's key changes.
public struct InspectionRecord: Codable, Sendable {
    public var key: String
    public var spec: InspectionSpec
    public var datasetChecksums: [String: String]
    public var codeVersion: Int
    /// The cache key of the run that was trained again (kind "run").
    public var runKey: String
    public var inputs: Int
    public var hiddenUnits: Int
    /// W of the first layer, inputs x hiddenUnits (784 x H) row-major, as little-endian
    /// Float32 bytes in base64: the exact bits, in 2.1 MB for 512 units where a pretty-printed
    /// JSON array (one number a line) took 7 MB.
    public var firstLayerWeights: String
    /// confusion[true][predicted]: test images of class `true` the network calls `predicted`;
    /// 10 x 10, summing to the test set's size.
    public var confusion: [[Int]]
    /// The `spec.mostWrong` wrong test predictions with the highest probability, highest first
    /// (ties by test index).
    public var mostConfidentlyWrong: [WrongPrediction]
    /// Final test accuracy in the retrained run's own history: equal to the run's result
    /// when the network was reproduced bit for bit (and to the confusion matrix's diagonal).
    public var trainedTestAccuracy: Double?
    public var wallSeconds: Double
    public var provenance: Provenance

    /// The first layer's weights, row-major inputs x hiddenUnits.
    public var weights: [Float] { Inspection.decodeFloats(firstLayerWeights) }

    /// Unit `unit`'s incoming weights, one per input pixel (784, in image order).
    public func tile(_ unit: Int, from weights: [Float]) -> [Float] {
        (0..<inputs).map { weights[$0 * hiddenUnits + unit] }
    }

    public var testImages: Int { confusion.joined().reduce(0, +) }
    public var correct: Int { confusion.indices.reduce(0) { $0 + confusion[$1][$1] } }
    public var accuracy: Double { Double(correct) / Double(max(testImages, 1)) }
}

public enum Inspection {
    /// How many of the most confidently wrong test images the report shows (a 5 x 5 grid).
    public static let mostWrongShown = 25

    /// Confusion matrix and most confident mistakes from `logits` (n x classes) and labels.
    /// The predicted class is the first largest logit, as `Sequential.evaluate` counts it.
    public static func predictions(logits: Matrix<Float>, labels: [Int32], classes: Int, keep: Int)
        -> (confusion: [[Int]], wrong: [(index: Int, label: Int, predicted: Int, probability: Double)]) {
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        var wrong: [(index: Int, label: Int, predicted: Int, probability: Double)] = []
        for i in 0..<logits.rows {
            let z = logits.storage[(i * classes)..<((i + 1) * classes)].map(Double.init)
            var best = 0
            for k in 1..<classes where z[k] > z[best] { best = k }
            let label = Int(labels[i])
            confusion[label][best] += 1
            guard best != label else { continue }
            let denominator = z.reduce(0) { $0 + exp($1 - z[best]) }
            wrong.append((i, label, best, 1 / denominator))
        }
        wrong.sort { ($0.probability, -$0.index) > ($1.probability, -$1.index) }
        return (confusion, Array(wrong.prefix(keep)))
    }

    /// A test image's model input (scaled to [-1, 1]) back to its bytes 0...255.
    static func pixels(_ row: ArraySlice<Float>) -> [UInt8] {
        row.map { UInt8(max(0, min(255, (($0 + 1) * 127.5).rounded()))) }
    }

    static func encodeFloats(_ values: [Float]) -> String {
        var data = Data(capacity: values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data.base64EncodedString()
    }

    static func decodeFloats(_ text: String) -> [Float] {
        guard let data = Data(base64Encoded: text) else { return [] }
        let bytes = [UInt8](data)
        return stride(from: 0, to: bytes.count - 3, by: 4).map { i in
            Float(bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24)
        }
    }

    /// The record of a trained `model` (its first layer must be `Dense`) on `test`.
    static func record(model: Sequential<Float>, history: TrainingHistory, test: Examples<Float>, spec: InspectionSpec,
                       key: String, runKey: String, checksums: [String: String], seconds: Double,
                       provenance: Provenance) -> InspectionRecord {
        guard let first = model.layers.first as? Dense<Float> else {
            preconditionFailure("an inspected network starts with a dense layer")
        }
        let (confusion, wrong) = predictions(logits: model.logits(test), labels: test.labels, classes: model.outputSize,
                                             keep: spec.mostWrong)
        let width = test.inputs.columns
        let shown = wrong.map { w in
            WrongPrediction(index: w.index, label: w.label, predicted: w.predicted, probability: w.probability,
                            pixels: Data(pixels(test.inputs.storage[(w.index * width)..<((w.index + 1) * width)])).base64EncodedString())
        }
        return InspectionRecord(key: key, spec: spec, datasetChecksums: checksums, codeVersion: TrainingCode.version,
                                runKey: runKey, inputs: first.inputSize, hiddenUnits: first.units,
                                firstLayerWeights: encodeFloats(first.weight.value.storage),
                                confusion: confusion, mostConfidentlyWrong: shown,
                                trainedTestAccuracy: history.final("test")?.accuracy,
                                wallSeconds: seconds, provenance: provenance)
    }
}
