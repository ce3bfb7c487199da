/*
 * count.c - the per-thread slots of the heap count, and its readers.
 *
 * Runs inside malloc, so it may not call malloc: slots come from a static
 * pool, then from mmap; thread-local storage is initial-exec (allocated
 * with the thread, never lazily); nothing takes a lock.  Nor may it call
 * what a sanitizer intercepts before the sanitizer has started (malloc
 * runs during its start-up): no pthread_once, no mmap for the first
 * slots.  A thread's first count takes a free slot from the list of all
 * slots (a compare-and-swap on its taken flag) or pushes new slots onto
 * it; a pthread key's destructor gives the slot back when the thread
 * ends.  Whatever a thread counts after that, or when it could get no
 * slot at all, goes to a shared atomic remainder.
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

mp__heap_area mp__heap_pool_area; /* the first slots, and the remainder */
int mp__heap_shared;

static mp__heap_slot *slots; /* all slots, newest first; never freed */
static unsigned pooled;      /* slots of pool handed out */
static long long peak;       /* the largest count since the last reset */
static pthread_key_t key;
/* The key: 0 not made, 1 being made, 2 made, 3 could not be made. */
static int key_state;

/*
 * give_back() - the key's destructor: the thread ends, its slot (and the
 * count in it) goes to the next thread that takes one.  The release store
 * hands the slot's last count over to that thread.
 */
MP__HEAP_FN static void give_back(void *arg)
{
    mp__heap_slot *s = arg;
    mp__heap_self = NULL;
    ended = 1;
    __atomic_store_n(&s->taken, 0, __ATOMIC_RELEASE);
}

/*
 * key_ready() - whether the key exists, making it on the first call.  A
 * thread that finds it being made by another goes on without it (its
 * slot is not given back when it ends, which costs a slot, not a byte).
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

/*
 * take_free() - the first slot of the list that no thread owns, now
 * owned by the caller, or NULL.
 */
MP__HEAP_FN static mp__heap_slot *take_free(void)
{
    mp__heap_slot *s = __atomic_load_n(&slots, __ATOMIC_ACQUIRE);
    for (; s != NULL; s = s->next) {
        int zero = 0;
        if (LOAD(s->taken) == 0 &&
            __atomic_compare_exchange_n(&s->taken, &zero, 1, 0,
                                        __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return s;
    }
    return NULL;
}

/*
 * take_new() - a slot of the pool or, once it is used up (and the area
 * is not shared), a mapped page of slots; keep the first for the caller and
 * publish them all, the others free.  Returns the slot, or NULL.
 */
MP__HEAP_FN static mp__heap_slot *take_new(void)
{
    mp__heap_slot *s = NULL;
    size_t n = 1;
    if (LOAD(pooled) < POOL) {
        unsigned i = __atomic_fetch_add(&pooled, 1, __ATOMIC_RELAXED);
        if (i < POOL)
            s = &pool[i];
    }
    if (s == NULL && LOAD(mp__heap_shared))
        return NULL;
    if (s == NULL) {
        long page = sysconf(_SC_PAGESIZE);
        size_t size = page > 0 ? (size_t)page : 4096;
        if (size < 4 * sizeof *s)
            size = 4 * sizeof *s;
        void *m = mmap(NULL, size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            return NULL;
        s = m;
        n = size / sizeof *s;
    }
    for (size_t i = 0; i + 1 < n; i++)
        s[i].next = &s[i + 1];
    s[0].taken = 1;
    mp__heap_slot *head = __atomic_load_n(&slots, __ATOMIC_RELAXED);
    do
        s[n - 1].next = head;
    while (!__atomic_compare_exchange_n(&slots, &head, s, 1, __ATOMIC_RELEASE,
                                        __ATOMIC_RELAXED));
    return s;
}

/* mp__heap_pool_only() - see heap.h. */
MP__HEAP_FN int mp__heap_pool_only(void)
{
    return LOAD(pooled) <= POOL;
}

/*
 * mp__heap_count_slow() - see heap.h.  A slot taken while a peak is
 * tracked starts with the others' sum as its base, as the reset would
 * have given it.  The slot is this thread's before the key is set, so
 * that an allocation made by pthread_setspecific() counts on it.  Keeps
 * errno: the malloc that counts has succeeded.
 */
MP__HEAP_FN void mp__heap_count_slow(long long n)
{
    int saved_errno = errno;
    mp__heap_slot *s = NULL;
    if (!ended) {
        s = take_free();
        if (s == NULL)
            s = take_new();
    }
    if (s == NULL) {
        __atomic_add_fetch(&rest, n, __ATOMIC_RELAXED);
        if (LOAD(mp__heap_peaking) && n > 0)
            mp__heap_peak_note(NULL, mp__heap_live());
    } else {
        if (LOAD(mp__heap_peaking))
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

/* mp__heap_live() - see heap.h: the sum of the slots and the remainder. */
MP__HEAP_API long long mp__heap_live(void)
{
    long long sum = LOAD(rest);
    const mp__heap_slot *s = __atomic_load_n(&slots, __ATOMIC_ACQUIRE);
    for (; s != NULL; s = s->next)
        sum += LOAD(s->live);
    return sum;
}

/*
 * mp__heap_peak_reset() - see heap.h.  Each slot's base is the count of
 * all the others now, so that its owner sees the whole count as its own
 * plus its base.
 */
MP__HEAP_API void mp__heap_peak_reset(void)
{
    long long total = mp__heap_live();
    mp__heap_slot *s = __atomic_load_n(&slots, __ATOMIC_ACQUIRE);
    for (; s != NULL; s = s->next)
        STORE(s->base, total - LOAD(s->live));
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

/* mp__heap_slot_list() - see heap.h. */
MP__HEAP_FN mp__heap_slot *mp__heap_slot_list(void)
{
    return __atomic_load_n(&slots, __ATOMIC_ACQUIRE);
}
