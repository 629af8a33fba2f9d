// swift-tools-version:6.1
// Slate's package-benchmark suite, kept out of the main package so that a normal build never
// fetches or compiles the benchmark harness (and its malloc interposer stays optional).
//
//   cd Benchmarks && swift package benchmark                      # run everything
//   swift package benchmark thresholds check                      # compare with Thresholds/
//   swift package --allow-writing-to-package-directory benchmark thresholds update
//
// Traits are off (`traits: []`): the default "MallocInterposer"/"RuntimeInterposer" traits pull
// extra packages and per-allocation hooks; Slate's benchmarks measure time and throughput.
import PackageDescription

let package = Package(
    name: "SlateBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "Slate", path: ".."),
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: []),
    ],
    targets: [
        .executableTarget(
            name: "SlateBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "Slate", package: "Slate"),
                .product(name: "SlateGPT", package: "Slate"),
                .product(name: "SlateGraph", package: "Slate"),
                .product(name: "SlateRL", package: "Slate"),
            ],
            path: "Benchmarks/SlateBenchmarks",
            swiftSettings: [.unsafeFlags(["-Ounchecked"])],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
    ],
    swiftLanguageModes: [.v5]
)
