import XCTest
import MatrixCore
@testable import NeuralNet

/// Task 1.2's equations written out over Swift arrays, in Double, sharing nothing with the
/// framework (no kernels, no `Pointwise` table: its own f and f' from z): the oracle the
/// framework's forward pass, backward pass and training steps are held to.
struct ReferenceMLP {
    var w: [[[Double]]]   // layer l: inputs x units
    var b: [[Double]]     // layer l: units
    var f: [String]       // hidden activation per layer; the last layer is linear (logits)

    static func act(_ name: String, _ z: Double) -> (value: Double, slope: Double) {
        switch name {
        case "sigmoid": let s = 1 / (1 + exp(-z)); return (s, s * (1 - s))
        case "tanh": let t = tanh(z); return (t, 1 - t * t)
        case "improved-sigmoid": let t = tanh(2 * z / 3); return (1.7159 * t, 1.7159 * 2 / 3 * (1 - t * t))
        case "relu": return (max(0, z), z > 0 ? 1 : 0)
        default: return (z, 1)
        }
    }

    /// Per layer its input x and pre-activation z; the last z are the logits.
    func forward(_ x0: [[Double]]) -> (xs: [[[Double]]], zs: [[[Double]]]) {
        var x = x0, xs: [[[Double]]] = [], zs: [[[Double]]] = []
        for l in w.indices {
            let z = x.map { row in (0..<b[l].count).map { j in b[l][j] + row.indices.reduce(0) { $0 + row[$1] * w[l][$1][j] } } }
            xs.append(x); zs.append(z)
            x = z.map { $0.map { ReferenceMLP.act(f[l], $0).value } }
        }
        return (xs, zs)
    }

    /// Mean cross-entropy of softmax(logits), rows whose largest logit is the label, and
    /// dL/dW, dL/db of that mean.
    func gradients(_ x: [[Double]], _ y: [Int]) -> (loss: Double, correct: Int, dW: [[[Double]]], db: [[Double]]) {
        let (xs, zs) = forward(x), batch = Double(x.count)
        var loss = 0.0, correct = 0
        // dz of the output: (softmax(z) - onehot(y)) / B.
        var dz = zs.last!.enumerated().map { r, z -> [Double] in
            let m = z.max()!, e = z.map { exp($0 - m) }, s = e.reduce(0, +)
            loss -= log(e[y[r]] / s) / batch
            if z.firstIndex(of: m) == y[r] { correct += 1 }
            return e.indices.map { (e[$0] / s - ($0 == y[r] ? 1 : 0)) / batch }
        }
        var dW = w, db = b
        for l in w.indices.reversed() {
            for i in w[l].indices { for j in b[l].indices { dW[l][i][j] = xs[l].indices.reduce(0) { $0 + xs[l][$1][i] * dz[$1][j] } } }
            for j in b[l].indices { db[l][j] = dz.reduce(0) { $0 + $1[j] } }
            guard l > 0 else { break }
            // da of the layer below = dz W^T, then dz = da f'(z).
            dz = dz.enumerated().map { r, d in
                w[l].indices.map { i in d.indices.reduce(0) { $0 + d[$1] * w[l][i][$1] } * ReferenceMLP.act(f[l - 1], zs[l - 1][r][i]).slope }
            }
        }
        return (loss, correct, dW, db)
    }

    /// One step of SGD with momentum on (x, y): v = mu v - lr g, w = w + v.
    mutating func step(_ x: [[Double]], _ y: [Int], lr: Double, mu: Double, v: inout [[Double]]) {
        let g = gradients(x, y)
        let flat = g.dW.indices.flatMap { [g.dW[$0].flatMap { $0 }, g.db[$0]] }
        if v.isEmpty { v = flat.map { [Double](repeating: 0, count: $0.count) } }
        for t in flat.indices { for e in flat[t].indices { v[t][e] = mu * v[t][e] - lr * flat[t][e] } }
        for l in w.indices {
            let units = b[l].count
            for i in w[l].indices { for j in 0..<units { w[l][i][j] += v[2 * l][i * units + j] } }
            for j in 0..<units { b[l][j] += v[2 * l + 1][j] }
        }
    }
}

/// The framework against the reference on small shapes. Tolerances are relative to the largest
/// magnitude compared: Double (BLAS) 1e-12, summation order alone (a few ulps of 20-term sums);
/// Float (PanelGEMM and the C kernels) 1e-4, Float's 6e-8 rounding over 20-term sums, the
/// kernels' exp (2e-7 relative) and two layers, with room; each mutant of the core is off by far more.
final class ReferenceMLPTests: XCTestCase {
    private let features = 20, hidden = [6, 5], classes = 4

    private func pair<S: MatrixScalar>(_: S.Type, _ activation: Activation, rows: Int)
        -> (Sequential<S>, ReferenceMLP, Examples<S>, [[Double]], [Int]) {
        let model = mlp(S.self, inputs: features, hidden: hidden, classes: classes, activation: activation,
                        initializer: activation == .relu ? .he : .uniform(low: -1, high: 1))
        let data = blobs(S.self, count: rows, features: features, classes: classes)
        let dense = model.layers.map { $0 as! Dense<S> }
        let reference = ReferenceMLP(
            w: dense.map { d in (0..<d.inputSize).map { i in (0..<d.units).map { Double(d.weight.value[i, $0]) } } },
            b: dense.map { $0.bias.value.storage.map { Double($0) } },
            f: hidden.map { _ in activation.name } + ["linear"])
        let x = (0..<rows).map { r in data.inputs.row(r).map { Double($0) } }
        return (model, reference, data, x, data.labels.map(Int.init))
    }

    private func assertClose(_ got: [Double], _ expected: [Double], _ tolerance: Double, _ what: String) {
        let scale = max(expected.map(abs).max() ?? 0, 1e-300)
        XCTAssertGreaterThan(scale, 1e-6, "\(what) is not trivially zero")
        for (g, e) in zip(got, expected) { XCTAssertEqual(g, e, accuracy: tolerance * scale, what) }
    }

    private func checkForwardAndBackward<S: MatrixScalar>(_: S.Type, tolerance: Double) {
        for activation in [Activation.sigmoid, .tanh, .improvedSigmoid, .relu] {
            for rows in [1, 9] {
                let (model, reference, data, x, y) = pair(S.self, activation, rows: rows)
                let expected = reference.gradients(x, y)
                let got = data.inputs.storage.withUnsafeBufferPointer { xp in
                    data.labels.withUnsafeBufferPointer { yp in
                        model.computeGradients(MatrixView(xp.baseAddress!, rows: rows, columns: features), labels: yp.baseAddress!)
                    }
                }
                let what = "\(S.self) \(activation) \(rows) rows"
                XCTAssertEqual(got.loss, expected.loss, accuracy: tolerance * expected.loss, "\(what) loss")
                XCTAssertEqual(got.correct, expected.correct, "\(what) correct")
                XCTAssertEqual(model.evaluate(data).loss, expected.loss, accuracy: tolerance * expected.loss, "\(what) evaluated")
                for (l, layer) in model.layers.enumerated() {
                    let p = layer.parameters.map { $0.gradient.storage.map { Double($0) } }
                    assertClose(p[0], expected.dW[l].flatMap { $0 }, tolerance, "\(what) dW\(l + 1)")
                    assertClose(p[1], expected.db[l], tolerance, "\(what) db\(l + 1)")
                }
            }
        }
    }

    func testDoubleForwardAndBackwardMatchTheReference() { checkForwardAndBackward(Double.self, tolerance: 1e-12) }

    func testFloatForwardAndBackwardMatchTheReference() { checkForwardAndBackward(Float.self, tolerance: 1e-4) }

    /// Two batches of one epoch with momentum through `Trainer`: both updates and the velocity carried between them.
    private func checkTrainingSteps<S: MatrixScalar>(_: S.Type, tolerance: Double) {
        let (model, start, data, x, y) = pair(S.self, .sigmoid, rows: 12)
        let trainer = Trainer(model: model, optimizer: SGD(learningRate: 0.5, momentum: 0.9),
                              options: TrainingOptions(epochs: 1, batchSize: 6, evaluateAtStart: false))
        _ = trainer.fit(data, evaluationSets: [])
        var reference = start, v: [[Double]] = []
        reference.step(Array(x[0..<6]), Array(y[0..<6]), lr: 0.5, mu: 0.9, v: &v)
        reference.step(Array(x[6...]), Array(y[6...]), lr: 0.5, mu: 0.9, v: &v)
        for (l, layer) in model.layers.enumerated() {
            let p = layer.parameters.map { $0.value.storage.map { Double($0) } }
            let moved = zip(p[0], start.w[l].flatMap { $0 }).map { $0 - $1 }
            assertClose(moved, zip(reference.w[l].flatMap { $0 }, start.w[l].flatMap { $0 }).map { $0 - $1 },
                        tolerance, "\(S.self) W\(l + 1) update")
            assertClose(zip(p[1], start.b[l]).map { $0 - $1 }, zip(reference.b[l], start.b[l]).map { $0 - $1 },
                        tolerance, "\(S.self) b\(l + 1) update")
        }
    }

    func testDoubleTrainingStepsMatchTheReference() { checkTrainingSteps(Double.self, tolerance: 1e-10) }

    func testFloatTrainingStepsMatchTheReference() { checkTrainingSteps(Float.self, tolerance: 1e-3) }
}
