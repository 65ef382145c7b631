#ifndef REQWATCH_MALLOC_COUNTER_H
#define REQWATCH_MALLOC_COUNTER_H
#include <stdint.h>
/// Calls to malloc, calloc, realloc, aligned_alloc, posix_memalign and memalign since the process started,
/// counted by wrappers in this library that interpose glibc's allocator (no LD_PRELOAD: the executable defines
/// the symbols, so every shared library, the Swift runtime included, resolves to them).
uint64_t reqwatch_malloc_count(void);
/// Bytes requested by those calls.
uint64_t reqwatch_malloc_bytes(void);
#endif
