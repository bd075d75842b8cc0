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

    // MARK: Directions and mechanisms

    /// Words that state a direction ("higher", "faster") or a mechanism ("because",
    /// "saturated") about the results. Such a sentence is a verdict, so it must stand inside
    /// a section: Mustache prints a section only when its value is true or present, which
    /// here is always something the report computed from the results.
    static let verdictWords = #"\b(higher|lower|better|worse|faster|slower|improv\w*|hurts?|increas\w*|decreas\w*|gains?|helps?|beats?|outperform\w*|overfit\w*|generalis\w*|narrow\w*|widen\w*|cuts?|more|less|fewer|because|since|due to|thanks to|leads? to|causes?|drives?|explains?|saturat\w*|oscillat\w*|vanish\w*|diverg\w*|collaps\w*)\b"#

    /// Unguarded uses of those words that are not verdicts, each with why.
    static let unguardedAllowed: [(pattern: String, why: String)] = [
        (#"Every "higher", "lower" or "not distinguishable""#, "names the verdict words, defining them"),
        (#"\*\*diverged\*\* when|\*\*collapsed\*\* when|\*\*oscillating\*\* when"#, "defines a run class by its threshold"),
        (#"(at which|where) (a|no) seed diverged or collapsed"#, "states the rule of the rate choice"),
        (#"a cross marks a rate where at least one seed diverged or collapsed, a ring one where a seed oscillated"#,
         "a figure's legend: what its markers mean"),
        (#"[Ii]mproved sigmoid"#, "the name of task 3b's activation"),
        (#"\*\*4a Fewer hidden units\.\*\*|\*\*4b More hidden units\.\*\*"#, "the assignment's titles of tasks 4a and 4b"),
        (#"LeCun's argument for this initialisation is that it keeps the hidden pre-activations in the sigmoid's non-saturated"#,
         "states the argument that the guarded sentence after it tests against the measurements"),
    ]

    /// Each line of `template` outside every section, tags, maths and code removed, with its
    /// line number: the text that prints whatever the results.
    static func unguardedProse(_ template: String) -> [(line: Int, text: String)] {
        var depth = 0
        var text = ""
        // Text inside a section is replaced by its newlines, so line numbers stay right.
        func keep(_ segment: Substring) {
            text += depth == 0 ? String(segment) : String(repeating: "\n", count: segment.filter { $0 == "\n" }.count)
        }
        var rest = Substring(template)
        while let open = rest.range(of: "{{"), let close = rest.range(of: "}}", range: open.upperBound..<rest.endIndex) {
            keep(rest[..<open.lowerBound])
            let tag = rest[open.upperBound..<close.lowerBound]
            if tag.hasPrefix("#") || tag.hasPrefix("^") { depth += 1 } else if tag.hasPrefix("/") { depth -= 1 }
            text += " "
            rest = rest[close.upperBound...]
        }
        keep(rest)
        // Display maths spans lines: keep only its newlines.
        text = text.components(separatedBy: "$$").enumerated().map { i, part in
            i % 2 == 0 ? part : String(repeating: "\n", count: part.filter { $0 == "\n" }.count)
        }.joined(separator: " ")
        for pattern in [#"\$[^$\n]*\$"#, #"`[^`\n]*`"#, #"\]\([^)]*\)"#] {
            text = text.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        return text.components(separatedBy: "\n").enumerated().map { (line: $0.offset + 1, text: $0.element) }
    }

    /// Each unguarded line that states a direction or a mechanism, after the allowed uses.
    static func unguardedVerdicts(in template: String) -> [String] {
        unguardedProse(template).compactMap { line, text in
            var rest = text
            for (pattern, _) in unguardedAllowed { rest = rest.replacingOccurrences(of: pattern, with: " ", options: .regularExpression) }
            guard let word = rest.range(of: verdictWords, options: [.regularExpression, .caseInsensitive]) else { return nil }
            return "line \(line): '\(rest[word])' in: \(text.trimmingCharacters(in: .whitespaces))"
        }
    }

    func testNoDirectionOrMechanismOutsideAComputedSection() throws {
        let url = ReportRenderingTests.root.appendingPathComponent("report/template.md")
        let template = try String(contentsOf: url, encoding: .utf8)
        XCTAssertEqual(Self.unguardedVerdicts(in: template), [],
                       "a direction or mechanism in template.md that prints whatever the results: guard it with a computed section")
    }

    /// The lint finds an unconditional verdict or "because", keeps line numbers, and lets the
    /// same words through inside a section (a flag, a present value or a list).
    func testTheDirectionLintCatchesUnguardedVerdictsOnly() {
        XCTAssertEqual(Self.unguardedVerdicts(in: "Intro.\nS learns faster than B.\n"),
                       ["line 2: 'faster' in: S learns faster than B."])
        XCTAssertEqual(Self.unguardedVerdicts(in: "{{#a}}x{{/a}} ends worse, because the units saturate.").count, 1)
        XCTAssertEqual(Self.unguardedVerdicts(in: "{{#s.higher}}S is higher{{/s.higher}}{{^s.higher}}S is not{{/s.higher}}.").count, 0)
        XCTAssertEqual(Self.unguardedVerdicts(in: "{{#a}}\nmulti-line: it\noscillates\n{{/a}}\nthen {{x}} is lower").map { $0.prefix(7) },
                       ["line 5:"])
        XCTAssertEqual(Self.unguardedVerdicts(in: "the **4b More hidden units.** task").count, 0)
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
