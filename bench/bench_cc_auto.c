/*
 * bench_cc_auto.c - the loop of bench_cc.c's figure 1 as plain statements,
 * without a single MP_LINE.  bench/Makefile compiles this file with
 *
 *     memprof cc --func 'cc_*' CC ... -c bench_cc_auto.c
 *
 * which makes every line of cc_loop record, and links it into bench_cc
 * beside line_loop, the same loop written with MP_LINE.  Compiled as a
 * plain file it records nothing, and bench_cc says so.
 */

unsigned cc_loop(long n, unsigned v);

/*
 * cc_loop() - n passes of three statements on a and b, started from v;
 * returns a mix of both so that none of it is dead.  Rewritten by memprof
 * cc, a call takes 4n + 5 readings: the entry, each declaration, each
 * statement of the body, each evaluation of the for condition (n + 1)
 * and the return.
 */
unsigned cc_loop(long n, unsigned v)
{
    unsigned a = v;
    unsigned b = v >> 1;
    for (long i = 0; i < n; i++) {
        a = a * 31u + 7u;
        b ^= a >> 3;
        a += b;
    }
    return a ^ b;
}
