/*
 * A reward plugin in plain C: scores 1.0 when the completion contains a keyword (by default
 * the item's reference answer), else 0.0, minus a small penalty per token over a length
 * budget. Build with ./build.sh, then:
 *   rlrun score --reward ./libkeyword.so --input completions.jsonl
 */
#include <stdlib.h>
#include <string.h>

#include "rlrun_plugin.h"

typedef struct {
  char keyword[256];  /* empty: use each item's reference */
  double budget;      /* tokens allowed before the penalty starts */
  double penalty;     /* per token over the budget */
  char components[64];
} keyword_reward;

static void fail(rlrun_error *error, int32_t code, const char *message) {
  error->code = code;
  strncpy(error->message, message, RLRUN_ERROR_MESSAGE_CAPACITY - 1);
  error->message[RLRUN_ERROR_MESSAGE_CAPACITY - 1] = '\0';
}

static void *create(const rlrun_plugin *plugin, const char *config, const rlrun_host *host, rlrun_error *error) {
  (void)plugin;
  keyword_reward *self = calloc(1, sizeof *self);
  if (!self) {
    fail(error, RLRUN_ERROR_FAILED, "out of memory");
    return NULL;
  }
  /* The host has checked the types and filled in the defaults. */
  host->json_string(config, "keyword", self->keyword, sizeof self->keyword);
  host->json_number(config, "length_budget", &self->budget);
  host->json_number(config, "penalty_per_token", &self->penalty);
  if (self->budget < 0) {
    free(self);
    fail(error, RLRUN_ERROR_CONFIG, "length_budget must be >= 0");
    return NULL;
  }
  return self;
}

static void destroy(void *instance) { free(instance); }

static int32_t score(void *instance, const rlrun_reward_batch *batch, double *rewards,
                     const char **components, rlrun_error *error) {
  keyword_reward *self = instance;
  for (uint32_t i = 0; i < batch->count; i++) {
    const char *keyword = self->keyword[0] ? self->keyword : batch->references[i];
    if (!keyword) {
      fail(error, RLRUN_ERROR_INPUT, "item has no reference and no keyword option is set");
      return RLRUN_ERROR_INPUT;
    }
    double reward = strstr(batch->completions[i], keyword) ? 1.0 : 0.0;
    double over = (double)batch->completion_tokens[i] - self->budget;
    if (over > 0) reward -= over * self->penalty;
    rewards[i] = reward;
  }
  *components = NULL;
  return RLRUN_OK;
}

static const rlrun_option options[] = {
  {"keyword", "string", "null", "text to look for; null uses each item's reference answer", NULL},
  {"length_budget", "number", "200", "completion tokens allowed before the length penalty", NULL},
  {"penalty_per_token", "number", "0.001", "reward subtracted per token over the budget", NULL},
};

static const rlrun_reward_calls calls = {score};

static const rlrun_plugin keyword_plugin = {
  RLRUN_PLUGIN_ABI_VERSION, RLRUN_KIND_REWARD, "keyword", "1.0.0",
  "1 when the completion contains the keyword or reference, minus a length penalty",
  options, sizeof options / sizeof options[0], 0,
  create, destroy, NULL, NULL, &calls,
};

static const rlrun_plugin *const plugins[] = {&keyword_plugin};
static const rlrun_plugin_list list = {RLRUN_PLUGIN_ABI_VERSION, 1, plugins};

RLRUN_EXPORT const rlrun_plugin_list *rlrun_plugin_entry(void) { return &list; }
