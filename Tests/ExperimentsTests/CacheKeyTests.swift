import XCTest
@testable import Experiments

/// The cache key must change with each thing that can change a result, or a stale result is
/// served: the kind of job, the spec, each data file's checksum and the training code's version.
final class CacheKeyTests: XCTestCase {
    private struct Spec: Encodable { var rate: Double }

    func testEveryInputOfTheKeyChangesIt() {
        let sums = ["train-images.gz": "aa", "train-labels.gz": "bb"]
        let key = ResultStore.key(kind: "run", spec: Spec(rate: 0.5), checksums: sums, codeVersion: 4)
        XCTAssertEqual(key, ResultStore.key(kind: "run", spec: Spec(rate: 0.5), checksums: sums, codeVersion: 4), "a function of its inputs")
        XCTAssertEqual(key.count, 16)
        let changed = [
            ResultStore.key(kind: "gradient-check", spec: Spec(rate: 0.5), checksums: sums, codeVersion: 4),
            ResultStore.key(kind: "run", spec: Spec(rate: 0.25), checksums: sums, codeVersion: 4),
            ResultStore.key(kind: "run", spec: Spec(rate: 0.5), checksums: sums.merging(["train-labels.gz": "cc"]) { $1 }, codeVersion: 4),
            ResultStore.key(kind: "run", spec: Spec(rate: 0.5), checksums: sums.merging(["test-images.gz": "dd"]) { $1 }, codeVersion: 4),
            ResultStore.key(kind: "run", spec: Spec(rate: 0.5), checksums: sums, codeVersion: 5),
        ]
        for (i, other) in changed.enumerated() { XCTAssertNotEqual(other, key, "change \(i) leaves the key as it was") }
    }
}
