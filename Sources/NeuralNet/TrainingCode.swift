/// The version of the training semantics, part of every cached result's key.
///
/// Bump it when a change alters what training computes (an update rule, a kernel's
/// arithmetic, the evaluation schedule); leave it when a change is only a refactor,
/// a comment or a speed-up that keeps results bit-identical (the determinism and
/// gradient-check tests say so). Hashing the sources instead would retrain everything
/// after every comment fix.
///
/// History: 1, products through OpenBLAS; 2, dense-layer products, activations, softmax
/// and loss through the AVX-512 kernels of Sources/CKernels (other summation order),
/// subnormals flushed; 3, evaluation loss from the logits (log-sum-exp) on AVX-512;
/// 4, the same kernels on AVX2 + FMA CPUs too (they had used OpenBLAS), the input
/// gradient dx through them as well, and softmax's row sum as an explicit tree: Float
/// batch training no longer depends on which BLAS kernel the CPU gets.
public enum TrainingCode {
    public static let version = 4
}
