/*
 * rlrun plugin ABI, version 1.
 *
 * A plugin library (.so) exports one C function, `rlrun_plugin_entry`, returning the list of
 * plugins it holds. Each plugin is a descriptor: ABI version first, then kind, id, version,
 * description, its options, a factory, and the table of calls of its kind. Everything that
 * crosses is C: plugins can be written in C, Swift (through rlrun's Swift SDK), Rust, Zig...
 *
 * Ownership (who frees what)
 *  - Descriptors, option tables and their strings belong to the library and must stay valid
 *    while it is loaded (static data).
 *  - Everything the host passes in (strings, arrays, batches, tensor handles) is borrowed for
 *    the duration of the call. Copy what you keep.
 *  - Output arrays (rewards, masks, keep flags) are allocated by the host with the documented
 *    length; the plugin fills them.
 *  - Strings and byte buffers a plugin returns through `const char **` / `const uint8_t **`
 *    belong to the instance and must stay valid until the next call on that instance or its
 *    destruction, whichever comes first. The host copies them at once.
 *  - Tensor handles a plugin returns in an output struct are new references that the host
 *    takes over (and frees). Tensor handles made and not returned are the plugin's to free
 *    with `host->tensor->free`.
 *
 * Errors
 *  - Every call returns 0 on success. On failure it returns non-zero and fills the
 *    host-provided `rlrun_error` (code + NUL-terminated message). The message should say what
 *    was wrong and what to do; the host adds the plugin's id, version and file. A plugin never aborts
 *    the process for bad input.
 *  - `create` returns NULL on failure, with the error filled.
 *
 * Threads
 *  - The host never calls one instance from two threads at the same time, unless the plugin
 *    sets RLRUN_FLAG_THREAD_SAFE. Different instances may be called concurrently.
 *  - Tensor calls through `host->tensor` are safe from any thread.
 *
 * Versioning
 *  - RLRUN_PLUGIN_ABI_VERSION changes whenever any struct here changes layout or meaning. The
 *    host refuses a plugin of another version with a message telling to rebuild it.
 *  - Structs the host fills start with `size` where they may grow; read fields only up to it.
 */
#ifndef RLRUN_PLUGIN_H
#define RLRUN_PLUGIN_H

#include "rlrun_tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RLRUN_PLUGIN_ABI_VERSION 1
#define RLRUN_PLUGIN_ENTRY_SYMBOL "rlrun_plugin_entry"

/* Shared libraries need the entry symbol visible whatever the compiler defaults are. */
#define RLRUN_EXPORT __attribute__((visibility("default")))

typedef enum {
  RLRUN_KIND_ALGORITHM = 1,
  RLRUN_KIND_REWARD = 2,
  RLRUN_KIND_MASKING = 3,
  RLRUN_KIND_DATASET = 4
} rlrun_kind;

typedef enum {
  RLRUN_OK = 0,
  RLRUN_ERROR_CONFIG = 1,     /* the configuration is invalid */
  RLRUN_ERROR_INPUT = 2,      /* the call's input is invalid */
  RLRUN_ERROR_FAILED = 3,     /* the work itself failed (I/O, model, ...) */
  RLRUN_ERROR_UNSUPPORTED = 4 /* the call is not supported by this plugin */
} rlrun_status;

#define RLRUN_ERROR_MESSAGE_CAPACITY 1024

typedef struct rlrun_error {
  int32_t code;                                /* rlrun_status */
  char message[RLRUN_ERROR_MESSAGE_CAPACITY];  /* NUL-terminated */
} rlrun_error;

/* Plugin flags. */
#define RLRUN_FLAG_THREAD_SAFE (1u << 0)          /* one instance may be called concurrently */
#define RLRUN_FLAG_NEEDS_CONFIDENCE (1u << 8)     /* masking: fill request->confidence */
#define RLRUN_FLAG_NEEDS_ATTENTION (1u << 9)      /* masking: fill request->attention */

/* One configuration option, shown by `rlrun plugins inspect` and checked by the host before
 * `create`: unknown names and values of the wrong type are refused there. */
typedef struct rlrun_option {
  const char *name;         /* snake_case, e.g. "clip_high" */
  const char *type;         /* "number", "integer", "boolean", "string", "choice" or "json" */
  const char *default_json; /* the default as JSON text: "0.28", "true", "\"token-mean\"", "null" */
  const char *help;         /* one line */
  const char *choices;      /* for "choice": the allowed values, separated by '|'; else NULL */
} rlrun_option;

/* Services of the host, valid for the lifetime of the instance created with them. */
typedef struct rlrun_host {
  uint32_t abi_version;         /* RLRUN_PLUGIN_ABI_VERSION of the host */
  uint32_t size;                /* sizeof(rlrun_host) of the host */
  const rt_api *tensor;         /* the host's tensor engine (see rlrun_tensor.h) */
  void *context;                /* pass back to log */
  /* level: 0 debug, 1 info, 2 warning. */
  void (*log)(void *context, int32_t level, const char *message);
  const char *run_directory;    /* where the run writes, or NULL */
  /* Readers for plugins without a JSON parser of their own: look up a top-level key of a
   * JSON object (e.g. the configuration passed to create, or an item's metadata). They
   * return 1 when the key exists with that type, 0 otherwise. json_string copies at most
   * capacity - 1 bytes and a NUL. */
  int32_t (*json_number)(const char *json, const char *key, double *out);
  int32_t (*json_bool)(const char *json, const char *key, int32_t *out);
  int32_t (*json_string)(const char *json, const char *key, char *out, size_t capacity);
  /* In place: each value summed over every process of a data-parallel run (unchanged in a
   * single process), for statistics over the whole batch such as PPO's advantage whitening.
   * Every process must make the same calls (the trainer calls `advantages` on every process
   * that holds kept groups, so an algorithm that both filters groups and sums here must keep
   * at least one group per process). 0 on success, -1 on failure (a peer died or timed out).
   * Appended later: present when `size` covers it. */
  int32_t (*sum_over_processes)(void *context, double *values, int32_t count);
} rlrun_host;

typedef struct rlrun_plugin rlrun_plugin;

struct rlrun_plugin {
  uint32_t abi_version;       /* RLRUN_PLUGIN_ABI_VERSION the plugin was built with: always first */
  uint32_t kind;              /* rlrun_kind */
  const char *id;             /* lowercase [a-z0-9_-], e.g. "dapo"; unique among loaded plugins */
  const char *version;        /* the plugin's own version, e.g. "1.2.0" */
  const char *description;    /* one line */
  const rlrun_option *options;
  uint32_t option_count;
  uint32_t flags;             /* RLRUN_FLAG_* */

  /* Creates an instance from a JSON object of option values (defaults already filled in by
   * the host). Returns NULL and fills `error` when the configuration is refused. */
  void *(*create)(const rlrun_plugin *plugin, const char *config_json, const rlrun_host *host,
                  rlrun_error *error);
  void (*destroy)(void *instance);

  /* Optional (NULL when the plugin keeps no state worth a checkpoint). The saved bytes are
   * instance-owned; load_state gets them back in a later process. */
  int32_t (*save_state)(void *instance, const uint8_t **bytes, size_t *count, rlrun_error *error);
  int32_t (*load_state)(void *instance, const uint8_t *bytes, size_t count, rlrun_error *error);

  /* The calls of the kind: rlrun_reward_calls, rlrun_dataset_calls, rlrun_masking_calls or
   * rlrun_algorithm_calls. */
  const void *calls;
};

typedef struct rlrun_plugin_list {
  uint32_t abi_version; /* RLRUN_PLUGIN_ABI_VERSION: always first */
  uint32_t count;
  const rlrun_plugin *const *plugins;
} rlrun_plugin_list;

/* The one symbol a plugin library exports:
 *   RLRUN_EXPORT const rlrun_plugin_list *rlrun_plugin_entry(void); */
typedef const rlrun_plugin_list *(*rlrun_plugin_entry_fn)(void);

/* ---- reward ------------------------------------------------------------------------- */

/* A batch of completions to score. Arrays have `count` entries. */
typedef struct rlrun_reward_batch {
  uint32_t count;
  const char *const *prompts;
  const char *const *completions;
  const char *const *references;      /* an entry is NULL when the item has no reference */
  const char *const *metadata;        /* JSON object text per item; an entry may be NULL */
  const uint32_t *completion_tokens;  /* tokens in each completion */
  const uint8_t *truncated;           /* 1 when generation stopped at the length limit */
} rlrun_reward_batch;

typedef struct rlrun_reward_calls {
  /* Writes one finite reward per completion into `rewards` [count]. Optionally sets
   * `*components_json` (instance-owned) to a JSON object of named per-completion values the
   * host logs, each an array of `count` numbers or strings, e.g.
   * {"tension": [0.1, 0.7], "mode": ["APPROVED", "SILENCE"]}; leave it NULL otherwise. */
  int32_t (*score)(void *instance, const rlrun_reward_batch *batch, double *rewards,
                   const char **components_json, rlrun_error *error);
} rlrun_reward_calls;

/* ---- dataset ------------------------------------------------------------------------ */

/* Strings are instance-owned (valid until the next call). */
typedef struct rlrun_dataset_item {
  const char *prompt;     /* the question or instruction, without chat formatting */
  const char *system;     /* a system prompt for it, or NULL */
  const char *reference;  /* the reference answer, or NULL */
  const char *metadata;   /* JSON object text, or NULL */
} rlrun_dataset_item;

typedef struct rlrun_dataset_calls {
  /* `*splits_json` (instance-owned): a JSON array of split names, e.g. ["train","test"]. */
  int32_t (*splits)(void *instance, const char **splits_json, rlrun_error *error);
  int32_t (*size)(void *instance, const char *split, uint64_t *count, rlrun_error *error);
  int32_t (*item)(void *instance, const char *split, uint64_t index, rlrun_dataset_item *item,
                  rlrun_error *error);
} rlrun_dataset_calls;

/* ---- masking ------------------------------------------------------------------------ */

/* Arrays are row-major [batch * length]. */
typedef struct rlrun_masking_request {
  uint32_t size;               /* sizeof(rlrun_masking_request) of the host */
  uint32_t batch;
  uint32_t length;
  const int64_t *tokens;
  const uint8_t *eligible;     /* 1 where a position may be masked */
  const float *confidence;     /* the model's top probability per position, or NULL unless the
                                  plugin sets RLRUN_FLAG_NEEDS_CONFIDENCE */
  const float *attention;      /* attention each position receives, or NULL unless the plugin
                                  sets RLRUN_FLAG_NEEDS_ATTENTION */
  double progress;             /* training progress in [0, 1] */
  double recent_reward;        /* mean reward of recent steps, NaN when unknown */
  double recent_accuracy;      /* accuracy of recent steps, NaN when unknown */
  uint64_t seed;               /* draw all randomness from it: same request, same mask */
} rlrun_masking_request;

typedef struct rlrun_masking_calls {
  /* Sets mask[i] = 1 for masked positions (eligible ones only), 0 elsewhere, and `*rate` to
   * the masking rate it aimed for (logged). */
  int32_t (*choose)(void *instance, const rlrun_masking_request *request, uint8_t *mask,
                    double *rate, rlrun_error *error);
} rlrun_masking_calls;

/* ---- algorithm ---------------------------------------------------------------------- */

typedef enum {
  RLRUN_POLICY_CAUSAL = 0,            /* autoregressive transformer */
  RLRUN_POLICY_MASKED_DIFFUSION = 1   /* LLaDA-style mask predictor */
} rlrun_policy_kind;

/* What the algorithm needs the trainer to provide, and the defaults it suggests. */
typedef struct rlrun_algorithm_requirements {
  uint32_t policy_kind;          /* rlrun_policy_kind */
  uint8_t needs_reference;       /* reference-policy log-probs (a KL term) */
  uint8_t needs_critic;          /* a value head: values, old values and returns */
  uint8_t needs_entropy;         /* per-token entropy in the loss inputs */
  uint8_t zero_advantage_inert;  /* 1: a sequence whose advantages are all 0 adds nothing to the
                                    loss or its gradient (no KL, entropy or value term), so the
                                    host may leave groups of such sequences out of the update
                                    passes; step_tokens and step_sequences still count them, and
                                    the loss's metrics then cover the sequences trained. 0 (what
                                    a zeroed struct says): every sequence is passed. */
  uint32_t group_size;           /* completions per prompt */
  uint32_t mu;                   /* policy updates per generated batch (PPO epochs) */
  uint32_t max_generation_rounds;/* extra generation rounds allowed to fill a batch (dynamic
                                    sampling); 0 = never generate more */
  const char *trainer_defaults_json; /* instance-owned JSON object of suggested trainer
                                        settings, e.g. {"learning_rate": 1e-6}; or NULL */
} rlrun_algorithm_requirements;

/* A generated batch: `count` completions, groups of `group_size` consecutive ones. */
typedef struct rlrun_rollout {
  uint32_t count;
  uint32_t group_size;
  uint32_t max_new_tokens;
  const uint32_t *completion_tokens; /* [count] */
  const uint8_t *truncated;          /* [count] 1 when cut at max_new_tokens without EOS */
  const double *correct;             /* [count] 1/0 task success, NaN when unknown */
} rlrun_rollout;

/* Tensors: N completions, T = longest completion; float32 unless said otherwise. */
typedef struct rlrun_advantage_inputs {
  const rlrun_rollout *rollout;
  rt_tensor rewards;       /* [N] final (shaped) rewards */
  rt_tensor mask;          /* [N, T] 1 on tokens that count */
  rt_tensor old_logprobs;  /* [N, T] behaviour policy */
  rt_tensor ref_logprobs;  /* [N, T] or NULL */
  rt_tensor values;        /* [N, T] critic values, or NULL */
} rlrun_advantage_inputs;

typedef struct rlrun_advantage_outputs {
  rt_tensor advantages;    /* [N, T] (or [N], broadcast over tokens): new reference */
  rt_tensor returns;       /* [N, T] value targets when the algorithm has a critic, else NULL */
} rlrun_advantage_outputs;

/* One micro-batch of n sequences. */
typedef struct rlrun_loss_inputs {
  rt_tensor logprobs;      /* [n, T] current policy (requires grad) */
  rt_tensor old_logprobs;  /* [n, T] behaviour policy */
  rt_tensor ref_logprobs;  /* [n, T] or NULL */
  rt_tensor advantages;    /* [n, T] */
  rt_tensor mask;          /* [n, T] */
  rt_tensor entropy;       /* [n, T] or NULL (see needs_entropy) */
  rt_tensor values;        /* [n, T] current critic (requires grad), or NULL */
  rt_tensor old_values;    /* [n, T] or NULL */
  rt_tensor returns;       /* [n, T] or NULL */
  /* The whole optimizer step this micro-batch belongs to (all micro-batches, all ranks), so a
   * loss can be normalised globally: the host sums the micro-batch losses' gradients. */
  double step_tokens;      /* valid tokens in the step */
  double step_sequences;   /* sequences in the step */
  uint32_t max_new_tokens;
} rlrun_loss_inputs;

#define RLRUN_MAX_METRICS 32

typedef struct rlrun_metric {
  const char *name;  /* static or instance-owned */
  double value;      /* averaged by the host over micro-batches, weighted by valid tokens */
} rlrun_metric;

typedef struct rlrun_loss_outputs {
  rt_tensor loss;                          /* scalar: new reference taken by the host */
  uint32_t metric_count;
  rlrun_metric metrics[RLRUN_MAX_METRICS]; /* e.g. clip fractions, ratio mean, KL */
} rlrun_loss_outputs;

typedef struct rlrun_algorithm_calls {
  int32_t (*requirements)(void *instance, rlrun_algorithm_requirements *out, rlrun_error *error);
  /* Optional: adjusts rewards [count] in place (e.g. soft overlong punishment). */
  int32_t (*shape_rewards)(void *instance, const rlrun_rollout *rollout, double *rewards,
                           rlrun_error *error);
  /* Optional: keep[g] = 1 for groups to train on (e.g. dynamic sampling); NULL keeps all.
   * `keep` has count / group_size entries. */
  int32_t (*keep_groups)(void *instance, const rlrun_rollout *rollout, const double *rewards,
                         uint8_t *keep, rlrun_error *error);
  int32_t (*advantages)(void *instance, const rlrun_advantage_inputs *in,
                        rlrun_advantage_outputs *out, rlrun_error *error);
  int32_t (*loss)(void *instance, const rlrun_loss_inputs *in, rlrun_loss_outputs *out,
                  rlrun_error *error);
} rlrun_algorithm_calls;

#ifdef __cplusplus
}
#endif
#endif
