/*
 * settings.c - the run-time settings (MEMPROF_* environment variables).
 *
 * A bad value is never fatal: one "memprof: ..." line names the variable,
 * the value and what is used instead.
 */
#define _GNU_SOURCE /* secure_getenv */
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "internal.h"

mp__settings mp__config = {
    .precision = MP__PRECISION_DEFAULT,
    .format = MP__FORMAT_TABLE,
};

/*
 * mp__expand_pid() - "%p" becomes the decimal pid, "%%" a single '%'; any
 * other '%' is copied as it is.
 */
int mp__expand_pid(const char *pattern, long pid, char *buf, size_t size)
{
    size_t n = 0;
    for (const char *p = pattern; *p != '\0'; p++) {
        char num[24];
        const char *piece = p;
        size_t len = 1;
        if (p[0] == '%' && p[1] == 'p') {
            len = (size_t)snprintf(num, sizeof num, "%ld", pid);
            piece = num;
            p++;
        } else if (p[0] == '%' && p[1] == '%') {
            p++;
        }
        if (n + len >= size)
            return -ENAMETOOLONG;
        memcpy(buf + n, piece, len);
        n += len;
    }
    if (n >= size)
        return -ENAMETOOLONG;
    buf[n] = '\0';
    return 0;
}

/*
 * secure_execution() - whether this process runs setuid, setgid or with
 * file capabilities (AT_SECURE): the user who set the environment is not
 * the one whose rights the process has, so MEMPROF_OUTPUT, MEMPROF_DAT and
 * MEMPROF_SOURCE_PATH could make it write or show files that user may
 * not.  Settings are then read with secure_getenv, which gives NULL;
 * one line says so when any MEMPROF_ variable is set.
 */
static int secure_execution(void)
{
    if (getauxval(AT_SECURE) == 0)
        return 0;
    extern char **environ;
    for (char **e = environ; e != NULL && *e != NULL; e++) {
        if (strncmp(*e, "MEMPROF_", 8) == 0) {
            mp__warn("profiling settings (MEMPROF_*) are ignored in a "
                     "setuid or setgid program; using the defaults");
            break;
        }
    }
    return 1;
}

/*
 * mp__settings_load() - read MEMPROF_DISABLE first: when recording is off,
 * nothing else is read and nothing is printed.  A variable set to the
 * empty string counts as unset, as a shell's "NAME= prog" means.  In a
 * setuid or setgid program nothing is read (see secure_execution()).
 */
void mp__settings_load(mp__settings *out)
{
    const char *v;
    long n;

    out->disabled = 0;
    out->precision = MP__PRECISION_DEFAULT;
    out->output = NULL;
    out->source_path = NULL;
    out->dat = NULL;
    out->backend = NULL;
    out->format = MP__FORMAT_TABLE;
    out->peak = 0;
    out->alloc = 0;
    out->leaks = 0;
    out->break_mib = 0;
    out->secure = 0;
    out->report_signal = 0;

    out->secure = secure_execution();
    if (out->secure)
        return;

    v = secure_getenv("MEMPROF_DISABLE");
    if (v != NULL && *v != '\0') {
        if (mp__parse_int(v, 0, 1, &n) == 0)
            out->disabled = (int)n;
        else
            mp__warn("MEMPROF_DISABLE='%s' is not 0 or 1; using 0", v);
    }
    if (out->disabled)
        return;

    v = secure_getenv("MEMPROF_PRECISION");
    if (v != NULL && *v != '\0') {
        if (mp__parse_int(v, 0, MP__PRECISION_MAX, &n) == 0)
            out->precision = (int)n;
        else
            mp__warn("MEMPROF_PRECISION='%s' is not an integer 0..%d; "
                     "using %d",
                     v, MP__PRECISION_MAX, MP__PRECISION_DEFAULT);
    }

    v = secure_getenv("MEMPROF_OUTPUT");
    if (v != NULL && *v != '\0')
        out->output = v;

    v = secure_getenv("MEMPROF_SOURCE_PATH");
    if (v != NULL && *v != '\0')
        out->source_path = v;

    v = secure_getenv("MEMPROF_BACKEND");
    if (v != NULL && *v != '\0')
        out->backend = v;

    v = secure_getenv("MEMPROF_FORMAT");
    if (v != NULL && *v != '\0') {
        if (strcmp(v, "json") == 0)
            out->format = MP__FORMAT_JSON;
        else if (strcmp(v, "csv") == 0)
            out->format = MP__FORMAT_CSV;
        else if (strcmp(v, "table") != 0)
            mp__warn("MEMPROF_FORMAT='%s' is not table, json or csv; using "
                     "table",
                     v);
    }

    v = secure_getenv("MEMPROF_PEAK");
    if (v != NULL && *v != '\0') {
        if (mp__parse_int(v, 0, 1, &n) == 0)
            out->peak = (int)n;
        else
            mp__warn("MEMPROF_PEAK='%s' is not 0 or 1; using 0", v);
    }

    v = secure_getenv("MEMPROF_ALLOC");
    if (v != NULL && *v != '\0') {
        if (mp__parse_int(v, 0, 1, &n) == 0)
            out->alloc = (int)n;
        else
            mp__warn("MEMPROF_ALLOC='%s' is not 0 or 1; using 0", v);
    }

    v = secure_getenv("MEMPROF_LEAKS");
    if (v != NULL && *v != '\0') {
        if (mp__parse_int(v, 0, 1, &n) == 0)
            out->leaks = (int)n;
        else
            mp__warn("MEMPROF_LEAKS='%s' is not 0 or 1; using 0", v);
    }

    v = secure_getenv("MEMPROF_BREAK_MIB");
    if (v != NULL && *v != '\0') {
        char *end = NULL;
        int saved = errno;
        double mib = strtod(v, &end);
        errno = saved;
        if (end != v && *end == '\0' && mib > 0 && mib < 1e12)
            out->break_mib = mib;
        else
            mp__warn("MEMPROF_BREAK_MIB='%s' is not a number of MiB above "
                     "0; no break",
                     v);
    }

    v = secure_getenv("MEMPROF_REPORT_SIGNAL");
    if (v != NULL && *v != '\0') {
        const char *name = strncmp(v, "SIG", 3) == 0 ? v + 3 : v;
        if (strcmp(name, "USR1") == 0)
            out->report_signal = SIGUSR1;
        else if (strcmp(name, "USR2") == 0)
            out->report_signal = SIGUSR2;
        else
            mp__warn("MEMPROF_REPORT_SIGNAL='%s' is not USR1 or USR2; no "
                     "report on a signal",
                     v);
    }

    v = secure_getenv(MP__DAT_ENV);
    if (v != NULL && *v != '\0')
        out->dat = v;
}
