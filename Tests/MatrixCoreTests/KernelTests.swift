import XCTest
import CKernels
@testable import MatrixCore

final class KernelTests: XCTestCase {
    func testSoftmaxRowsSumToOneAndSurviveHugeLogits() {
        var x: [Double] = [1, 2, 3, 1000, 1001, 1002]
        x.withUnsafeMutableBufferPointer { Kernels.softmaxRows($0.baseAddress!, rows: 2, columns: 3) }
        XCTAssertEqual(x[0] + x[1] + x[2], 1, accuracy: 1e-12)
        // Shift invariance: both rows are the same distribution.
        for c in 0..<3 { XCTAssertEqual(x[c], x[3 + c], accuracy: 1e-12) }
        XCTAssertEqual(x[2], exp(3) / (exp(1) + exp(2) + exp(3)), accuracy: 1e-12)
    }

    func testCrossEntropyAndAccuracy() {
        let p: [Float] = [0.7, 0.2, 0.1, 0.1, 0.3, 0.6]
        let labels: [Int32] = [0, 1]
        let r = p.withUnsafeBufferPointer { pp in labels.withUnsafeBufferPointer { y in
            Kernels.crossEntropy(probabilities: pp.baseAddress!, labels: y.baseAddress!, rows: 2, columns: 3) } }
        XCTAssertEqual(r.lossSum, -log(0.7) - log(0.3), accuracy: 1e-6)
        XCTAssertEqual(r.correct, 1)
    }

    func testPointwiseFunctionsAndDerivatives() {
        let z: [Double] = [-2, -0.5, 0.3, 1.7]
        for f in Pointwise.allCases {
            var y = z
            y.withUnsafeMutableBufferPointer { Kernels.apply(f, $0.baseAddress!, count: 4) }
            var g = [Double](repeating: 1, count: 4)
            y.withUnsafeBufferPointer { yp in g.withUnsafeMutableBufferPointer {
                Kernels.multiplyByDerivative(f, output: yp.baseAddress!, gradient: $0.baseAddress!, count: 4) } }
            for i in 0..<4 {
                func value(_ v: Double) -> Double {
                    switch f {
                    case .sigmoid: 1 / (1 + exp(-v))
                    case .improvedSigmoid: 1.7159 * tanh(2 * v / 3)
                    case .tanh: tanh(v)
                    case .relu: max(0, v)
                    case .identity: v
                    }
                }
                XCTAssertEqual(y[i], value(z[i]), accuracy: 1e-12, "\(f)")
                let h = 1e-6
                XCTAssertEqual(g[i], (value(z[i] + h) - value(z[i] - h)) / (2 * h), accuracy: 1e-6, "\(f)'")
            }
        }
    }

    func testTheTablesKernelCodesAreTheHeaders() {
        XCTAssertEqual(Pointwise.identity.kernel.code, Int32(CK_ACT_NONE))
        XCTAssertEqual(Pointwise.sigmoid.kernel.code, Int32(CK_ACT_SIGMOID))
        XCTAssertEqual(Pointwise.improvedSigmoid.kernel.code, Int32(CK_ACT_SCALED_TANH))
        XCTAssertEqual(Pointwise.tanh.kernel.code, Int32(CK_ACT_SCALED_TANH))
        XCTAssertEqual(Pointwise.relu.kernel.code, Int32(CK_ACT_RELU))
    }

    func testSumColumns() {
        let m: [Float] = [1, 2, 3, 4, 5, 6]
        var s = [Float](repeating: 9, count: 3)
        m.withUnsafeBufferPointer { mp in s.withUnsafeMutableBufferPointer {
            Kernels.sumColumns(mp.baseAddress!, rows: 2, columns: 3, into: $0.baseAddress!) } }
        XCTAssertEqual(s, [5, 7, 9])
    }

    func testMatrixGatherAndResize() {
        let m = Matrix<Float>([[1, 2], [3, 4], [5, 6]])
        XCTAssertEqual(m.gatheringRows([2, 0]), Matrix([[5, 6], [1, 2]]))
        var r = m
        r.resizeRows(1)
        XCTAssertEqual(r, Matrix([[1, 2]]))
    }
}
