/*
 * stacks.c - MEMPROF_LEAKS: the call stack of each block made, and each
 * stack's counts.
 *
 * A stack is up to MP__HEAP_FRAMES return addresses, from the one into
 * the function that called malloc outwards.  Stacks are kept as a tree
 * (a trie) of nodes, each one frame: the root's children are the return
 * addresses of malloc's callers, a node's children the return addresses
 * found one frame further out.  A block's cookie holds the node where its
 * stack ends, and each thread's heap slot holds counts per node.
 *
 * Finding the node costs a few loads on the way the program has been
 * before.  On x86-64 the return address of a frame lies just below its
 * canonical frame address (CFA, as DWARF calls it), and a frame's CFA is
 * the one inside it plus the frame's size, which depends only on where in
 * its function the call is made, that is, on the return address.  So each
 * node keeps that size (delta) as the unwinder found it the first time:
 * from malloc's own CFA, the walk reads the first return address, finds
 * its node, adds the node's delta, reads the next, and so on, one hash
 * lookup per frame and no unwinding.  A return address the tree does not
 * know, on the first walk of a thread or through a frame whose size
 * varies (alloca, a signal frame), takes the slow way: the C runtime's
 * unwinder (_Unwind_Backtrace, reading the DWARF call frame information,
 * a few microseconds), which adds what it found to the tree.  A node whose
 * delta the unwinder finds different another time is marked VARIABLE, and
 * walks through it always take the slow way.  Reads never go above the
 * outermost frame the unwinder has seen on the thread.
 *
 * Runs inside malloc: nothing here calls malloc (the tree and the counts
 * are mapped with mmap), and a malloc made while this thread is finding a
 * stack (by the unwinder, or a signal handler) gets no stack: it is
 * counted as UNKNOWN.  Lookups take no lock; adding to the tree takes a
 * spin lock, which only new stacks need.  Counts are kept per thread slot
 * with plain loads and stores, as the heap count is (heap.h), and summed
 * when dumped.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unwind.h>

#include "heap.h"
#include "stacks.h"

#define LOAD MP__HEAP_LOAD
#define STORE MP__HEAP_STORE

/* Node ids: 0 none (the root's id as a parent); FIRST the first real one. */
#define FIRST 2u

/* Nodes live in chunks that never move, found by id. */
#define CHUNKS MP__HEAP_CHUNKS
#define CHUNK MP__HEAP_CHUNK
#define CHUNK_BITS MP__HEAP_CHUNK_BITS
#define MAX_NODES (CHUNK * CHUNKS)

#define END 1u      /* the unwinder found no frame further out */
#define VARIABLE 2u /* the frame's size was seen to vary */

typedef struct node {
    uintptr_t ret;   /* the return address this frame was called from */
    uint32_t parent; /* the node one frame further in, or 0 */
    int32_t delta;   /* this frame's CFA less the CFA of the one inside */
    uint32_t flags;
    uint32_t depth; /* 1 for the root's children */
} node;

/* The hash index of the nodes: open addressing on (parent, ret). */
typedef struct table {
    uint32_t mask;
    uint32_t ids[];
} table;

int mp__heap_leaks;

static node *nodes[CHUNKS];
static uint32_t nnodes = FIRST; /* ids given so far, counting 0 and 1 */
static table *idx;              /* the current table; old ones stay */
static int lock_word;

struct mp__heap_counts *mp__heap_rest_counts;
uint32_t mp__heap_epoch;
MP__HEAP_TLS uintptr_t mp__heap_stack_top;
MP__HEAP_TLS int mp__heap_finding;

#define stack_top mp__heap_stack_top
#define rest_counts mp__heap_rest_counts

/* map() - n zeroed bytes of their own pages, or NULL. */
MP__HEAP_FN static void *map(size_t n)
{
    int saved = errno;
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    errno = saved;
    return p == MAP_FAILED ? NULL : p;
}

MP__HEAP_FN static void lock(void)
{
    while (__atomic_exchange_n(&lock_word, 1, __ATOMIC_ACQUIRE))
        while (LOAD(lock_word))
            ;
}

MP__HEAP_FN static void unlock(void)
{
    __atomic_store_n(&lock_word, 0, __ATOMIC_RELEASE);
}

/* fork_child() - the child has one thread: nobody holds the lock. */
MP__HEAP_FN static void fork_child(void)
{
    lock_word = 0;
}

/* node_at() - the node of id (< nnodes). */
MP__HEAP_FN static inline node *node_at(uint32_t id)
{
    node *chunk = __atomic_load_n(&nodes[id >> CHUNK_BITS], __ATOMIC_ACQUIRE);
    return &chunk[id & (CHUNK - 1)];
}

MP__HEAP_FN static inline uint32_t hash(uint32_t parent, uintptr_t ret)
{
    uint64_t h =
        ((uint64_t)ret ^ (uint64_t)parent << 47) * 0x9e3779b97f4a7c15ULL;
    return (uint32_t)(h >> 32);
}

/* find() - the node for ret under parent, or 0. */
MP__HEAP_FN static inline uint32_t find(uint32_t parent, uintptr_t ret)
{
    const table *x = __atomic_load_n(&idx, __ATOMIC_ACQUIRE);
    if (x == NULL)
        return 0;
    for (uint32_t i = hash(parent, ret) & x->mask;; i = (i + 1) & x->mask) {
        uint32_t id = __atomic_load_n(&x->ids[i], __ATOMIC_ACQUIRE);
        if (id == 0)
            return 0;
        const node *n = node_at(id);
        if (n->ret == ret && n->parent == parent)
            return id;
    }
}

/* put() - id into table x, which has room.  Lock held. */
MP__HEAP_FN static void put(table *x, uint32_t id)
{
    const node *n = node_at(id);
    uint32_t i = hash(n->parent, n->ret) & x->mask;
    while (x->ids[i] != 0)
        i = (i + 1) & x->mask;
    __atomic_store_n(&x->ids[i], id, __ATOMIC_RELEASE);
}

/*
 * room() - a table with room for one more node, at most half full: a
 * new one twice the size when needed, holding every node (readers of the
 * old one may miss the newest nodes, and take the slow way).  The old one
 * is not unmapped: a reader may be in it.  Lock held.  Returns 0 or -1.
 */
MP__HEAP_FN static int room(void)
{
    table *x = idx;
    uint32_t cap = x != NULL ? x->mask + 1 : 0;
    if (x != NULL && (nnodes + 1) * 2 <= cap)
        return 0;
    cap = cap != 0 ? cap * 2 : 4096;
    table *y = map(sizeof *y + cap * sizeof y->ids[0]);
    if (y == NULL)
        return -1;
    y->mask = cap - 1;
    for (uint32_t id = FIRST; id < nnodes; id++)
        put(y, id);
    __atomic_store_n(&idx, y, __ATOMIC_RELEASE);
    return 0;
}

/* add() - a new node.  Lock held; 0 if full. */
MP__HEAP_FN static uint32_t add(uint32_t parent, uintptr_t ret, long delta,
                                uint32_t depth, uint32_t flags)
{
    uint32_t id = nnodes;
    if (id >= MAX_NODES || room() != 0)
        return 0;
    node *chunk = nodes[id >> CHUNK_BITS];
    if (chunk == NULL) {
        chunk = map(CHUNK * sizeof *chunk);
        if (chunk == NULL)
            return 0;
        __atomic_store_n(&nodes[id >> CHUNK_BITS], chunk, __ATOMIC_RELEASE);
    }
    node *n = &chunk[id & (CHUNK - 1)];
    n->ret = ret;
    n->parent = parent;
    n->delta = (int32_t)delta;
    n->depth = depth;
    n->flags = flags;
    __atomic_store_n(&nnodes, id + 1, __ATOMIC_RELEASE);
    put(idx, id);
    return id;
}

/*
 * What the unwinder found: the frames from malloc's caller out, each with
 * its return address and the CFA of the frame it called (what
 * _Unwind_GetCFA gives for it: its stack pointer at the call), and one
 * more CFA for the last frame's own.
 */
typedef struct unwound {
    uintptr_t cfa0; /* malloc's CFA: its caller's frame is the first */
    unsigned n;     /* frames seen, up to MP__HEAP_FRAMES + 1 */
    int cut;        /* there were more frames than kept */
    uintptr_t ret[MP__HEAP_FRAMES + 1];
    uintptr_t cfa[MP__HEAP_FRAMES + 1];
    uintptr_t top; /* the highest CFA seen */
} unwound;

/* step() - _Unwind_Backtrace's callback: one frame. */
MP__HEAP_FN static _Unwind_Reason_Code step(struct _Unwind_Context *ctx,
                                            void *arg)
{
    unwound *u = arg;
    uintptr_t cfa = (uintptr_t)_Unwind_GetCFA(ctx);
    uintptr_t ip = (uintptr_t)_Unwind_GetIP(ctx);
    if (ip == 0) /* past the outermost frame (_start, a thread's start) */
        return _URC_END_OF_STACK;
    if (cfa > u->top)
        u->top = cfa;
    if (u->n == 0 && cfa != u->cfa0)
        return _URC_NO_REASON; /* the unwinder's, ours, malloc's */
    if (u->n < MP__HEAP_FRAMES + 1) {
        u->ret[u->n] = ip;
        u->cfa[u->n] = cfa;
        u->n++;
        return _URC_NO_REASON;
    }
    /* Enough frames; go on to the outermost once per thread. */
    u->cut = 1;
    return stack_top != 0 ? _URC_END_OF_STACK : _URC_NO_REASON;
}

/*
 * slow() - the node of the stack out of the frame whose CFA is cfa0, by
 * the unwinder, adding what the tree lacks.  UNKNOWN if it cannot.
 */
__attribute__((noinline)) MP__HEAP_FN static uint32_t slow(uintptr_t cfa0)
{
    unwound u;
    u.cfa0 = cfa0;
    u.n = 0;
    u.cut = 0;
    u.top = 0;
    _Unwind_Backtrace(step, &u);
    if (u.n == 0)
        return MP__HEAP_UNKNOWN;
    if (!u.cut || u.top > stack_top)
        stack_top = u.top;

    unsigned k = u.n < MP__HEAP_FRAMES ? u.n : MP__HEAP_FRAMES;
    uint32_t parent = 0;
    lock();
    for (unsigned i = 0; i < k; i++) {
        /* The frame's size, if the unwinder went one frame further. */
        int last = i + 1 == u.n;
        long delta = last ? 0 : (long)(u.cfa[i + 1] - u.cfa[i]);
        uint32_t flags = last ? END : 0;
        if (!last && (delta != (int32_t)delta || delta <= 0))
            flags |= VARIABLE;
        uint32_t id = find(parent, u.ret[i]);
        if (id == 0) {
            id = add(parent, u.ret[i], delta, i + 1, flags);
            if (id == 0) {
                parent = MP__HEAP_UNKNOWN;
                break;
            }
        } else {
            node *n = node_at(id);
            if (!(n->flags & VARIABLE) && ((n->flags & END) != (flags & END) ||
                                           (!last && n->delta != delta))) {
                __atomic_or_fetch(&n->flags, VARIABLE, __ATOMIC_RELAXED);
                /* Recent stacks found through it may be wrong now. */
                __atomic_add_fetch(&mp__heap_epoch, 1, __ATOMIC_RELEASE);
            }
        }
        parent = id;
    }
    unlock();
    return parent;
}

/*
 * walk() - the node of the stack out of the allocation function whose CFA
 * is cfa0, through the tree; on the way, fill r with where it read
 * what.  Returns 0 when the tree cannot tell (the slow way).
 */
MP__HEAP_FN static inline uint32_t walk(uintptr_t cfa0, mp__heap_recent *r)
{
#if defined(__x86_64__)
    uintptr_t cfa = cfa0;
    uintptr_t top = stack_top;
    uint32_t parent = 0;
    for (unsigned depth = 1;; depth++) {
        uintptr_t ret = *(const uintptr_t *)(cfa - sizeof(uintptr_t));
        uint32_t n = find(parent, ret);
        if (n == 0)
            return 0;
        r->off[depth - 1] = (int32_t)(cfa - cfa0);
        r->ret[depth - 1] = ret;
        const node *nd = node_at(n);
        uint32_t flags = LOAD(nd->flags);
        if (depth == MP__HEAP_FRAMES || (flags & (END | VARIABLE)) == END) {
            r->depth = depth;
            return n;
        }
        if (flags & VARIABLE)
            return 0;
        cfa += (uintptr_t)(intptr_t)nd->delta;
        if (cfa > top || cfa - cfa0 > INT32_MAX)
            return 0;
        parent = n;
    }
#else
    (void)cfa0;
    (void)r;
    return 0;
#endif
}

/* counts_of() - the counts of s (NULL: the shared rest), made if need be. */
MP__HEAP_FN static struct mp__heap_counts *counts_of(mp__heap_slot *s)
{
    struct mp__heap_counts **where = s != NULL ? &s->counts : &rest_counts;
    struct mp__heap_counts *c = __atomic_load_n(where, __ATOMIC_ACQUIRE);
    if (c == NULL) {
        struct mp__heap_counts *fresh = map(sizeof *c);
        if (fresh == NULL)
            return NULL;
        if (!__atomic_compare_exchange_n(where, &c, fresh, 0, __ATOMIC_ACQ_REL,
                                         __ATOMIC_ACQUIRE))
            munmap(fresh, sizeof *c);
        else
            c = fresh;
    }
    return c;
}

/* mp__heap_counts_make() - see stacks.h. */
MP__HEAP_FN mp__heap_node_counts *mp__heap_counts_make(mp__heap_slot *s,
                                                       uint32_t id)
{
    struct mp__heap_counts *c = counts_of(s);
    if (c == NULL)
        return NULL;
    mp__heap_node_counts **cw = &c->chunk[id >> CHUNK_BITS];
    mp__heap_node_counts *chunk = __atomic_load_n(cw, __ATOMIC_ACQUIRE);
    if (chunk == NULL) {
        mp__heap_node_counts *fresh = map(CHUNK * sizeof *chunk);
        if (fresh == NULL)
            return NULL;
        if (!__atomic_compare_exchange_n(cw, &chunk, fresh, 0, __ATOMIC_ACQ_REL,
                                         __ATOMIC_ACQUIRE))
            munmap(fresh, CHUNK * sizeof *chunk);
        else
            chunk = fresh;
    }
    return &chunk[id & (CHUNK - 1)];
}

/* mp__heap_stack_made_slow() - see stacks.h. */
MP__HEAP_FN uint32_t mp__heap_stack_made_slow(const void *cfa, size_t n)
{
    mp__heap_slot *s = mp__heap_self;
    uintptr_t cfa0 = (uintptr_t)cfa;
    uint32_t id = MP__HEAP_UNKNOWN;
    mp__heap_recent *r = NULL;
    mp__heap_recent fresh;

    if (!mp__heap_finding) {
        mp__heap_finding = 1;
        struct mp__heap_counts *c = s != NULL ? counts_of(s) : NULL;
#if defined(__x86_64__)
        uintptr_t ret0 = *(const uintptr_t *)(cfa0 - sizeof(uintptr_t));
        if (c != NULL)
            r = mp__heap_recent_of(c, cfa0, ret0);
#endif
        uint32_t epoch = __atomic_load_n(&mp__heap_epoch, __ATOMIC_ACQUIRE);
        /* Walked into a copy: a walk cut short leaves the entry as it was. */
        id = walk(cfa0, &fresh);
        if (id == 0) {
            id = slow(cfa0);
            r = NULL;
        }
        mp__heap_finding = 0;
        if (r != NULL && (fresh.c = mp__heap_counts_at(s, id)) != NULL) {
            fresh.cfa0 = cfa0;
            fresh.ret0 = fresh.ret[0];
            fresh.id = id;
            fresh.epoch = epoch;
            *r = fresh;
        }
    }
    mp__heap_node_counts *k = mp__heap_counts_at(s, id);
    if (k != NULL)
        mp__heap_tally(s, k, (long long)n, (long long)n, 1);
    return id;
}

MP__HEAP_TLS int mp__heap_quiet_depth;

/* mp__heap_quiet() - see heap.h. */
MP__HEAP_API void mp__heap_quiet(int on)
{
    mp__heap_quiet_depth += on ? 1 : -1;
}

/* mp__heap_leaks_start() - see heap.h. */
MP__HEAP_API int mp__heap_leaks_start(void)
{
    static int registered;
    if (!__atomic_exchange_n(&registered, 1, __ATOMIC_ACQ_REL) &&
        pthread_atfork(NULL, NULL, fork_child) != 0) {
        __atomic_store_n(&registered, 0, __ATOMIC_RELEASE);
        return -1;
    }
    __atomic_store_n(&mp__heap_leaks, 1, __ATOMIC_RELEASE);
    return 0;
}

/* add_counts() - one slot's counts of id into a site. */
MP__HEAP_FN static void add_counts(mp__heap_site *site,
                                   const struct mp__heap_counts *c, uint32_t id)
{
    if (c == NULL)
        return;
    const mp__heap_node_counts *chunk =
        __atomic_load_n(&c->chunk[id >> CHUNK_BITS], __ATOMIC_ACQUIRE);
    if (chunk == NULL)
        return;
    const mp__heap_node_counts *k = &chunk[id & (CHUNK - 1)];
    site->made_bytes += (unsigned long long)LOAD(k->made_bytes);
    site->made_blocks += (unsigned long long)LOAD(k->made_blocks);
    site->live_bytes += LOAD(k->live_bytes);
    site->live_blocks += LOAD(k->live_blocks);
}

/*
 * mp__heap_sites_visit() - see heap.h.  Sums every slot ever made, taken
 * or not: the counts of a thread that ended stay in its slot (only its
 * heap count is folded into the remainder).
 */
MP__HEAP_FN void
mp__heap_sites_visit(void (*fn)(const mp__heap_site *s, void *arg), void *arg)
{
    uint32_t n = __atomic_load_n(&nnodes, __ATOMIC_ACQUIRE);
    mp__heap_site site;

    for (uint32_t id = FIRST; id <= n; id++) {
        /* The unknown stack last. */
        uint32_t at = id < n ? id : MP__HEAP_UNKNOWN;
        memset(&site, 0, sizeof site);
        unsigned made = mp__heap_slots_made();
        for (unsigned i = 0; i < made; i++) {
            const mp__heap_slot *s = mp__heap_slot_at(i);
            if (s != NULL)
                add_counts(&site, __atomic_load_n(&s->counts, __ATOMIC_ACQUIRE),
                           at);
        }
        add_counts(&site, __atomic_load_n(&rest_counts, __ATOMIC_ACQUIRE), at);
        if (site.made_blocks == 0 && site.live_blocks == 0)
            continue;
        if (at != MP__HEAP_UNKNOWN) {
            const node *nd = node_at(at);
            site.nframes = nd->depth;
            for (uint32_t k = at; k != 0; k = node_at(k)->parent)
                site.frames[node_at(k)->depth - 1] = node_at(k)->ret;
        }
        fn(&site, arg);
    }
}
