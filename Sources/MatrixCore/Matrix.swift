/// A dense row-major matrix: element (r, c) lives at `storage[r * columns + c]`.
///
/// Value semantics through the underlying array (copy on write). Hot paths reach the
/// storage through `withUnsafe...` so that no copy or allocation happens per batch.
public struct Matrix<Scalar: MatrixScalar>: Equatable, Sendable {
    public private(set) var rows: Int
    public private(set) var columns: Int
    public var storage: [Scalar]

    /// A `rows x columns` matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Scalar = 0) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        self.storage = Array(repeating: value, count: rows * columns)
    }

    /// Wraps `storage`, which must hold exactly `rows * columns` elements in row-major order.
    public init(rows: Int, columns: Int, storage: [Scalar]) {
        precondition(storage.count == rows * columns,
                     "storage holds \(storage.count) elements, \(rows)x\(columns) needs \(rows * columns)")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// Builds a matrix from nested rows (tests and small literals).
    public init(_ nested: [[Scalar]]) {
        let columns = nested.first?.count ?? 0
        precondition(nested.allSatisfy { $0.count == columns }, "ragged rows")
        self.init(rows: nested.count, columns: columns, storage: nested.flatMap { $0 })
    }

    public var count: Int { rows * columns }
    public var shape: (rows: Int, columns: Int) { (rows, columns) }

    public subscript(row: Int, column: Int) -> Scalar {
        get { storage[row * columns + column] }
        set { storage[row * columns + column] = newValue }
    }

    /// Row `r` as a new array.
    public func row(_ r: Int) -> [Scalar] { Array(storage[(r * columns)..<((r + 1) * columns)]) }

    /// The rows at `indices`, in that order, as a new matrix (used for splits and batches).
    public func gatheringRows(_ indices: some Collection<Int>) -> Matrix {
        var out = Matrix(rows: indices.count, columns: columns)
        gatherRows(indices, into: &out)
        return out
    }

    /// Copies the rows at `indices` into the first `indices.count` rows of `out` without
    /// allocating; `out` must have the same column count and enough rows.
    public func gatherRows(_ indices: some Collection<Int>, into out: inout Matrix) {
        precondition(out.columns == columns && out.rows >= indices.count, "gather target too small")
        let n = columns
        storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                var r = 0
                for index in indices {
                    precondition(index >= 0 && index < rows, "row index \(index) out of range 0..<\(rows)")
                    (dst.baseAddress! + r * n).update(from: src.baseAddress! + index * n, count: n)
                    r += 1
                }
            }
        }
    }

    /// Rows `range` as a new matrix.
    public func rows(_ range: Range<Int>) -> Matrix {
        Matrix(rows: range.count, columns: columns,
               storage: Array(storage[(range.lowerBound * columns)..<(range.upperBound * columns)]))
    }

    /// Element type conversion (Float training weights <-> Double gradient check).
    public func converted<Other: MatrixScalar>(to: Other.Type = Other.self) -> Matrix<Other> {
        Matrix<Other>(rows: rows, columns: columns, storage: storage.map { Other($0) })
    }

    /// Changes the row count in place keeping the column count; the storage is reused
    /// when large enough (never shrunk), so buffers sized for a full batch serve a last,
    /// partial one without allocating.
    public mutating func resizeRows(_ newRows: Int) {
        rows = newRows
        let needed = newRows * columns
        if storage.count < needed { storage.append(contentsOf: repeatElement(0, count: needed - storage.count)) }
        else if storage.count > needed { storage.removeLast(storage.count - needed) }
    }
}

extension Matrix: CustomStringConvertible {
    public var description: String {
        let shown = (0..<min(rows, 6)).map { r in
            (0..<min(columns, 8)).map { c in "\(self[r, c])" }.joined(separator: " ")
        }
        return "Matrix<\(Scalar.self)> \(rows)x\(columns)\n" + shown.joined(separator: "\n")
    }
}
