/*
 * budget.c - memory budgets: MEMPROF_BREAK_MIB stops in the debugger when
 * a line adds more than allowed, MP_ASSERT_BELOW_MIB aborts when the
 * memory is above a limit.
 */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

/*
 * mp__break_here() - MEMPROF_BREAK_MIB: a line added more than allowed; say
 * which and stop in the debugger (SIGTRAP, as memory_profiler's
 * --pdb-mmem).  Without a debugger or a handler, SIGTRAP ends the program:
 * that is what was asked.
 */
void mp__break_here(const mp__site *site, int64_t rise)
{
    mp__warn("%s:%d added %.1f MiB, over MEMPROF_BREAK_MIB=%g; SIGTRAP",
             site->file, site->line, (double)rise / MP__MIB,
             mp__config.break_mib);
    raise(SIGTRAP);
}

/* mp__assert_below() - see MP_ASSERT_BELOW_MIB in memprof.h. */
void mp__assert_below(const char *file, int line, double mib)
{
    int saved_errno = errno;
    mp__init();
    long long r = 0;
    mp__thread *t = mp__thread_self();
    if (t != NULL) {
        r = mp__reading(t);
    } else {
        mp__proc_reader rd;
        r = mp__proc_open(&rd, 0, MP__BACKEND_RSS) == 0 ? mp__proc_read(&rd)
                                                        : 0;
        mp__proc_close(&rd);
    }
    if ((double)r > mib * MP__MIB) {
        mp__warn("%s:%d: %.1f MiB is not below %g MiB "
                 "(MP_ASSERT_BELOW_MIB)",
                 file, line, (double)r / MP__MIB, mib);
        abort();
    }
    errno = saved_errno;
}
