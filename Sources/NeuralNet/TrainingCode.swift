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

    /// The loss and accuracy bits of TrainingFingerprintTests' short seeded run (Float, the
    /// AVX-512 / AVX2 kernels) and the version they were pinned at: the test fails when
    /// training's results change without a bump of `version`. Bump, then pin the bits the
    /// failure message prints.
    public static let fingerprint: (version: Int, bits: [UInt64]) = (4, [
        // per evaluation: train loss, train accuracy, validation loss, validation accuracy
        0x4002C820F745F92C, 0x3FC0A3D70A3D70A4, 0x400299BFD81EB852, 0x3FB999999999999A,
        0x4000E42976D55555, 0x3FD51EB851EB851F, 0x4000D6CAF7F5C28F, 0x3FD70A3D70A3D70A,
        0x3FFC4EC548BF258C, 0x3FD81B4E81B4E81B, 0x3FFCEFBC770A3D71, 0x3FD8F5C28F5C28F6,
        0x3FF38C251570A3D7, 0x3FE4E81B4E81B4E8, 0x3FF4929835333333, 0x3FE3851EB851EB85,
        0x3FEB34CED6FC9630, 0x3FE5DDDDDDDDDDDE, 0x3FED03372A0A3D71, 0x3FE6666666666666,
    ])
}
