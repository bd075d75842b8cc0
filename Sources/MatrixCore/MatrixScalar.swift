import RealModule

/// The element types the matrix core computes in: `Float` for training, `Double` for the
/// gradient check. Each conforming type routes GEMM to its BLAS routine and provides the
/// vectorised elementwise kernels; generic code calls one requirement per *buffer*, never
/// per element, so it stays fast even where it is not specialised.
public protocol MatrixScalar: Real, BinaryFloatingPoint, Codable, Sendable
where Self.RawSignificand: FixedWidthInteger {
    /// C = alpha * op(A) * op(B) + beta * C on row-major buffers.
    /// Shapes: op(A) is m x k, op(B) is k x n, C is m x n; lda/ldb/ldc are row strides.
    static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                     alpha: Self, a: UnsafePointer<Self>, lda: Int,
                     b: UnsafePointer<Self>, ldb: Int,
                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    /// y = alpha * op(A) x + beta * y for a row-major m x n matrix A (lda its row stride);
    /// op(A) is A (y has m elements) or its transpose (y has n elements). Single-example
    /// steps (the per-sample rule) use this: GEMM with one row would re-pack the weights.
    static func gemv(transpose: Bool, m: Int, n: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
                     x: UnsafePointer<Self>, beta: Self, y: UnsafeMutablePointer<Self>)

    /// The sum of the squares of `x`'s elements, each widened to Double, added in order.
    /// Per buffer: unspecialised generic code converting element by element goes through a
    /// dynamic cast per element, 20 times slower than the training step it measures.
    static func sumOfSquares(_ x: UnsafeBufferPointer<Self>) -> Double
}
