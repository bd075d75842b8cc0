import MatrixCore

/// The loss of every model here, a stage of its own after the output layer: softmax over the
/// logits z (rows x classes), then cross-entropy against integer labels y. No layer knows it.
///
///     p = softmax(z) row by row,  L = (1/B) Σ_r -log p[r, y_r],  dL/dz = (p - onehot(y)) / B
///
/// for a batch of B rows. Fused this way the gradient needs no Jacobian of the softmax.
public enum SoftmaxCrossEntropy {
    /// Returns (Σ_r -log p[r, y_r] in nats, rows whose first largest logit is the label).
    /// With `gradient` (rows x classes), writes dL/dz of the *mean* loss there, and z is
    /// overwritten with p. Without it (evaluation), the loss comes straight from the logits
    /// where a kernel does that (Float, 1-16 classes, AVX-512 or AVX2; no p is formed, z is
    /// left as it was), else as in training. p is clamped at the smallest normal value, so a
    /// confident mistake gives a large, finite loss.
    @inlinable
    public static func evaluate<S: MatrixScalar>(logits z: UnsafeMutablePointer<S>, labels: UnsafePointer<Int32>,
                                                 rows: Int, classes: Int,
                                                 gradient: UnsafeMutablePointer<S>? = nil) -> (lossSum: Double, correct: Int) {
        if gradient == nil, let fromLogits = Kernels.crossEntropy(logits: z, labels: labels, rows: rows, columns: classes) {
            return fromLogits
        }
        Kernels.softmaxRows(z, rows: rows, columns: classes)
        let result = Kernels.crossEntropy(probabilities: z, labels: labels, rows: rows, columns: classes)
        if let g = gradient {
            // (p - onehot(y)) / B
            let inverseBatch = 1 / S(rows)
            for i in 0..<(rows * classes) { g[i] = z[i] * inverseBatch }
            for r in 0..<rows { g[r * classes + Int(labels[r])] -= inverseBatch }
        }
        return result
    }
}
