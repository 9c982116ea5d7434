// swift-tools-version:6.0
import PackageDescription

/// digit-trainer: an MNIST-style digit classifier trainer.
/// Data flows one way: bytes -> Dataset -> Model -> Report -> trainer (the CLI).
let package = Package(
    name: "digit-trainer",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "trainer", targets: ["trainer"]),
        .library(name: "Dataset", targets: ["Dataset"]),
        .library(name: "Model", targets: ["Model"]),
        .library(name: "Report", targets: ["Report"]),
        .library(name: "Serve", targets: ["Serve"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-atomics", from: "1.2.0"),
        // `trainer serve`'s HTTP server. Chosen over Hummingbird 2 by measurement: a cold release
        // build of a one-route server took 17 s with FlyingFox and 92 s with Hummingbird (13.6 s
        // for the bare command line), binaries 7.6 MB and 43 MB (3.7 MB).
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1")
    ],
    targets: [
        // System-library shims: a module map and one header each.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"]), .brew(["libpng"])]),
        .systemLibrary(name: "CBLAS", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CDNNL", providers: [.apt(["libdnnl-dev"])]),
        // SHA-256 from the system's libcrypto: swift-crypto compiled BoringSSL into every cold
        // build for this one hash (an empty package built in 95.6 s with it, 19.1 s without).
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),

        .target(
            name: "Dataset",
            dependencies: [
                "CZlib", "CPNG",
                .target(name: "CCrypto", condition: .when(platforms: [.linux]))
            ]
        ),
        // The floating-point control register (flush subnormals to zero): one C file, as Swift has no intrinsic.
        .target(name: "CFloatMode"),
        // The element-wise kernels Swift leaves scalar on Linux (Adam's update): C that vectorises.
        .target(name: "CKernels"),
        .target(
            name: "Model",
            dependencies: [
                "Dataset", "CFloatMode", "CKernels",
                .target(name: "CBLAS", condition: .when(platforms: [.linux])),
                .target(name: "CDNNL", condition: .when(platforms: [.linux])),
                .product(name: "RealModule", package: "swift-numerics"),
                .product(name: "Atomics", package: "swift-atomics")
            ],
            linkerSettings: [.linkedFramework("Accelerate", .when(platforms: [.macOS]))]
        ),
        // Web/: the report's template and style sheet, compiled in through ReportFiles+Generated.swift.
        .target(name: "Report", dependencies: ["Dataset", "Model"], exclude: ["Web"]),
        // The web app: routes, runs, wire records, the page's files; only Transport/ knows FlyingFox.
        .target(
            name: "Serve",
            dependencies: ["Dataset", "Model", "Report", .product(name: "FlyingFox", package: "FlyingFox")],
            // The page's files, compiled in through Page/WebFiles+Generated.swift (scripts/embed-web).
            exclude: ["Web"]
        ),
        .executableTarget(
            name: "trainer",
            dependencies: [
                "Dataset", "Model", "Report", "Serve",
                .product(name: "ArgumentParser", package: "swift-argument-parser")
            ]
        ),

        // libFuzzer targets (scripts/fuzz); built normally they replay saved inputs.
        .target(name: "FuzzDriver", path: "Fuzz/FuzzDriver"),
        .executableTarget(name: "FuzzIDX", dependencies: ["Dataset", "FuzzDriver"], path: "Fuzz/FuzzIDX"),
        .executableTarget(name: "FuzzPNG", dependencies: ["Dataset", "FuzzDriver"], path: "Fuzz/FuzzPNG"),
        .executableTarget(name: "FuzzCheckpoint", dependencies: ["Model", "FuzzDriver"], path: "Fuzz/FuzzCheckpoint"),

        .target(name: "TestSupport", dependencies: ["Dataset", "Model", "CPNG", "CZlib"], path: "Tests/TestSupport"),
        .testTarget(name: "DatasetTests", dependencies: ["Dataset", "CZlib", "TestSupport"]),
        .testTarget(name: "ModelTests", dependencies: ["Model", "Dataset", "TestSupport"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Model", "TestSupport"]),
        .testTarget(name: "ServeTests", dependencies: ["trainer", "Serve", "Model", "Dataset", "TestSupport"]),
        .testTarget(
            name: "TrainerTests",
            dependencies: ["trainer", "FuzzIDX", "FuzzPNG", "FuzzCheckpoint", "Model", "Dataset", "TestSupport"])
    ]
)
