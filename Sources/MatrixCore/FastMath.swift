import CKernels

/// Vectorised exp, logistic sigmoid and tanh for Float buffers (Sources/CKernels: Cephes'
/// expf in plain C, compiled for AVX-512, AVX2 and baseline x86-64 and chosen at load time).
/// Relative error of exp below 2e-7 on [-87, 88]; inputs beyond clamp there.
public enum FastMath {
    /// x[i] = e^x[i].
    public static func exp(_ x: UnsafeMutablePointer<Float>, count: Int) { ck_exp(x, count) }

    /// x[i] = 1 / (1 + e^-x[i]).
    public static func sigmoid(_ x: UnsafeMutablePointer<Float>, count: Int) { ck_sigmoid(x, count) }

    /// x[i] = a * tanh(b * x[i]).
    public static func scaledTanh(_ x: UnsafeMutablePointer<Float>, count: Int, a: Float, b: Float) {
        ck_scaled_tanh(x, count, a, b)
    }
}
