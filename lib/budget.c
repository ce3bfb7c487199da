/*
 * budget.c - memory budgets: MEMPROF_BREAK_MIB stops in the debugger when
 * a line adds more than allowed, MP_ASSERT_BELOW_MIB aborts and
 * MP_CHECK_BELOW_MIB answers false when the memory is above a limit,
 * mp_current_mib() reads it.
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

/*
 * reading_now() - a reading of this process with the backend in use, in
 * bytes: with the thread's own reader when it has recorded, else with a
 * reader opened for this one reading (no thread record is made).  0 when
 * none can be taken.
 */
static long long reading_now(void)
{
    mp__init();
    mp__thread *t = mp__self;
    if (t != NULL)
        return mp__reading(t);
    mp__proc_reader rd;
    int rc = mp__backend_open(&rd);
    long long r = rc == 0 ? mp__backend_read(&rd) : rc;
    mp__proc_close(&rd);
    if (r < 0) {
        static int warned;
        if (!__atomic_exchange_n(&warned, 1, __ATOMIC_RELAXED))
            mp__warn("cannot read memory with the %s backend (%s); memory "
                     "reads as 0",
                     mp__backend_name(), mp_strerror((int)r));
        return 0;
    }
    return r;
}

/* mp_current_mib() - see memprof.h. */
double mp_current_mib(void)
{
    int saved_errno = errno;
    double mib = (double)reading_now() / MP__MIB;
    errno = saved_errno;
    return mib;
}

/*
 * over() - whether the reading now is above mib MiB; if so, say where on
 * stderr, naming the macro that asked.
 */
static int over(const char *file, int line, double mib, const char *macro)
{
    long long r = reading_now();
    if (!((double)r > mib * MP__MIB))
        return 0;
    mp__warn("%s:%d: %.1f MiB is not below %g MiB (%s)", file, line,
             (double)r / MP__MIB, mib, macro);
    return 1;
}

/* mp__check_below() - see MP_CHECK_BELOW_MIB in memprof.h. */
int mp__check_below(const char *file, int line, double mib)
{
    int saved_errno = errno;
    int ok = !over(file, line, mib, "MP_CHECK_BELOW_MIB");
    errno = saved_errno;
    return ok;
}

/*
 * mp__assert_below() - see MP_ASSERT_BELOW_MIB in memprof.h: the report
 * at exit, now (abort() would lose it), then the line last, where a CI
 * log's reader looks first.
 */
void mp__assert_below(const char *file, int line, double mib)
{
    int saved_errno = errno;
    long long r = reading_now();
    if ((double)r > mib * MP__MIB) {
        mp__report_at_exit();
        mp__warn("%s:%d: %.1f MiB is not below %g MiB "
                 "(MP_ASSERT_BELOW_MIB)",
                 file, line, (double)r / MP__MIB, mib);
        abort();
    }
    errno = saved_errno;
}
