/*
 * stacks.h - MEMPROF_LEAKS's way through malloc and free, inline: the
 * call stack of a block from the slot's recent stacks, and its counts
 * (stacks.c has the rest and says how it works).  Not installed.
 */
#ifndef MEMPROF_STACKS_H
#define MEMPROF_STACKS_H

#include <stdint.h>

#include "heap.h"

#pragma GCC visibility push(hidden)

/* The node of blocks without a stack (none could be found). */
#define MP__HEAP_UNKNOWN 1u

/* Nodes, and their counts, are in chunks found by id. */
#define MP__HEAP_CHUNK_BITS 12
#define MP__HEAP_CHUNK (1u << MP__HEAP_CHUNK_BITS)
#define MP__HEAP_CHUNKS 1024u

/* One node's counts in one slot: owner-written, summed when dumped. */
typedef struct mp__heap_node_counts {
    long long made_bytes;
    long long made_blocks;
    long long live_bytes;
    long long live_blocks;
} mp__heap_node_counts;

/*
 * A stack a slot's thread found lately: where the walk from malloc's CFA
 * went (each frame's CFA less cfa0) and what it read there.  The same
 * return addresses at the same places are the same walk, so they give
 * the same node without one lookup.
 */
typedef struct mp__heap_recent {
    uintptr_t cfa0;
    uintptr_t ret0;
    uint32_t id;
    uint32_t depth;
    uint32_t epoch;               /* mp__heap_epoch when found */
    int32_t off[MP__HEAP_FRAMES]; /* off[0] is 0 */
    uintptr_t ret[MP__HEAP_FRAMES];
    mp__heap_node_counts *c; /* the slot's counts of id */
} mp__heap_recent;

#define MP__HEAP_RECENT 64

/* A slot's counts (mp__heap_slot.counts), mapped on its first block. */
struct mp__heap_counts {
    mp__heap_node_counts *chunk[MP__HEAP_CHUNKS];
    mp__heap_recent recent[MP__HEAP_RECENT]; /* by (cfa0, ret0) */
};

/* The counts of threads without a slot (ending), added atomically. */
extern struct mp__heap_counts *mp__heap_rest_counts;
/*
 * Incremented when a frame's size is first seen to vary: the recent
 * stacks found before may have gone through it, and are forgotten.
 */
extern uint32_t mp__heap_epoch;
/* The highest CFA the unwinder has seen on this thread, or 0. */
extern MP__HEAP_TLS uintptr_t mp__heap_stack_top;
/* Set while this thread finds a stack: a malloc then gets none. */
extern MP__HEAP_TLS int mp__heap_finding;

/*
 * mp__heap_stack_made_slow() - mp__heap_stack_made() when the slot's
 * recent stacks do not have the one out of cfa: a walk of the tree, or the
 * unwinder; the stack goes into the recent ones.
 *
 * mp__heap_counts_make() - the counts of node id in slot s (NULL: the
 * shared rest), mapping what they need; NULL when out of memory.
 */
MP__HEAP_FN uint32_t mp__heap_stack_made_slow(const void *cfa, size_t n);
MP__HEAP_FN mp__heap_node_counts *mp__heap_counts_make(mp__heap_slot *s,
                                                       uint32_t id);

/* mp__heap_counts_at() - the counts of id in s (NULL: the rest), or NULL. */
MP__HEAP_FN static inline mp__heap_node_counts *
mp__heap_counts_at(mp__heap_slot *s, uint32_t id)
{
    struct mp__heap_counts *c = __atomic_load_n(
        s != NULL ? &s->counts : &mp__heap_rest_counts, __ATOMIC_ACQUIRE);
    if (__builtin_expect(c != NULL, 1)) {
        mp__heap_node_counts *chunk = __atomic_load_n(
            &c->chunk[id >> MP__HEAP_CHUNK_BITS], __ATOMIC_ACQUIRE);
        if (__builtin_expect(chunk != NULL, 1))
            return &chunk[id & (MP__HEAP_CHUNK - 1)];
    }
    return mp__heap_counts_make(s, id);
}

/*
 * mp__heap_tally() - add to the counts k of slot s, this thread's (NULL:
 * the rest, atomically).  made: bytes made now (0 for a free).
 */
MP__HEAP_FN static inline void mp__heap_tally(mp__heap_slot *s,
                                              mp__heap_node_counts *k,
                                              long long made, long long bytes,
                                              long long blocks)
{
    if (__builtin_expect(s == NULL, 0)) {
        __atomic_add_fetch(&k->made_bytes, made, __ATOMIC_RELAXED);
        __atomic_add_fetch(&k->made_blocks, made != 0, __ATOMIC_RELAXED);
        __atomic_add_fetch(&k->live_bytes, bytes, __ATOMIC_RELAXED);
        __atomic_add_fetch(&k->live_blocks, blocks, __ATOMIC_RELAXED);
        return;
    }
    if (made != 0) {
        MP__HEAP_STORE(k->made_bytes, MP__HEAP_LOAD(k->made_bytes) + made);
        MP__HEAP_STORE(k->made_blocks, MP__HEAP_LOAD(k->made_blocks) + 1);
    }
    MP__HEAP_STORE(k->live_bytes, MP__HEAP_LOAD(k->live_bytes) + bytes);
    MP__HEAP_STORE(k->live_blocks, MP__HEAP_LOAD(k->live_blocks) + blocks);
}

/* mp__heap_recent_of() - the entry of c's recent stacks for (cfa0, ret0). */
MP__HEAP_FN static inline mp__heap_recent *
mp__heap_recent_of(struct mp__heap_counts *c, uintptr_t cfa0, uintptr_t ret0)
{
    uint64_t h = (uint64_t)(ret0 ^ cfa0 >> 4) * 0x9e3779b97f4a7c15ULL;
    return &c->recent[h >> 58];
}

/*
 * mp__heap_stack_made() - MEMPROF_LEAKS: a block of n bytes is made by
 * the allocation function whose canonical frame address is cfa: find its
 * stack and count the block there.  Returns the stack's node, for the
 * block's cookie.
 */
MP__HEAP_FN static inline uint32_t mp__heap_stack_made(const void *cfa,
                                                       size_t n)
{
#if defined(__x86_64__)
    mp__heap_slot *s = mp__heap_self;
    struct mp__heap_counts *c;
    if (__builtin_expect(s != NULL && !mp__heap_finding, 1) &&
        (c = __atomic_load_n(&s->counts, __ATOMIC_ACQUIRE)) != NULL) {
        uintptr_t cfa0 = (uintptr_t)cfa;
        uintptr_t ret0 = *(const uintptr_t *)(cfa0 - sizeof(uintptr_t));
        const mp__heap_recent *r = mp__heap_recent_of(c, cfa0, ret0);
        if (r->cfa0 == cfa0 && r->ret0 == ret0 &&
            r->epoch == MP__HEAP_LOAD(mp__heap_epoch) &&
            cfa0 + (uintptr_t)(intptr_t)r->off[r->depth - 1] <=
                mp__heap_stack_top) {
            uint32_t i = 1;
            while (i < r->depth &&
                   *(const uintptr_t *)(cfa0 + (uintptr_t)(intptr_t)r->off[i] -
                                        sizeof(uintptr_t)) == r->ret[i])
                i++;
            if (i == r->depth) {
                mp__heap_tally(s, r->c, (long long)n, (long long)n, 1);
                return r->id;
            }
        }
    }
#endif
    return mp__heap_stack_made_slow(cfa, n);
}

/* mp__heap_stack_freed() - the block of n bytes made at node id goes. */
MP__HEAP_FN static inline void mp__heap_stack_freed(uint32_t id, size_t n)
{
    if (id == 0)
        return;
    mp__heap_slot *s = mp__heap_self;
    mp__heap_node_counts *k = mp__heap_counts_at(s, id);
    if (k != NULL)
        mp__heap_tally(s, k, 0, -(long long)n, -1);
}

#pragma GCC visibility pop

#endif /* MEMPROF_STACKS_H */
