int crosssum_add(int a, int b) { return a + b; }

const char *crosssum_arch(void) {
#if defined(__aarch64__)
  return "aarch64";
#elif defined(__x86_64__)
  return "x86_64";
#else
  return "other";
#endif
}
