/* A stand-in for Nix's libnixexprc (the C API), for tests only: the
 * functions crateplan's plugin looks up, each failing. Linking the plugin
 * against it checks the `link-nix-expr-c` build flavour (DT_NEEDED and
 * RUNPATH); nothing can evaluate with it. */
#include <stddef.h>
void *nix_c_context_create(void) { return NULL; }
void nix_c_context_free(void *c) { (void)c; }
int nix_set_err_msg(void *c, int code, const char *m) { (void)c; (void)m; return code; }
const char *nix_err_msg(void *c, const void *r, unsigned *n) { (void)c; (void)r; (void)n; return NULL; }
void *nix_alloc_primop(void *c, void *f, int arity, const char *name, const char **args, const char *doc, void *ud) {
  (void)c; (void)f; (void)arity; (void)name; (void)args; (void)doc; (void)ud; return NULL;
}
int nix_register_primop(void *c, void *op) { (void)c; (void)op; return -1; }
int nix_gc_decref(void *c, const void *o) { (void)c; (void)o; return 0; }
int nix_get_type(void *c, const void *v) { (void)c; (void)v; return 0; }
int nix_get_string(void *c, const void *v, void *cb, void *ud) { (void)c; (void)v; (void)cb; (void)ud; return -1; }
int nix_init_string(void *c, void *v, const char *s) { (void)c; (void)v; (void)s; return -1; }
