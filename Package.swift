// swift-tools-version:6.0
import Foundation
import PackageDescription

// libtorch is found through .deps/torch, a link that scripts/bootstrap-libtorch.sh points at
// the wheel it installed or at the installation named by $LIBTORCH. Paths are derived from
// this package's own directory, so no machine's absolute path is written anywhere.
let torch = Context.packageDirectory + "/.deps/torch"

let package = Package(
    name: "rlrun",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "rlrun", targets: ["rlrun"]),
        .library(name: "Core", targets: ["Core"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(
            name: "CTorch",
            cxxSettings: [
                .unsafeFlags(["-I", torch + "/include", "-w"]),
            ],
            linkerSettings: [
                .unsafeFlags(["-L", torch + "/lib", "-Xlinker", "-rpath", "-Xlinker", torch + "/lib"]),
                .linkedLibrary("torch_cpu"),
                .linkedLibrary("c10"),
            ]
        ),
        .target(name: "Core", dependencies: ["CTorch"]),
        .executableTarget(
            name: "rlrun",
            dependencies: ["Core", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "CoreTests", dependencies: ["Core"]),
    ],
    cxxLanguageStandard: .cxx17
)
