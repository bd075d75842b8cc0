import XCTest
@testable import MatrixCore

final class SeededGeneratorTests: XCTestCase {
    func testSameSeedSameSequenceOtherSeedOrStreamDiffers() {
        var a = SeededGenerator(seed: 7), b = SeededGenerator(seed: 7), c = SeededGenerator(seed: 8)
        let sa = (0..<100).map { _ in a.next() }
        XCTAssertEqual(sa, (0..<100).map { _ in b.next() })
        XCTAssertNotEqual(sa, (0..<100).map { _ in c.next() })
        var s1 = SeededGenerator(seed: 7, stream: "init"), s2 = SeededGenerator(seed: 7, stream: "shuffle")
        XCTAssertNotEqual(s1.next(), s2.next())
    }

    func testPermutationIsAPermutationAndUniformStaysInRange() {
        var g = SeededGenerator(seed: 1)
        let p = g.permutation(1000)
        XCTAssertEqual(p.sorted(), Array(0..<1000))
        XCTAssertNotEqual(p, Array(0..<1000))
        for _ in 0..<10_000 {
            let u = g.uniform(-1, 1)
            XCTAssertTrue(u >= -1 && u < 1)
            let i = g.index(below: 3)
            XCTAssertTrue((0..<3).contains(i))
        }
    }

    func testNormalHasTheRightMoments() {
        var g = SeededGenerator(seed: 3)
        let xs = (0..<200_000).map { _ in g.normal(mean: 1, standardDeviation: 2) }
        let mean = xs.reduce(0, +) / Double(xs.count)
        let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count)
        XCTAssertEqual(mean, 1, accuracy: 0.02)
        XCTAssertEqual(variance.squareRoot(), 2, accuracy: 0.02)
    }
}
