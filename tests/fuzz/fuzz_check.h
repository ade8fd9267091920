// Test-only: the check the fuzz targets in tests/fuzz make of what an
// answer promises. A broken promise aborts, which libFuzzer reports as a
// crash and saves the input that caused it.
#ifndef ETHREC_TESTS_FUZZ_FUZZ_CHECK_H_
#define ETHREC_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define ETHREC_FUZZ_CHECK(condition)                                                              \
  do {                                                                                            \
    if (!(condition)) {                                                                           \
      std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                               \
    }                                                                                             \
  } while (false)

#endif  // ETHREC_TESTS_FUZZ_FUZZ_CHECK_H_
