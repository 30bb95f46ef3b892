/*
 * A C host of crateplan's C ABI (include/crateplan.h), driven by
 * adapters/capi/tests/c_program.rs, which compares what it prints with
 * `crateplan answer`.
 *
 *   capi_test answer FILE     answer the request in FILE on the real file
 *                             system (fs = NULL); print the answer and "\n"
 *   capi_test memfs DIR REQ   answer REQ with every file served from memory
 *                             by the fs callbacks, as if the workspace below
 *                             lived in DIR; print the answer and "\n", and
 *                             the callbacks' counts on stderr
 *   capi_test dump DIR        write that in-memory workspace into DIR (so
 *                             the CLI can answer the same request from disk)
 *   capi_test misuse          the calls a careless host may make: NULL
 *                             request, NULL fs callbacks, crateplan_free(NULL)
 *   capi_test version         print crateplan_version()
 *
 * Exit status 0 when the calls returned answers, 1 on a usage or I/O error.
 */
#include "crateplan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ------------------------------------------------------------------ */
/* The in-memory workspace: a binary with a path dependency that has a  */
/* feature.                                                            */

struct mem_file {
  const char *path; /* relative to the workspace directory */
  const char *text;
};

static const struct mem_file MEM_FILES[] = {
    {"Cargo.toml",
     "[package]\n"
     "name = \"app\"\n"
     "version = \"0.1.0\"\n"
     "edition = \"2021\"\n"
     "\n"
     "[dependencies]\n"
     "util = { path = \"util\", features = [\"loud\"] }\n"},
    {"Cargo.lock",
     "version = 4\n"
     "\n"
     "[[package]]\n"
     "name = \"app\"\n"
     "version = \"0.1.0\"\n"
     "dependencies = [\"util\"]\n"
     "\n"
     "[[package]]\n"
     "name = \"util\"\n"
     "version = \"0.2.0\"\n"},
    {"src/main.rs", "fn main() { util::hello(); }\n"},
    {"util/Cargo.toml",
     "[package]\n"
     "name = \"util\"\n"
     "version = \"0.2.0\"\n"
     "edition = \"2021\"\n"
     "\n"
     "[features]\n"
     "loud = []\n"},
    {"util/src/lib.rs", "pub fn hello() {}\n"},
};
#define MEM_COUNT (sizeof MEM_FILES / sizeof MEM_FILES[0])

struct mem_fs {
  const char *root; /* the directory the workspace pretends to be in */
  size_t root_len;
  int reads, listings, misses;
};

/* The file's path relative to root, or NULL when it is not under it. */
static const char *relative(const struct mem_fs *fs, const char *path,
                            size_t len) {
  if (len < fs->root_len || memcmp(path, fs->root, fs->root_len) != 0)
    return NULL;
  if (len == fs->root_len)
    return "";
  if (path[fs->root_len] != '/')
    return NULL;
  return path + fs->root_len + 1;
}

static int mem_read_file(void *user_data, const char *path, size_t path_len,
                         uint64_t max, crateplan_sink *sink) {
  struct mem_fs *fs = user_data;
  const char *rel = relative(fs, path, path_len);
  (void)max; /* the sink enforces it */
  fs->reads++;
  if (rel != NULL) {
    for (size_t i = 0; i < MEM_COUNT; i++) {
      if (strcmp(MEM_FILES[i].path, rel) == 0) {
        /* Two writes, to show a file may arrive in pieces. */
        size_t n = strlen(MEM_FILES[i].text), half = n / 2;
        crateplan_sink_write(sink, (const uint8_t *)MEM_FILES[i].text, half);
        crateplan_sink_write(sink, (const uint8_t *)MEM_FILES[i].text + half,
                             n - half);
        return CRATEPLAN_FS_OK;
      }
    }
  }
  fs->misses++;
  return CRATEPLAN_FS_NOT_FOUND;
}

/*
 * Lists a directory: the next path component of every file below it. The
 * ancestors of root list root's own next component, as a real file system
 * would.
 */
static int mem_read_dir(void *user_data, const char *path, size_t path_len,
                        crateplan_sink *sink) {
  struct mem_fs *fs = user_data;
  char seen[64][128];
  size_t nseen = 0;
  fs->listings++;
  for (size_t i = 0; i < MEM_COUNT; i++) {
    char full[4096];
    int n = snprintf(full, sizeof full, "%s/%s", fs->root, MEM_FILES[i].path);
    if (n < 0 || (size_t)n >= sizeof full)
      return CRATEPLAN_FS_ERROR;
    const char *below;
    if (path_len == 1 && path[0] == '/')
      below = full + 1;
    else if (strncmp(full, path, path_len) == 0 && full[path_len] == '/')
      below = full + path_len + 1;
    else
      continue;
    const char *slash = strchr(below, '/');
    size_t name_len = slash ? (size_t)(slash - below) : strlen(below);
    int dup = 0;
    for (size_t j = 0; j < nseen; j++)
      if (strlen(seen[j]) == name_len && memcmp(seen[j], below, name_len) == 0)
        dup = 1;
    if (dup || name_len >= sizeof seen[0] || nseen == 64)
      continue;
    memcpy(seen[nseen], below, name_len);
    seen[nseen++][name_len] = '\0';
    crateplan_sink_entry(sink, below, name_len,
                         slash ? CRATEPLAN_ENTRY_DIR : CRATEPLAN_ENTRY_FILE);
  }
  if (nseen == 0) {
    fs->misses++;
    return CRATEPLAN_FS_NOT_FOUND;
  }
  return CRATEPLAN_FS_OK;
}

/* ------------------------------------------------------------------ */

static char *read_all(const char *file, size_t *len) {
  FILE *f = fopen(file, "rb");
  if (f == NULL) {
    fprintf(stderr, "capi_test: %s: %s\n", file, strerror(errno));
    return NULL;
  }
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  size_t got;
  while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap)
      buf = realloc(buf, cap *= 2);
  }
  fclose(f);
  *len = n;
  return buf;
}

/* Prints an answer as `crateplan answer` does (the JSON, then a newline). */
static int print_answer(crateplan_answer *answer) {
  if (answer == NULL || answer->json == NULL ||
      strlen(answer->json) != answer->len) {
    fprintf(stderr, "capi_test: a malformed answer\n");
    return 1;
  }
  fwrite(answer->json, 1, answer->len, stdout);
  fputc('\n', stdout);
  crateplan_free(answer);
  return 0;
}

static int mkdirs_for(const char *file) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", file);
  for (char *p = dir + 1; *p; p++) {
    if (*p == '/') {
      *p = '\0';
      if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return -1;
      *p = '/';
    }
  }
  return 0;
}

static int dump(const char *root) {
  for (size_t i = 0; i < MEM_COUNT; i++) {
    char full[4096];
    snprintf(full, sizeof full, "%s/%s", root, MEM_FILES[i].path);
    FILE *f;
    if (mkdirs_for(full) != 0 || (f = fopen(full, "wb")) == NULL) {
      fprintf(stderr, "capi_test: %s: %s\n", full, strerror(errno));
      return 1;
    }
    fputs(MEM_FILES[i].text, f);
    fclose(f);
  }
  return 0;
}

static int expect(int ok, const char *what) {
  printf("%s %s\n", ok ? "ok" : "FAILED", what);
  return ok ? 0 : 1;
}

static int misuse(void) {
  int failed = 0;
  crateplan_answer *a = crateplan_plan_json(NULL, 5, NULL);
  failed |= expect(a != NULL && strstr(a->json, "\"ok\":false") != NULL &&
                       strstr(a->json, "NULL request") != NULL,
                   "a NULL request is an error answer");
  crateplan_free(a);

  a = crateplan_plan_json(NULL, 0, NULL);
  failed |= expect(a != NULL && strstr(a->json, "\"ok\":false") != NULL,
                   "an empty request is an error answer");
  crateplan_free(a);

  const char *req = "{\"workspace\":\"/mem\",\"target\":\"x86_64-unknown-linux-gnu\"}";
  crateplan_fs none = {NULL, NULL, NULL};
  a = crateplan_plan_json(req, strlen(req), &none);
  failed |= expect(a != NULL && strstr(a->json, "\"ok\":false") != NULL &&
                       strstr(a->json, "no read_file callback") != NULL,
                   "NULL callbacks are an error answer");
  crateplan_free(a);

  crateplan_free(NULL);
  failed |= expect(1, "crateplan_free(NULL) does nothing");

  failed |= expect(crateplan_plan_format_version() == 2,
                   "crateplan_plan_format_version() is 2");
  return failed;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "answer") == 0) {
    size_t len;
    char *req = read_all(argv[2], &len);
    if (req == NULL)
      return 1;
    int status = print_answer(crateplan_plan_json(req, len, NULL));
    free(req);
    return status;
  }
  if (argc == 4 && strcmp(argv[1], "memfs") == 0) {
    struct mem_fs mem = {argv[2], strlen(argv[2]), 0, 0, 0};
    crateplan_fs fs = {&mem, mem_read_file, mem_read_dir};
    size_t len;
    char *req = read_all(argv[3], &len);
    if (req == NULL)
      return 1;
    int status = print_answer(crateplan_plan_json(req, len, &fs));
    free(req);
    fprintf(stderr, "reads %d listings %d misses %d\n", mem.reads,
            mem.listings, mem.misses);
    return status;
  }
  if (argc == 3 && strcmp(argv[1], "dump") == 0)
    return dump(argv[2]);
  if (argc == 2 && strcmp(argv[1], "misuse") == 0)
    return misuse();
  if (argc == 2 && strcmp(argv[1], "version") == 0) {
    printf("%s\n", crateplan_version());
    return 0;
  }
  fprintf(stderr, "usage: capi_test answer FILE | memfs DIR REQUEST | dump "
                  "DIR | misuse | version\n");
  return 1;
}
