import XCTest
@testable import MatrixCore

final class MatrixCorePlaceholderTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
