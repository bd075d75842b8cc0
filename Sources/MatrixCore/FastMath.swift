import RealModule

/// Vectorised exp, logistic sigmoid and tanh for Float, 16 lanes at a time.
///
/// Why: the hidden layer's sigmoid runs on every evaluation of 70,000 images (4.5 million
/// exps per pass, 300 passes in the base run); glibc's scalar `expf` made it about a third
/// of an evaluation. This is Cephes' `expf` (range reduction by ln 2 in two parts, a
/// degree-6 polynomial, exponent by bit construction), written on SIMD16<Float> so LLVM
/// emits AVX-512 (or two AVX2 halves). Relative error below 2e-7 on [-87, 88] (tests check
/// it against Foundation's exp); inputs beyond that clamp to the smallest normal or a large
/// finite value, never NaN or infinity.
public enum FastMath {
    public typealias Vector = SIMD16<Float>

    @inline(__always)
    public static func exp(_ x: Vector) -> Vector {
        let x = x.clamped(lowerBound: Vector(repeating: -87.0), upperBound: Vector(repeating: 88.0))
        // n = round(x / ln 2) by the 1.5 * 2^23 trick; its integer value sits in the low bits.
        let magic: Float = 12_582_912
        let t = x * 1.442_695_04 + magic
        let n = t - magic
        let r = x - n * 0.693_359_375 + n * 2.121_944_4e-4
        var p = Vector(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        p = p * (r * r) + r + 1
        let ni = unsafeBitCast(t, to: SIMD16<Int32>.self) &- unsafeBitCast(Vector(repeating: magic), to: SIMD16<Int32>.self)
        let scale = unsafeBitCast((ni &+ 127) &<< 23, to: Vector.self)
        return p * scale
    }

    /// x[i] = 1 / (1 + e^-x[i]).
    public static func sigmoid(_ x: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        let one = Vector(repeating: 1)
        while i + 16 <= count {
            let raw = UnsafeMutableRawPointer(x + i)
            let v = raw.loadUnaligned(as: Vector.self)
            raw.storeBytes(of: one / (one + exp(-v)), as: Vector.self)
            i += 16
        }
        while i < count { x[i] = 1 / (1 + Float.exp(-x[i])); i += 1 }
    }

    /// x[i] = a * tanh(b * x[i]) = a * (1 - 2 / (1 + e^(2 b x))); a = 1, b = 1 is tanh.
    public static func scaledTanh(_ x: UnsafeMutablePointer<Float>, count: Int, a: Float, b: Float) {
        var i = 0
        let one = Vector(repeating: 1), two = Vector(repeating: 2)
        while i + 16 <= count {
            let raw = UnsafeMutableRawPointer(x + i)
            let v = raw.loadUnaligned(as: Vector.self)
            raw.storeBytes(of: a * (one - two / (one + exp(2 * b * v))), as: Vector.self)
            i += 16
        }
        while i < count { x[i] = a * Float.tanh(b * x[i]); i += 1 }
    }
}
