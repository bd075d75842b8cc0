import XCTest
@testable import Plotting

final class PlottingPlaceholderTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
