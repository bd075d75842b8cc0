import Foundation
import XCTest
@testable import Experiments
#if canImport(Glibc)
import Glibc
#endif

/// Claims on cache keys in a shared results folder: one key, one trainer at a time, and a
/// claim whose holder died does not block the key for ever.
final class ClaimFileTests: XCTestCase {
    let key = "0123456789abcdef"

    func claimPath(_ dir: URL) -> String { ClaimFile.directory(in: dir).appendingPathComponent("\(key).claim").path }

    /// Leaves a claim as another worker would: `holder` in the file, touched `age` seconds ago.
    func plantClaim(in dir: URL, holder: ClaimFile.Holder, age: TimeInterval) throws {
        try FileManager.default.createDirectory(at: ClaimFile.directory(in: dir), withIntermediateDirectories: true)
        try JSONEncoder().encode(holder).write(to: URL(fileURLWithPath: claimPath(dir)))
        let then = Date().timeIntervalSince1970 - age
        var times = [timeval(tv_sec: Int(then), tv_usec: 0), timeval(tv_sec: Int(then), tv_usec: 0)]
        XCTAssertEqual(utimes(claimPath(dir), &times), 0)
    }

    func testOfManyConcurrentClaimantsOnOneKeyExactlyOneWins() throws {
        let dir = temporaryDirectory()
        let winners = NSLock()
        nonisolated(unsafe) var won: [ClaimFile] = []
        nonisolated(unsafe) var lost = 0
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            let holder = ClaimFile.Holder(host: hostName(), pid: getpid(), job: "job\(i)")
            let attempt = try! ClaimFile.claim(key: key, in: dir, timeout: 60, holder: holder)
            winners.lock()
            switch attempt {
            case .claimed(let c): won.append(c)
            case .held: lost += 1
            }
            winners.unlock()
        }
        XCTAssertEqual(won.count, 1)
        XCTAssertEqual(lost, 15)
        // The loser sees who holds it; after the release, the key is free again.
        guard case .held(let by) = try ClaimFile.claim(key: key, in: dir, timeout: 60) else { return XCTFail("claimed twice") }
        XCTAssertEqual(by?.pid, getpid())
        won[0].release()
        XCTAssertFalse(FileManager.default.fileExists(atPath: claimPath(dir)))
        guard case .claimed(let again) = try ClaimFile.claim(key: key, in: dir, timeout: 60) else { return XCTFail("not free after release") }
        again.release()
    }

    func testALiveClaimIsKeptFreshByItsHeartbeatAndNotTakenOver() throws {
        let dir = temporaryDirectory()
        guard case .claimed(let mine) = try ClaimFile.claim(key: key, in: dir, timeout: 0.4) else { return XCTFail() }
        defer { mine.release() }
        Thread.sleep(forTimeInterval: 1.0)   // well past the timeout: only the heartbeat keeps it
        let other = ClaimFile.Holder(host: "other-node", pid: 4242, job: "7")
        guard case .held = try ClaimFile.claim(key: key, in: dir, timeout: 0.4, holder: other) else {
            return XCTFail("a live claim was taken over")
        }
    }

    func testAStaleClaimOfAnotherNodeIsTakenOverAfterTheTimeoutOnly() throws {
        let dir = temporaryDirectory()
        let dead = ClaimFile.Holder(host: "crashed-node", pid: 99, job: "12")
        try plantClaim(in: dir, holder: dead, age: 30)
        guard case .held(let by) = try ClaimFile.claim(key: key, in: dir, timeout: 60) else { return XCTFail("taken before the timeout") }
        XCTAssertEqual(by, dead)
        guard case .claimed(let mine) = try ClaimFile.claim(key: key, in: dir, timeout: 20) else { return XCTFail("stale claim not taken over") }
        XCTAssertEqual(ClaimFile.read(URL(fileURLWithPath: claimPath(dir)))?.pid, getpid())
        mine.release()
        XCTAssertTrue(try FileManager.default.contentsOfDirectory(atPath: ClaimFile.directory(in: dir).path).isEmpty,
                      "the stale claim or a temporary file was left behind")
    }

    func testAClaimOfAProcessOfThisHostThatDiedIsTakenOverAtOnce() throws {
        let dir = temporaryDirectory()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run(); p.waitUntilExit()
        try plantClaim(in: dir, holder: ClaimFile.Holder(host: hostName(), pid: p.processIdentifier, job: "local"), age: 0)
        guard case .claimed(let mine) = try ClaimFile.claim(key: key, in: dir, timeout: 600) else {
            return XCTFail("the claim of a dead local process blocked the key")
        }
        mine.release()
    }

    func testAResultsFolderThatCannotHoldClaimsFailsInsteadOfTraining() throws {
        // A plain file where the results folder should be: no claim can be made (as root too,
        // which writes into read-only folders).
        let file = temporaryDirectory().appendingPathComponent("results")
        try Data("x".utf8).write(to: file)
        XCTAssertThrowsError(try ClaimFile.claim(key: key, in: file, timeout: 60))
    }
}
