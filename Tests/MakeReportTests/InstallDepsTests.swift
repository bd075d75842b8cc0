import Foundation
import XCTest

/// scripts/install-deps against stand-ins for dpkg-query and apt-get (first on PATH), so the
/// machine's packages are never touched: what it runs, in which order, and what it prints.
final class InstallDepsTests: CommandTestCase {
    /// Runs the script with stubs: `installed` lists the packages dpkg-query reports installed;
    /// apt-get appends its arguments to a log and, like apt on a machine with empty package
    /// lists, cannot locate a package to install until `update` has run (or fails `update`).
    func runScript(_ arguments: [String], installed: [String], updateFails: Bool = false) throws
        -> (status: Int32, output: String, aptCalls: [String]) {
        let dir = temporaryDirectory()
        let log = dir.appendingPathComponent("apt.log").path
        let dpkg = """
        #!/bin/sh
        for p in \(installed.joined(separator: " ")); do [ "$p" = "$3" ] && { printf 'install ok installed'; exit 0; }; done
        exit 1
        """
        let apt = """
        #!/bin/sh
        echo "$*" >> \(log)
        case "$*" in
          *" update"*) \(updateFails ? "echo 'E: Could not resolve host' >&2; exit 100" : "touch \(dir.path)/lists; echo 'Hit:1 lists'; exit 0") ;;
          *" install "*) [ -e \(dir.path)/lists ] || { echo 'E: Unable to locate package pandoc' >&2; exit 100; }; echo 'Setting up'; exit 0 ;;
        esac
        """
        for (name, body) in [("dpkg-query", dpkg), ("apt-get", apt)] {
            let url = dir.appendingPathComponent(name)
            try body.write(to: url, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [CommandTestCase.root.appendingPathComponent("scripts/install-deps").path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = dir.path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        p.environment = environment
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let calls = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").components(separatedBy: "\n").filter { !$0.isEmpty }
        return (p.terminationStatus, String(decoding: data, as: UTF8.self), calls)
    }

    let base = ["libopenblas-dev", "libcairo2-dev", "libpng-dev", "zlib1g-dev", "pkg-config", "fonts-dejavu-core"]

    func testNothingMissingRunsNoAptAndPrintsNothing() throws {
        guard getuid() == 0 else { throw XCTSkip("install-deps installs only as root") }
        let r = try runScript([], installed: base)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(r.output, "")
        XCTAssertEqual(r.aptCalls, [], "offline-safe: apt-get is not called when nothing is missing")
    }

    func testMissingPackagesUpdateFirstQuietlyAndSayWhatWasInstalled() throws {
        guard getuid() == 0 else { throw XCTSkip("install-deps installs only as root") }
        let r = try runScript(["--pdf"], installed: base)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(r.aptCalls.count, 2, "\(r.aptCalls)")
        XCTAssertTrue(r.aptCalls.first?.hasSuffix(" update") ?? false, "update before install: \(r.aptCalls)")
        XCTAssertTrue(r.aptCalls.last?.contains("install -y --no-install-recommends pandoc texlive-xetex") ?? false, "\(r.aptCalls)")
        XCTAssertFalse(r.output.contains("Unable to locate"), r.output)
        XCTAssertFalse(r.output.contains("Setting up") || r.output.contains("Hit:"), "apt's own output stays quiet: \(r.output)")
        // One line: what is installed, and that it is done.
        let lines = r.output.components(separatedBy: "\n").filter { !$0.isEmpty }
        XCTAssertEqual(lines.count, 1, r.output)
        XCTAssertNotNil(lines.first?.range(of: #"^install-deps: installing pandoc texlive-xetex .* poppler-utils \(apt-get update, then install\) \.\.\. done in \d+ s$"#,
                                           options: .regularExpression), r.output)
    }

    func testFailedUpdateSaysWhatIsStillMissing() throws {
        guard getuid() == 0 else { throw XCTSkip("install-deps installs only as root") }
        let r = try runScript([], installed: ["pkg-config"])
        XCTAssertEqual(r.status, 0, "stub lists appear after update: \(r.output)")
        let offline = try runScript([], installed: ["pkg-config"], updateFails: true)
        XCTAssertNotEqual(offline.status, 0)
        XCTAssertTrue(offline.output.contains("apt-get update failed"), offline.output)
        XCTAssertEqual(offline.aptCalls.count, 1, "no install after a failed update")
    }

    func testUnknownOptionIsAnError() throws {
        let r = try runScript(["--pfd"], installed: base)
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.output.contains("unknown option '--pfd'"), r.output)
    }
}
