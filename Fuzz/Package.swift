// swift-tools-version:6.0
// libFuzzer targets for Slate's parsers: one executable per parser, each exporting
// `LLVMFuzzerTestOneInput`. Build and run through `make fuzz` (see README.md here):
//     swift build -c debug -Xswiftc -sanitize=fuzzer,address
//     .build/debug/FuzzSafeTensors -max_total_time=60 Corpus/FuzzSafeTensors
import PackageDescription

let targets = ["FuzzSafeTensors", "FuzzTUDataset", "FuzzPlanetoid", "FuzzGPTConfig", "FuzzGPTVocabulary"]

let package = Package(
    name: "SlateFuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "Slate", path: "..")],
    targets: [
        // libFuzzer's entry point `LLVMFuzzerRunDriver`, declared for Swift.
        .target(name: "CFuzzDriver"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzDriver"]),
    ] + targets.map { name in
        .executableTarget(name: name, dependencies: [
            "FuzzSupport",
            .product(name: "Slate", package: "Slate"),
            .product(name: "SlateGPT", package: "Slate"),
            .product(name: "SlateGraph", package: "Slate"),
        ])
    }
)
