import CKernels
import RealModule

public enum Kernels {
    /// x[i] = f(x[i]) for i in 0..<count: Float through the C kernels, else `Pointwise.value`.
    @inlinable
    public static func apply<S: MatrixScalar>(_ f: Pointwise, _ x: UnsafeMutablePointer<S>, count: Int) {
        guard f != .identity else { return }
        let kernel = f.kernel
        if S.self == Float.self, kernel.code == Int32(CK_ACT_SIGMOID) || kernel.code == Int32(CK_ACT_SCALED_TANH) {
            // Training and evaluation run in Float: use the vectorised kernels.
            let xf = UnsafeMutableRawPointer(x).assumingMemoryBound(to: Float.self)
            if kernel.code == Int32(CK_ACT_SIGMOID) { return FastMath.sigmoid(xf, count: count) }
            return FastMath.scaledTanh(xf, count: count, a: Float(kernel.a), b: Float(kernel.b))
        }
        for i in 0..<count { x[i] = f.value(x[i]) }
    }

    /// g[i] = g[i] f'(z[i]), the derivative written in terms of the output y = f(z), which is
    /// what the forward pass kept (`Pointwise.backward`). y and g must not overlap.
    @inlinable
    public static func multiplyByDerivative<S: MatrixScalar>(_ f: Pointwise, output y: UnsafePointer<S>,
                                                              gradient g: UnsafeMutablePointer<S>, count: Int) {
        guard f != .identity else { return }
        if S.self == Float.self {
            // The same operations per element in C, vectorised and branch-free (see derivative.c):
            // for a tanh(b z) it takes b / a and a^2.
            let k = f.kernel
            let (ratio, a2): (Float, Float) = k.code == Int32(CK_ACT_SCALED_TANH) ? (Float(k.b / k.a), Float(k.a * k.a)) : (0, 0)
            return ck_multiply_by_derivative(k.code, UnsafeRawPointer(y).assumingMemoryBound(to: Float.self),
                                             UnsafeMutableRawPointer(g).assumingMemoryBound(to: Float.self), count, ratio, a2)
        }
        for i in 0..<count { g[i] = f.backward(g[i], output: y[i]) }
    }

    /// out[c] = sum over r of m[r, c] (the bias gradient).
    @inlinable
    public static func sumColumns<S: MatrixScalar>(_ m: UnsafePointer<S>, rows: Int, columns: Int,
                                                   into out: UnsafeMutablePointer<S>) {
        out.update(repeating: 0, count: columns)
        for r in 0..<rows {
            let row = m + r * columns
            for c in 0..<columns { out[c] += row[c] }
        }
    }

    /// Row-wise softmax in place, stable: subtracts each row's maximum before exp.
    @inlinable
    public static func softmaxRows<S: MatrixScalar>(_ x: UnsafeMutablePointer<S>, rows: Int, columns: Int) {
        if S.self == Float.self {
            // Rows are short (10 classes), so vectorise exp over the whole buffer instead:
            // shift every row by its maximum, one vectorised exp pass, then normalise.
            let xf = UnsafeMutableRawPointer(x).assumingMemoryBound(to: Float.self)
            if ck_softmax_rows(xf, rows, columns) != 0 { return }  // one or two vectors a row (AVX-512, AVX2)
            for r in 0..<rows {
                let row = xf + r * columns
                var m = row[0]
                for c in 1..<columns where row[c] > m { m = row[c] }
                for c in 0..<columns { row[c] -= m }
            }
            FastMath.exp(xf, count: rows * columns)
            for r in 0..<rows {
                let row = xf + r * columns
                var sum: Float = 0
                for c in 0..<columns { sum += row[c] }
                let inv = 1 / sum
                for c in 0..<columns { row[c] *= inv }
            }
            return
        }
        for r in 0..<rows {
            let row = x + r * columns
            var m = row[0]
            for c in 1..<columns where row[c] > m { m = row[c] }
            var sum: S = 0
            for c in 0..<columns { let e = S.exp(row[c] - m); row[c] = e; sum += e }
            let inv = 1 / sum
            for c in 0..<columns { row[c] *= inv }
        }
    }

    /// Whether `crossEntropy(logits:)` runs for this element type and width (it returns nil
    /// exactly where this is false): Float, 1-16 columns, on AVX-512 or AVX2.
    @inlinable
    public static func crossEntropyFromLogitsAvailable<S: MatrixScalar>(_: S.Type, columns: Int) -> Bool {
        S.self == Float.self && ck_gemm_available() != 0 && (1...16).contains(columns)
    }

    /// Cross-entropy and correct predictions straight from the output layer's logits z
    /// (rows x columns; nil, doing nothing, where `crossEntropyFromLogitsAvailable` is false):
    /// (sum over rows of -log softmax(z)[label] computed as log(sum e^(z - max)) - (z_label - max),
    /// rows whose first maximal logit is the label). Evaluation uses it: it needs no
    /// probabilities, so none are formed.
    @inlinable
    public static func crossEntropy<S: MatrixScalar>(logits z: UnsafePointer<S>, labels: UnsafePointer<Int32>,
                                                     rows: Int, columns: Int) -> (lossSum: Double, correct: Int)? {
        guard S.self == Float.self else { return nil }
        var lossSum = 0.0, correct = 0
        let zf = UnsafeRawPointer(z).assumingMemoryBound(to: Float.self)
        guard ck_logit_cross_entropy(zf, labels, rows, columns, &lossSum, &correct) != 0 else { return nil }
        return (lossSum, correct)
    }

    /// Cross-entropy and correct predictions of softmax probabilities p (rows x columns)
    /// against integer labels: returns (sum over rows of -log p[label], count of rows whose
    /// argmax equals the label). Probabilities are clamped at the smallest normal value so a
    /// confident mistake gives a large, finite loss rather than infinity.
    @inlinable
    public static func crossEntropy<S: MatrixScalar>(probabilities p: UnsafePointer<S>, labels: UnsafePointer<Int32>,
                                                     rows: Int, columns: Int) -> (lossSum: Double, correct: Int) {
        if S.self == Float.self {
            var lossSum = 0.0, correct = 0
            let pf = UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
            if ck_cross_entropy(pf, labels, rows, columns, &lossSum, &correct) != 0 { return (lossSum, correct) }
        }
        var loss = 0.0
        var correct = 0
        for r in 0..<rows {
            let row = p + r * columns
            let label = Int(labels[r])
            var best = 0
            for c in 1..<columns where row[c] > row[best] { best = c }
            if best == label { correct += 1 }
            let q = Swift.max(row[label], S.leastNormalMagnitude)
            loss -= Double(S.log(q))
        }
        return (loss, correct)
    }
}
