/*
 * alloc.c - MEMPROF_ALLOC: which line asked for each heap block, for the
 * Allocated and Leaked columns.  The heap archive or preload object tells
 * of every block made and freed through its hooks (heap/heap.h), and
 * keeps a cookie of two words in each block for them.
 *
 * A block belongs to the line whose reading comes next in the frame that
 * was running when the block was made: the line that the Increment column
 * charges with the same bytes (for memprof cc's lines and MP_LINE's
 * statements, the line running then; for code between two MP_LINEs, the
 * next one).  Until that reading, the block is pending on its thread: its
 * cookie's first word says which thread (by number) and where in the
 * thread's list, and the list holds the cookie's address.  (The second
 * word is the heap object's: MEMPROF_LEAKS's call stack.)  The reading binds
 * the frame's pending blocks to its site (the cookie then holds the slot) and
 * adds them to its row: all of them to Allocated, those still there to Leaked.
 * Freeing a bound block takes it off Leaked, in the freeing thread's row;
 * freeing a pending one only takes it off the list.  A thread's list is its own
 * but for frees from other threads, which take its pend_lock, as the binding
 * does.
 *
 * Nothing here allocates: the lists grow in the arena.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

/*
 * A cookie's first word: 0 (no line), PENDING | thread number << 32 |
 * index, or a slot with the generation of the records it was bound in
 * (mp_reset() and fork start a new one: a block bound before is no line's
 * then).
 */
#define PENDING (1ULL << 63)
#define GEN_SHIFT 32
#define SLOT_MASK 0xffffffffULL
#define NO_SHIFT 32
#define INDEX_MASK 0x7fffffffU

/*
 * Thread records by number, in chunks that never move or go (records are
 * reused, never freed), so that a free on any thread finds a pending
 * block's owner without a lock.  Numbers start at 1.
 */
#define NO_CHUNK 1024u
#define NO_CHUNKS 1024u
static mp__thread **by_no[NO_CHUNKS];
static unsigned numbered;

int mp__alloc_on;

/*
 * NO_SAN - on what malloc and free call: under ThreadSanitizer and
 * AddressSanitizer they run in places where instrumented code crashes
 * (a thread's start, before the sanitizer knows it), as heap/'s own code
 * does (heap/heap.h).  They touch nothing there but their arguments and
 * this thread's record, and only once the thread has recorded.
 */
#if defined(__clang__)
#define NO_SAN __attribute__((disable_sanitizer_instrumentation))
#else
#define NO_SAN __attribute__((no_sanitize_address, no_sanitize_thread))
#endif

/* The records' generation, 1..2^31 - 1. */
static unsigned long long generation = 1;

NO_SAN static void lock(mp__thread *t)
{
    while (__atomic_exchange_n(&t->pend_lock, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&t->pend_lock, __ATOMIC_RELAXED))
            ;
}

NO_SAN static void unlock(mp__thread *t)
{
    __atomic_store_n(&t->pend_lock, 0, __ATOMIC_RELEASE);
}

/* mp__alloc_number() - see internal.h.  Records past 2^20 get none. */
void mp__alloc_number(mp__thread *t)
{
    unsigned no = numbered + 1;
    mp__thread **chunk;

    if (no / NO_CHUNK >= NO_CHUNKS)
        return;
    chunk = by_no[no / NO_CHUNK];
    if (chunk == NULL) {
        chunk = mp__arena_alloc(NO_CHUNK * sizeof *chunk);
        if (chunk == NULL)
            return;
        __atomic_store_n(&by_no[no / NO_CHUNK], chunk, __ATOMIC_RELEASE);
    }
    __atomic_store_n(&chunk[no % NO_CHUNK], t, __ATOMIC_RELEASE);
    numbered = no;
    t->no = no;
}

/* owner_of() - the thread record that pending cookie word w names. */
NO_SAN static mp__thread *owner_of(unsigned long long w)
{
    unsigned no = (unsigned)(w >> NO_SHIFT) & INDEX_MASK;
    mp__thread **chunk =
        __atomic_load_n(&by_no[no / NO_CHUNK], __ATOMIC_ACQUIRE);

    return __atomic_load_n(&chunk[no % NO_CHUNK], __ATOMIC_ACQUIRE);
}

/* grow() - twice the room for pending blocks.  Returns 0 or -1. */
static int grow(mp__thread *t)
{
    size_t cap = t->pcap;
    mp__pend *p = t->pend;
    int rc;

    /* The arena's lock, and the list's: frees elsewhere write in it. */
    mp__lock();
    lock(t);
    rc = mp__arena_grow(&p, &cap, cap > 0 ? cap * 2 : 256, sizeof *p);
    if (rc == 0) {
        t->pend = p;
        t->pcap = (unsigned)cap;
    }
    unlock(t);
    mp__unlock();
    return rc;
}

/*
 * gone() - the pending block at index i of t's list was freed: its entry
 * keeps its size (for Allocated) but no cookie.  On its own thread, the
 * last entry folds into a freed one before it, in the same frame: a loop
 * that makes and frees blocks keeps the list two entries long.
 */
NO_SAN static void gone(mp__thread *t, unsigned i, int own)
{
    t->pend[i].cookie = NULL;
    if (own && i + 1 == t->npend && i > t->mark &&
        t->pend[i - 1].cookie == NULL) {
        t->pend[i - 1].size += t->pend[i].size;
        __atomic_store_n(&t->npend, i, __ATOMIC_RELEASE);
    }
}

/*
 * compact() - make room in t's full list: in the innermost frame's part,
 * the entries of freed blocks become one (their sizes, for Allocated),
 * and the blocks still there move down (their cookies say where).  A line
 * that makes and frees many blocks then needs no more entries than it
 * keeps blocks.  Under t's lock: frees elsewhere read the cookies.
 */
NO_SAN static void compact(mp__thread *t)
{
    unsigned to = t->mark;
    size_t gone = 0;

    lock(t);
    for (unsigned i = t->mark; i < t->npend; i++) {
        mp__pend p = t->pend[i];

        if (p.cookie == NULL) {
            gone += p.size;
            continue;
        }
        t->pend[to] = p;
        __atomic_store_n(&p.cookie[0],
                         PENDING | (unsigned long long)t->no << NO_SHIFT | to,
                         __ATOMIC_RELEASE);
        to++;
    }
    if (gone > 0) {
        t->pend[to].cookie = NULL;
        t->pend[to].size = gone;
        to++;
    }
    __atomic_store_n(&t->npend, to, __ATOMIC_RELEASE);
    unlock(t);
}

/* made() - the hook: a block of n bytes was made on this thread. */
NO_SAN static void made(unsigned long long *cookie, size_t n)
{
    mp__thread *t = mp__self; /* none yet: no profiled frame either */
    unsigned i;

    cookie[0] = 0;
    /* Only in profiled functions: elsewhere no reading is sure to come. */
    if (t == NULL || t->depth == 0 || t->busy || t->no == 0)
        return;
    if (t->npend == t->pcap) {
        if (t->pcap > INDEX_MASK / 2)
            return;
        compact(t);
        /* Still full, or more than half: twice the room. */
        if ((t->npend == t->pcap || t->npend * 2 > t->pcap) && grow(t) != 0)
            return;
    }
    i = t->npend;
    t->pend[i].cookie = cookie;
    t->pend[i].size = n;
    cookie[0] = PENDING | (unsigned long long)t->no << NO_SHIFT | i;
    __atomic_store_n(&t->npend, i + 1, __ATOMIC_RELEASE);
}

/* freed() - the hook: the block of cookie, n bytes, is about to go. */
NO_SAN static void freed(unsigned long long *cookie, size_t n)
{
    unsigned long long w = __atomic_load_n(&cookie[0], __ATOMIC_ACQUIRE);
    mp__thread *t;
    mp__row *row;

    if (w == 0)
        return;
    if (w & PENDING) {
        mp__thread *owner = owner_of(w);
        int own = owner == mp__self;

        if (!own)
            lock(owner);
        w = __atomic_load_n(&cookie[0], __ATOMIC_ACQUIRE);
        if (w & PENDING)
            gone(owner, (unsigned)(w & INDEX_MASK), own);
        if (!own)
            unlock(owner);
        if (w & PENDING || w == 0)
            return;
    }
    /* Bound to a slot: no longer leaked, in this thread's row. */
    if (w >> GEN_SHIFT != __atomic_load_n(&generation, __ATOMIC_RELAXED))
        return;
    w &= SLOT_MASK;
    t = mp__thread_get();
    if (t == NULL || t->busy)
        return;
    row = mp__rows_find(&t->rows, (unsigned)w);
    /* Adding a row may move the rows a record under way on t holds. */
    if (row == NULL && (t->nested || mp__in_lib ||
                        (row = mp__thread_row_add(t, (unsigned)w)) == NULL))
        return;
    MP__STORE(row->leaked, MP__LOAD(row->leaked) - (int64_t)n);
}

static const mp__heap_hooks hooks = {made, freed};

/* mp__alloc_start() - see internal.h. */
void mp__alloc_start(void)
{
    if (!mp__config.alloc)
        return;
    if (mp__backend_cur != MP__BACKEND_HEAP) {
        mp__warn("MEMPROF_ALLOC=1 needs the heap backend "
                 "(MEMPROF_BACKEND=heap), not %s; no Allocated and Leaked "
                 "columns",
                 mp__backend_name());
        return;
    }
    if (mp__backend_heap_hooks(&hooks) != 0) {
        mp__warn("MEMPROF_ALLOC=1 needs a heap archive or preload object "
                 "that tells of each block; no Allocated and Leaked columns");
        return;
    }
    __atomic_store_n(&mp__alloc_on, 1, __ATOMIC_RELEASE);
}

/* mp__alloc_bind() - see internal.h. */
void mp__alloc_bind(mp__thread *t, unsigned slot, mp__row *row)
{
    unsigned from = t->mark;
    unsigned to = t->npend;
    int64_t asked = 0;
    int64_t kept = 0;
    unsigned long long bound =
        __atomic_load_n(&generation, __ATOMIC_RELAXED) << GEN_SHIFT | slot;

    if (to <= from)
        return;
    lock(t);
    for (unsigned i = from; i < to; i++) {
        mp__pend *p = &t->pend[i];

        asked += (int64_t)p->size;
        if (p->cookie != NULL) {
            __atomic_store_n(&p->cookie[0], bound, __ATOMIC_RELEASE);
            kept += (int64_t)p->size;
        }
    }
    t->npend = from;
    unlock(t);
    MP__STORE(row->alloc, MP__LOAD(row->alloc) + asked);
    MP__STORE(row->leaked, MP__LOAD(row->leaked) + kept);
}

/* mp__alloc_detach() - see internal.h. */
void mp__alloc_detach(mp__thread *t)
{
    lock(t);
    for (unsigned i = 0; i < t->npend; i++)
        if (t->pend[i].cookie != NULL)
            __atomic_store_n(&t->pend[i].cookie[0], 0, __ATOMIC_RELEASE);
    t->npend = 0;
    t->mark = 0;
    unlock(t);
}

/* mp__alloc_forget() - see internal.h.  The registry's lock is held. */
void mp__alloc_forget(void)
{
    unsigned long long g = __atomic_load_n(&generation, __ATOMIC_RELAXED);

    __atomic_store_n(&generation, g % 0x7fffffffULL + 1, __ATOMIC_RELAXED);
}
