import CKernels
import Foundation

/// Runs training arithmetic with subnormal floats flushed to zero (results and inputs),
/// on the calling thread, restoring the previous mode afterwards.
///
/// Why: saturated sigmoid units make gradients smaller than Float.leastNormalMagnitude
/// (1.2e-38); x86 CPUs then take a microcode assist on every FMA that touches one, and the
/// high-learning-rate runs of the sweeps took 2-4x longer than the others. Flushing changes
/// numbers only below 1.2e-38, far under anything a weight update can resolve. TensorFlow
/// and oneDNN train this way on CPUs. The setting is per thread, so each experiment thread
/// sets its own; the mode is part of the training semantics (TrainingCode.version).
public enum Denormals {
    /// Environment switch for measuring the effect: MAKE_REPORT_KEEP_DENORMALS=1 keeps them
    /// (and changes results, which is why it is not an option of make-report).
    public static let flushingEnabled = getenv("MAKE_REPORT_KEEP_DENORMALS").map { String(cString: $0) != "1" } ?? true

    @inline(__always)
    public static func flushed<R>(_ body: () throws -> R) rethrows -> R {
        guard flushingEnabled else { return try body() }
        let saved = ck_fp_mode_get()
        ck_fp_mode_set(ck_fp_mode_flush_denormals(saved))
        defer { ck_fp_mode_set(saved) }
        return try body()
    }
}
