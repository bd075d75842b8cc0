import Foundation
import MatrixCore

/// The first dense layers of K models of the same first-layer shape, multiplied as one layer
/// of K x units columns: the products that read the whole batch (z = x W + b and dW = xᵀ dz,
/// x rows x inputSize) run once for all K instead of once each.
///
/// Why the bits are the models' own: every output element of the Float products (PanelGEMM,
/// Sources/CKernels/gemm.c) is one FMA chain over k in order from its bias (or zero), and
/// does not depend on which other columns share the product, so member j's columns of
/// x [W_1 ... W_K] + [b_1 ... b_K] are x W_j + b_j bit for bit, and member j's columns of
/// xᵀ [dz_1 ... dz_K] are xᵀ dz_j. Where that is not so (BLAS, a one-row batch's gemv),
/// `isExact` is false and `GridTrainer` runs the members one by one.
///
/// `GridTrainer` hands it packs of members at most `packWidth` (64) columns wide: one AVX-512
/// column panel. Measured on an AVX-512 machine (bench/grid.py), seven 64-unit members in one
/// product of 448 columns (seven panels, k-blocked) trained slower than seven products alone,
/// because the kernel re-reads the batch for every panel anyway; packs of 64 are never slower,
/// and narrow members (5 to 20 units, which fill a fraction of a vector alone) gain the most.
///
/// Each member's weights stay in its own `Dense` (the optimiser updates them there); they are
/// packed side by side before each forward product, and the packed weight gradient is
/// copied back into each member's `weight.gradient`. Those copies move (inputSize x K units)
/// floats a batch twice, against 4 x rows x inputSize x K units flops of the two products.
final class FirstLayerGroup<Scalar: MatrixScalar> {
    let inputSize: Int
    let units: Int
    let activation: Activation
    private let products = Products<Scalar>()
    /// inputSize x (K units): the members' W side by side; then xᵀ dz for all of them.
    private var packedWeights: [Scalar] = []
    private var packedWeightGradients: [Scalar] = []
    /// K units: the members' biases side by side.
    private var packedBias: [Scalar] = []
    /// rows x (K units): the layer's outputs a, then the deltas dz, side by side.
    private var packedOutputs: [Scalar] = []
    private var packedDeltas: [Scalar] = []

    init(inputSize: Int, units: Int, activation: Activation) {
        self.inputSize = inputSize
        self.units = units
        self.activation = activation
    }

    /// The widest pack of members multiplied together, in columns: K units is cut into packs
    /// of at most this many (whole members), a member alone when its own layer is as wide.
    static var packWidth: Int { gridPackWidth }

    /// Whether the grouped products give the bits of the members' own, for a batch of `rows`.
    static func isExact(rows: Int) -> Bool { Scalar.self == Float.self && PanelGEMM.isAvailable && rows > 1 }

    /// a_j (rows x units, into outputs[j]) = f(x W_j + b_j) for each layer j, as one product.
    @_specialize(where Scalar == Float)
    func forward(_ x: MatrixView<Scalar>, layers: [Dense<Scalar>], outputs: [UnsafeMutablePointer<Scalar>]) {
        let k = layers.count, width = k * units, rows = x.rows
        grow(&packedWeights, inputSize * width)
        grow(&packedBias, width)
        grow(&packedOutputs, rows * width)
        packedWeights.withUnsafeMutableBufferPointer { w in
            packedBias.withUnsafeMutableBufferPointer { b in
                for (j, layer) in layers.enumerated() {
                    layer.weight.value.storage.withUnsafeBufferPointer { wj in
                        for r in 0..<inputSize {
                            (w.baseAddress! + r * width + j * units).update(from: wj.baseAddress! + r * units, count: units)
                        }
                    }
                    layer.bias.value.storage.withUnsafeBufferPointer { bj in
                        (b.baseAddress! + j * units).update(from: bj.baseAddress!, count: units)
                    }
                }
                packedOutputs.withUnsafeMutableBufferPointer { a in
                    // [a_1 ... a_K] = f(x [W_1 ... W_K] + [b_1 ... b_K])
                    products.multiply(x, MatrixView(UnsafePointer(w.baseAddress!), rows: inputSize, columns: width),
                                      plus: UnsafePointer(b.baseAddress!), then: activation.pointwise, into: a.baseAddress!)
                    for j in 0..<k {
                        for r in 0..<rows {
                            (outputs[j] + r * units).update(from: a.baseAddress! + r * width + j * units, count: units)
                        }
                    }
                }
            }
        }
    }

    /// Each layer j's backward pass with its output a_j and the gradient da_j for it (which
    /// becomes dz_j): dz_j = da_j ⊙ f'(a_j), db_j = Σ rows of dz_j, and dW_j = xᵀ dz_j for all
    /// j as one product; no input gradient (this is the first layer).
    @_specialize(where Scalar == Float)
    func backward(_ x: MatrixView<Scalar>, layers: [Dense<Scalar>], outputs: [UnsafeMutablePointer<Scalar>],
                  gradients: [UnsafeMutablePointer<Scalar>]) {
        let k = layers.count, width = k * units, rows = x.rows
        grow(&packedDeltas, rows * width)
        grow(&packedWeightGradients, inputSize * width)
        packedDeltas.withUnsafeMutableBufferPointer { dz in
            for (j, layer) in layers.enumerated() {
                // dz_j = da_j ⊙ f'(z_j), f' from the output (dz overwrites da), as Dense does.
                Kernels.multiplyByDerivative(activation.pointwise, output: UnsafePointer(outputs[j]), gradient: gradients[j],
                                             count: rows * units)
                layer.bias.gradient.storage.withUnsafeMutableBufferPointer { db in
                    Kernels.sumColumns(UnsafePointer(gradients[j]), rows: rows, columns: units, into: db.baseAddress!)
                }
                for r in 0..<rows {
                    (dz.baseAddress! + r * width + j * units).update(from: gradients[j] + r * units, count: units)
                }
            }
            packedWeightGradients.withUnsafeMutableBufferPointer { dw in
                // [dW_1 ... dW_K] = xᵀ [dz_1 ... dz_K]
                products.multiply(x.transposed, MatrixView(UnsafePointer(dz.baseAddress!), rows: rows, columns: width),
                                  into: dw.baseAddress!)
                for (j, layer) in layers.enumerated() {
                    layer.weight.gradient.storage.withUnsafeMutableBufferPointer { dwj in
                        for r in 0..<inputSize {
                            (dwj.baseAddress! + r * units).update(from: dw.baseAddress! + r * width + j * units, count: units)
                        }
                    }
                }
            }
        }
    }

    private func grow(_ buffer: inout [Scalar], _ count: Int) {
        if buffer.count < count { buffer = [Scalar](repeating: 0, count: count) }
    }
}

/// GRID_PACK_WIDTH overrides `FirstLayerGroup.packWidth` (for measuring it), read once.
let gridPackWidth = ProcessInfo.processInfo.environment["GRID_PACK_WIDTH"].flatMap { Int($0) } ?? 64
