/*
 * count.c - the per-thread slots of the heap count, and its readers.
 *
 * Runs inside malloc, so it may not call malloc: slots come from a static
 * pool, then from mmap; thread-local storage is initial-exec (allocated
 * with the thread, never lazily); nothing takes a lock.  Nor may it call
 * what a sanitizer intercepts before the sanitizer has started (malloc
 * runs during its start-up): no pthread_once, no mmap for the first
 * slots.
 *
 * Slots are numbered: the pool's first, then chunks of CHUNK mapped
 * slots, never freed.  A bitmap says which are taken, with two levels of
 * summary above it (a bit per non-zero word), so that a reader visits
 * the slots of the threads alive now and a few words, however many
 * threads lived before.  A thread's first count takes the lowest free
 * slot (a fetch-or on its bit) or numbers a new one; a pthread key's
 * destructor gives it back when the thread ends, after folding its count
 * into the shared remainder, so that a free slot always holds 0.
 * Whatever a thread counts after that, or when it could get no slot at
 * all, goes to the remainder with an atomic add.
 *
 * The fold stores 0 into the slot and then adds the count to the
 * remainder with release order; a reader loads the remainder with
 * acquire order and then the slots.  A reading during a fold may miss
 * the count (as it may miss any count being made), but never counts it
 * twice; once threads are quiet, the sum is exact.
 *
 * The pool and the remainder sit in one page-aligned area (heap.h), which
 * memprof run --heap's preload maps a shared file over (share.c); from
 * then on no slot is mapped outside it.
 */
#include <errno.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include "heap.h"

#define LOAD MP__HEAP_LOAD
#define STORE MP__HEAP_STORE

MP__HEAP_TLS mp__heap_slot *mp__heap_self;
int mp__heap_peaking;

/* Set on a thread once its slot has been given back: it is ending. */
static MP__HEAP_TLS int ended;

#define POOL MP__HEAP_POOL
#define pool (mp__heap_pool_area.pool)
#define rest (mp__heap_pool_area.head.rest)

/* Slots numbered after the pool's, in chunks of CHUNK, up to MAX. */
#define CHUNK 64u
#define MAX MP__HEAP_SLOTS_MAX
#define CHUNKS ((MAX - POOL + CHUNK - 1) / CHUNK)

mp__heap_area mp__heap_pool_area; /* the first slots, and the remainder */
int mp__heap_shared;

static unsigned made;                  /* slots numbered so far */
static mp__heap_slot *chunks[CHUNKS];  /* the mapped ones; never freed */
static uint64_t taken[MAX / 64];       /* bit i % 64 of word i / 64 */
static uint64_t taken_mid[MAX / 4096]; /* bit j of word k: taken[64k + j] */
static uint64_t taken_top;             /* bit k: taken_mid[k] */
static long long peak;                 /* the largest count since the reset */
static pthread_key_t key;
/* The key: 0 not made, 1 being made, 2 made, 3 could not be made. */
static int key_state;

#define BIT(i) ((uint64_t)1 << ((i) % 64))

/* slot_at() - slot i (< made), or NULL while its chunk is being mapped. */
MP__HEAP_FN static inline mp__heap_slot *slot_at(unsigned i)
{
    if (i < POOL)
        return &pool[i];
    mp__heap_slot *c =
        __atomic_load_n(&chunks[(i - POOL) / CHUNK], __ATOMIC_ACQUIRE);
    return c != NULL ? &c[(i - POOL) % CHUNK] : NULL;
}

/*
 * slot_make() - slot i, mapping its chunk if no thread has yet; NULL when
 * out of memory.
 */
MP__HEAP_FN static mp__heap_slot *slot_make(unsigned i)
{
    mp__heap_slot *s = slot_at(i);
    if (s != NULL)
        return s;
    mp__heap_slot **where = &chunks[(i - POOL) / CHUNK];
    mp__heap_slot *fresh =
        mmap(NULL, CHUNK * sizeof *fresh, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (fresh == MAP_FAILED)
        return NULL;
    mp__heap_slot *c = NULL;
    if (!__atomic_compare_exchange_n(where, &c, fresh, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        munmap(fresh, CHUNK * sizeof *fresh);
        fresh = c;
    }
    return &fresh[(i - POOL) % CHUNK];
}

/*
 * note() - make bit of *summary say whether *lower is non-zero, against
 * threads that set and clear bits of *lower at the same time: a thread
 * that sets a bit below sets the summary's after it (claim()), one that
 * clears looks at *lower again after clearing the summary's.  A bit left
 * set over a zero word costs a reader one load; a bit clear over a
 * non-zero word, which would hide a slot, cannot stay so.
 */
MP__HEAP_FN static void note(uint64_t *summary, uint64_t bit,
                             const uint64_t *lower)
{
    for (;;) {
        if (__atomic_load_n(lower, __ATOMIC_SEQ_CST) != 0) {
            __atomic_fetch_or(summary, bit, __ATOMIC_SEQ_CST);
            return;
        }
        __atomic_fetch_and(summary, ~bit, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(lower, __ATOMIC_SEQ_CST) == 0)
            return;
    }
}

/* claim() - mark slot i taken; 0 if another thread had it. */
MP__HEAP_FN static int claim(unsigned i)
{
    uint64_t was = __atomic_fetch_or(&taken[i / 64], BIT(i), __ATOMIC_SEQ_CST);
    if (was & BIT(i))
        return 0;
    __atomic_fetch_or(&taken_mid[i / 4096], BIT(i / 64), __ATOMIC_SEQ_CST);
    __atomic_fetch_or(&taken_top, BIT(i / 4096), __ATOMIC_SEQ_CST);
    return 1;
}

/* unclaim() - mark slot i free. */
MP__HEAP_FN static void unclaim(unsigned i)
{
    __atomic_fetch_and(&taken[i / 64], ~BIT(i), __ATOMIC_SEQ_CST);
    note(&taken_mid[i / 4096], BIT(i / 64), &taken[i / 64]);
    note(&taken_top, BIT(i / 4096), &taken_mid[i / 4096]);
}

/*
 * take() - the lowest free slot, now the caller's, numbering a new one
 * when none is free (only in the pool once the area is shared).  Returns
 * the slot, which holds 0, or NULL.
 */
MP__HEAP_FN static mp__heap_slot *take(void)
{
    unsigned limit = LOAD(mp__heap_shared) ? POOL : MAX;
    for (;;) {
        unsigned n = __atomic_load_n(&made, __ATOMIC_ACQUIRE);
        for (unsigned w = 0; w * 64 < n; w++) {
            uint64_t used = LOAD(taken[w]);
            while (~used != 0) {
                unsigned i = w * 64 + (unsigned)__builtin_ctzll(~used);
                if (i >= n)
                    break;
                if (claim(i)) {
                    mp__heap_slot *s = slot_make(i);
                    if (s == NULL) {
                        unclaim(i);
                        return NULL;
                    }
                    STORE(s->index, i);
                    return s;
                }
                used |= BIT(i);
            }
        }
        if (n >= limit)
            return NULL;
        __atomic_compare_exchange_n(&made, &n, n + 1, 0, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE);
    }
}

/*
 * give_back() - the key's destructor: the thread ends; its count goes to
 * the remainder (see the top of this file) and its slot to the next
 * thread that takes one.  What the thread counts from here on, even in a
 * signal handler that interrupts this, goes to the remainder.
 */
MP__HEAP_FN static void give_back(void *arg)
{
    mp__heap_slot *s = arg;
    ended = 1;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    mp__heap_self = NULL;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    long long v = LOAD(s->live);
    STORE(s->live, 0);
    __atomic_add_fetch(&rest, v, __ATOMIC_RELEASE);
    unclaim(LOAD(s->index));
}

/*
 * key_ready() - whether the key exists, making it on the first call.  A
 * thread that finds it being made by another goes on without it (its
 * slot is not given back when it ends: it stays taken, its count in it).
 */
MP__HEAP_FN static int key_ready(void)
{
    int state = __atomic_load_n(&key_state, __ATOMIC_ACQUIRE);
    if (state == 0 &&
        __atomic_compare_exchange_n(&key_state, &state, 1, 0, __ATOMIC_ACQUIRE,
                                    __ATOMIC_ACQUIRE)) {
        state = pthread_key_create(&key, give_back) == 0 ? 2 : 3;
        __atomic_store_n(&key_state, state, __ATOMIC_RELEASE);
    }
    return state == 2;
}

/* mp__heap_pool_only() - see heap.h. */
MP__HEAP_FN int mp__heap_pool_only(void)
{
    return LOAD(made) <= POOL;
}

/*
 * each_taken() - call fn on every slot taken now, through the summary
 * bits; *visits (if not NULL) counts the words and slots it read.
 */
__attribute__((always_inline)) MP__HEAP_FN static inline void
each_taken(void (*fn)(mp__heap_slot *s, void *arg), void *arg, unsigned *visits)
{
    for (uint64_t top = LOAD(taken_top); top != 0; top &= top - 1) {
        unsigned k = (unsigned)__builtin_ctzll(top);
        for (uint64_t mid = LOAD(taken_mid[k]); mid != 0; mid &= mid - 1) {
            unsigned w = k * 64 + (unsigned)__builtin_ctzll(mid);
            uint64_t bits = LOAD(taken[w]);
            if (visits != NULL)
                *visits += 1;
            for (; bits != 0; bits &= bits - 1) {
                mp__heap_slot *s =
                    slot_at(w * 64 + (unsigned)__builtin_ctzll(bits));
                if (visits != NULL)
                    *visits += 1;
                if (s != NULL)
                    fn(s, arg);
            }
        }
        if (visits != NULL)
            *visits += 1;
    }
}

/* add_live() - each_taken()'s callback for a reading: s's count. */
__attribute__((always_inline)) MP__HEAP_FN static inline void
add_live(mp__heap_slot *s, void *arg)
{
    *(long long *)arg += LOAD(s->live);
}

/*
 * mp__heap_count_slow() - see heap.h.  A slot taken starts with the
 * others' sum as its base, as a peak reset would have given it (a reset
 * may be under way).  The slot is this thread's before the key is set,
 * so that an allocation made by pthread_setspecific() counts on it.
 * Keeps errno: the malloc that counts has succeeded.
 */
MP__HEAP_FN void mp__heap_count_slow(long long n)
{
    int saved_errno = errno;
    mp__heap_slot *s = ended ? NULL : take();
    if (s == NULL) {
        __atomic_add_fetch(&rest, n, __ATOMIC_RELAXED);
        if (LOAD(mp__heap_peaking) && n > 0)
            mp__heap_peak_note(NULL, mp__heap_live());
    } else {
        STORE(s->base, mp__heap_live() - LOAD(s->live));
        mp__heap_self = s;
        if (key_ready())
            pthread_setspecific(key, s);
        mp__heap_count(n);
    }
    errno = saved_errno;
}

/*
 * mp__heap_peak_note() - see heap.h.  v is slot s's count (s NULL: v is
 * the whole count).
 */
MP__HEAP_FN void mp__heap_peak_note(mp__heap_slot *s, long long v)
{
    long long seen = s != NULL ? v + LOAD(s->base) : v;
    long long p = LOAD(peak);
    while (seen > p &&
           !__atomic_compare_exchange_n(&peak, &p, seen, 1, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED))
        ;
}

/*
 * mp__heap_live() - see heap.h: the remainder, then the taken slots (the
 * order the fold needs, see the top of this file).
 */
MP__HEAP_API long long mp__heap_live(void)
{
    long long sum = __atomic_load_n(&rest, __ATOMIC_ACQUIRE);
    each_taken(add_live, &sum, NULL);
    return sum;
}

/* mp__heap_visits() - see heap.h. */
MP__HEAP_FN unsigned mp__heap_visits(void)
{
    long long sum = 0;
    unsigned visits = 0;
    each_taken(add_live, &sum, &visits);
    return visits;
}

/* set_base() - each_taken()'s callback for a reset: s's base. */
MP__HEAP_FN static void set_base(mp__heap_slot *s, void *arg)
{
    STORE(s->base, *(const long long *)arg - LOAD(s->live));
}

/*
 * mp__heap_peak_reset() - see heap.h.  Each taken slot's base is the
 * count of all the others now, so that its owner sees the whole count as
 * its own plus its base; a slot taken later gets its base then.
 */
MP__HEAP_API void mp__heap_peak_reset(void)
{
    long long total = mp__heap_live();
    each_taken(set_base, &total, NULL);
    STORE(peak, total);
    STORE(mp__heap_peaking, 1);
}

/* mp__heap_peak() - see heap.h. */
MP__HEAP_API long long mp__heap_peak(void)
{
    long long now = mp__heap_live();
    if (!LOAD(mp__heap_peaking))
        return now;
    long long p = LOAD(peak);
    return p > now ? p : now;
}

/* mp__heap_slots_made() - see heap.h. */
MP__HEAP_FN unsigned mp__heap_slots_made(void)
{
    return __atomic_load_n(&made, __ATOMIC_ACQUIRE);
}

/* mp__heap_slot_at() - see heap.h. */
MP__HEAP_FN mp__heap_slot *mp__heap_slot_at(unsigned i)
{
    return slot_at(i);
}
