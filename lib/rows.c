/*
 * rows.c - a sparse table of rows by slot (mp__rows): each thread's
 * records, and the merged records of the threads that ended.
 *
 * A table holds a row only for the slots that were recorded in it, so a
 * thread that runs a few of a program's many annotated lines costs a few
 * rows, not one per slot of the process.  Rows are numbered in the order
 * they were added and kept dense (rows[], and the slot of each in
 * slots[]); an open-addressed index, hashed by slot, gives a slot's row
 * number.  Per row that is 48 bytes of row, 4 of slot and 4 to 11 of
 * index (it holds between 3/8 and 3/4 of its entries in use).
 *
 * Every array comes from the arena (never malloc, as a signal handler's
 * first hit may come here) and only its thread adds to a thread's table,
 * under the registry lock, which the reports hold to read it.  Lookups,
 * mp__rows_find() in internal.h, take no lock.
 */
#include <string.h>

#include "internal.h"

/* The fewest entries of an index: 16 rows fit before it grows. */
#define INDEX_MIN_BITS 5

/*
 * reindex() - give r an index of 1 << bits entries, holding every row.
 * Returns 0 or -ENOMEM (r untouched).  Lock held.
 */
static int reindex(mp__rows *r, unsigned bits)
{
    unsigned *index = NULL;
    size_t cap = 0;
    unsigned mask = (1u << bits) - 1;

    if (mp__arena_grow(&index, &cap, (size_t)1 << bits, sizeof *index) != 0)
        return -ENOMEM;
    for (unsigned i = 0; i < r->n; i++) {
        unsigned h = mp__rows_hash(r->slots[i], bits);

        while (index[h] != 0)
            h = (h + 1) & mask;
        index[h] = i + 1;
    }
    mp__arena_release(r->index, r->icap, sizeof *r->index);
    r->index = index;
    r->icap = cap;
    r->bits = bits;
    return 0;
}

/* mp__rows_add() - see internal.h. */
mp__row *mp__rows_add(mp__rows *r, unsigned slot)
{
    mp__row *row = mp__rows_find(r, slot);

    if (row != NULL)
        return row;
    if (r->bits == 0 || (r->n + 1) * 4 > (3u << r->bits)) {
        if (reindex(r, r->bits == 0 ? INDEX_MIN_BITS : r->bits + 1) != 0)
            return NULL;
    }
    if (mp__arena_grow(&r->rows, &r->rcap, r->n + 1, sizeof *r->rows) != 0 ||
        mp__arena_grow(&r->slots, &r->scap, r->n + 1, sizeof *r->slots) != 0)
        return NULL;

    unsigned mask = (1u << r->bits) - 1;
    unsigned h = mp__rows_hash(slot, r->bits);

    while (r->index[h] != 0)
        h = (h + 1) & mask;
    r->slots[r->n] = slot;
    row = &r->rows[r->n];
    /* The row and its slot first: a signal handler may look it up. */
    __atomic_store_n(&r->index[h], r->n + 1, __ATOMIC_RELEASE);
    r->n++;
    return row;
}

/* mp__rows_release() - see internal.h. */
void mp__rows_release(mp__rows *r)
{
    mp__arena_release(r->index, r->icap, sizeof *r->index);
    mp__arena_release(r->slots, r->scap, sizeof *r->slots);
    mp__arena_release(r->rows, r->rcap, sizeof *r->rows);
    memset(r, 0, sizeof *r);
}

/* mp__rows_bytes() - see internal.h. */
size_t mp__rows_bytes(const mp__rows *r)
{
    size_t page = (size_t)mp__page_size();
    size_t used = 0;

    if (r->bits != 0)
        used += ((sizeof *r->index << r->bits) + page - 1) / page * page;
    used += (r->n * sizeof *r->slots + page - 1) / page * page;
    used += (r->n * sizeof *r->rows + page - 1) / page * page;
    return used;
}
