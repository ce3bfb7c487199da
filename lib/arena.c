/*
 * arena.c - the memory of the recording path: the site table, the groups
 * and their index, each thread's record and rows.  A site's first hit may
 * come in a signal handler that interrupted malloc or free on the same
 * thread, so none of this memory comes from malloc: it is mapped with
 * mmap(2) and grown with mremap(2), system calls a handler may make.
 *
 * Every function here is called with the registry lock held (sites.c),
 * which also guards the arena's state.  A thread that holds that lock is
 * marked (mp__in_lib), and a handler's hit on a marked thread does not come
 * here: it is dropped and counted.
 */
#define _GNU_SOURCE 1 /* mremap */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

#define CHUNK (64u << 10) /* small objects are cut from chunks this big */

static char *chunk; /* the current chunk's free part */
static size_t left; /* bytes left in it */

/* pages() - n bytes rounded up to whole pages. */
static size_t pages(size_t n)
{
    size_t page = (size_t)mp__page_size();
    return (n + page - 1) / page * page;
}

/* map() - n bytes of new zeroed memory, or NULL. */
static void *map(size_t n)
{
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/*
 * mp__arena_alloc() - see internal.h: cut from the current chunk, 16-byte
 * aligned; a block larger than a quarter chunk gets its own mapping.
 */
void *mp__arena_alloc(size_t n)
{
    int saved_errno = errno;
    void *p = NULL;
    n = (n + 15) & ~(size_t)15;
    if (n > CHUNK / 4) {
        p = map(pages(n));
    } else {
        if (n > left) {
            char *c = map(CHUNK);
            if (c != NULL) {
                chunk = c;
                left = CHUNK;
            }
        }
        if (n <= left) {
            p = chunk;
            chunk += n;
            left -= n;
        }
    }
    errno = saved_errno;
    return p;
}

/*
 * mp__arena_grow() - see internal.h.  The array's mapping moves with
 * mremap when it must, so its old contents are never copied by hand;
 * new pages come zeroed.
 */
int mp__arena_grow(void *arrp, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    if (need > ((size_t)-1 / 2) / elem)
        return -ENOMEM;
    int saved_errno = errno;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need)
        ncap *= 2;
    size_t old = *cap ? pages(*cap * elem) : 0;
    size_t size = pages(ncap * elem);
    ncap = size / elem;
    void *p = old != 0 ? mremap(*(void **)arrp, old, size, MREMAP_MAYMOVE)
                       : mmap(NULL, size, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    errno = saved_errno;
    if (p == MAP_FAILED)
        return -ENOMEM;
    *(void **)arrp = p;
    *cap = ncap;
    return 0;
}

/* mp__arena_release() - see internal.h. */
void mp__arena_release(void *arr, size_t cap, size_t elem)
{
    if (arr != NULL && cap != 0)
        MP__SAVE_ERRNO(munmap(arr, pages(cap * elem)));
}
