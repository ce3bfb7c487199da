/*
 * heap_share.h - memprof run --heap's window on another process's heap
 * count: the file the preload object (heap/share.c) keeps its count in and
 * the memprof command (cli/heapwatch.c) reads.  Not installed.
 *
 * memprof makes a private directory and gives it to the command as
 * MEMPROF_HEAP_DIR.  The preload object, seeing it, copies the area of
 * its counter (heap.h: this header, then the slots) into DIR/<pid>.heap
 * and maps the file over the area, so that every count from then on is a
 * store into the file's pages: memprof maps the same file read-only and
 * adds up the slots on each sample, with no system call and no thread in
 * the command.  The file never changes size once it has its name (it is
 * written whole under another name, then renamed), so a reader never
 * faults on it.  A forked child moves to DIR/<its pid>.heap, a copy; an
 * image started by execve(2) makes a new DIR/<pid>.heap over the old
 * one's name and then sets the old one's replaced field.
 *
 * At exit the preload object writes its sites dump (heap_hooks.h) to
 * DIR/<pid>.sites, by the same rename.
 */
#ifndef MEMPROF_HEAP_SHARE_H
#define MEMPROF_HEAP_SHARE_H

#include <stdint.h>

/* The variable memprof run --heap sets: the directory of the files. */
#define MP__HEAP_DIR_ENV "MEMPROF_HEAP_DIR"

/* "mpheapsh" read as a little-endian number: the file's first 8 bytes. */
#define MP__HEAP_SHARE_MAGIC 0x687370616568706dULL
#define MP__HEAP_SHARE_FORMAT 1

/* What the process's count is (the state field). */
#define MP__HEAP_SHARE_COUNTING 1 /* the slots are its heap */
#define MP__HEAP_SHARE_FOREIGN 2  /* its malloc is not the preload's */

/*
 * The file's first 64 bytes.  live of slot i is the long long at
 * slots + i * slot_size + live_off; the count is rest plus every slot's
 * live (one may be negative: only the sum means anything).  Writers use
 * relaxed atomic stores, readers relaxed atomic loads, but for rest: a
 * thread that ends zeroes its slot, then adds what it held to rest with
 * release order, so a reader loads rest first, with acquire order, and
 * then the slots, and never counts those bytes twice.
 */
typedef struct mp__heap_share {
    uint64_t magic;     /* MP__HEAP_SHARE_MAGIC */
    uint32_t format;    /* MP__HEAP_SHARE_FORMAT */
    uint32_t state;     /* MP__HEAP_SHARE_COUNTING or _FOREIGN */
    int64_t pid;        /* the process that writes it */
    uint64_t at_random; /* its getauxval(AT_RANDOM): new at each execve */
    uint32_t size;      /* bytes of the file */
    uint32_t nslots;
    uint32_t slots;     /* offset of the first slot */
    uint32_t slot_size; /* bytes from one slot to the next */
    uint32_t live_off;  /* offset of live in a slot */
    uint32_t replaced;  /* 1: DIR/<pid>.heap is now another file */
    long long rest;     /* the counts of ended threads and slotless ones */
} __attribute__((aligned(64))) mp__heap_share;

_Static_assert(sizeof(mp__heap_share) == 64, "the header is 64 bytes");

#endif /* MEMPROF_HEAP_SHARE_H */
