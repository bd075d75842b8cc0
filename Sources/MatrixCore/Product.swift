/// A row-major matrix read in place, as one operand of a `Products.multiply`: `rows x columns`
/// at `base` (row stride `columns`), its rows optionally picked through `rowIndex` (row r is
/// stored row rowIndex[r]: a shuffled batch without a gathered copy), and optionally read
/// transposed (`transposed`, which swaps the shape a product sees and copies nothing).
public struct MatrixView<Scalar: MatrixScalar> {
    public let base: UnsafePointer<Scalar>
    /// Rows and columns as stored (before any transpose), counting only the picked rows.
    public let rows: Int
    public let columns: Int
    public let rowIndex: UnsafePointer<Int>?
    public let isTransposed: Bool

    public init(_ base: UnsafePointer<Scalar>, rows: Int, columns: Int, rowIndex: UnsafePointer<Int>? = nil,
                isTransposed: Bool = false) {
        self.base = base
        self.rows = rows
        self.columns = columns
        self.rowIndex = rowIndex
        self.isTransposed = isTransposed
    }

    /// The same storage read as its transpose.
    public var transposed: MatrixView {
        MatrixView(base, rows: rows, columns: columns, rowIndex: rowIndex, isTransposed: !isTransposed)
    }

    /// Stored row r (through the index when there is one).
    @inlinable
    public func row(_ r: Int) -> UnsafePointer<Scalar> { base + (rowIndex?[r] ?? r) * columns }
}

/// The products of a dense layer, C = f(bias + A B), behind one call that chooses how to
/// compute them, so that a layer states its equations and never its kernels.
///
/// The choice, in order (each keeps the bits the framework has always produced):
/// - k = 1 without bias (dW of a single example): the outer product, element by element.
/// - one row of C (a single example's forward pass and dx): a BLAS matrix-vector product
///   (GEMM with one row would re-pack the weights).
/// - Float on AVX-512 or AVX2 + FMA: `PanelGEMM`, which reads A in place (transposed or
///   through a row index) and applies f before C leaves L1; a transposed B (dx = dz W^T) is
///   copied first into a buffer this value owns (k n floats against m k n FMAs), because the
///   kernel reads B row-major. No Float training product then depends on the BLAS kernel.
/// - otherwise (Double, the gradient check; CPUs without those instruction sets): BLAS GEMM,
///   after gathering A's picked rows into a buffer this value owns, then f on C.
///
/// One per layer, reused: its buffers grow to the largest operand seen and are then kept,
/// so a training step allocates nothing.
public final class Products<Scalar: MatrixScalar> {
    @usableFromInline var transposedB = Buffer<Scalar>()
    @usableFromInline var gatheredA = Buffer<Scalar>()

    public init() {}

    /// c (m x n, row-major, row stride n) = f(bias on every row (or 0) + a b), a m x k and
    /// b k x n as the views read them (after any transpose); `bias` holds n values.
    @inlinable
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func multiply(_ a: MatrixView<Scalar>, _ b: MatrixView<Scalar>, plus bias: UnsafePointer<Scalar>? = nil,
                                  then f: Pointwise = .identity, into c: UnsafeMutablePointer<Scalar>) {
        let (m, k) = a.isTransposed ? (a.columns, a.rows) : (a.rows, a.columns)
        let n = b.isTransposed ? b.rows : b.columns
        precondition((b.isTransposed ? b.columns : b.rows) == k, "product of \(m) x \(k) and a matrix with another row count")
        precondition(b.rowIndex == nil, "only the left operand is read through a row index")
        guard m > 0, n > 0 else { return }
        if k == 1, bias == nil, !b.isTransposed {
            // An outer product: c[i, j] = a[i] b[j].
            for i in 0..<m {
                let ai = a.isTransposed ? a.row(0)[i] : a.row(i)[0], out = c + i * n
                for j in 0..<n { out[j] = ai * b.base[j] }
            }
        } else if m == 1 {
            matrixVector(a, b, k: k, n: n, bias: bias, c: c)
        } else if Scalar.self == Float.self, PanelGEMM.isAvailable {
            panel(a, b, m: m, n: n, k: k, bias: bias, f: f, c: c)
            return
        } else {
            gemm(a, b, m: m, n: n, k: k, bias: bias, c: c)
        }
        Kernels.apply(f, c, count: m * n)
    }

    /// c (1 x n) = bias + a b through BLAS gemv, a one row of k values.
    @inlinable
    func matrixVector(_ a: MatrixView<Scalar>, _ b: MatrixView<Scalar>, k: Int, n: Int,
                               bias: UnsafePointer<Scalar>?, c: UnsafeMutablePointer<Scalar>) {
        // One row as read: a stored row, or (transposed) a stored column of k one-value rows.
        let x = gathered(a, rows: a.rows)
        if let bias { c.update(from: bias, count: n) }
        // b stored k x n: c = b^T x; b the transpose of a stored n x k: c = (stored) x.
        Scalar.gemv(transpose: !b.isTransposed, m: b.rows, n: b.columns, alpha: 1, a: b.base, lda: b.columns,
                    x: x, beta: bias == nil ? 0 : 1, y: c)
    }

    /// The Float path through PanelGEMM, f applied as C is stored.
    @inlinable
    func panel(_ a: MatrixView<Scalar>, _ b: MatrixView<Scalar>, m: Int, n: Int, k: Int,
                        bias: UnsafePointer<Scalar>?, f: Pointwise, c: UnsafeMutablePointer<Scalar>) {
        func float(_ p: UnsafePointer<Scalar>) -> UnsafePointer<Float> { UnsafeRawPointer(p).assumingMemoryBound(to: Float.self) }
        let bRows = b.isTransposed ? transposedCopy(b, k: k, n: n) : b.base
        let done = PanelGEMM.multiply(m: m, n: n, k: k, a: float(a.base), lda: a.columns, rows: a.rowIndex,
                                      transposeA: a.isTransposed, b: float(bRows), ldb: n,
                                      start: bias.map { .row(float($0)) } ?? .zero, activation: f,
                                      c: UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), ldc: n)
        precondition(done, "PanelGEMM is available but did not run")
    }

    /// c = bias + a b through BLAS GEMM (beta 1 over the broadcast bias, else beta 0).
    @inlinable
    func gemm(_ a: MatrixView<Scalar>, _ b: MatrixView<Scalar>, m: Int, n: Int, k: Int,
                       bias: UnsafePointer<Scalar>?, c: UnsafeMutablePointer<Scalar>) {
        if let bias { for r in 0..<m { (c + r * n).update(from: bias, count: n) } }
        let stored = gathered(a, rows: a.rows)
        Scalar.gemm(transposeA: a.isTransposed, transposeB: b.isTransposed, m: m, n: n, k: k, alpha: 1,
                    a: stored, lda: a.columns, b: b.base, ldb: b.columns, beta: bias == nil ? 0 : 1, c: c, ldc: n)
    }

    /// The first `rows` stored rows of `a` contiguous: `a.base` itself without a row index,
    /// else a copy of the picked rows in `gatheredA`.
    @inlinable
    func gathered(_ a: MatrixView<Scalar>, rows: Int) -> UnsafePointer<Scalar> {
        guard a.rowIndex != nil else { return a.base }
        let width = a.columns, g = gatheredA.reserve(rows * width)
        for r in 0..<rows { (g + r * width).update(from: a.row(r), count: width) }
        return UnsafePointer(g)
    }

    /// b (a transposed view, k x n as read) as a row-major k x n copy in `transposedB`.
    @inlinable
    func transposedCopy(_ b: MatrixView<Scalar>, k: Int, n: Int) -> UnsafePointer<Scalar> {
        let stored = b.base, t = transposedB.reserve(k * n)  // stored: n x k
        for i in 0..<n { for j in 0..<k { t[j * n + i] = stored[i * k + j] } }
        return UnsafePointer(t)
    }
}

/// Scratch memory that grows to the largest request and is freed with its owner.
@usableFromInline
final class Buffer<Scalar> {
    @usableFromInline var pointer: UnsafeMutablePointer<Scalar>?
    @usableFromInline var capacity = 0

    @usableFromInline init() {}

    /// At least `count` elements (contents unspecified).
    @inlinable
    func reserve(_ count: Int) -> UnsafeMutablePointer<Scalar> {
        if let pointer, capacity >= count { return pointer }
        pointer?.deallocate()
        pointer = UnsafeMutablePointer<Scalar>.allocate(capacity: max(count, 1))
        capacity = count
        return pointer!
    }

    deinit { pointer?.deallocate() }
}
