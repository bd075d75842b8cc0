import XCTest
import Experiments
@testable import Report

/// Issue 18.4: report.md and the figures are replaced as a set. Whatever step of a publish
/// fails (an injected error) the outputs are all old, and the message says so; whatever step
/// a process dies at (an injected crash), the next run's recovery leaves them all old or all
/// new; a disk that fills up (a real small tmpfs, where root may mount one) changes nothing.
final class PublishTests: XCTestCase {
    let oldFiles = ["report/report.md": Data("old report\n".utf8), "figures/a.png": Data("old a".utf8),
                    "figures/stale.png": Data("old stale".utf8), "report/results/keep.json": Data("{}".utf8)]
    let newSet = PublishSet(files: ["report/report.md": Data("new report\n".utf8), "figures/a.png": Data("new a".utf8),
                                    "figures/b.png": Data("new b".utf8)],
                            removals: ["figures/stale.png"])

    private func folder(with files: [String: Data]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mr-publish-\(UUID().uuidString)")
        for (path, data) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }
        return root
    }

    /// Every file under `root` (relative path -> bytes).
    private func contents(_ root: URL) -> [String: Data] {
        var out: [String: Data] = [:]
        let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])!
        let prefix = root.resolvingSymlinksInPath().path + "/"
        for case let url as URL in e where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            out[String(url.resolvingSymlinksInPath().path.dropFirst(prefix.count))] = try? Data(contentsOf: url)
        }
        return out
    }

    private var expectedNew: [String: Data] {
        var files = oldFiles
        files["figures/stale.png"] = nil
        for (p, d) in newSet.files { files[p] = d }
        return files
    }

    /// The steps a publish of `newSet` goes through, in order.
    private func steps() throws -> [String] {
        let root = try folder(with: oldFiles)
        let publisher = Publisher(root: root)
        var steps: [String] = []
        publisher.beforeStep = { steps.append($0) }
        XCTAssertEqual(try publisher.publish(newSet), .published(written: 3, removed: 1))
        XCTAssertEqual(contents(root), expectedNew)
        XCTAssertFalse(publisher.isPending, "the staging folder is removed")
        return steps
    }

    func testPublishReplacesTheSetAndLeavesNoStagingFolder() throws {
        let all = try steps()
        XCTAssertTrue(all.contains("install report/report.md"))
        XCTAssertTrue(all.contains("remove figures/stale.png"))
        XCTAssertLessThan(all.firstIndex(of: "write manifest")!, all.firstIndex(of: "write journal")!)
        // The same set again changes nothing.
        let root = try folder(with: expectedNew)
        XCTAssertEqual(try Publisher(root: root).publish(newSet), .unchanged)
    }

    func testAFailureAtAnyStepLeavesEveryOldFileAndSaysSo() throws {
        for (index, step) in try steps().enumerated() {
            let root = try folder(with: oldFiles)
            let publisher = Publisher(root: root)
            publisher.beforeStep = { if $0 == step { throw CocoaError(.fileWriteOutOfSpace, userInfo: [NSFilePathErrorKey: root.path]) } }
            XCTAssertThrowsError(try publisher.publish(newSet), "step \(index) \(step)") { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains("no space left on the device that holds \(root.path)"), message)
                XCTAssertTrue(message.contains("were not changed") || message.contains("rolled back"), message)
                XCTAssertFalse(message.contains("NSCocoaErrorDomain"), message)
            }
            XCTAssertEqual(contents(root), oldFiles, "after a failure at \(step)")
            XCTAssertFalse(publisher.isPending, "staging left behind after a failure at \(step)")
        }
    }

    func testACrashAtAnyStepIsCompletedOrUndoneByTheNextRun() throws {
        var completed = 0
        for step in try steps() {
            let root = try folder(with: oldFiles)
            let crashing = Publisher(root: root)
            crashing.beforeStep = { if $0 == step { throw PublishCrash() } }
            XCTAssertThrowsError(try crashing.publish(newSet))
            let recovery = try Publisher(root: root).recover()
            let now = contents(root)
            XCTAssertTrue(now == oldFiles || now == expectedNew, "a crash at \(step) left a mixture: \(now.keys.sorted())")
            if case .completed = recovery { completed += 1; XCTAssertEqual(now, expectedNew, step) }
            XCTAssertFalse(Publisher(root: root).isPending, "after recovering from \(step)")
        }
        XCTAssertGreaterThan(completed, 3, "crashes during the commit are completed")
    }

    func testAFileWhereAFolderIsNeededIsReportedBeforeAnythingChanges() throws {
        var files = oldFiles
        files["figures/a.png"] = nil; files["figures/stale.png"] = nil
        files["figures"] = Data("a file".utf8)
        let root = try folder(with: files)
        XCTAssertThrowsError(try Publisher(root: root).publish(PublishSet(files: newSet.files, removals: []))) { error in
            XCTAssertTrue("\(error)".contains("\(root.appendingPathComponent("figures").path) is a file where a folder is needed"), "\(error)")
        }
        XCTAssertEqual(contents(root), files)
    }

    /// A real full disk: a 1 MB tmpfs holding the old outputs, and a set too large for it.
    func testADiskThatFillsUpChangesNothing() throws {
        guard getuid() == 0 else { throw XCTSkip("mounting a tmpfs needs root") }
        let mountPoint = try folder(with: [:])
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint.path]
        try mount.run(); mount.waitUntilExit()
        guard mount.terminationStatus == 0 else { throw XCTSkip("this machine does not allow mounting a tmpfs") }
        defer {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = [mountPoint.path]
            try? umount.run(); umount.waitUntilExit()
            try? FileManager.default.removeItem(at: mountPoint)
        }
        for (path, data) in oldFiles {
            let url = mountPoint.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }
        var big = newSet
        for i in 0..<6 { big.files["figures/big\(i).png"] = Data(repeating: UInt8(i), count: 300_000) }
        XCTAssertThrowsError(try Publisher(root: mountPoint).publish(big)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("no space left"), message)
            XCTAssertTrue(message.contains("were not changed"), message)
        }
        XCTAssertEqual(contents(mountPoint), oldFiles)
        XCTAssertFalse(Publisher(root: mountPoint).isPending)
    }
}
