import Foundation
import MatrixCore

/// Reads the facts that go into `Provenance` once per process.
public enum ProvenanceProbe {
    public static func current(repository: URL) -> Provenance {
        let commit = shell("git", ["-C", repository.path, "rev-parse", "--short=12", "HEAD"]) ?? "unknown"
        let status = shell("git", ["-C", repository.path, "status", "--porcelain", "--untracked-files=no", "--", "Sources", "Package.swift"]) ?? ""
        let swift = (shell("swift", ["--version"]) ?? "unknown").split(separator: "\n").first.map(String.init) ?? "unknown"
        let k = BLAS.kernel
        return Provenance(commit: commit, dirty: !status.isEmpty, swiftVersion: swift,
                          blas: k.library, blasKernel: k.active, blasThreads: BLAS.threads, machine: machine(),
                          products: PanelGEMM.instructionSet.map { "PanelGEMM (\($0))" } ?? "BLAS", host: hostName())
    }

    static func machine() -> String {
        var model = "unknown CPU"
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            model = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let memory = Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824
        return "\(model), \(cores) cores, \(Int(memory.rounded())) GiB"
    }

    /// Runs a command and returns its trimmed standard output, or nil on failure.
    static func shell(_ command: String, _ arguments: [String]) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [command] + arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
