import XCTest
@testable import Report

/// The template's prose holds no result and no parameter: every number a reader sees comes
/// from a tag. What may stay literal is listed, each with why: references to tables,
/// figures and tasks, the year and figures of the 2019 report it quotes, and facts of MNIST
/// and of the hardware that no parameter changes.
final class TemplateLintTests: XCTestCase {
    /// Numbers allowed in prose, as patterns, with the reason each is not a result.
    static let allowed: [(pattern: String, why: String)] = [
        (#"\b(Tables?|Figures?) \d+( and \d+)?"#, "a reference to a table or figure"),
        (#"\b[Tt]asks? \d+[a-d]?( to \d+)?"#, "the assignment's task numbers"),
        (#"\*\*[2-5][a-d] "#, "a subtask's label (3a, 4b)"),
        (#"^#+ (Task )?\d+(\.\d+)?"#, "a section heading's number"),
        (#"\b1\.[12]\b"#, "task 1's parts"),
        (#"\b2019\b"#, "the year of the report the ledger tests"),
        (#"quoted 98 %"#, "the 2019 report's own figure, quoted"),
        (#"batch 128 and learning rate 0\.5"#, "the 2019 report's description of its training, quoted"),
        (#"TDT4265 Assignment 2"#, "the course and assignment"),
        (#"AVX-512|AVX2|SHA-256"#, "names of instruction sets and a hash"),
        (#"\b784\b|28 × 28|-10\b"#, "MNIST's image size and its ten classes (the output layer), facts of the data set"),
        (#"constant input 1"#, "the bias trick's constant"),
        (#"Seeds: 1 to"#, "seeds are numbered from 1"),
    ]

    /// Spelled-out counts of what results and parameters count are numbers too ("the five
    /// largest", "ten epochs"); "two hidden layers" or "all three sets" describe the task.
    static let numberWords = #"\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|hundred) (largest|smallest|seeds?|epochs?|runs?|images?|units?|rates?|points?|steps?|batches|verdicts?|comparisons?)\b"#

    /// The prose of `template`: tags, display and inline maths, code spans and link targets removed.
    static func prose(_ template: String) -> [String] {
        var t = template
        for pattern in [#"\{\{[^}]*\}\}"#, #"\$\$[\s\S]*?\$\$"#, #"\$[^$\n]*\$"#, #"`[^`\n]*`"#, #"\]\([^)]*\)"#] {
            t = t.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        return t.components(separatedBy: "\n")
    }

    /// Each offending line with its number, after the allowed patterns are taken out.
    static func literals(in template: String) -> [String] {
        prose(template).enumerated().compactMap { i, line in
            var rest = line
            for (pattern, _) in allowed { rest = rest.replacingOccurrences(of: pattern, with: " ", options: .regularExpression) }
            let digits = rest.range(of: #"\d"#, options: .regularExpression) != nil
            let words = rest.range(of: numberWords, options: [.regularExpression, .caseInsensitive]) != nil
            return digits || words ? "line \(i + 1): \(line.trimmingCharacters(in: .whitespaces))" : nil
        }
    }

    func testTemplateProseHoldsNoLiteralResultOrParameter() throws {
        let url = ReportRenderingTests.root.appendingPathComponent("report/template.md")
        let template = try String(contentsOf: url, encoding: .utf8)
        XCTAssertEqual(Self.literals(in: template), [], "literal numbers in template.md: put them in the context")
    }

    /// The lint finds what it exists to find: a literal result, a count in words, a
    /// parameter; and lets tags, maths and references through.
    func testTheLintCatchesLiteralsAndLetsTagsThrough() {
        XCTAssertEqual(Self.literals(in: "It reaches 98.25 % test accuracy.").count, 1)
        XCTAssertEqual(Self.literals(in: "the five largest cells").count, 1)
        XCTAssertEqual(Self.literals(in: "trained for 20 epochs").count, 1)
        XCTAssertEqual(Self.literals(in: "It reaches {{x.y}} % ($10^{-4}$, `gemm.c`), see Table 3 and Figure 12 of task 4.").count, 0)
        XCTAssertEqual(Self.literals(in: "one change at a time, as the 2019 report did").count, 0)
    }
}
