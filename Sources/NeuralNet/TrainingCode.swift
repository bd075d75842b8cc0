/// The version of the training semantics, part of every cached result's key.
///
/// Bump it when a change alters what training computes (an update rule, a kernel's
/// arithmetic, the evaluation schedule); leave it when a change is only a refactor,
/// a comment or a speed-up that keeps results bit-identical (the determinism and
/// gradient-check tests say so). Hashing the sources instead would retrain everything
/// after every comment fix.
public enum TrainingCode {
    public static let version = 1
}
