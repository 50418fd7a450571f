import Testing
@testable import Core
@testable import RLRunSDK
import Training

/// "did you mean" for misspelt setting keys: the shared nearest-key rule, and the two places
/// that use it (run-level keys here, trainer keys in TrainingConfiguration).
@Suite struct KeySuggestionTests {
    @Test func typosFindTheirKey() {
        let known = TrainingConfiguration.knownKeys
        #expect(KeySuggestion.nearest(to: "learning_rat", among: known) == "learning_rate")
        #expect(KeySuggestion.nearest(to: "lerning_rate", among: known) == "learning_rate")
        #expect(KeySuggestion.nearest(to: "stpes", among: known) == "steps")  // two letters swapped: one edit
        #expect(KeySuggestion.nearest(to: "GROUP_SIZE", among: known) == "group_size")
        #expect(KeySuggestion.nearest(to: "max_new_tokenz", among: known) == "max_new_tokens")
    }

    @Test func farOrShortKeysGetNoSuggestion() {
        let known = TrainingConfiguration.knownKeys
        #expect(KeySuggestion.nearest(to: "completely_different", among: known) == nil)
        #expect(KeySuggestion.nearest(to: "mux", among: known) == "mu")  // 3 letters: one edit allowed
        #expect(KeySuggestion.nearest(to: "xy", among: known) == nil)  // 2 letters: none
        #expect(KeySuggestion.nearest(to: "learning_rrrrate", among: known) == nil)  // three edits
        #expect(KeySuggestion.nearest(to: "", among: known) == nil)
        #expect(KeySuggestion.hint(for: "zzzzzz", among: known) == "")
        #expect(KeySuggestion.hint(for: "top_kk", among: known) == " (did you mean 'top_k'?)")
    }

    @Test func editDistanceCountsSwapsAsOneEdit() {
        func distance(_ a: String, _ b: String) -> Int { KeySuggestion.editDistance(Array(a), Array(b), limit: 10) }
        #expect(distance("steps", "steps") == 0)
        #expect(distance("stpes", "steps") == 1)
        #expect(distance("step", "steps") == 1)
        #expect(distance("kitten", "sitting") == 3)
        #expect(distance("", "abc") == 3)
        #expect(KeySuggestion.editDistance(Array("abcdefgh"), Array("zzzzzzzz"), limit: 2) == 3)
    }

    @Test func trainerErrorSaysWhichKeyWasMeant() {
        #expect {
            try TrainingConfiguration().applying(["learning_rat": 1e-3], source: "test.yaml")
        } throws: { error in
            "\(error)".contains("unknown key 'learning_rat' (did you mean 'learning_rate'?); known keys: seed,")
        }
        #expect {
            try TrainingConfiguration().applying(["qqqqqqqq": 1], source: "test.yaml")
        } throws: { error in
            "\(error)".contains("unknown key 'qqqqqqqq'; known keys:")
        }
    }

    @Test func misspeltRunKeysAreCaughtBeforeTheTrainer() {
        var run = RunConfiguration()
        #expect {
            try run.apply(["algoritm": "grpo"], source: "test.yaml")
        } throws: { error in
            "\(error)" == "test.yaml: unknown key 'algoritm' (did you mean 'algorithm'?)"
        }
        #expect { try run.apply(["kl_wieght": 0.1], source: "test.yaml") } throws: { "\($0)".contains("did you mean 'kl_weight'?") }
        // Nearer to a trainer key: left for the trainer, which names it.
        try? run.apply(["learning_rat": 1e-3], source: "test.yaml")
        #expect(run.trainer["learning_rat"] != nil)
    }

    /// The trainer's other spellings (not in knownKeys) must still reach it, not be taken for
    /// typos of run-level keys.
    @Test func trainerAliasesStillReachTheTrainer() throws {
        let aliases = [
            "timesteps", "batch_size", "train_batch_size", "num_generations", "ppo_epochs", "num_iterations", "lr",
            "max_grad_norm", "max_completion_length", "save_every", "load_in_4bit", "cfg_scale", "mask_rate", "p_mask_prompt",
            "adaptive_kl_target", "min_entropy", "early_stop_on_collapse",
        ]
        for key in aliases + TrainingConfiguration.knownKeys {
            var run = RunConfiguration()
            try run.apply([key: 1], source: "test.yaml")
            #expect(run.trainer[key] != nil, "\(key)")
        }
    }
}
