/*
 * real_alloc.h - the allocator below malloc: what the heap backend's
 * counting malloc (heap/malloc.c) builds on, and what the library's own
 * allocations (base.c) use so that they are never counted.  Not installed.
 *
 * glibc exports its allocator's entry points as __libc_malloc and friends
 * (see "Replacing malloc" in the glibc manual).  Under AddressSanitizer or
 * ThreadSanitizer the real allocator is the sanitizer's instead (its
 * __interceptor_ entry points): it must see every block, and it refuses
 * to free one it did not make.
 *
 * MP__SAN is defined under either sanitizer, MP__TSAN under
 * ThreadSanitizer.
 */
#ifndef MEMPROF_REAL_ALLOC_H
#define MEMPROF_REAL_ALLOC_H

#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__)
#define MP__SAN 1
#elif defined(__SANITIZE_THREAD__)
#define MP__SAN 1
#define MP__TSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MP__SAN 1
#elif __has_feature(thread_sanitizer)
#define MP__SAN 1
#define MP__TSAN 1
#endif
#endif

#ifdef MP__SAN
void *__interceptor_malloc(size_t n);
void *__interceptor_calloc(size_t n, size_t size);
void *__interceptor_realloc(void *p, size_t n);
void __interceptor_free(void *p);
#define MP__REAL_MALLOC __interceptor_malloc
#define MP__REAL_CALLOC __interceptor_calloc
#define MP__REAL_REALLOC __interceptor_realloc
#define MP__REAL_FREE __interceptor_free
#else
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);
void __libc_free(void *p);
#define MP__REAL_MALLOC __libc_malloc
#define MP__REAL_CALLOC __libc_calloc
#define MP__REAL_REALLOC __libc_realloc
#define MP__REAL_FREE __libc_free
#endif /* MP__SAN */

#endif /* MEMPROF_REAL_ALLOC_H */
