import MatrixCore

/// The outcome of checking one parameter tensor.
public struct GradientCheckResult: Codable, Sendable, Equatable {
    /// The parameter's name ("dense1.weight").
    public var name: String
    /// Elements checked (all of them).
    public var count: Int
    /// max |numerical - backpropagated| over the tensor.
    public var maxAbsoluteDifference: Double
    /// max |backpropagated| over the tensor, for scale.
    public var maxAbsoluteGradient: Double
    /// Elements left out because w +- e moved some ReLU pre-activation across zero: a
    /// central difference across a kink measures the kink, not the gradient (CS231n's
    /// advice is the same). Always 0 for smooth activations.
    public var kinksSkipped: Int = 0
}

/// Assignment task 2b: compare backpropagation with central differences
/// (C(w + e) - C(w - e)) / 2e for *every* weight and bias, C the mean cross-entropy over
/// the given batch, in Double.
///
/// Perturbing one weight of a dense layer changes one column of that layer's
/// pre-activations by a rank-one term (e * x_i for weight (i, j), e for bias j). We cache
/// the layer's input and pre-activations once and apply that change directly, then run
/// the rest of the network: the same C(w +- e) as a full forward pass (up to rounding
/// order), but 784-64-10 on 50 images checks all 50,890 parameters in about a second
/// instead of a minute. Layers other than `Dense` fall back to a plain perturb-and-forward.
/// For ReLU layers, elements whose perturbation flips any unit's on/off state are counted
/// in `kinksSkipped` instead of compared.
public enum GradientCheck {
    /// Backpropagates the mean loss over the batch, then `compare`s.
    public static func run(model: Sequential<Double>, inputs: Matrix<Double>, labels: [Int],
                           epsilon: Double = 0.01) -> [GradientCheckResult] {
        precondition(inputs.rows == labels.count && inputs.rows > 0)
        let labels32 = labels.map { Int32($0) }
        inputs.storage.withUnsafeBufferPointer { x in
            labels32.withUnsafeBufferPointer { y in
                _ = model.computeGradients(MatrixView(x.baseAddress!, rows: inputs.rows, columns: inputs.columns),
                                           labels: y.baseAddress!)
            }
        }
        return compare(model: model, inputs: inputs, labels: labels, epsilon: epsilon)
    }

    /// Compares the gradients the parameters hold now (set by a backward pass on this batch,
    /// or by a test that corrupts one) with central differences of the mean loss.
    public static func compare(model: Sequential<Double>, inputs: Matrix<Double>, labels: [Int],
                               epsilon: Double = 0.01) -> [GradientCheckResult] {
        precondition(inputs.rows == labels.count && inputs.rows > 0)
        let labels32 = labels.map { Int32($0) }
        // Evaluation-mode activations: outputs[l] is layer l's output, inputs to l+1.
        var outputs: [Matrix<Double>] = []
        var current = inputs
        var scratch = SeededGenerator(seed: 0)
        for layer in model.layers {
            current = apply(layer, to: current, generator: &scratch)
            outputs.append(current)
        }

        var results: [GradientCheckResult] = []
        for (l, layer) in model.layers.enumerated() {
            let layerInput = l == 0 ? inputs : outputs[l - 1]
            /// Mean loss when layer l's output is `a`, running layers l+1... in evaluation
            /// mode, and whether some ReLU downstream switched a unit on or off.
            func lossFrom(output a: Matrix<Double>) -> (loss: Double, crossedKink: Bool) {
                var h = a
                var crossed = false
                for m in (l + 1)..<model.layers.count {
                    h = apply(model.layers[m], to: h, generator: &scratch)
                    if !crossed, isReLU(model.layers[m]) { crossed = !samePattern(h, outputs[m]) }
                }
                return (meanCrossEntropy(h, labels32), crossed)
            }
            if let dense = layer as? Dense<Double> {
                results += checkDense(dense, input: layerInput, output: outputs[l], epsilon: epsilon, loss: lossFrom)
            } else {
                for p in layer.parameters {
                    var worst = 0.0, largest = 0.0, skipped = 0
                    for e in 0..<p.value.count {
                        let saved = p.value.storage[e]
                        p.value.storage[e] = saved + epsilon
                        let plus = lossFrom(output: apply(layer, to: layerInput, generator: &scratch))
                        p.value.storage[e] = saved - epsilon
                        let minus = lossFrom(output: apply(layer, to: layerInput, generator: &scratch))
                        p.value.storage[e] = saved
                        if plus.crossedKink || minus.crossedKink { skipped += 1; continue }
                        let numeric = (plus.loss - minus.loss) / (2 * epsilon)
                        worst = max(worst, abs(numeric - p.gradient.storage[e]))
                        largest = max(largest, abs(p.gradient.storage[e]))
                    }
                    results.append(GradientCheckResult(name: p.name, count: p.value.count, maxAbsoluteDifference: worst,
                                                       maxAbsoluteGradient: largest, kinksSkipped: skipped))
                }
            }
        }
        return results
    }

    private static func checkDense(_ dense: Dense<Double>, input x: Matrix<Double>, output: Matrix<Double>,
                                   epsilon: Double, loss: (Matrix<Double>) -> (loss: Double, crossedKink: Bool))
        -> [GradientCheckResult] {
        let rows = x.rows, k = dense.inputSize, n = dense.units
        // Pre-activations z = x W + b.
        var z = Matrix<Double>(rows: rows, columns: n)
        x.storage.withUnsafeBufferPointer { xp in
            dense.weight.value.storage.withUnsafeBufferPointer { wp in
                dense.bias.value.storage.withUnsafeBufferPointer { bp in
                    z.storage.withUnsafeMutableBufferPointer { zp in
                        Products<Double>().multiply(MatrixView(xp.baseAddress!, rows: rows, columns: k),
                                                    MatrixView(wp.baseAddress!, rows: k, columns: n),
                                                    plus: bp.baseAddress!, into: zp.baseAddress!)
                    }
                }
            }
        }
        var a = output
        let f = dense.activation.pointwise
        /// Loss with column j of z shifted by delta[r] in each row r.
        func shiftedLoss(column j: Int, delta: (Int) -> Double) -> (loss: Double, crossedKink: Bool) {
            var column = (0..<rows).map { r in z[r, j] + delta(r) }
            column.withUnsafeMutableBufferPointer { Kernels.apply(f, $0.baseAddress!, count: rows) }
            var crossed = false
            for r in 0..<rows {
                a[r, j] = column[r]
                if f == .relu && (column[r] > 0) != (output[r, j] > 0) { crossed = true }
            }
            let value = loss(a)
            for r in 0..<rows { a[r, j] = output[r, j] }
            return (value.loss, value.crossedKink || crossed)
        }
        var wWorst = 0.0, wLargest = 0.0, wSkipped = 0
        for i in 0..<k {
            for j in 0..<n {
                let plus = shiftedLoss(column: j) { r in epsilon * x[r, i] }
                let minus = shiftedLoss(column: j) { r in -epsilon * x[r, i] }
                if plus.crossedKink || minus.crossedKink { wSkipped += 1; continue }
                let numeric = (plus.loss - minus.loss) / (2 * epsilon)
                let analytic = dense.weight.gradient[i, j]
                wWorst = max(wWorst, abs(numeric - analytic))
                wLargest = max(wLargest, abs(analytic))
            }
        }
        var bWorst = 0.0, bLargest = 0.0, bSkipped = 0
        for j in 0..<n {
            let plus = shiftedLoss(column: j) { _ in epsilon }
            let minus = shiftedLoss(column: j) { _ in -epsilon }
            if plus.crossedKink || minus.crossedKink { bSkipped += 1; continue }
            let numeric = (plus.loss - minus.loss) / (2 * epsilon)
            let analytic = dense.bias.gradient.storage[j]
            bWorst = max(bWorst, abs(numeric - analytic))
            bLargest = max(bLargest, abs(analytic))
        }
        return [GradientCheckResult(name: dense.weight.name, count: k * n, maxAbsoluteDifference: wWorst,
                                    maxAbsoluteGradient: wLargest, kinksSkipped: wSkipped),
                GradientCheckResult(name: dense.bias.name, count: n, maxAbsoluteDifference: bWorst,
                                    maxAbsoluteGradient: bLargest, kinksSkipped: bSkipped)]
    }

    private static func apply(_ layer: any Layer<Double>, to x: Matrix<Double>,
                              generator: inout SeededGenerator) -> Matrix<Double> {
        var out = Matrix<Double>(rows: x.rows, columns: layer.outputSize)
        x.storage.withUnsafeBufferPointer { xp in
            out.storage.withUnsafeMutableBufferPointer { op in
                layer.forward(MatrixView(xp.baseAddress!, rows: x.rows, columns: x.columns), output: op.baseAddress!,
                              training: false, generator: &generator)
            }
        }
        return out
    }

    private static func isReLU(_ layer: any Layer<Double>) -> Bool {
        (layer as? Dense<Double>)?.activation == .relu
    }

    /// Same on/off pattern of every unit.
    private static func samePattern(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Bool {
        zip(a.storage, b.storage).allSatisfy { ($0 > 0) == ($1 > 0) }
    }

    /// The model's loss (`SoftmaxCrossEntropy`), as a mean, from the output layer's logits.
    private static func meanCrossEntropy(_ logits: Matrix<Double>, _ labels: [Int32]) -> Double {
        var z = logits
        return z.storage.withUnsafeMutableBufferPointer { zp in
            labels.withUnsafeBufferPointer { y in
                SoftmaxCrossEntropy.evaluate(logits: zp.baseAddress!, labels: y.baseAddress!, rows: logits.rows,
                                             classes: logits.columns).lossSum
            }
        } / Double(logits.rows)
    }
}

extension Sequential {
    /// The same architecture and current values in another precision (Float training
    /// weights -> Double for the gradient check). Supports the framework's own layers.
    public func converted<Other: MatrixScalar>(to: Other.Type) -> Sequential<Other> {
        let copy = Sequential<Other>(inputSize: inputSize, seed: 0)
        for layer in layers {
            if let d = layer as? Dense<Scalar> {
                let nd = Dense<Other>(d.units, activation: d.activation, weightInitializer: d.weightInitializer,
                                      biasInitializer: d.biasInitializer)
                copy.add(nd)
                nd.weight.value = d.weight.value.converted(to: Other.self)
                nd.bias.value = d.bias.value.converted(to: Other.self)
            } else if let dropout = layer as? Dropout<Scalar> {
                copy.add(Dropout<Other>(rate: dropout.rate))
            } else {
                preconditionFailure("converted(to:) does not know layer \(layer.summary)")
            }
        }
        return copy
    }
}
