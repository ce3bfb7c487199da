/*
 * sites.c - the site table and the threads' records.
 *
 * Every macro use site gets a slot number on its first hit; each thread
 * keeps its own sparse table of rows by slot (rows.c), holding the slots
 * it recorded, so the hot path writes only its own memory and takes no
 * lock, and a thread costs what it touched, not the process's site count.
 * A group (one table: a profiled function, or the lines of a file outside
 * profiled functions) also owns a slot, whose row holds the group's last
 * reading in each thread.
 *
 * Everything here but the rows' contents is guarded by one mutex.  Rows are
 * written by their thread with relaxed atomic stores and read by reports
 * with relaxed atomic loads; tables are grown and freed under the mutex.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* uthash reports a failed allocation here instead of exiting. */
static int hash_oom;
#define HASH_NONFATAL_OOM 1
#define uthash_nonfatal_oom(elt) (hash_oom = 1)
#define uthash_malloc(sz) mp__arena_alloc(sz)
#define uthash_free(ptr, sz) ((void)(ptr), (void)(sz))
#include <uthash.h>

mp__registry mp__reg;

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;

/* Groups by key, "F<line>:<file>" for functions, "L:<file>" for files. */
typedef struct group_key {
    unsigned group; /* index in mp__reg.groups */
    UT_hash_handle hh;
    char key[];
} group_key;

static group_key *group_index;

__thread int mp__in_lib MP__TLS_MODEL;

/*
 * mp__lock(), mp__unlock() - the registry lock.  The thread that holds it
 * is marked, so that a signal handler's hit on it does not wait for it.
 */
void mp__lock(void)
{
    mp__in_lib++;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    pthread_mutex_lock(&reg_lock);
}

void mp__unlock(void)
{
    pthread_mutex_unlock(&reg_lock);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    mp__in_lib--;
    mp__signals_poll();
}

/* Records of ended threads, for the next threads to start; under the lock. */
static mp__thread *spare;

/*
 * release() - free t's rows and keep t for a new thread; its blocks still
 * pending (MEMPROF_ALLOC) belong to no line now.  Lock held.
 */
static void release(mp__thread *t)
{
    mp__alloc_detach(t);
    mp__rows_release(&t->rows);
    t->next = spare;
    spare = t;
}

/* mp__thread_new() - see internal.h. */
mp__thread *mp__thread_new(void)
{
    mp__lock();
    mp__thread *t = spare;
    if (t != NULL)
        spare = t->next;
    else
        t = mp__arena_alloc(sizeof *t);
    if (t != NULL) {
        /* A spare record keeps its list of pending blocks, emptied. */
        mp__pend *pend = t->pend;
        unsigned pcap = t->pcap;
        unsigned no = t->no;

        memset(t, 0, sizeof *t);
        t->pend = pend;
        t->pcap = pcap;
        t->no = no;
        if (no == 0)
            mp__alloc_number(t);
        t->rd.fd = -1;
        t->last = -1;
        t->next = mp__reg.threads;
        mp__reg.threads = t;
    }
    mp__unlock();
    return t;
}

/* mp__thread_free() - see internal.h. */
void mp__thread_free(mp__thread *t)
{
    mp__lock();
    release(t);
    mp__unlock();
}

/* copy() - s in the arena, or NULL when out of memory.  Lock held. */
static const char *copy(const char *s)
{
    size_t n = strlen(s) + 1;
    char *c = mp__arena_alloc(n);
    if (c != NULL)
        memcpy(c, s, n);
    return c;
}

/*
 * new_slot() - the next slot number, for site in group (site NULL: the
 * group's own slot), with what reports need of site copied.  0 when out
 * of memory.
 */
static unsigned new_slot(const mp__site *site, unsigned group)
{
    if (mp__reg.nslots == 0)
        mp__reg.nslots = 1;
    if (mp__arena_grow(&mp__reg.sites, &mp__reg.cap, mp__reg.nslots + 1,
                       sizeof *mp__reg.sites) != 0)
        return 0;
    mp__site_copy *c = &mp__reg.sites[mp__reg.nslots];
    if (site != NULL) {
        c->text = copy(site->text);
        if (c->text == NULL)
            return 0;
        c->line = site->line;
        c->kind = site->kind;
        c->group = group;
    }
    return mp__reg.nslots++;
}

/*
 * group_of() - the slot of the group that site belongs to, made if new.
 * A function's group is keyed by the file and line of its MP_PROFILE_FUNC,
 * so copies of an inline function from several translation units share
 * one table.  Returns 0 when out of memory.
 */
static unsigned group_of(mp__site *site, mp__frame *frame)
{
    mp__site *fsite = site->kind == MP__SITE_FUNC ? site
                      : frame != NULL             ? frame->site
                                                  : NULL;
    char key[4096];
    int n;
    if (fsite != NULL)
        n = snprintf(key, sizeof key, "F%d:%s", fsite->line, fsite->file);
    else
        n = snprintf(key, sizeof key, "L:%s", site->file);
    if (n < 0 || (size_t)n >= sizeof key)
        return 0;

    group_key *gk = NULL;
    HASH_FIND_STR(group_index, key, gk);
    if (gk != NULL)
        return mp__reg.groups[gk->group].slot;

    if (mp__arena_grow(&mp__reg.groups, &mp__reg.gcap, mp__reg.ngroups + 1,
                       sizeof *mp__reg.groups) != 0)
        return 0;
    gk = mp__arena_alloc(sizeof *gk + (size_t)n + 1);
    if (gk == NULL)
        return 0;
    const char *file = copy(fsite != NULL ? fsite->file : site->file);
    char name[256];
    int lambdas =
        fsite != NULL ? mp__func_name(fsite->func, name, sizeof name) : 0;
    const char *func = fsite != NULL ? copy(name) : "";
    unsigned slot = file != NULL && func != NULL ? new_slot(NULL, 0) : 0;
    if (slot == 0)
        return 0;
    memcpy(gk->key, key, (size_t)n + 1);
    gk->group = mp__reg.ngroups;
    hash_oom = 0;
    HASH_ADD_STR(group_index, key, gk);
    if (hash_oom) {
        return 0;
    }
    mp__group *g = &mp__reg.groups[mp__reg.ngroups++];
    g->slot = slot;
    g->is_func = fsite != NULL;
    g->line = fsite != NULL ? fsite->line : 0;
    g->precision = fsite != NULL ? fsite->precision : -1;
    g->func = func;
    g->lambdas = lambdas;
    g->file = file;
    return slot;
}

/* mp__site_register() - see internal.h.  Takes the lock. */
unsigned mp__site_register(mp__site *site, mp__frame *frame)
{
    mp__lock();
    unsigned slot = __atomic_load_n(&site->slot, __ATOMIC_RELAXED);
    if (slot == 0) {
        unsigned group = group_of(site, frame);
        if (group != 0)
            slot = new_slot(site, group);
        if (slot != 0) {
            __atomic_store_n(&site->group, group, __ATOMIC_RELAXED);
            __atomic_store_n(&site->slot, slot, __ATOMIC_RELEASE);
        }
    }
    mp__unlock();
    return slot;
}

/* mp__thread_row_add() - under the lock, as reports read t->rows. */
mp__row *mp__thread_row_add(mp__thread *t, unsigned slot)
{
    mp__lock();
    mp__row *row = mp__rows_add(&t->rows, slot);
    mp__unlock();
    return row;
}

/* mp__records_bytes() - see internal.h. */
size_t mp__records_bytes(void)
{
    size_t n = mp__rows_bytes(&mp__reg.retired);
    for (mp__thread *t = mp__reg.threads; t != NULL; t = t->next)
        n += mp__rows_bytes(&t->rows);
    return n;
}

/* add_row() - fold src into dst (counts and sums add, max). */
static void add_row(mp__row *dst, const mp__row *src)
{
    uint64_t count = MP__LOAD(src->count);
    /* Frees on any thread take from Leaked: rows with no reading too. */
    dst->alloc += MP__LOAD(src->alloc);
    dst->leaked += MP__LOAD(src->leaked);
    if (count == 0)
        return;
    int64_t max = MP__LOAD(src->max);
    int64_t peak = MP__LOAD(src->peak);
    if (dst->count == 0 || max > dst->max)
        dst->max = max;
    if (dst->count == 0 || peak > dst->peak)
        dst->peak = peak;
    dst->count += count;
    dst->inc += MP__LOAD(src->inc);
}

/* add_table() - fold the rows of r into out, by slot (n rows). */
static void add_table(mp__row *out, unsigned n, const mp__rows *r)
{
    for (unsigned i = 0; i < r->n; i++)
        if (r->slots[i] < n)
            add_row(&out[r->slots[i]], &r->rows[i]);
}

/* mp__row_merged() - see internal.h. */
void mp__row_merged(unsigned slot, mp__row *out)
{
    const mp__row *row = mp__rows_find(&mp__reg.retired, slot);

    memset(out, 0, sizeof *out);
    if (row != NULL)
        add_row(out, row);
    for (mp__thread *t = mp__reg.threads; t != NULL; t = t->next)
        if ((row = mp__rows_find(&t->rows, slot)) != NULL)
            add_row(out, row);
}

/* count_table() - the hits at sites (not groups) that r holds. */
static uint64_t count_table(const mp__rows *r)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < r->n; i++)
        if (r->slots[i] < mp__reg.nslots &&
            mp__reg.sites[r->slots[i]].text != NULL)
            n += MP__LOAD(r->rows[i].count);
    return n;
}

/* mp__hits() - see internal.h. */
uint64_t mp__hits(void)
{
    uint64_t n = count_table(&mp__reg.retired);
    for (mp__thread *t = mp__reg.threads; t != NULL; t = t->next)
        n += count_table(&t->rows);
    return n;
}

/* mp__merged() - see internal.h: linear in the rows the tables hold. */
mp__row *mp__merged(void)
{
    unsigned n = mp__reg.nslots;
    mp__row *out = mp__calloc(n ? n : 1, sizeof *out);
    if (out == NULL)
        return NULL;
    add_table(out, n, &mp__reg.retired);
    for (mp__thread *t = mp__reg.threads; t != NULL; t = t->next)
        add_table(out, n, &t->rows);
    return out;
}

/*
 * zero_rows() - forget r's counts; keep_last keeps the groups' last
 * readings (the rows of slots that are no site's).
 */
static void zero_rows(mp__rows *r, int keep_last)
{
    for (unsigned i = 0; i < r->n; i++) {
        mp__row *row = &r->rows[i];
        int group = mp__reg.sites[r->slots[i]].text == NULL;
        MP__STORE(row->count, 0);
        MP__STORE(row->max, 0);
        MP__STORE(row->inc, 0);
        if (!group || !keep_last)
            MP__STORE(row->peak, 0); /* also last */
        MP__STORE(row->alloc, 0);
        MP__STORE(row->leaked, 0);
    }
}

/* mp__records_clear() - see internal.h. */
void mp__records_clear(void)
{
    zero_rows(&mp__reg.retired, 0);
    for (mp__thread *t = mp__reg.threads; t != NULL; t = t->next) {
        zero_rows(&t->rows, 0);
        MP__STORE(t->last, -1);
    }
    mp__alloc_forget();
}

/*
 * mp__thread_retire() - fold an ending thread's rows into the retired
 * rows and unlink it, so that a program making many threads keeps one set
 * of rows, holding the slots any ended thread recorded.  Takes the lock.
 * Returns 0, or -ENOMEM when the rows could not be kept (the thread stays
 * linked and its record is not freed; the retired table gets the rows
 * it needs before any is folded, so nothing is half counted).
 */
int mp__thread_retire(mp__thread *t)
{
    mp__lock();
    int r = 0;
    for (unsigned i = 0; i < t->rows.n && r == 0; i++)
        if (mp__rows_add(&mp__reg.retired, t->rows.slots[i]) == NULL)
            r = -ENOMEM;
    if (r == 0) {
        for (unsigned i = 0; i < t->rows.n; i++)
            add_row(mp__rows_find(&mp__reg.retired, t->rows.slots[i]),
                    &t->rows.rows[i]);
        for (mp__thread **p = &mp__reg.threads; *p != NULL; p = &(*p)->next)
            if (*p == t) {
                *p = t->next;
                break;
            }
    }
    mp__unlock();
    return r;
}

/*
 * mp__records_fork_child() - in a child just forked by thread self: free
 * the other threads' records (those threads do not exist here) and zero
 * what is left, keeping the groups' last readings.  The lock is held.
 */
void mp__records_fork_child(mp__thread *self)
{
    mp__thread *t = mp__reg.threads;
    while (t != NULL) {
        mp__thread *next = t->next;
        if (t != self) {
            t->pend_lock = 0; /* its holder is not in this process */
            mp__proc_close(&t->rd);
            release(t);
        }
        t = next;
    }
    mp__reg.threads = self;
    if (self != NULL) {
        self->pend_lock = 0;
        self->next = NULL;
        zero_rows(&self->rows, 1);
    }
    zero_rows(&mp__reg.retired, 0);
    mp__alloc_forget();
}
