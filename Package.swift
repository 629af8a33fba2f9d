// swift-tools-version:6.0
// Slate — deep learning from a clean slate, in Swift.
// One package; the only system dependency is OpenBLAS (Accelerate on macOS).
import PackageDescription

/// Release builds of the numeric targets skip overflow checks in hot loops.
let fast: [SwiftSetting] = []

let package = Package(
    name: "Slate",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Slate", targets: ["Slate"]),
        .library(name: "SlateGPT", targets: ["SlateGPT"]),
        .library(name: "SlateGraph", targets: ["SlateGraph"]),
        .library(name: "SlateRL", targets: ["SlateRL"]),
        .executable(name: "slate", targets: ["slate"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        // `swift package generate-documentation` for `make docs` (a plugin: nothing of it is linked).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]
        ),
        // The x86-64 AVX2/FMA peak loop for `slate bench peak` (C: a function-level target
        // attribute keeps the build portable; called only after checking the CPU flags).
        .target(name: "CSlatePeak"),
        // The worker pool behind every parallel loop (C for its atomics; see its header).
        .target(name: "CSlateThreads"),
        .target(
            name: "Slate",
            dependencies: [.target(name: "CBLAS", condition: .when(platforms: [.linux])), "CSlateThreads"],
            exclude: ["IO/TensorBoard/proto"],   // the event-file schema, as documentation
            swiftSettings: fast
        ),
        .target(name: "SlateGPT", dependencies: ["Slate"], swiftSettings: fast),
        .target(name: "SlateGraph", dependencies: ["Slate"], swiftSettings: fast),
        .target(name: "SlateRL", dependencies: ["Slate"], swiftSettings: fast),
        // What the CLI's bench, info and demo commands measure and show, kept out of the engine:
        // peak-FLOPS probes, CPU identification, the two-moons demo.
        .target(name: "SlateBench", dependencies: ["Slate", "CSlatePeak"], swiftSettings: fast),
        .executableTarget(
            name: "slate",
            dependencies: [
                "Slate", "SlateGPT", "SlateGraph", "SlateRL", "SlateBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        .testTarget(name: "SlateTests", dependencies: ["Slate"], exclude: ["Fixtures"]),
        .testTarget(name: "SlateGPTTests", dependencies: ["SlateGPT", "Slate"], exclude: ["Fixtures"]),
        .testTarget(name: "SlateGraphTests", dependencies: ["SlateGraph", "Slate"], exclude: ["Fixtures"]),
        .testTarget(name: "SlateRLTests", dependencies: ["SlateRL", "Slate"]),
        .testTarget(name: "SlateBenchTests", dependencies: ["SlateBench", "Slate"]),
        .testTarget(name: "CLITests", dependencies: ["slate", "Slate"]),
    ]
)
