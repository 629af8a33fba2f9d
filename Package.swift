// swift-tools-version:6.0
// Slate — deep learning from a clean slate, in Swift.
// One package; the system dependencies are OpenBLAS (Accelerate on macOS) and, for
// SlateDistributed and the CLI, Open MPI.
import PackageDescription

// No unsafe flags: release builds keep Swift's checks; hot loops use unsafe buffer pointers and
// wrapping arithmetic locally where they need the speed.

let package = Package(
    name: "Slate",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Slate", targets: ["Slate"]),
        .library(name: "SlateGPT", targets: ["SlateGPT"]),
        .library(name: "SlateGraph", targets: ["SlateGraph"]),
        .library(name: "SlateRL", targets: ["SlateRL"]),
        .library(name: "SlateDistributed", targets: ["SlateDistributed"]),
        .library(name: "SlateRecommend", targets: ["SlateRecommend"]),
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
        // Open MPI's C interface plus a shim for the handles Swift cannot import (see shim.h).
        .systemLibrary(
            name: "COpenMPI",
            pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev", "openmpi-bin"]), .brew(["open-mpi"])]
        ),
        // The x86-64 AVX2/FMA and AVX-512 peak loops for `slate bench peak` (C: a function-level target
        // attribute keeps the build portable; called only after checking the CPU flags).
        .target(name: "CSlatePeak"),
        // The worker pool behind every parallel loop (C for its atomics; see its header).
        .target(name: "CSlateThreads"),
        // AVX2/FMA builds of the exp and GELU row kernels (C: a function-level target attribute,
        // chosen at run time; see Sources/Slate/Kernels/AVX2Dispatch.swift).
        .target(name: "CSlateVector"),
        // Slate's own AVX-512 SGEMM, for x86-64 CPUs whose BLAS runs narrower kernels (C for the
        // same reason; chosen at run time, see Sources/Slate/Kernels/GEMMKernels.swift).
        .target(name: "CSlateGEMM"),
        .target(
            name: "Slate",
            dependencies: [.target(name: "CBLAS", condition: .when(platforms: [.linux])), "CSlateThreads", "CSlateVector",
                           "CSlateGEMM"],
            exclude: ["IO/TensorBoard/proto"]   // the event-file schema, as documentation
        ),
        .target(name: "SlateGPT", dependencies: ["Slate"]),
        .target(name: "SlateGraph", dependencies: ["Slate"]),
        .target(name: "SlateRL", dependencies: ["Slate"]),
        // The graph contextual bandit: combines two showcases, so it sits on the floor above them.
        .target(name: "SlateRecommend", dependencies: ["Slate", "SlateGraph", "SlateRL"]),
        // Data-parallel training: a Communicator (one process or MPI) and gradient averaging.
        .target(name: "SlateDistributed", dependencies: ["Slate", "COpenMPI"]),
        // What the CLI's bench, info and demo commands measure and show, kept out of the engine:
        // peak-FLOPS probes, CPU identification, the two-moons demo.
        .target(name: "SlateBench", dependencies: ["Slate", "CSlatePeak"]),
        // The multi-rank checks `make test-mpi` launches under mpirun (scripts/test-mpi.sh).
        .executableTarget(
            name: "slate-mpi-check",
            dependencies: ["SlateDistributed", "SlateGPT", "SlateRL", "SlateGraph", "Slate"],
            path: "Tests/MPICheck"
        ),
        .executableTarget(
            name: "slate",
            dependencies: [
                "Slate", "SlateGPT", "SlateGraph", "SlateRL", "SlateDistributed", "SlateRecommend", "SlateBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        .testTarget(name: "SlateTests", dependencies: ["Slate"], exclude: ["Fixtures"]),
        .testTarget(name: "SlateGPTTests", dependencies: ["SlateGPT", "Slate"], exclude: ["Fixtures"]),
        .testTarget(name: "SlateGraphTests", dependencies: ["SlateGraph", "Slate"], exclude: ["Fixtures"]),
        .testTarget(name: "SlateRLTests", dependencies: ["SlateRL", "Slate"]),
        .testTarget(name: "SlateDistributedTests", dependencies: ["SlateDistributed", "Slate"]),
        .testTarget(name: "SlateBenchTests", dependencies: ["SlateBench", "Slate"]),
        .testTarget(name: "SlateRecommendTests", dependencies: ["SlateRecommend", "SlateRL", "SlateGraph", "Slate"]),
        .testTarget(name: "CLITests", dependencies: ["slate", "Slate"]),
    ]
)
