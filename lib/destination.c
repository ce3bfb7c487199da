/*
 * destination.c - where the report goes and when: MEMPROF_OUTPUT's file
 * or the starting stderr, the report at exit (once), mp_report(), and the
 * line about hits that came after it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "leaks.h"

/*
 * The stderr the program started with: noted before main, by a
 * constructor, because a program started with descriptor 2 closed may
 * open a file of its own on it before its first profiled line.  The
 * report goes to descriptor 2 only while it is still that file.
 */
static mp__fd_id stderr_id;
static int stderr_open; /* descriptor 2 was open at start */

__attribute__((constructor)) static void note_stderr(void)
{
    struct stat st;
    MP__SAVE_ERRNO({
        if (fstat(STDERR_FILENO, &st) == 0) {
            stderr_id.dev = st.st_dev;
            stderr_id.ino = st.st_ino;
            stderr_open = 1;
        }
    });
}

/* stderr_is_ours() - whether descriptor 2 is still the starting stderr. */
static int stderr_is_ours(void)
{
    return stderr_open && mp__fd_is(STDERR_FILENO, &stderr_id);
}

/*
 * output_path() - MEMPROF_OUTPUT with %p expanded into buf, or NULL when
 * the report goes to stderr (said once when the name is too long).
 */
static const char *output_path(char *buf, size_t size)
{
    const char *pattern = mp__config.output;
    if (pattern == NULL)
        return NULL;
    if (mp__expand_pid(pattern, (long)getpid(), buf, size) != 0) {
        mp__warn("MEMPROF_OUTPUT='%s' is too long; using stderr", pattern);
        mp__config.output = NULL;
        return NULL;
    }
    return buf;
}

/*
 * mp__output_start() - empty the report file when recording starts, so
 * that every report of this run (the process's, its forked children's,
 * each mp_report(NULL)) can append to it; an unwritable file, a symbolic
 * link, a FIFO is said now and the reports go to stderr.
 */
void mp__output_start(void)
{
    char buf[4096];
    const char *path = output_path(buf, sizeof buf);
    if (path == NULL)
        return;
    int fd = mp__open_out(path, O_CREAT | O_TRUNC);
    if (fd < 0) {
        mp__warn_out("MEMPROF_OUTPUT", path, fd, "using stderr");
        mp__config.output = NULL;
        return;
    }
    close(fd);
}

/*
 * open_destination() - the report file, to append to, or stderr; *path
 * is the file's name (in buf) or NULL.
 */
static FILE *open_destination(char *buf, size_t size, const char **path)
{
    *path = output_path(buf, size);
    if (*path == NULL)
        return stderr;
    int fd = mp__open_out(*path, O_CREAT | O_APPEND);
    FILE *f = fd >= 0 ? fdopen(fd, "a") : NULL;
    if (f == NULL) {
        int rc = fd >= 0 ? -errno : fd;
        if (fd >= 0)
            close(fd);
        mp__warn_out("MEMPROF_OUTPUT", *path, rc, "using stderr");
        *path = NULL;
        return stderr;
    }
    return f;
}

/*
 * report_to_destination() - the report to MEMPROF_OUTPUT's file or to
 * stderr, never to a descriptor 2 that is not the starting stderr
 * (-EBADF).  When the file cannot take it all (a full disk), the part
 * written is cut off again and the report goes to stderr, with one line.
 * Returns 0 or -errno.
 */
static int report_to_destination(FILE *leaks)
{
    char buf[4096];
    const char *path;
    FILE *f = open_destination(buf, sizeof buf, &path);
    if (f != stderr) {
        struct stat st;
        off_t size0 =
            fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) ? st.st_size : -1;
        int r = mp__report_write(f, leaks);
        if (r != 0 && size0 >= 0)
            (void)!ftruncate(fileno(f), size0);
        fclose(f);
        if (r == 0)
            return 0;
        mp__warn("cannot write the report to MEMPROF_OUTPUT='%s' (%s); "
                 "writing it to stderr",
                 path, mp_strerror(r));
    }
    if (!stderr_is_ours())
        return -EBADF;
    return mp__report_write(stderr, leaks);
}

/*
 * leaks_csv() - with MEMPROF_FORMAT=csv, the leak report as text on
 * stderr (while it is the starting one): CSV has no room for it.
 */
static void leaks_csv(FILE *leaks)
{
    if (leaks == NULL || mp__config.format != MP__FORMAT_CSV ||
        !stderr_is_ours())
        return;
    rewind(leaks);
    mp__leaks_print(leaks, stderr, 0);
}

/*
 * hits() - how many hits were recorded in all, by every site, into *n.
 * Returns 0.
 */
static int hits(uint64_t *n)
{
    mp__lock();
    *n = mp__hits();
    mp__unlock();
    return 0;
}

static int exited;             /* the report at exit has run */
static uint64_t reported_hits; /* hits() when it ran */

/*
 * late_hits() - after every exit handler: records made after the report
 * (in an exit handler registered before the library started, or in a
 * destructor) are not in it; say how many in one line.
 */
__attribute__((destructor)) static void late_hits(void)
{
    MP__SAVE_ERRNO({
        uint64_t now;
        if (!__atomic_load_n(&exited, __ATOMIC_ACQUIRE) || hits(&now) != 0 ||
            now <= reported_hits)
            break;
        uint64_t late = now - reported_hits;
        if (late > 0)
            mp__warn("%llu line hits came after the report at exit and "
                     "are not in it",
                     (unsigned long long)late);
    });
}

/*
 * mp__report_at_exit() - see internal.h: once, from exit(3) or
 * quick_exit(3).
 */
void mp__report_at_exit(void)
{
    if (__atomic_exchange_n(&exited, 1, __ATOMIC_ACQ_REL))
        return;
    MP__SAVE_ERRNO({
        mp__copies_check();
        unsigned long dropped = __atomic_load_n(&mp__dropped, __ATOMIC_RELAXED);
        if (dropped != 0)
            mp__warn("%lu line hits were not recorded (in signal handlers "
                     "that interrupted the library, or out of memory)",
                     dropped);
        if (__atomic_load_n(&mp__state, __ATOMIC_ACQUIRE) != MP__STATE_ON)
            break;
        /* First: what the report allocates is not in the leaks. */
        FILE *leaks = mp__leaks_dump();
        int r = hits(&reported_hits);
        if (r == 0 && reported_hits == 0 && leaks == NULL)
            break;
        if (r != 0) {
            reported_hits = UINT64_MAX; /* unknown: no line about late hits */
            mp__warn("cannot write the report (%s)", mp_strerror(r));
        } else {
            r = report_to_destination(leaks);
            if (r != 0 && r != -EBADF)
                mp__warn("cannot write the report (%s)", mp_strerror(r));
            leaks_csv(leaks);
        }
        if (leaks != NULL)
            fclose(leaks);
    });
}

/* mp_report() - see memprof.h. */
int mp_report(FILE *out)
{
    int r = 0;
    MP__SAVE_ERRNO({
        mp__init();
        if (__atomic_load_n(&mp__state, __ATOMIC_ACQUIRE) != MP__STATE_ON)
            break;
        r = out != NULL ? mp__report_write(out, NULL)
                        : report_to_destination(NULL);
    });
    return r;
}
