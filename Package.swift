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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-atomics", from: "1.2.0"),
    ],
    targets: [
        // System-library shims: a module map and one header each.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"]), .brew(["libpng"])]),
        .systemLibrary(name: "CBLAS", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CDNNL", providers: [.apt(["libdnnl-dev"])]),

        .target(
            name: "Dataset",
            dependencies: [
                "CZlib", "CPNG",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "Model",
            dependencies: [
                "Dataset",
                .target(name: "CBLAS", condition: .when(platforms: [.linux])),
                .target(name: "CDNNL", condition: .when(platforms: [.linux])),
                .product(name: "RealModule", package: "swift-numerics"),
                .product(name: "Atomics", package: "swift-atomics"),
            ],
            linkerSettings: [.linkedFramework("Accelerate", .when(platforms: [.macOS]))]
        ),
        .target(name: "Report", dependencies: ["Dataset", "Model"]),
        .executableTarget(
            name: "trainer",
            dependencies: [
                "Dataset", "Model", "Report",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // libFuzzer targets (scripts/fuzz); built normally they replay saved inputs.
        .target(name: "FuzzDriver", path: "Fuzz/FuzzDriver"),
        .executableTarget(name: "FuzzIDX", dependencies: ["Dataset", "FuzzDriver"], path: "Fuzz/FuzzIDX"),
        .executableTarget(name: "FuzzPNG", dependencies: ["Dataset", "FuzzDriver"], path: "Fuzz/FuzzPNG"),
        .executableTarget(name: "FuzzCheckpoint", dependencies: ["Model", "FuzzDriver"], path: "Fuzz/FuzzCheckpoint"),

        .target(name: "TestSupport", dependencies: ["Dataset", "CPNG", "CZlib"], path: "Tests/TestSupport"),
        .testTarget(name: "DatasetTests", dependencies: ["Dataset", "CZlib", "TestSupport"]),
        .testTarget(name: "ModelTests", dependencies: ["Model", "Dataset", "TestSupport"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Model", "TestSupport"]),
        .testTarget(name: "TrainerTests", dependencies: ["trainer", "FuzzIDX", "FuzzPNG", "FuzzCheckpoint", "Model", "Dataset", "TestSupport"]),
    ]
)
