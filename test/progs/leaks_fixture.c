/*
 * leaks_fixture.c - writes on stdout a sites dump (format 1, heap_hooks.h)
 * of its own allocations, as the heap object would with MEMPROF_LEAKS=1,
 * for the leak report's tests (check_leaks.c): the module lines are the
 * heap archive's (mp__heap_dump), the stacks its own, taken with
 * backtrace(3) in fake_malloc.
 *
 * main -> handle_request -> fill -> xmalloc -> fake_malloc: three blocks
 * kept (leaked); main -> churn -> xmalloc: one block made and freed;
 * main -> copy -> (a frame inside the C library, as strdup's) -> xmalloc
 * ... : one block kept, whose first frame the report must skip.  The
 * tests find the lines by the AT- markers.  Built -O2 -g, -O0 -g and
 * without debug information, stripped.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int mp__heap_dump(int fd);

#define MAXSITES 16
#define FRAMES 8

/* One distinct stack and its counts. */
static struct fsite {
    unsigned long long made_bytes, made_blocks;
    long long live_bytes, live_blocks;
    int n;
    uintptr_t pc[FRAMES];
} sites[MAXSITES];
static int nsites;

/* Each block's size and site, to count its free. */
static struct block {
    void *p;
    size_t n;
    int site;
} blocks[64];
static int nblocks;

void *volatile keep[8];
volatile int served;
volatile uintptr_t libc_pc; /* non-zero: the next stack starts there */

/* note() - a block of n bytes made at the stack pc[0..n). */
static void note(void *p, size_t size, uintptr_t *pc, int n)
{
    int i = 0;
    while (i < nsites &&
           (sites[i].n != n || memcmp(sites[i].pc, pc, n * sizeof *pc) != 0))
        i++;
    if (i == nsites) {
        sites[nsites].n = n;
        memcpy(sites[nsites].pc, pc, n * sizeof *pc);
        nsites++;
    }
    sites[i].made_bytes += size;
    sites[i].made_blocks++;
    sites[i].live_bytes += (long long)size;
    sites[i].live_blocks++;
    blocks[nblocks].p = p;
    blocks[nblocks].n = size;
    blocks[nblocks].site = i;
    nblocks++;
}

/*
 * fake_malloc() - malloc, with its caller's stack noted: the return
 * addresses from the one into its caller on, as the heap object keeps.
 */
__attribute__((noinline)) static void *fake_malloc(size_t size)
{
    void *bt[FRAMES + 4];
    uintptr_t pc[FRAMES];
    int k = backtrace(bt, FRAMES + 4);
    int n = 0;
    int i = 0;
    /* From the return into our caller: a sanitizer may add frames. */
    while (i < k && bt[i] != __builtin_return_address(0))
        i++;
    if (libc_pc != 0)
        pc[n++] = libc_pc;
    for (; i < k && n < FRAMES; i++)
        pc[n++] = (uintptr_t)bt[i];
    void *p = malloc(size);
    note(p, size, pc, n);
    return p;
}

/* fake_free() - free, counted. */
__attribute__((noinline)) static void fake_free(void *p)
{
    for (int i = 0; i < nblocks; i++) {
        if (blocks[i].p == p) {
            sites[blocks[i].site].live_bytes -= (long long)blocks[i].n;
            sites[blocks[i].site].live_blocks--;
            blocks[i].p = NULL;
        }
    }
    free(p);
}

__attribute__((noinline)) void *xmalloc(size_t n)
{
    void *p = fake_malloc(n); /* AT-XMALLOC */
    if (p == NULL)
        abort();
    return p;
}

__attribute__((noinline)) void fill(int i, size_t n)
{
    keep[i] = xmalloc(n); /* AT-FILL */
}

__attribute__((noinline)) void handle_request(int i, size_t n)
{
    fill(i, n); /* AT-HANDLE */
    served++;
}

__attribute__((noinline)) void churn(size_t n)
{
    void *p = xmalloc(n); /* AT-CHURN */
    keep[7] = p;
    fake_free(keep[7]);
    keep[7] = NULL;
}

__attribute__((noinline)) void copy(size_t n)
{
    libc_pc = (uintptr_t)dlsym(RTLD_DEFAULT, "strdup") + 16;
    keep[6] = xmalloc(n); /* AT-COPY */
    libc_pc = 0;
}

/* dump() - the heap archive's dump, its end left off, then our sites. */
static int dump(void)
{
    int fd = memfd_create("leaks_fixture", 0);
    char buf[1 << 16];
    if (fd < 0 || mp__heap_dump(fd) != 0 || lseek(fd, 0, SEEK_SET) != 0)
        return 1;
    ssize_t len = read(fd, buf, sizeof buf - 1);
    if (len < 4 || memcmp(buf + len - 4, "end\n", 4) != 0)
        return 1;
    fwrite(buf, 1, (size_t)len - 4, stdout);
    for (int i = 0; i < nsites; i++) {
        printf("site %llu %llu %lld %lld", sites[i].made_bytes,
               sites[i].made_blocks, sites[i].live_bytes, sites[i].live_blocks);
        for (int j = 0; j < sites[i].n; j++)
            printf(" %#lx", (unsigned long)sites[i].pc[j]);
        printf("\n");
    }
    printf("end\n");
    close(fd);
    return fflush(stdout) != 0;
}

int main(void)
{
    for (int i = 0; i < 3; i++)
        handle_request(i, 1000 + (size_t)i); /* AT-MAIN */
    churn(500);
    copy(77);
    int r = dump();
    /* The leaks are the dump's: LeakSanitizer sees none. */
    for (int i = 0; i < 8; i++)
        free(keep[i]);
    return r;
}
