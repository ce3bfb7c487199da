/*
 * malloc.c - malloc and its family, counted: each block carries the size
 * the program asked for, and the count goes up by it when the block is
 * made and down when it is freed.
 *
 * The blocks come from the C library's allocator through the entry points
 * glibc exports for this (__libc_malloc and friends; see "Replacing
 * malloc" in the glibc manual), so nothing needs dlsym to start.  Under
 * AddressSanitizer or ThreadSanitizer the sanitizer's allocator is the
 * real one instead (its __interceptor_ entry points), so that the
 * sanitizer still sees every block.
 *
 * A block is the real allocator's, with a 16-byte header right before the
 * pointer the program gets: the requested size and a tag holding the
 * distance back to the real block's start.  For an ordinary block that
 * distance is the header's size, which keeps the C library's alignment
 * (16 bytes, as max_align_t); an aligned block puts its pointer at the
 * first aligned address at least a header past the start.  A pointer
 * without the tag was not made here (a block from __libc_malloc, or from
 * a sanitizer's own interceptors): it goes back to the real allocator
 * untouched and uncounted.  glibc keeps its own chunk header before every
 * block, so the 16 bytes before any pointer it made can be read.
 *
 * Every function answers as the C library's would, edge arguments
 * included (test/progs/heap_edges.c compares them): errno is as the real
 * allocator leaves it; the sizes that cannot be represented set ENOMEM,
 * as glibc does; realloc(p, 0) frees p and returns NULL, as glibc does;
 * aligned_alloc takes what the running glibc's takes.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "heap.h"
#include "stacks.h"

#include "real_alloc.h"

#ifdef MP__SAN
/* From <sanitizer/allocator_interface.h>, which gcc does not install. */
int __sanitizer_get_ownership(const volatile void *p);
size_t __sanitizer_get_allocated_size(const volatile void *p);
size_t __interceptor_malloc_usable_size(void *p);
#else
#include <dlfcn.h>
#include <gnu/libc-version.h>
#endif /* MP__SAN */
#define REAL_MALLOC MP__REAL_MALLOC
#define REAL_CALLOC MP__REAL_CALLOC
#define REAL_REALLOC MP__REAL_REALLOC
#define REAL_FREE MP__REAL_FREE

#ifdef MP__TSAN
void __tsan_init(void);

/* Set once ThreadSanitizer's runtime can answer about blocks. */
static int tsan_ready;

/*
 * tsan_start() - a constructor: ThreadSanitizer has started (each
 * program's constructors run after its libraries'; this makes sure).
 * Before, malloc is called by the runtime's own start-up only, and no
 * foreign block reaches free.
 */
__attribute__((constructor)) MP__HEAP_FN static void tsan_start(void)
{
    __tsan_init();
    __atomic_store_n(&tsan_ready, 1, __ATOMIC_RELEASE);
}
#endif /* MP__TSAN */

/*
 * The header.  The tag is MAGIC in its top 16 bits and the distance from
 * the real block's start to the program's pointer below them.  glibc
 * keeps a chunk's size where a foreign block would have the tag, and no
 * size has those top bits.
 */
typedef struct header {
    uint64_t size; /* what the program asked for */
    uint64_t tag;
} header;

#define HDR ((size_t)sizeof(header))
#define MAGIC ((uint64_t)0xa110 << 48)
#define MAGIC_MASK ((uint64_t)0xffff << 48)

/*
 * With MEMPROF_ALLOC (hooks set) or MEMPROF_LEAKS, a block made from then
 * on has 16 more bytes before its header, the cookie, and EXTRA in its
 * tag.  The offset is the rest of the tag.  The cookie's first word is the
 * hooks' (which line made the block; 0 without hooks), the second the
 * node of its call stack (stacks.c; 0 without MEMPROF_LEAKS).
 */
#define EXTRA ((uint64_t)1 << 47)
#define OFFSET_MASK (EXTRA - 1)
#define COOKIE ((size_t)2 * sizeof(uint64_t))

/* The hooks of MEMPROF_ALLOC, once set (never unset). */
static const mp__heap_hooks *hooks;

/* mp__heap_set_hooks() - see heap.h. */
MP__HEAP_API void mp__heap_set_hooks(const mp__heap_hooks *h)
{
    __atomic_store_n(&hooks, h, __ATOMIC_RELEASE);
}

/*
 * What a new block is made under, loaded once per call and passed down:
 * the hooks (NULL: none), whether stacks are kept, and the canonical frame
 * address of the exported function the program called (CALLER), where
 * its stack starts.
 */
typedef struct maker {
    const mp__heap_hooks *k;
    int leaks;
    const void *cfa;
} maker;

#define CALLER() __builtin_dwarf_cfa()

/*
 * pre() - fill m for a block made by the function whose CFA is cfa;
 * returns the bytes the block has before the program's pointer: a
 * cookie's more with hooks or stacks.
 */
MP__HEAP_FN static inline size_t pre(maker *m, const void *cfa)
{
    m->k = __atomic_load_n(&hooks, __ATOMIC_ACQUIRE);
    m->leaks = MP__HEAP_LOAD(mp__heap_leaks);
    m->cfa = cfa;
    return m->k != NULL || m->leaks ? HDR + COOKIE : HDR;
}

/* cookie_of() - the cookie of a block with EXTRA in its tag. */
#define cookie_of(h) ((unsigned long long *)(h)-2)

/*
 * ROOM(n) - the bytes of a real block after the program's pointer: at
 * least one, so that the pointer is inside the real block even for
 * malloc(0).  A sanitizer's allocator may put another block right after
 * a real one, and asking it about our pointer must not find that block.
 */
#define ROOM(n) ((n) != 0 ? (n) : 1)

_Static_assert(sizeof(header) == 16, "the header is 16 bytes");
_Static_assert(sizeof(header) % _Alignof(max_align_t) == 0,
               "the header keeps max_align_t's alignment");

/*
 * made() - write the header of a block of n bytes at real + off, count it,
 * fill its cookie if pre() gave it one, and return the program's pointer.
 */
MP__HEAP_FN static inline void *made(char *real, size_t off, size_t n,
                                     const maker *m)
{
    char *p = real + off;
    header *h = (header *)p - 1;
    int extra = m->k != NULL || m->leaks;
    h->size = n;
    h->tag = MAGIC | (extra ? EXTRA : 0) | off;
    mp__heap_count((long long)n);
    if (extra) {
        unsigned long long *c = cookie_of(h);
        c[0] = 0;
        c[1] = m->leaks && !mp__heap_quiet_depth
                   ? mp__heap_stack_made(m->cfa, n)
                   : 0;
        if (m->k != NULL)
            m->k->made(c, n);
    }
    return p;
}

/*
 * unmade() - the block of h goes away: tell the hooks, and its stack
 * (unless keep_stack: a failed realloc keeps the block where it was).
 */
MP__HEAP_FN static inline void unmade(header *h, int keep_stack)
{
    if (!(h->tag & EXTRA))
        return;
    unsigned long long *c = cookie_of(h);
    const mp__heap_hooks *k = __atomic_load_n(&hooks, __ATOMIC_ACQUIRE);
    if (k != NULL)
        k->freed(c, (size_t)h->size);
    if (!keep_stack)
        mp__heap_stack_freed((uint32_t)c[1], (size_t)h->size);
}

/*
 * header_of() - the header of p if p was made here, else NULL.  Under a
 * sanitizer, a block its allocator made (the start of one) is foreign
 * without reading before it, where nothing may be mapped; ours point
 * inside the sanitizer's blocks.
 */
MP__HEAP_FN static inline header *header_of(void *p)
{
#if defined(MP__TSAN)
    if (__atomic_load_n(&tsan_ready, __ATOMIC_ACQUIRE) &&
        __sanitizer_get_allocated_size(p) != 0)
        return NULL;
#elif defined(MP__SAN)
    if (__sanitizer_get_ownership(p))
        return NULL;
#endif
    header *h = (header *)p - 1;
    return (h->tag & MAGIC_MASK) == MAGIC ? h : NULL;
}

/* offset_of() - how far before p its real block starts. */
MP__HEAP_FN static inline size_t offset_of(const header *h)
{
    return (size_t)(h->tag & ~MAGIC_MASK & OFFSET_MASK);
}

/* do_malloc() - malloc(n), for the caller whose CFA is cfa. */
MP__HEAP_FN static inline void *do_malloc(size_t n, const void *cfa)
{
    maker m;
    size_t off = pre(&m, cfa);
    if (n > SIZE_MAX - off) {
        errno = ENOMEM;
        return NULL;
    }
    char *real = REAL_MALLOC(off + ROOM(n));
    return real != NULL ? made(real, off, n, &m) : NULL;
}

/* do_free() - free(p). */
MP__HEAP_FN static inline void do_free(void *p)
{
    if (p == NULL)
        return;
    header *h = header_of(p);
    if (h == NULL) {
        REAL_FREE(p);
        return;
    }
    unmade(h, 0);
    mp__heap_count(-(long long)h->size);
    REAL_FREE((char *)p - offset_of(h));
}

/*
 * do_aligned() - a block of n bytes at a multiple of align, for memalign
 * and the functions built on it: an align that is not a power of two is
 * rounded up to one, an impossible one is EINVAL, as glibc's memalign.
 * The real block is an ordinary one (16-byte aligned) of n + align bytes
 * (ROOM(n)), which holds an aligned address at least a header past its
 * start.
 */
MP__HEAP_FN static void *do_aligned(size_t align, size_t n, const void *cfa)
{
    if (align <= HDR)
        return do_malloc(n, cfa);
    maker m;
    size_t off = pre(&m, cfa);
    if (align > SIZE_MAX / 2 + 1) {
        errno = EINVAL;
        return NULL;
    }
    if ((align & (align - 1)) != 0)
        align =
            (size_t)1 << (sizeof(size_t) * 8 - (size_t)__builtin_clzl(align));
    if (n > SIZE_MAX - align) {
        errno = ENOMEM;
        return NULL;
    }
    char *real = REAL_MALLOC(ROOM(n) + align + (off - HDR));
    if (real == NULL)
        return NULL;
    uintptr_t p = ((uintptr_t)real + off + align - 1) & ~(uintptr_t)(align - 1);
    return made(real, p - (uintptr_t)real, n, &m);
}

/* page() - the page size, for valloc and pvalloc. */
MP__HEAP_FN static size_t page(void)
{
    static size_t size;
    size_t s = MP__HEAP_LOAD(size);
    if (s == 0) {
        long v = sysconf(_SC_PAGESIZE);
        s = v > 0 ? (size_t)v : 4096;
        MP__HEAP_STORE(size, s);
    }
    return s;
}

/* malloc() - n bytes, counted as n. */
MP__HEAP_API void *malloc(size_t n)
{
    return do_malloc(n, CALLER());
}

/* free() - give p back; NULL is nothing. */
MP__HEAP_API void free(void *p)
{
    do_free(p);
}

/* calloc() - n * size zeroed bytes; ENOMEM when the product overflows. */
MP__HEAP_API void *calloc(size_t n, size_t size)
{
    size_t total;
    maker m;
    size_t off = pre(&m, CALLER());
    if (__builtin_mul_overflow(n, size, &total) || total > SIZE_MAX - off) {
        errno = ENOMEM;
        return NULL;
    }
    char *real = REAL_CALLOC(1, off + ROOM(total));
    return real != NULL ? made(real, off, total, &m) : NULL;
}

/*
 * do_realloc() - as glibc's realloc: NULL is malloc(n), n == 0 frees p
 * and returns NULL, a failure leaves p as it was.  An ordinary block is
 * resized by the real realloc, header and all; an aligned one is moved to
 * an ordinary one (realloc keeps no more than malloc's alignment).
 */
MP__HEAP_FN static void *do_realloc(void *p, size_t n, const void *cfa)
{
    if (p == NULL)
        return do_malloc(n, cfa);
    if (n == 0) {
        do_free(p);
        return NULL;
    }
    header *h = header_of(p);
    if (h == NULL)
        return REAL_REALLOC(p, n);
    if (n > SIZE_MAX - HDR) {
        errno = ENOMEM;
        return NULL;
    }
    size_t old = (size_t)h->size;
    size_t off = offset_of(h);
    if (off == HDR || (off == HDR + COOKIE && (h->tag & EXTRA))) {
        /* An ordinary block: resized, cookie and header and all.  For the
         * hooks and the stacks, the old block goes and a new one comes:
         * realloc asked for n bytes, on the line and stack that called
         * it.  If it fails, the old block stays on its stack. */
        unmade(h, 1);
        char *real = REAL_REALLOC((char *)p - off, n + off);
        header *nh =
            (header *)((real != NULL ? real : (char *)p - off) + off) - 1;
        if (nh->tag & EXTRA) {
            unsigned long long *c = cookie_of(nh);
            const mp__heap_hooks *k = __atomic_load_n(&hooks, __ATOMIC_ACQUIRE);
            if (real != NULL) {
                mp__heap_stack_freed((uint32_t)c[1], old);
                c[1] = MP__HEAP_LOAD(mp__heap_leaks) && !mp__heap_quiet_depth
                           ? mp__heap_stack_made(cfa, n)
                           : 0;
                nh->size = n;
            }
            if (k != NULL)
                k->made(c, (size_t)nh->size);
        } else if (real != NULL) {
            nh->size = n;
        }
        if (real == NULL)
            return NULL;
        mp__heap_count((long long)n - (long long)old);
        return real + off;
    }
    void *q = do_malloc(n, cfa);
    if (q == NULL)
        return NULL;
    memcpy(q, p, old < n ? old : n);
    do_free(p);
    return q;
}

/* realloc() - see do_realloc(). */
MP__HEAP_API void *realloc(void *p, size_t n)
{
    return do_realloc(p, n, CALLER());
}

/* reallocarray() - realloc(p, n * size); ENOMEM when it overflows. */
MP__HEAP_API void *reallocarray(void *p, size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    return do_realloc(p, total, CALLER());
}

/*
 * posix_memalign() - EINVAL unless align is a power of two multiple of
 * sizeof(void *), ENOMEM when out of memory; *out is set on success only.
 */
MP__HEAP_API int posix_memalign(void **out, size_t align, size_t n)
{
    if (align == 0 || align % sizeof(void *) != 0 || (align & (align - 1)) != 0)
        return EINVAL;
    void *p = do_aligned(align, n, CALLER());
    if (p == NULL)
        return ENOMEM;
    *out = p;
    return 0;
}

/*
 * aligned_strict() - whether the allocator replaced here refuses an
 * aligned_alloc alignment that is not a power of two (EINVAL), as C17
 * asks: glibc does from 2.38, the sanitizers' allocators do.  Before
 * 2.38, glibc's aligned_alloc is its memalign, which takes any alignment
 * (0 and 3 give an ordinary block).  The C library the program runs with
 * is asked once, for the version it is.
 */
MP__HEAP_FN static int aligned_strict(void)
{
#ifdef MP__SAN
    return 1;
#else
    static int known; /* 0: not asked yet; 1: lenient; 2: strict */
    int k = MP__HEAP_LOAD(known);
    if (k == 0) {
        const char *v = gnu_get_libc_version();
        unsigned major = 0;
        unsigned minor = 0;
        while (*v >= '0' && *v <= '9')
            major = major * 10 + (unsigned)(*v++ - '0');
        if (*v == '.')
            v++;
        while (*v >= '0' && *v <= '9')
            minor = minor * 10 + (unsigned)(*v++ - '0');
        k = major > 2 || (major == 2 && minor >= 38) ? 2 : 1;
        MP__HEAP_STORE(known, k);
    }
    return k == 2;
#endif /* MP__SAN */
}

/*
 * aligned_alloc() - as the C library's (see aligned_strict()): memalign,
 * or EINVAL first for an align that is not a power of two.  The size
 * need not be a multiple of the alignment.
 */
MP__HEAP_API void *aligned_alloc(size_t align, size_t n)
{
    if (aligned_strict() && (align == 0 || (align & (align - 1)) != 0)) {
        errno = EINVAL;
        return NULL;
    }
    return do_aligned(align, n, CALLER());
}

/* memalign() - see do_aligned(). */
MP__HEAP_API void *memalign(size_t align, size_t n)
{
    return do_aligned(align, n, CALLER());
}

/* valloc() - n bytes at a page boundary. */
MP__HEAP_API void *valloc(size_t n)
{
    return do_aligned(page(), n, CALLER());
}

/*
 * pvalloc() - whole pages at a page boundary: the request is n rounded up
 * to pages (at least one), and that is what is counted.
 */
MP__HEAP_API void *pvalloc(size_t n)
{
    size_t ps = page();
    if (n > SIZE_MAX - ps) {
        errno = ENOMEM;
        return NULL;
    }
    size_t rounded = n == 0 ? ps : (n + ps - 1) & ~(ps - 1);
    return do_aligned(ps, rounded, CALLER());
}

/*
 * real_usable() - the real allocator's malloc_usable_size.  glibc exports
 * it under no other name, so outside sanitizers it is looked up once with
 * dlsym (after this object: the C library's); NULL if that fails.
 */
MP__HEAP_FN static size_t (*real_usable(void))(void *)
{
#ifdef MP__SAN
    return __interceptor_malloc_usable_size;
#else
    static size_t (*fn)(void *);
    static int looked;
    if (!__atomic_load_n(&looked, __ATOMIC_ACQUIRE)) {
        int saved_errno = errno;
        void *sym = dlsym(RTLD_NEXT, "malloc_usable_size");
        errno = saved_errno;
        __atomic_store_n(&fn, (size_t(*)(void *))sym, __ATOMIC_RELAXED);
        __atomic_store_n(&looked, 1, __ATOMIC_RELEASE);
    }
    return __atomic_load_n(&fn, __ATOMIC_RELAXED);
#endif
}

/*
 * malloc_usable_size() - the bytes the program may use at p: the real
 * block's usable size less what lies before p, or the requested size if
 * the real one cannot be had.
 */
MP__HEAP_API size_t malloc_usable_size(void *p)
{
    if (p == NULL)
        return 0;
    size_t (*usable)(void *) = real_usable();
    header *h = header_of(p);
    if (h == NULL)
        return usable != NULL ? usable(p) : 0;
    if (usable == NULL)
        return (size_t)h->size;
    size_t off = offset_of(h);
    return usable((char *)p - off) - off;
}

/* free_sized(), free_aligned_sized() - C23's: free(p) (glibc 2.39). */
MP__HEAP_API void free_sized(void *p, size_t n)
{
    (void)n;
    do_free(p);
}

MP__HEAP_API void free_aligned_sized(void *p, size_t align, size_t n)
{
    (void)align;
    (void)n;
    do_free(p);
}
