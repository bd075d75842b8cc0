import XCTest
@testable import NeuralNet

final class NeuralNetPlaceholderTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
