// Counting allocator wrappers for reqwatch-bench (allocations per record). glibc exports its allocator under
// __libc_* names, so the wrappers need no dlsym and no bootstrap buffer.
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include "malloc_counter.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static uint64_t count_calls;
static uint64_t count_bytes;

static inline void note(size_t n) {
    __atomic_fetch_add(&count_calls, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&count_bytes, n, __ATOMIC_RELAXED);
}

uint64_t reqwatch_malloc_count(void) { return __atomic_load_n(&count_calls, __ATOMIC_RELAXED); }
uint64_t reqwatch_malloc_bytes(void) { return __atomic_load_n(&count_bytes, __ATOMIC_RELAXED); }

void *malloc(size_t n) { note(n); return __libc_malloc(n); }
void *calloc(size_t k, size_t n) { note(k * n); return __libc_calloc(k, n); }
void *realloc(void *p, size_t n) { note(n); return __libc_realloc(p, n); }
void free(void *p) { __libc_free(p); }
void *memalign(size_t a, size_t n) { note(n); return __libc_memalign(a, n); }
void *aligned_alloc(size_t a, size_t n) { note(n); return __libc_memalign(a, n); }
int posix_memalign(void **out, size_t a, size_t n) {
    note(n);
    void *p = __libc_memalign(a, n);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}
