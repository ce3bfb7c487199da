/*
 * failmalloc.c - a test preload (LD_PRELOAD=failmalloc.so) that makes one
 * allocation fail: the MP_FAILMALLOC-th call (from 1) of malloc, calloc,
 * realloc or their __libc_ names (which the command's own allocator,
 * lib/base.c's mp__malloc, calls) returns NULL with errno ENOMEM; strdup,
 * getline and stdio allocate through malloc, so they fail with it.  With
 * MP_FAILMALLOC_COUNT=FILE each process appends to FILE, at exit, how many
 * calls it made: the sweep's upper bound.  With MP_FAILMALLOC_SELF=1 only
 * the calls made by the program's own code count (not those of the
 * libraries it loads, such as cairo and fontconfig, which do not all
 * survive a failed allocation).  Built as a shared object by the
 * Makefile, never linked into a program.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <sys/auxv.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The C library's allocator, found at the first call. */
static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);

/* What dlsym allocates while the real allocator is being found. */
static _Alignas(16) char arena[16384];
static size_t arena_used;
static int finding;

static long calls;
static long fail_at = -1;
static int self_only;

/* The program's own code: its loaded segments, from the aux vector. */
static uintptr_t exe_lo[8];
static uintptr_t exe_hi[8];
static int nexe;

/* find_exe() - the ranges of the program's PT_LOAD segments. */
static void find_exe(void)
{
    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)getauxval(AT_PHDR);
    size_t n = (size_t)getauxval(AT_PHNUM);
    uintptr_t base = 0;
    for (size_t i = 0; ph != NULL && i < n; i++)
        if (ph[i].p_type == PT_PHDR)
            base = (uintptr_t)ph - ph[i].p_vaddr;
    for (size_t i = 0; ph != NULL && i < n && nexe < 8; i++) {
        if (ph[i].p_type != PT_LOAD)
            continue;
        exe_lo[nexe] = base + ph[i].p_vaddr;
        exe_hi[nexe] = exe_lo[nexe] + ph[i].p_memsz;
        nexe++;
    }
}

/* from_exe() - whether the code at addr is the program's own. */
static int from_exe(const void *addr)
{
    for (int i = 0; i < nexe; i++)
        if ((uintptr_t)addr >= exe_lo[i] && (uintptr_t)addr < exe_hi[i])
            return 1;
    return 0;
}

/* in_arena() - whether p was served from the bootstrap arena. */
static int in_arena(const void *p)
{
    return (const char *)p >= arena && (const char *)p < arena + sizeof arena;
}

/* arena_alloc() - n bytes from the arena, zeroed, or NULL. */
static void *arena_alloc(size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n > sizeof arena - arena_used)
        return NULL;
    void *p = arena + arena_used;
    arena_used += n;
    return p;
}

/* find() - the real allocator and the settings, once. */
static void find(void)
{
    if (real_malloc != NULL || finding)
        return;
    finding = 1;
    real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "__libc_malloc");
    real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "__libc_calloc");
    real_realloc =
        (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "__libc_realloc");
    real_free = (void (*)(void *))dlsym(RTLD_NEXT, "__libc_free");
    const char *v = getenv("MP_FAILMALLOC");
    fail_at = v != NULL ? atol(v) : -1;
    v = getenv("MP_FAILMALLOC_SELF");
    self_only = v != NULL && strcmp(v, "1") == 0;
    find_exe();
    finding = 0;
}

/*
 * fails() - count this call, made from caller; whether it is the one to
 * fail.
 */
static int fails(const void *caller)
{
    if (self_only && !from_exe(caller))
        return 0;
    long n = __atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
    if (n != fail_at)
        return 0;
    errno = ENOMEM;
    return 1;
}

/* do_malloc(), do_calloc(), do_realloc() - the entry points' work. */
static void *do_malloc(size_t n, const void *caller)
{
    find();
    if (finding)
        return arena_alloc(n);
    return fails(caller) ? NULL : real_malloc(n);
}

static void *do_calloc(size_t n, size_t size, const void *caller)
{
    find();
    if (finding)
        return size != 0 && n > SIZE_MAX / size ? NULL : arena_alloc(n * size);
    return fails(caller) ? NULL : real_calloc(n, size);
}

static void *do_realloc(void *p, size_t n, const void *caller)
{
    find();
    if (in_arena(p)) {
        void *q = do_malloc(n, caller);
        if (q != NULL)
            memcpy(q, p, n < sizeof arena ? n : sizeof arena);
        return q;
    }
    if (finding)
        return p == NULL ? arena_alloc(n) : NULL;
    return fails(caller) ? NULL : real_realloc(p, n);
}

void *malloc(size_t n)
{
    return do_malloc(n, __builtin_return_address(0));
}

void *calloc(size_t n, size_t size)
{
    return do_calloc(n, size, __builtin_return_address(0));
}

void *realloc(void *p, size_t n)
{
    return do_realloc(p, n, __builtin_return_address(0));
}

void free(void *p)
{
    if (p == NULL || in_arena(p))
        return;
    find();
    real_free(p);
}

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);
void __libc_free(void *p);

void *__libc_malloc(size_t n)
{
    return do_malloc(n, __builtin_return_address(0));
}

void *__libc_calloc(size_t n, size_t size)
{
    return do_calloc(n, size, __builtin_return_address(0));
}

void *__libc_realloc(void *p, size_t n)
{
    return do_realloc(p, n, __builtin_return_address(0));
}

void __libc_free(void *p)
{
    free(p);
}

/* report() - at exit, the count of calls, appended to MP_FAILMALLOC_COUNT. */
__attribute__((destructor)) static void report(void)
{
    const char *path = getenv("MP_FAILMALLOC_COUNT");
    if (path == NULL)
        return;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%ld\n", calls);
    if (n > 0 && write(fd, buf, (size_t)n) < 0)
        n = 0;
    close(fd);
}
