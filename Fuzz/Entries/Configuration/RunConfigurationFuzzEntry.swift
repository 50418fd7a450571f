import Core
import RLRunSDK
import Training

/// What the run-configuration fuzzer does with one input, shared with the regression tests:
/// the input, read as UTF-8, is a `--config FILE.yaml` (JSON is YAML too). It is parsed, layered
/// over a preset the way `rlrun train` does, its trainer settings applied and validated, and the
/// resolved configuration written out as it would be saved with a run.
public enum RunConfigurationFuzzEntry {
    /// Throws `ConfigurationError` for settings that are refused, the expected outcome for most inputs.
    public static func run(_ bytes: [UInt8]) throws {
        let source = "fuzz-input.yaml"
        let values = try RunConfiguration.values(fromYAMLText: String(decoding: bytes, as: UTF8.self), source: source)
        var run = RunConfiguration()
        try run.apply(Presets.all["reasoning_small"] ?? [:], source: "--preset reasoning_small")
        try run.apply(values, source: source)
        let trainer = try TrainingConfiguration().applying(run.trainer, source: source)
        _ = run.resolvedJSON(trainer: trainer).jsonText
    }
}
