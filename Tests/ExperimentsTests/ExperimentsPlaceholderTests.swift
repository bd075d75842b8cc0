import XCTest
@testable import Experiments

final class ExperimentsPlaceholderTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
