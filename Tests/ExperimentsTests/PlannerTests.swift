import XCTest
@testable import Experiments

final class PlannerTests: XCTestCase {
    func testMatchedTwoLayerSizeIsClosestInParameterCount() {
        let planner = Planner(parameters: Parameters())
        XCTAssertEqual(planner.baseTemplate.parameterCount, 50_890)
        let h = planner.matchedTwoLayerSize
        XCTAssertEqual(h, 59)   // 59-59: 50,455 parameters (gap 435); 60-60: 51,370 (gap 480)
        var s = planner.baseTemplate
        s.hiddenUnits = [h, h]
        XCTAssertEqual(s.parameterCount, 50_455)
        XCTAssertEqual(planner.topologyRows.map(\.id), ["5", "10", "20", "32", "64", "128", "59-59", "60-60"])
    }

    func testTricksAreCumulative() {
        let rows = Planner(parameters: Parameters()).trickRows
        XCTAssertEqual(rows.map(\.template.shuffle), [false, true, true, true, true])
        XCTAssertEqual(rows.map(\.template.activation), ["sigmoid", "sigmoid", "improved-sigmoid", "improved-sigmoid", "improved-sigmoid"])
        XCTAssertEqual(rows.map(\.template.initializer), ["uniform", "uniform", "uniform", "fan-in", "fan-in"])
        XCTAssertEqual(rows.map(\.template.momentum), [0, 0, 0, 0, 0.9])
    }

    func testLearningRateChoiceSkipsDivergedRates() {
        let sweep = [SweepPoint(learningRate: 1, finalValidationAccuracy: [0.99, nil]),
                     SweepPoint(learningRate: 0.5, finalValidationAccuracy: [0.95, 0.96]),
                     SweepPoint(learningRate: 0.1, finalValidationAccuracy: [0.97, 0.97])]
        XCTAssertEqual(RowOutcome.choose(from: sweep), 0.1)
    }

}
