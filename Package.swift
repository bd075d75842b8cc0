// swift-tools-version:6.0
import PackageDescription

/// Hot numerical targets are compiled with -O even in the debug configuration, so that
/// `swift run make-report` as typed runs at optimised speed (debug Swift is 4-10x slower
/// in tight loops). Tests build the same way, which keeps them fast too.
let optimised: [SwiftSetting] = [.unsafeFlags(["-O"])]

#if canImport(Darwin)
let blasDependency: [Target.Dependency] = []
#else
let blasDependency: [Target.Dependency] = ["CBLAS"]
#endif

let package = Package(
    name: "make-report",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "make-report", targets: ["make-report"]),
        .executable(name: "plot-gallery", targets: ["plot-gallery"]),
        .executable(name: "nn-bench", targets: ["nn-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // System libraries (Debian: libopenblas-dev, libcairo2-dev, libpng-dev, zlib1g-dev).
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CCairo", pkgConfig: "cairo",
                       providers: [.apt(["libcairo2-dev"]), .brew(["cairo"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"]), .brew(["libpng"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),

        // C kernels picked at run time by CPU: vectorised exp/sigmoid/tanh, and for AVX-512 the
        // dense layers' packing-free GEMM with its activation, softmax and cross-entropy.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3"])]),
        // Row-major matrices, GEMM through BLAS, vectorised kernels, seeded random numbers.
        .target(name: "MatrixCore",
                dependencies: blasDependency + ["CKernels", .product(name: "RealModule", package: "swift-numerics")],
                swiftSettings: optimised),
        // Layers, activations, initialisers, loss, optimisers, training loop, gradient check.
        .target(name: "NeuralNet", dependencies: ["MatrixCore"], swiftSettings: optimised),
        // IDX reader (gzip through zlib), MNIST with pinned checksums, preprocessing.
        .target(name: "Datasets",
                dependencies: ["CZlib", "MatrixCore", .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: optimised),
        // Figures, axes, ticks, legends, lines, bands, images, bars; PNG through cairo + libpng.
        .target(name: "Plotting", dependencies: ["CCairo", "CPNG"], swiftSettings: optimised),
        // Every assignment task as data: parameters in, results out, cached by content hash.
        .target(name: "Experiments",
                dependencies: ["NeuralNet", "Datasets", "MatrixCore", "Yams",
                               .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: optimised),
        // Template context, Markdown tables, number formatting, figures of the report.
        .target(name: "Report",
                dependencies: ["Experiments", "NeuralNet", "Plotting",
                               .product(name: "Mustache", package: "swift-mustache")],
                swiftSettings: optimised),
        .executableTarget(name: "make-report",
                          dependencies: ["Report", "Experiments", "Datasets", "NeuralNet", "MatrixCore",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: optimised),
        .executableTarget(name: "plot-gallery", dependencies: ["Plotting"]),
        // The Swift side of bench/: W1 (one base run) timed, as JSON.
        .executableTarget(name: "nn-bench", dependencies: ["NeuralNet", "Datasets", "MatrixCore"],
                          swiftSettings: optimised),

        .testTarget(name: "MatrixCoreTests", dependencies: ["MatrixCore"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "MatrixCore", "Datasets"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "MatrixCore"]),
        .testTarget(name: "PlottingTests", dependencies: ["Plotting", "CPNG"]),
        // Test helpers shared by the experiment and report tests.
        .target(name: "ExperimentsTestSupport", dependencies: ["Experiments", "NeuralNet"],
                path: "Tests/ExperimentsTestSupport"),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "NeuralNet", "Datasets", "ExperimentsTestSupport"]),
        // Runs the built make-report executable as a user would (it must be built first:
        // `swift test` builds every product).
        .testTarget(name: "MakeReportTests", dependencies: ["Plotting"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Experiments", "Plotting", "NeuralNet", "ExperimentsTestSupport"]),
    ],
    // Swift 5 mode: the code is written for Swift 6's checks where it matters (Sendable
    // types across the experiment threads), without its strict global-state diagnostics.
    swiftLanguageModes: [.v5]
)
