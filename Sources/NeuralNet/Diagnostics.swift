import MatrixCore

/// What one hidden layer looked like at an evaluation point: the numbers the report's
/// "because" sentences are chosen by (a unit saturates, its slope vanishes, its gradient
/// shrinks or swings). Measured on a fixed probe (the first images of the validation set)
/// with the weights of that moment, dropout off; recording them changes no trained bit.
public struct LayerDiagnostics: Codable, Sendable, Equatable {
    /// Share of (image, unit) pairs whose slope f'(z) is below `saturationThreshold` of the
    /// activation's largest slope f'(0): the unit's output barely moves with its input.
    public var saturatedFraction: Double
    /// Mean of f'(z) / f'(0) over images and units: 1 where every unit is in its linear
    /// part, 0 where all are saturated; it scales every gradient that passes the layer.
    public var meanRelativeSlope: Double
    /// Standard deviation of the pre-activations z = x W + b over images and units.
    public var preActivationSpread: Double
    /// Root mean square, over the batches since the previous evaluation, of the Frobenius
    /// norm of dL/dW (the batch-mean loss); nil under the per-sample rule, which is not
    /// measured (one norm per image would cost as much as the products).
    public var weightGradientNorm: Double?

    /// A unit counts as saturated when its slope is under 5 % of f'(0) (for the sigmoid,
    /// outputs below 0.013 or above 0.987, |z| > 4.4).
    public static let saturationThreshold = 0.05
}

extension Sequential {
    /// The hidden dense layers (every `Dense` but the output), in order.
    var hiddenDenseLayers: [Dense<Scalar>] {
        Array(layers.compactMap { $0 as? Dense<Scalar> }.dropLast())
    }

    /// Squared Frobenius norms of dL/dW of the hidden dense layers, from the gradients the
    /// last backward pass left.
    @_specialize(where Scalar == Float)
    func hiddenWeightGradientSquaredNorms() -> [Double] {
        hiddenDenseLayers.map { layer in
            layer.weight.gradient.storage.withUnsafeBufferPointer { Scalar.sumOfSquares($0) }
        }
    }

    /// Saturation, slope and pre-activation spread of each hidden dense layer on `probe`
    /// (rows x inputSize), weights fixed, dropout off (a dropout layer passes its input
    /// through, as in evaluation). `gradientNorms` fills `weightGradientNorm`, one per
    /// hidden layer (or nil).
    @_specialize(where Scalar == Float)
    public func diagnose(_ probe: Examples<Scalar>, gradientNorms: [Double]?) -> [LayerDiagnostics] {
        let rows = probe.count
        guard rows > 0 else { return [] }
        let products = Products<Scalar>()
        var input = probe.inputs.storage
        var width = inputSize
        var found: [LayerDiagnostics] = []
        let hidden = hiddenDenseLayers.count
        for layer in layers {
            guard let dense = layer as? Dense<Scalar>, found.count < hidden else { continue }
            let units = dense.units
            var z = [Scalar](repeating: 0, count: rows * units)
            input.withUnsafeBufferPointer { x in
                dense.weight.value.storage.withUnsafeBufferPointer { w in
                    dense.bias.value.storage.withUnsafeBufferPointer { b in
                        z.withUnsafeMutableBufferPointer { out in
                            products.multiply(MatrixView(x.baseAddress!, rows: rows, columns: width),
                                              MatrixView(w.baseAddress!, rows: width, columns: units),
                                              plus: b.baseAddress!, into: out.baseAddress!)
                        }
                    }
                }
            }
            let f = dense.activation.pointwise
            // f'(0), the largest slope (just right of 0 for ReLU, whose f'(0) is taken as 0).
            let steepest = max(Double(f.backward(Scalar(1), output: f.value(Scalar(0)))),
                               Double(f.backward(Scalar(1), output: f.value(Scalar(1e-3)))))
            var saturated = 0, slopeSum = 0.0, zSum = 0.0, zSquares = 0.0
            var output = [Scalar](repeating: 0, count: rows * units)
            for i in z.indices {
                let y = f.value(z[i])
                output[i] = y
                let slope = Double(f.backward(Scalar(1), output: y)) / steepest
                if slope < LayerDiagnostics.saturationThreshold { saturated += 1 }
                slopeSum += slope
                zSum += Double(z[i]); zSquares += Double(z[i]) * Double(z[i])
            }
            let count = Double(z.count)
            let mean = zSum / count
            found.append(LayerDiagnostics(saturatedFraction: Double(saturated) / count,
                                          meanRelativeSlope: slopeSum / count,
                                          preActivationSpread: max(0, zSquares / count - mean * mean).squareRoot(),
                                          weightGradientNorm: gradientNorms.map { $0[found.count] }))
            input = output
            width = units
        }
        return found
    }
}
