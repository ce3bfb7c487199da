/*
 * datwriter.c - the .dat file that memprof run and memprof attach write:
 * opening or creating it (mprofile_<date>.dat by default), its CMDLINE
 * line, the MEM and CHLD lines kept and written in batches, and leaving the
 * file as it was when the command cannot start.
 *
 * Lines go to the file whole, with one write(2) on an O_APPEND descriptor,
 * so that the FUNC lines the profiled program appends never split one, and
 * a killed memprof leaves a file of whole lines.  A write that stops
 * part-way (a full disk) is taken back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "base.h"
#include "run.h"

/*
 * How long whole lines may wait before they are written, in seconds: at
 * short intervals one write(2) per sample costs more than the sample
 * (mprof flushes every 50 lines); at the default 0.1 s every sample is
 * written as it is taken.  A recording that ends, or is ended by a
 * signal, is written out whole; only a SIGKILL of memprof itself can lose
 * this much.
 */
#define FLUSH_S 0.1

/*
 * unwrite() - after a write that stopped part-way (a full disk, a file
 * size limit), cut the part written off the end of the file, so that the
 * file keeps whole lines only.  Other writers fail on the same full file,
 * so its end is the part.
 */
static void unwrite(int fd, size_t done)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)done)
        return;
    if (ftruncate(fd, st.st_size - (off_t)done) != 0)
        return; /* the write's error is the one to report */
}

/*
 * write_line() - all of buf with one write(2) (more only if the kernel
 * writes it in part).  Returns 0 or -errno; a line that could not be
 * written whole is taken back.
 */
static int write_line(int fd, const char *buf, size_t n)
{
    size_t done = 0;
    int r = mp__write_all(fd, buf, n, &done);
    if (r != 0 && done > 0)
        unwrite(fd, done);
    return r;
}

/*
 * write_cmdline() - the CMDLINE line of argv, in mprof's quoting, with
 * one write.  Returns 0 or -errno.
 */
static int write_cmdline(int fd, char *const argv[])
{
    size_t size = sizeof "CMDLINE \n";
    for (int i = 0; argv[i] != NULL; i++)
        size += 4 * strlen(argv[i]) + 3; /* "\\xHH" for each, quotes */
    char *buf = malloc(size);
    if (buf == NULL)
        return -ENOMEM;
    int n = mp__dat_put_cmdline(buf, size, argv);
    int r = n < 0 ? n : write_line(fd, buf, (size_t)n);
    free(buf);
    return r;
}

/*
 * open_output() - open name for appending, creating it if need be, with
 * base.h's mp__open_out(): a symbolic link is never followed (-ELOOP: one
 * planted in a shared folder could name someone else's file), and an
 * existing file must be a regular file or a character device such as
 * /dev/null (-ENXIO: a FIFO nobody reads would block).  Says whether it
 * was created and how long it was, so that a command that cannot start
 * leaves it as it was.  Returns the fd or -errno.
 */
static int open_output(const char *name, int *created, off_t *size0)
{
    for (int tries = 0; tries < 3; tries++) {
        int fd = mp__open_out(name, O_CREAT | O_EXCL | O_APPEND);
        if (fd >= 0) {
            *created = 1;
            *size0 = 0;
            return fd;
        }
        if (fd != -EEXIST)
            return fd;
        fd = mp__open_out(name, O_APPEND);
        if (fd >= 0) {
            struct stat st;
            *created = 0;
            *size0 =
                fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? st.st_size : -1;
            return fd;
        }
        if (fd != -ENOENT)
            return fd;
    }
    return -EAGAIN;
}

/* default_name() - mprofile_YYYYMMDDhhmmss.dat of local time now. */
static void default_name(char *buf, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(buf, size, "mprofile_%Y%m%d%H%M%S.dat", &tm);
}

/* datwriter_open() - see run.h. */
int datwriter_open(datwriter *w, const char *output, char *const argv[])
{
    memset(w, 0, sizeof *w);
    w->fd = -1;
    if (output != NULL && strlen(output) >= sizeof w->name) {
        cli_error("cannot write %.40s...: %s", output, strerror(ENAMETOOLONG));
        return CLI_ERROR;
    }
    if (output != NULL)
        snprintf(w->name, sizeof w->name, "%s", output);
    else
        default_name(w->name, sizeof w->name);
    int fd = open_output(w->name, &w->created, &w->size0);
    if (fd == -ELOOP) {
        cli_error("cannot write %s: it is a symbolic link, which memprof "
                  "does not follow",
                  w->name);
        return CLI_ERROR;
    }
    if (fd == -ENXIO) {
        cli_error("cannot write %s: not a regular file", w->name);
        return CLI_ERROR;
    }
    if (fd < 0) {
        cli_error("cannot write %s: %s", w->name, strerror(-fd));
        return CLI_ERROR;
    }
    w->fd = fd;
    int e = write_cmdline(fd, argv);
    if (e != 0) {
        cli_error("cannot write %s: %s", w->name, strerror(-e));
        datwriter_undo(w);
        return CLI_ERROR;
    }
    return 0;
}

/* datwriter_undo() - see run.h. */
void datwriter_undo(datwriter *w)
{
    if (w->created)
        unlink(w->name);
    else if (w->size0 >= 0 && ftruncate(w->fd, w->size0) != 0)
        cli_error("cannot cut %s back: %s", w->name, strerror(errno));
    datwriter_close(w);
}

/* datwriter_close() - see run.h. */
void datwriter_close(datwriter *w)
{
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
}

/*
 * datwriter_flush() - see run.h.  The lines go with one write(2); when
 * that fails (a full disk, a file size limit), they are written one by
 * one, so the file keeps every whole line there is room for.
 */
int datwriter_flush(datwriter *w)
{
    w->flushed = mp__now_mono();
    if (w->write_errno != 0)
        return -1;
    int r = w->out_len > 0 ? write_line(w->fd, w->out, w->out_len) : 0;
    for (size_t at = 0; r != 0 && at < w->out_len;) {
        const char *nl = memchr(w->out + at, '\n', w->out_len - at);
        size_t len = (size_t)(nl - (w->out + at)) + 1;
        if (write_line(w->fd, w->out + at, len) != 0)
            break;
        at += len;
    }
    w->out_len = 0;
    if (r == 0)
        return 0;
    w->write_errno = -r;
    cli_error("cannot write %s: %s; recording stopped", w->name, strerror(-r));
    return -1;
}

/*
 * datwriter_flush_due() - see run.h.  Lines are due at FLUSH_S, less half
 * an interval: the sample nearest that time is written with them.
 */
void datwriter_flush_due(datwriter *w, double interval)
{
    if (mp__now_mono() - w->flushed >= FLUSH_S - interval / 2)
        datwriter_flush(w);
}

/* datwriter_put() - see run.h. */
int datwriter_put(datwriter *w, const char *line, int n)
{
    if (n < 0)
        return -1;
    if (w->out_len + (size_t)n > sizeof w->out && datwriter_flush(w) != 0)
        return -1;
    memcpy(w->out + w->out_len, line, (size_t)n);
    w->out_len += (size_t)n;
    return 0;
}
