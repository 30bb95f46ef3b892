#!/usr/bin/env bash
# Checks the `link-nix-expr-c` build flavour end to end without a real Nix:
#
# 1. builds a stand-in libnixexprc.so (C; the ten C API functions the plugin
#    calls, plus two helpers for this test) and a nix-expr-c.pc for it;
# 2. builds the plugin with `--features link-nix-expr-c`, PKG_CONFIG_PATH
#    pointing at that .pc, as the flake does against a real Nix;
# 3. checks the .so has DT_NEEDED libnixexprc.so and a RUNPATH to it;
# 4. loads it from a C host the way Nix does (dlopen RTLD_LAZY|RTLD_LOCAL,
#    then nix_plugin_entry) in a process that does NOT itself provide the C
#    API, so the plugin's dlsym(RTLD_DEFAULT) can only find the functions in
#    its own dependency; then calls the registered primop with a request.
#
# Usage: adapters/plugin/tests/linked-flavour.sh   (needs cc, pkg-config, readelf)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd -P)
work=$(mktemp -d "${TMPDIR:-/tmp}/crateplan-linked-flavour.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/prefix/lib/pkgconfig"

cat > "$work/fake_nixexprc.c" <<'EOF'
#include <stdlib.h>
#include <string.h>
typedef struct { int code; char *msg; } ctx_t;
typedef struct { int type; char *s; } value_t;   /* 0 thunk/uninit, 4 string */
typedef void (*primop_fun)(void *, ctx_t *, void *, value_t **, value_t *);
typedef void (*string_cb)(const char *, unsigned, void *);
static char registered_name[64];
static primop_fun registered_fun;
static void *registered_data;
static int set(ctx_t *c, int code, const char *m) { c->code = code; free(c->msg); c->msg = strdup(m); return code; }
ctx_t *nix_c_context_create(void) { return calloc(1, sizeof(ctx_t)); }
void nix_c_context_free(ctx_t *c) { free(c->msg); free(c); }
int nix_set_err_msg(ctx_t *c, int code, const char *m) { return set(c, code, m); }
const char *nix_err_msg(ctx_t *c, const ctx_t *r, unsigned *n) {
  if (c) c->code = 0;
  if (r->code && r->msg) { *n = strlen(r->msg); return r->msg; }
  return 0;
}
void *nix_alloc_primop(ctx_t *c, primop_fun f, int arity, const char *name, const char **args, const char *doc, void *ud) {
  if (!doc) { set(c, -1, "null doc"); return 0; }
  if (arity != 1 || !args || !args[0] || args[1]) { set(c, -1, "bad args"); return 0; }
  strncpy(registered_name, name, sizeof registered_name - 1);
  registered_fun = f; registered_data = ud;
  return malloc(1);
}
int nix_register_primop(ctx_t *c, void *op) { (void) c; return op ? 0 : -1; }
int nix_gc_decref(ctx_t *c, const void *o) { (void) c; free((void *) o); return 0; }
int nix_get_type(ctx_t *c, const value_t *v) { (void) c; return v->type; }
int nix_get_string(ctx_t *c, const value_t *v, string_cb cb, void *ud) {
  if (v->type != 4) abort();
  cb(v->s, strlen(v->s), ud); (void) c; return 0;
}
int nix_init_string(ctx_t *c, value_t *v, const char *s) {
  if (v->type) return set(c, -1, "already initialized");
  v->type = 4; v->s = strdup(s); return 0;
}
/* Test helpers, reached by the host through this library's own handle. */
const char *fake_registered_name(void) { return registered_name; }
const char *fake_call(const char *request) {
  ctx_t c = {0}; value_t arg = {4, (char *) request}, ret = {0, 0}; value_t *args[1] = {&arg};
  registered_fun(registered_data, &c, (void *) 8, args, &ret);
  return c.code ? c.msg : ret.s;
}
EOF
cc -shared -fPIC -o "$work/prefix/lib/libnixexprc.so" "$work/fake_nixexprc.c"
cat > "$work/prefix/lib/pkgconfig/nix-expr-c.pc" <<EOF
prefix=$work/prefix
libdir=\${prefix}/lib
Name: nix-expr-c
Description: stand-in for the Nix C API (crateplan linked-flavour test)
Version: 2.34.1
Libs: -L\${libdir} -lnixexprc
Cflags:
EOF

echo "linked-flavour: building the plugin with --features link-nix-expr-c" >&2
(cd "$repo" && PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" \
  cargo build --quiet -p crateplan-plugin --features link-nix-expr-c --target-dir "$work/target")
so="$work/target/debug/libcrateplan_plugin.so"
[ -f "$so" ] || so="$work/target/debug/deps/libcrateplan_plugin.so"

readelf -d "$so" | grep -q 'NEEDED.*libnixexprc.so' \
  || { echo "linked-flavour: no DT_NEEDED libnixexprc.so" >&2; exit 1; }
readelf -d "$so" | grep -E 'RUNPATH|RPATH' | grep -qF "$work/prefix/lib" \
  || { echo "linked-flavour: no RUNPATH to the nix-expr-c libdir" >&2; exit 1; }

cat > "$work/host.c" <<'EOF'
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
  if (dlsym(RTLD_DEFAULT, "nix_alloc_primop")) { puts("host already has the C API"); return 1; }
  void *h = dlopen(argv[1], RTLD_LAZY | RTLD_LOCAL);
  if (!h) { printf("dlopen: %s\n", dlerror()); return 1; }
  void (*entry)(void) = (void (*)(void)) dlsym(h, "nix_plugin_entry");
  if (!entry) { puts("no nix_plugin_entry"); return 1; }
  entry();
  void *lib = dlopen("libnixexprc.so", RTLD_LAZY | RTLD_NOLOAD);
  if (!lib) { puts("libnixexprc.so was not loaded with the plugin"); return 1; }
  const char *(*name)(void) = (const char *(*)(void)) dlsym(lib, "fake_registered_name");
  const char *(*call)(const char *) = (const char *(*)(const char *)) dlsym(lib, "fake_call");
  printf("registered: %s\n", name());
  if (strcmp(name(), "__crateplan")) return 1;
  printf("answer: %s\n", call(argc > 2 ? argv[2] : "{}"));
  return 0;
}
EOF
cc -o "$work/host" "$work/host.c" -ldl
out=$("$work/host" "$so" '{not json')
echo "$out"
echo "$out" | grep -q '^registered: __crateplan$'
echo "$out" | grep -q '^answer: {"ok":false,"error":'
echo "linked-flavour: ok (DT_NEEDED + RUNPATH, symbols found from the plugin's own dependency)" >&2
