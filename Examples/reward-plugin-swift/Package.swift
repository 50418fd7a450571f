// swift-tools-version:6.0
// A reward plugin as its own package: depends on rlrun's plugin SDK only, builds to
// .build/release/liblength-band.so, and loads into rlrun without rebuilding it:
//   swift build -c release
//   rlrun score --reward .build/release/liblength-band.so --input completions.jsonl
import PackageDescription

let package = Package(
    name: "LengthBand",
    products: [.library(name: "length-band", type: .dynamic, targets: ["LengthBand"])],
    dependencies: [.package(name: "rlrun", path: "../..")],
    targets: [.target(name: "LengthBand", dependencies: [.product(name: "RLRunSDK", package: "rlrun")])]
)
