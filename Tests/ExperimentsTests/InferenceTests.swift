import XCTest
@testable import Experiments
@testable import NeuralNet
import ExperimentsTestSupport

/// The report's statistics against an independent implementation: the reference values
/// below were computed with SciPy 1.17 (`stats.t.ppf`, `stats.t.sf`, `ttest_ind(equal_var=False)`,
/// `ttest_rel` and their `confidence_interval(0.95)`).
final class InferenceTests: XCTestCase {
    func testCriticalValuesMatchTheTTable() {
        for (df, t) in [(1.0, 12.706204736174694), (2, 4.302652729749462), (4, 2.7764451051977934),
                        (10, 2.228138851986274), (30, 2.0422724563012378), (3.7, 2.8675207071911895)] {
            XCTAssertEqual(StudentT.criticalValue(confidence: 0.95, df: df), t, accuracy: 1e-9, "df \(df)")
        }
    }

    func testTwoSidedTailProbabilities() {
        XCTAssertEqual(StudentT.twoSidedP(t: 2.5, df: 4), 0.06676654481198814, accuracy: 1e-12)
        XCTAssertEqual(StudentT.twoSidedP(t: -1.1, df: 2.3), 0.37303334612856287, accuracy: 1e-12)
        XCTAssertEqual(StudentT.twoSidedP(t: 0, df: 3), 1, accuracy: 1e-15)
    }

    let a: [UInt64: Double] = [1: 0.9412, 2: 0.9448, 3: 0.9431, 4: 0.9470, 5: 0.9455]
    let b: [UInt64: Double] = [1: 0.9380, 2: 0.9391, 3: 0.9402, 4: 0.9360, 5: 0.9420]

    func testWelchMatchesSciPy() throws {
        let d = try XCTUnwrap(MeanDifference.test(a, b, paired: false))
        XCTAssertEqual(d.method, .welch)
        XCTAssertEqual(d.degreesOfFreedom, 7.99920245047307, accuracy: 1e-9)
        XCTAssertEqual(d.pValue, 0.006059529009496154, accuracy: 1e-12)
        XCTAssertEqual(d.low, 0.0019800625599950645, accuracy: 1e-12)
        XCTAssertEqual(d.high, 0.008539937440005241, accuracy: 1e-12)
    }

    func testPairedMatchesSciPyAndPairsBySeed() throws {
        let d = try XCTUnwrap(MeanDifference.test(a, b, paired: true))
        XCTAssertEqual(d.method, .paired)
        XCTAssertEqual(d.pValue, 0.025668026482087394, accuracy: 1e-12)
        XCTAssertEqual(d.low, 0.0010469332364293638, accuracy: 1e-12)
        XCTAssertEqual(d.high, 0.009473066763570633, accuracy: 1e-12)
        // Seeds pair by number, not by position: a seed missing on one side (a diverged run) drops out.
        var partial = b; partial[3] = nil
        let p = try XCTUnwrap(MeanDifference.test(a, partial, paired: true))
        XCTAssertEqual(p.countA, 4)
    }

    func testOneRunHasNoTestAndBorrowsNoSpread() {
        XCTAssertNil(MeanDifference.test(a, [1: 0.93], paired: false))
        XCTAssertNil(MeanDifference.test([1: 0.9], [1: 0.8], paired: true))
    }

    func testHolmStepDown() {
        // Sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 -> 0.02, 0.03, 0.06, max(0.06, 0.04).
        let adjusted = Holm.adjust([0.01, 0.04, 0.03, 0.005])
        for (x, y) in zip(adjusted, [0.03, 0.06, 0.06, 0.02]) { XCTAssertEqual(x, y, accuracy: 1e-15) }
        XCTAssertEqual(Holm.adjust([0.6, 0.9]), [1, 1])
    }

    private func history(validation losses: [Double], accuracy: Double, diverged: Bool = false) -> TrainingHistory {
        var h = TrainingHistory()
        for (e, l) in losses.enumerated() {
            h.points.append(EvaluationPoint(epoch: Double(e + 1), iteration: e, metrics: ["validation": Metrics(loss: l, accuracy: accuracy)]))
        }
        if diverged { h.divergence = Divergence(epoch: losses.count, iteration: 1) }
        return h
    }

    func testRunClassesByTheirStatedThresholds() {
        let settled = (0..<15).map { 0.5 * pow(0.95, Double($0)) }
        XCTAssertEqual(RunClass(history(validation: settled, accuracy: 0.95)), .trained)
        XCTAssertEqual(RunClass(history(validation: settled, accuracy: 0.95, diverged: true)), .diverged)
        XCTAssertEqual(RunClass(history(validation: settled, accuracy: 0.11)), .collapsed)
        // A loss that swings by +-30 % between epochs (the 3d runs at lr 0.5 swing by about that).
        let swinging = (0..<15).map { 150 * ($0 % 2 == 0 ? 1.3 : 0.7) }
        XCTAssertEqual(RunClass(history(validation: swinging, accuracy: 0.6)), .oscillating)
        // Under and over the 10 % threshold: alternating losses whose changes are 4.8-5 % and 13-15 %.
        XCTAssertEqual(RunClass(history(validation: (0..<15).map { $0 % 2 == 0 ? 1.0 : 1.05 }, accuracy: 0.9)), .trained)
        XCTAssertEqual(RunClass(history(validation: (0..<15).map { $0 % 2 == 0 ? 1.0 : 1.15 }, accuracy: 0.9)), .oscillating)
    }

    func testACollapsedRateIsNeverChosen() {
        func run(_ lr: Double, _ acc: Double, seed: UInt64) -> RunResult {
            var spec = tinyParameters().baseTemplate(lr: lr)
            spec.seed = seed
            return RunResult(key: "k", spec: spec, datasetChecksums: [:], codeVersion: 0,
                             history: history(validation: [1, 1, 1], accuracy: acc), parameterCount: 0, wallSeconds: 0,
                             provenance: Provenance(commit: "", dirty: false, swiftVersion: "", blas: "", blasKernel: "", blasThreads: 1, machine: ""))
        }
        // lr 1 has the best mean but one seed collapsed: 0.5 is chosen.
        let sweep = [SweepPoint(learningRate: 1, finalValidationAccuracy: [0.99, 0.15], runs: [run(1, 0.99, seed: 1), run(1, 0.15, seed: 2)]),
                     SweepPoint(learningRate: 0.5, finalValidationAccuracy: [0.5, 0.5], runs: [run(0.5, 0.5, seed: 1), run(0.5, 0.5, seed: 2)])]
        XCTAssertEqual(RowOutcome.choose(from: sweep), 0.5)
    }
}

private extension Parameters {
    func baseTemplate(lr: Double) -> RunSpec {
        var s = Planner(parameters: self).baseTemplate
        s.learningRate = lr
        return s
    }
}
