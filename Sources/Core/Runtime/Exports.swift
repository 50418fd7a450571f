// The host runtime re-exports the engine: `import Core` gives tensors, optimisers and all.
@_exported import Engine
@_exported import Training
@_exported import Models
@_exported import Tokenizers
