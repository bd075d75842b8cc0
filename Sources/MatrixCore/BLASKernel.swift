import Foundation
#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// Which BLAS runs the products, on which kernel, with how many threads.
///
/// Why this exists: Debian 12's OpenBLAS 0.3.21 does not recognise some recent Intel CPUs
/// (these machines among them) and silently falls back to its generic "Prescott" kernels,
/// about 4x slower than the AVX-512 ones. OpenBLAS chooses its kernel once, when the library
/// loads, honouring `OPENBLAS_CORETYPE`. We cannot set that variable before the dynamic
/// loader runs OpenBLAS's constructor, so on first use we set it and re-run OpenBLAS's own
/// core selection (`gotoblas_dynamic_quit` + `gotoblas_dynamic_init`), which is the same code
/// path the variable takes at load time. We only do so when the user has not set the variable
/// and the library reports the fallback, and we pick the core from the CPU's own feature
/// flags (as the kernel exposes them, so only features the OS has enabled). Tests check that
/// products on the chosen kernel agree with a plain triple loop.
public enum BLAS {
    public struct KernelReport: Sendable, Codable, Equatable {
        /// The name of the BLAS library ("OpenBLAS 0.3.21", "Accelerate").
        public var library: String
        /// The kernel OpenBLAS picked on its own when it loaded.
        public var detected: String
        /// The kernel in use now.
        public var active: String
        /// Why it changed, or nil when it did not.
        public var override: String?
    }

    /// The kernel report; evaluating it performs the one-time fix described above.
    public static let kernel: KernelReport = configureKernel()

    /// Threads BLAS may use inside one product. Experiments run in parallel processes or
    /// threads, each with single-threaded BLAS, which measures best for batch-128 shapes.
    public static var threads: Int {
        get {
            #if canImport(Accelerate)
            return 1
            #else
            _ = kernel
            return Int(openblas_get_num_threads())
            #endif
        }
        set {
            #if !canImport(Accelerate)
            _ = kernel
            openblas_set_num_threads(Int32(max(1, newValue)))
            #endif
        }
    }

    private static func configureKernel() -> KernelReport {
        #if canImport(Accelerate)
        return KernelReport(library: "Accelerate", detected: "Accelerate", active: "Accelerate", override: nil)
        #else
        let detected = currentCoreName()
        var report = KernelReport(library: "OpenBLAS", detected: detected, active: detected, override: nil)
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
              detected.lowercased() == "prescott",
              let better = coreType(forCPUFlags: cpuFlags()) else { return report }
        setenv("OPENBLAS_CORETYPE", better, 1)
        gotoblas_dynamic_quit()
        gotoblas_dynamic_init()
        report.active = currentCoreName()
        report.override = "OpenBLAS fell back to \(detected); CPU flags allow \(better)"
        return report
        #endif
    }

    #if !canImport(Accelerate)
    private static func currentCoreName() -> String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }
    #endif

    /// The best OpenBLAS core type (as `OPENBLAS_CORETYPE` spells it) for a set of x86 CPU
    /// feature flags as `/proc/cpuinfo` names them, or nil when nothing beats the fallback.
    public static func coreType(forCPUFlags flags: Set<String>) -> String? {
        let avx512 = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
        if avx512.allSatisfy(flags.contains) {
            return flags.contains("avx512_bf16") ? "Cooperlake" : "SkylakeX"
        }
        if flags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        if flags.contains("avx") { return "SandyBridge" }
        return nil
    }

    /// The CPU feature flags of the first processor in /proc/cpuinfo (empty elsewhere).
    public static func cpuFlags() -> Set<String> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }
}
