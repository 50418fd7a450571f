/*
 * A reward plugin for the loader tests. Without macros it is a good plugin ("fixture"); each
 * macro below breaks one thing, so that one source gives every bad library the tests need.
 * PluginTestSupport.swift compiles it with
 *   cc -shared -fPIC -I Sources/Core/ABI/include -D<MACRO> -o libX.so test_plugin.c
 *
 *   FIXTURE_HELPER_LIB        not a plugin: only fixture_helper(), for FIXTURE_USES_HELPER
 *   FIXTURE_USES_HELPER       calls fixture_helper() (link with -lfixturehelper)
 *   FIXTURE_NO_ENTRY          a shared library without rlrun_plugin_entry
 *   FIXTURE_LIST_ABI=N        the plugin list claims ABI version N
 *   FIXTURE_PLUGIN_ABI=N      the descriptor claims ABI version N
 *   FIXTURE_ID="x"            another plugin id (default "fixture")
 *   FIXTURE_DUPLICATE_OPTION  declares option "bonus" twice
 *   FIXTURE_NULL_OPTIONS      declares its options but leaves the table NULL
 *   FIXTURE_CREATE_FAILS      create refuses with a message
 *   FIXTURE_SCORE_FAILS       score fails with a message
 *   FIXTURE_SCORE_NO_MESSAGE  score fails without a message
 *   FIXTURE_SHORT_COMPONENT   the "length" component has one value too few
 *   FIXTURE_REWARD=V          reward 1 of every batch is V (e.g. NAN, INFINITY)
 *
 * The good plugin: reward = metadata "value" if present, else completion_tokens; plus the
 * `bonus` option. Its components echo what the host's json_* readers returned, so the tests
 * can check them from C: "length" (tokens), "flag" (metadata "flag": 1/0, -1 when absent),
 * "name" (metadata "name", read into an 8-byte buffer), "tag" and "strict" (options).
 */
#ifdef FIXTURE_HELPER_LIB

int fixture_helper(void) { return 42; }

#else

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rlrun_plugin.h"

#ifndef FIXTURE_LIST_ABI
#define FIXTURE_LIST_ABI RLRUN_PLUGIN_ABI_VERSION
#endif
#ifndef FIXTURE_PLUGIN_ABI
#define FIXTURE_PLUGIN_ABI RLRUN_PLUGIN_ABI_VERSION
#endif
#ifndef FIXTURE_ID
#define FIXTURE_ID "fixture"
#endif

#ifdef FIXTURE_USES_HELPER
int fixture_helper(void);
#endif

typedef struct {
  const rlrun_host *host;
  double bonus;
  int32_t strict;
  char tag[32];
  char components[4096];
} fixture;

static void fail(rlrun_error *error, int32_t code, const char *message) {
  error->code = code;
  snprintf(error->message, sizeof error->message, "%s", message);
}

static void *create(const rlrun_plugin *plugin, const char *config, const rlrun_host *host, rlrun_error *error) {
  (void)plugin;
#ifdef FIXTURE_CREATE_FAILS
  (void)config;
  (void)host;
  fail(error, RLRUN_ERROR_CONFIG, "model file /nonexistent/model.bin is missing: set model_path to an existing file");
  return NULL;
#else
#ifdef FIXTURE_USES_HELPER
  if (fixture_helper() != 42) return NULL;
#endif
  fixture *self = calloc(1, sizeof *self);
  self->host = host;
  /* The host has filled in every default, so each reader must find its key. */
  if (!host->json_number(config, "bonus", &self->bonus) || !host->json_bool(config, "strict", &self->strict) ||
      !host->json_string(config, "tag", self->tag, sizeof self->tag)) {
    free(self);
    fail(error, RLRUN_ERROR_CONFIG, "configuration lacks bonus, strict or tag");
    return NULL;
  }
  host->log(host->context, 1, "fixture: created");
  return self;
#endif
}

static void destroy(void *instance) { free(instance); }

/* Appends to the instance-owned components text. */
static inline void append(fixture *self, const char *text) {
  size_t used = strlen(self->components);
  snprintf(self->components + used, sizeof self->components - used, "%s", text);
}

static int32_t score(void *instance, const rlrun_reward_batch *batch, double *rewards, const char **components,
                     rlrun_error *error) {
  fixture *self = instance;
#if defined(FIXTURE_SCORE_FAILS)
  (void)self, (void)batch, (void)rewards, (void)components;
  fail(error, RLRUN_ERROR_INPUT, "completion 0 is not valid UTF-8: clean the input file");
  return RLRUN_ERROR_INPUT;
#elif defined(FIXTURE_SCORE_NO_MESSAGE)
  (void)self, (void)batch, (void)rewards, (void)components, (void)error;
  return RLRUN_ERROR_FAILED;
#else
  (void)error;
  char item[128];
  uint32_t lengthCount = batch->count;
#ifdef FIXTURE_SHORT_COMPONENT
  lengthCount -= 1;
#endif
  self->components[0] = '\0';
  append(self, "{\"length\": [");
  for (uint32_t i = 0; i < lengthCount; i++) {
    snprintf(item, sizeof item, "%s%u", i ? ", " : "", batch->completion_tokens[i]);
    append(self, item);
  }
  append(self, "], \"flag\": [");
  for (uint32_t i = 0; i < batch->count; i++) {
    int32_t flag = -1;
    if (batch->metadata[i] && !self->host->json_bool(batch->metadata[i], "flag", &flag)) flag = -1;
    snprintf(item, sizeof item, "%s%d", i ? ", " : "", flag);
    append(self, item);
  }
  append(self, "], \"name\": [");
  for (uint32_t i = 0; i < batch->count; i++) {
    char name[8] = "";
    if (batch->metadata[i]) self->host->json_string(batch->metadata[i], "name", name, sizeof name);
    snprintf(item, sizeof item, "%s\"%s\"", i ? ", " : "", name);
    append(self, item);
  }
  append(self, "], \"tag\": [");
  for (uint32_t i = 0; i < batch->count; i++) {
    snprintf(item, sizeof item, "%s\"%s\"", i ? ", " : "", self->tag);
    append(self, item);
  }
  append(self, "], \"strict\": [");
  for (uint32_t i = 0; i < batch->count; i++) {
    snprintf(item, sizeof item, "%s%d", i ? ", " : "", self->strict);
    append(self, item);
  }
  append(self, "]}");

  for (uint32_t i = 0; i < batch->count; i++) {
    double value;
    if (!batch->metadata[i] || !self->host->json_number(batch->metadata[i], "value", &value)) {
      value = batch->completion_tokens[i];
    }
    rewards[i] = value + self->bonus;
#ifdef FIXTURE_REWARD
    if (i == 1) rewards[i] = FIXTURE_REWARD;
#endif
  }
  *components = self->components;
  return RLRUN_OK;
#endif
}

static const rlrun_option options[] = {
  {"bonus", "number", "0", "added to every reward", NULL},
  {"strict", "boolean", "false", "echoed in the strict component", NULL},
  {"tag", "string", "\"none\"", "echoed in the tag component", NULL},
#ifdef FIXTURE_DUPLICATE_OPTION
  {"bonus", "number", "1", "declared a second time", NULL},
#endif
};

static const rlrun_reward_calls calls = {score};

static const rlrun_plugin plugin = {
  FIXTURE_PLUGIN_ABI, RLRUN_KIND_REWARD, FIXTURE_ID, "0.1.0", "test fixture: tokens or metadata value, plus bonus",
#ifdef FIXTURE_NULL_OPTIONS
  NULL,
#else
  options,
#endif
  sizeof options / sizeof options[0], 0,
  create, destroy, NULL, NULL, &calls,
};

static const rlrun_plugin *const plugins[] = {&plugin};
static const rlrun_plugin_list list = {FIXTURE_LIST_ABI, 1, plugins};

#ifdef FIXTURE_NO_ENTRY
RLRUN_EXPORT const rlrun_plugin_list *not_the_entry(void) { return &list; }
#else
RLRUN_EXPORT const rlrun_plugin_list *rlrun_plugin_entry(void) { return &list; }
#endif

#endif /* FIXTURE_HELPER_LIB */
