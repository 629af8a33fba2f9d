// swift-tools-version:6.0
// Small programs that use Slate as a library, one per DocC article; each prints the outcome that
// scripts/run-examples.sh checks. Depends on the repository by path:
//
//   cd Examples && swift run -c release mlp-xor
import PackageDescription

let package = Package(
    name: "SlateExamples",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "Slate", path: ".."),
    ],
    targets: [
        .executableTarget(name: "mlp-xor", dependencies: [.product(name: "Slate", package: "Slate")]),
        .executableTarget(name: "custom-op", dependencies: [.product(name: "Slate", package: "Slate")]),
        .executableTarget(name: "gpt-from-code", dependencies: [
            .product(name: "Slate", package: "Slate"), .product(name: "SlateGPT", package: "Slate"),
        ]),
        .executableTarget(name: "gcn-from-code", dependencies: [
            .product(name: "Slate", package: "Slate"), .product(name: "SlateGraph", package: "Slate"),
        ]),
        .executableTarget(name: "custom-env-ppo", dependencies: [
            .product(name: "Slate", package: "Slate"), .product(name: "SlateRL", package: "Slate"),
        ]),
    ]
)
