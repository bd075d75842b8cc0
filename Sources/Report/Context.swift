import Experiments
import Foundation
import NeuralNet

/// The template's context: one typed section per part of the report. Every property name
/// is a template name (`{{params.epochs}}`); values are pre-formatted strings, flags, lists
/// and nested sections. An optional section that is absent renders as `false`
/// (`MustacheEncoder`), and `ContextSchema.of(ReportContext.self, …)` is what the template
/// is checked against.
struct ReportContext: Codable {
    var seeds: String
    var design: DesignContext
    var params: ParamsContext
    var base: BaseContext?
    var gradientCheck: GradientCheckContext?
    var tricks: TricksContext?
    var topologies: TopologiesContext?
    var bonus: BonusContext?
    var inspection: InspectionContext?
    var replication: ReplicationContext?
    var ledger: LedgerContext
    var provenance: ProvenanceContext
    /// Table 12: every comparison of the Holm family (`comparisonsTable`).
    var comparisons: String
    /// Every figure drawn, set by `ReportBuilder` once they are.
    var figures: [FigureContext]

    /// The names the template may use, whatever the results: see `ContextSchema`.
    static func schema(planner: Planner) throws -> ContextSchema {
        try ContextSchema.of(Self.self, planner: planner)
    }
}

/// One figure: its file and title.
struct FigureContext: Codable {
    var file: String
    var title: String
}

/// Builds the Mustache context of the report from the outcomes: every number the text
/// quotes, every table, and the booleans that let the discussion adapt to the results.
/// Each section's builder is in the file of its concern (`Context+Tricks.swift`, ...).
public struct ContextBuilder {
    public let outcomes: Outcomes
    /// Every comparison of the report, tested and Holm-corrected together.
    public let family: VerdictFamily
    public var p: Parameters { outcomes.parameters }

    public init(outcomes: Outcomes) {
        self.outcomes = outcomes
        self.family = VerdictFamily.build(outcomes)
    }

    /// The epochs at which tables report: 1, 5, 10 and the last (those that exist).
    func marks(_ epochs: Int) -> [Int] {
        var m: [Int] = []
        for e in [1, 5, 10, epochs] where e <= epochs && !m.contains(e) { m.append(e) }
        return m
    }

    func build(figures: [FigureContext] = []) -> ReportContext {
        ReportContext(
            seeds: "\(p.seeds)",
            design: designContext(),
            params: parameterContext(),
            base: outcomes.base.map(baseContext),
            gradientCheck: outcomes.gradientCheck.map(gradientCheckContext),
            tricks: tricksContext(),
            topologies: topologiesContext(),
            bonus: bonusContext(),
            inspection: inspectionContext(),
            replication: replicationContext(),
            ledger: ledgerContext(),
            provenance: provenanceContext(),
            comparisons: comparisonsTable().markdown,
            figures: figures)
    }
}
