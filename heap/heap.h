/*
 * heap.h - what the files of heap/ share: the counter of the bytes the
 * program holds from the malloc family.  Not installed.
 *
 * heap/ builds the heap archive (libmemprof-heap.a, linked into a program
 * ahead of libmemprof.a) and the preload object (libmemprof-heap.so, for
 * LD_PRELOAD).  Both define malloc and its family (malloc.c) on top of
 * the C library's allocator and count what each call asked for
 * (count.c); libmemprof's heap backend reads the count through
 * mp__heap_live().
 *
 * The count is one slot per thread.  A thread adds to and subtracts from
 * its own slot only, with relaxed atomic loads and stores (no locked
 * instruction); a reader adds up the slots taken now and a shared
 * remainder.  A block freed by another thread than the one that
 * allocated it is subtracted from the freeing thread's slot, so one slot
 * may be negative and only the sum means anything.  When a thread ends,
 * its count is folded into the remainder and its slot, holding 0, goes
 * to the next thread that starts; so a reading costs the same whether
 * one thread or thousands have come and gone (count.c says how).
 */
#ifndef MEMPROF_HEAP_H
#define MEMPROF_HEAP_H

#include <stddef.h>
#include <stdint.h>

#include "heap_hooks.h"
#include "heap_share.h"

/* Thread-local storage that never allocates, even in a preload object. */
#define MP__HEAP_TLS __thread __attribute__((tls_model("initial-exec")))

/*
 * MP__HEAP_FN - on every function of heap/.  Under AddressSanitizer and
 * ThreadSanitizer the real allocator is the sanitizer's (see malloc.c),
 * and malloc runs before the sanitizer's runtime is ready (its start-up
 * calls dlsym, which calls malloc), where instrumented code crashes; so
 * heap/ is not instrumented.  A test of the counter alone defines
 * MP__HEAP_INSTRUMENTED to keep ThreadSanitizer's eyes on it.
 */
#if defined(MP__HEAP_INSTRUMENTED)
#define MP__HEAP_FN
#elif defined(__clang__)
#define MP__HEAP_FN __attribute__((disable_sanitizer_instrumentation))
#else
#define MP__HEAP_FN __attribute__((no_sanitize_address, no_sanitize_thread))
#endif

/* What the preload object exports; everything else in heap/ is hidden. */
#define MP__HEAP_API __attribute__((visibility("default"))) MP__HEAP_FN

#define MP__HEAP_LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define MP__HEAP_STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

/*
 * The names below are hidden from the preload object's users (those of
 * the API say otherwise), so that heap/ reaches them without the global
 * offset table.
 */
#pragma GCC visibility push(hidden)

/*
 * One thread's count, on a cache line of its own so that threads counting
 * at once do not slow each other down.
 */
typedef struct mp__heap_slot {
    long long live; /* bytes: written by its owner only; 0 when free */
    long long base; /* the other slots' sum at the last peak reset */
    struct mp__heap_counts *counts; /* MEMPROF_LEAKS: per-site counts of
                                       the slot's threads (stacks.c) */
    unsigned index;                 /* its number (count.c) */
} __attribute__((aligned(64))) mp__heap_slot;

/* Slots a process can have at once; threads beyond count in rest. */
#define MP__HEAP_SLOTS_MAX (64u * 64u * 64u)

/*
 * The first slots, after the header memprof run --heap reads (see
 * heap_share.h), in one block of whole pages that heap/share.c can map a
 * file over: aligned and sized for pages up to MP__HEAP_AREA_ALIGN.
 */
#define MP__HEAP_AREA_ALIGN 65536
#define MP__HEAP_POOL                                                          \
    ((MP__HEAP_AREA_ALIGN - sizeof(mp__heap_share)) / sizeof(mp__heap_slot))
typedef struct mp__heap_area {
    mp__heap_share head; /* rest: the counts of ended and slotless threads */
    mp__heap_slot pool[MP__HEAP_POOL];
} __attribute__((aligned(MP__HEAP_AREA_ALIGN))) mp__heap_area;

extern mp__heap_area mp__heap_pool_area;

/*
 * Non-zero once the area is a shared file (heap/share.c): slots come from
 * the pool only, and a thread that finds none counts in rest, which the
 * file's reader sees.
 */
extern int mp__heap_shared;

/* mp__heap_pool_only() - whether no slot was ever mapped outside the area. */
MP__HEAP_FN int mp__heap_pool_only(void);

/*
 * memprof run --heap (share.c, preload.c; in the preload object only).
 *
 * mp__heap_share_start() - copy the area into DIR/<pid>.heap and map the
 * file over it (see heap_share.h), its header saying state; dir is kept.
 * Returns 0 or -errno, the count left as it was.
 *
 * mp__heap_share_fork() - in a forked child of a process that shares: the
 * same into DIR/<its pid>.heap, so that the parent's file is its own.
 *
 * mp__heap_share_path() - DIR/<this pid><suffix> into buf; 0 or -1.
 */
MP__HEAP_FN int mp__heap_share_start(const char *dir, unsigned state);
MP__HEAP_FN void mp__heap_share_fork(void);
MP__HEAP_FN int mp__heap_share_path(char *buf, size_t size, const char *suffix);

/* This thread's slot, or NULL before its first count and once it ended. */
extern MP__HEAP_TLS mp__heap_slot *mp__heap_self;

/* Non-zero once mp__heap_peak_reset() was called: allocations note peaks. */
extern int mp__heap_peaking;

/*
 * mp__heap_count_slow() - count n bytes on a thread without a slot: take
 * one, or, on a thread that is ending, count in the shared remainder.
 */
MP__HEAP_FN void mp__heap_count_slow(long long n);

/* mp__heap_peak_note() - raise the peak to what slot s now sees, v. */
MP__HEAP_FN void mp__heap_peak_note(mp__heap_slot *s, long long v);

/*
 * mp__heap_count() - add n (negative: subtract) to this thread's count.
 * No allocation, no lock, no locked instruction; safe in any thread at any
 * time, including while the thread starts and ends.
 */
MP__HEAP_FN static inline void mp__heap_count(long long n)
{
    mp__heap_slot *s = mp__heap_self;
    if (__builtin_expect(s == NULL, 0)) {
        mp__heap_count_slow(n);
        return;
    }
    long long v = MP__HEAP_LOAD(s->live) + n;
    MP__HEAP_STORE(s->live, v);
    if (__builtin_expect(MP__HEAP_LOAD(mp__heap_peaking), 0) && n > 0)
        mp__heap_peak_note(s, v);
}

/*
 * The readers, for libmemprof (which finds them through weak references,
 * or dlsym when preloaded).  Safe from any thread at any time; lock-free.
 *
 * mp__heap_live() - the bytes asked of the malloc family and not freed,
 * as requested (not as the allocator rounded them).  Exact when no other
 * thread allocates, frees, starts or ends during the call; costs a few
 * loads per thread alive, whatever the number of threads that ended.
 *
 * mp__heap_peak_reset() - start a new peak at the current count, and from
 * now on track it on every allocation.
 *
 * mp__heap_peak() - the largest count since the last peak reset (the
 * current count if there was none).  Exact for a single thread; with
 * several, each thread sees its own count plus the others' as they were
 * at the reset, so peaks made of several threads' allocations at once
 * can be missed.
 */
MP__HEAP_API long long mp__heap_live(void);

/*
 * mp__heap_set_hooks() - MEMPROF_ALLOC: tell h of every block made and
 * freed from now on (see heap_hooks.h); once, never unset.
 */
MP__HEAP_API void mp__heap_set_hooks(const mp__heap_hooks *h);

/*
 * mp__heap_leaks_start() - MEMPROF_LEAKS: from now on, keep the call
 * stack of each block made (heap_hooks.h).  Returns 0, or -1 when stacks
 * cannot be kept here.  Idempotent.
 *
 * mp__heap_dump() - write the sites dump (heap_hooks.h) to fd.  Returns 0
 * or -1 with errno set.  Allocates nothing.
 */
MP__HEAP_API int mp__heap_leaks_start(void);
MP__HEAP_API int mp__heap_dump(int fd);

/*
 * mp__heap_quiet() - on this thread, blocks made from now on (on: 1) are
 * libmemprof's own, made through the C library (its report's stdio,
 * libdw): they get no stack and are in no site, until on: 0.  Nests.
 */
MP__HEAP_API void mp__heap_quiet(int on);
extern MP__HEAP_TLS int mp__heap_quiet_depth;

/* One call stack's counts, summed over threads (stacks.c, for dump.c). */
typedef struct mp__heap_site {
    unsigned long long made_bytes;
    unsigned long long made_blocks;
    long long live_bytes;
    long long live_blocks;
    unsigned nframes; /* 0: the blocks of no known stack */
    uintptr_t frames[MP__HEAP_FRAMES];
} mp__heap_site;

/* Non-zero once mp__heap_leaks_start() was called: blocks get stacks. */
extern int mp__heap_leaks;

/*
 * All slots, taken or not (count.c), for stacks.c: slot i, i below
 * mp__heap_slots_made(), or NULL if it is not mapped yet.
 */
MP__HEAP_FN unsigned mp__heap_slots_made(void);
MP__HEAP_FN mp__heap_slot *mp__heap_slot_at(unsigned i);

/*
 * mp__heap_visits() - for the tests: the words and slots a reading
 * visits now, which grows with the threads that hold a slot, not with
 * the number that ever did.
 */
MP__HEAP_FN unsigned mp__heap_visits(void);

/* mp__heap_sites_visit() - call fn on each site, then on the unknown. */
MP__HEAP_FN void
mp__heap_sites_visit(void (*fn)(const mp__heap_site *s, void *arg), void *arg);
MP__HEAP_API void mp__heap_peak_reset(void);
MP__HEAP_API long long mp__heap_peak(void);

#pragma GCC visibility pop

#endif /* MEMPROF_HEAP_H */
