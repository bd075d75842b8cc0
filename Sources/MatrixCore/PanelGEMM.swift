import CKernels

/// Float GEMM without packing, for the products of a dense layer (Sources/CKernels/gemm.c
/// says why BLAS loses there): C (m x n) = f(start + A B), f the layer's activation applied
/// in registers before the store, with B k x n row-major and A read
/// either as stored (`transposeA: false`, A m x k with row stride lda) or as the transpose
/// of a stored k x m matrix (`true`, row stride lda), so dW = x^T dz needs no copy.
/// `rows`, when given, picks the stored rows (stored row s is row rows[s] of the storage
/// at `a`): a shuffled batch read in place, again without a copy.
///
/// Each C element is one FMA chain over k in order; results differ from BLAS in the last
/// bits (a different summation order), never between runs. The AVX-512 and AVX2 + FMA
/// kernels give the same bits; where the CPU has neither, `isAvailable` is false and the
/// callers use BLAS instead.
public enum PanelGEMM {
    /// What C starts from before A B is added.
    public enum Start {
        case zero
        /// The same n-element row on every row of C: the layer's bias.
        case row(UnsafePointer<Float>)
        /// C's current contents (accumulate).
        case current
    }

    public static let isAvailable = ck_gemm_available() != 0

    /// The instruction set the kernels run with here ("AVX-512", "AVX2+FMA"), nil where
    /// they do not run. MAKE_REPORT_KERNELS=avx2 or =blas in the environment lowers it.
    public static let instructionSet: String? = [2: "AVX-512", 1: "AVX2+FMA"][ck_kernel_isa()]

    /// Returns false, touching nothing, where `isAvailable` is false.
    @inline(__always) @discardableResult
    public static func multiply(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                                rows: UnsafePointer<Int>? = nil, transposeA: Bool,
                                b: UnsafePointer<Float>, ldb: Int, start: Start, activation: Pointwise = .identity,
                                c: UnsafeMutablePointer<Float>, ldc: Int) -> Bool {
        let (rowStride, columnStride) = transposeA ? (1, lda) : (lda, 1)
        let code: Int32, bias: UnsafePointer<Float>?
        switch start {
        case .zero: (code, bias) = (0, nil)
        case .row(let row): (code, bias) = (1, row)
        case .current: (code, bias) = (2, nil)
        }
        let f = activation.kernel
        return ck_gemm(m, n, k, a, rowStride, columnStride, rows, b, ldb, code, bias, f.code, Float(f.a), Float(f.b), c, ldc) != 0
    }
}
