import XCTest
@testable import Experiments

final class ParametersTests: XCTestCase {
    private func error(_ yaml: String) -> ParameterError? {
        do { _ = try Parameters.parse(yaml, file: "p.yaml"); return nil } catch let e as ParameterError { return e } catch { return nil }
    }

    func testCommittedParametersFileMatchesTheDefaults() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("report/parameters.yaml")
        let p = try Parameters.load(from: url)
        XCTAssertEqual(p.base.learningRate, 0.5)
        XCTAssertEqual(p.base.batchSize, 128)
        XCTAssertEqual(p.topologies.twoLayerExtra, [[60, 60]])
    }

    func testOverridesAndDefaults() throws {
        let p = try Parameters.parse("seeds: 2\nbase:\n  learning_rate: 0.1\n  hidden_units: [32, 16]\n")
        XCTAssertEqual(p.seeds, 2)
        XCTAssertEqual(p.base.learningRate, 0.1)
        XCTAssertEqual(p.base.hiddenUnits, [32, 16])
        XCTAssertEqual(p.base.batchSize, 128)
    }

    func testUnknownKeySuggestsTheNearestAndGivesTheLine() {
        let e = error("seeds: 3\nbase:\n  learnin_rate: 0.1\n")
        XCTAssertEqual(e?.key, "base.learnin_rate")
        XCTAssertEqual(e?.line, 3)
        XCTAssertTrue(e?.description.contains("did you mean 'learning_rate'?") ?? false, e?.description ?? "")
        XCTAssertTrue(e?.description.hasPrefix("p.yaml:3:") ?? false)
    }

    func testBadValuesNameTheKeyAndLine() {
        let cases: [(String, String, Int)] = [
            ("base:\n  learning_rate: 0\n", "base.learning_rate", 2),
            ("base:\n  learning_rate: fast\n", "base.learning_rate", 2),
            ("base:\n  batch_size: 0\n", "base.batch_size", 2),
            ("base:\n  batch_size: 100000\n", "base.batch_size", 2),
            ("base:\n  hidden_units: [0]\n", "base.hidden_units", 2),
            ("\n\nbonus:\n  dropout: 1.0\n", "bonus.dropout", 4),
            ("base:\n  activation: sigmod\n", "base.activation", 2),
            ("base:\n  initializer: xavir\n", "base.initializer", 2),
            ("learning_rate_grid: [0.5, -1]\n", "learning_rate_grid", 1),
        ]
        for (yaml, key, line) in cases {
            let e = error(yaml)
            XCTAssertEqual(e?.key, key, yaml)
            XCTAssertEqual(e?.line, line, yaml)
        }
        XCTAssertTrue(error("base:\n  activation: sigmod\n")!.description.contains("did you mean 'sigmoid'"))
    }

    func testInvalidYAMLGivesALine() {
        let e = error("seeds: 3\nbase: [unclosed\n")
        XCTAssertNotNil(e)
        XCTAssertNotNil(e?.line)
    }
}

/// Inputs the parameters fuzzer found (fuzz/params), kept as regression tests.
final class ParametersFuzzFindingsTests: XCTestCase {
    private func error(_ yaml: String) -> ParameterError? {
        do { _ = try Parameters.parse(yaml, file: "p.yaml"); return nil } catch let e as ParameterError { return e } catch { return nil }
    }

    func testSoftmaxIsRejectedInAnyCase() {
        XCTAssertEqual(error("base:\n  activation: Softmax\n")?.key, "base.activation")
    }

    func testBase60AndOctalAreNotNumbers() {
        XCTAssertEqual(error("seeds: 1:0:0:0:0:0:0:0:0:0:0\n")?.key, "seeds")
        XCTAssertEqual(error("seeds: 1:30\n")?.key, "seeds")
        XCTAssertEqual(try Parameters.parse("base:\n  hidden_units: [064]\n").base.hiddenUnits, [64])
    }

    func testDuplicateKeysGiveTheSameMessageEveryTime() {
        let yaml = "a: 1\n? [b]\n: 2\na: 3\n? [b]\n: 4\n"
        let first = error(yaml)?.description
        XCTAssertNotNil(first)
        for _ in 0..<20 { XCTAssertEqual(error(yaml)?.description, first) }
    }

    func testInfinityAndHugeCountsAreRejected() {
        XCTAssertEqual(error("base:\n  learning_rate: .inf\n")?.key, "base.learning_rate")
        XCTAssertEqual(error("learning_rate_grid: [0.5, 1e999]\n")?.key, "learning_rate_grid")
        XCTAssertEqual(error("seeds: 1777777767\n")?.key, "seeds")
        XCTAssertEqual(error("seeds: 2\nreplication:\n  seeds: 3\n")?.key, "replication.seeds")
    }
}

/// Issue 18.6 and 18.7: bounds, one spelling per name, checks across sections whatever the
/// file contains, and messages that quote at most a short excerpt.
final class ParameterBoundsTests: XCTestCase {
    private func message(_ yaml: String) -> String? {
        do { _ = try Parameters.parse(yaml); return nil } catch { return "\(error)" }
    }

    func testNamesAreNormalisedBeforeTheyEnterAKey() throws {
        let typed = try Parameters.parse("base:\n  activation: Sigmoid\n  initializer: UNIFORM\n")
        XCTAssertEqual(typed.base.activation, "sigmoid")
        XCTAssertEqual(typed.base.initializer, "uniform")
        XCTAssertEqual(Planner(parameters: typed).baseTemplate, Planner(parameters: Parameters()).baseTemplate)
    }

    func testCrossFieldChecksRunWithoutTheirSections() {
        XCTAssertTrue(message("validation_images: 59999\n")?.contains("'validation_images': leaves 1 training image, fewer than one batch") == true,
                      message("validation_images: 59999\n") ?? "accepted")
        XCTAssertTrue(message("validation_images: 59800\ngradient_check:\n  images: 500\n")?.contains("'gradient_check.images': is more than the 200 training images") == true)
        XCTAssertNil(message("validation_images: 59000\n"))
    }

    func testListsStringsAndFilesAreBoundedAndQuotedShort() {
        let grid = "learning_rate_grid: [" + Array(repeating: "0.1", count: 21).joined(separator: ", ") + "]\n"
        XCTAssertTrue(message(grid)?.contains("has 21 items; at most 20 are allowed") == true, message(grid) ?? "accepted")
        let long = String(repeating: "x", count: 5000)
        let m = message("base:\n  activation: \(long)\n") ?? "accepted"
        XCTAssertTrue(m.contains("is 5000 characters long"), m)
        XCTAssertLessThan(m.count, 300, "the message echoes the whole value")
        let huge = "seeds: 3\n#" + String(repeating: "y", count: Parameters.maximumFileBytes) + "\n"
        XCTAssertTrue(message(huge)?.contains("a parameters file is a few kB") == true)
    }

    func testAQuotedNumberIsCalledAString() {
        let m = message("seeds: \"3\"\n") ?? "accepted"
        XCTAssertTrue(m.contains("'seeds': must be a number, not a string: write '3' without quotes"), m)
    }
}
