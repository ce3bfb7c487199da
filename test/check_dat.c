/*
 * check_dat.c - mprof's .dat format (lib/dat.c) and the FUNC lines a
 * program writes when MEMPROF_DAT names a file (lib/spans.c).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "testutil.h"

START_TEST(test_put_lines)
{
    char buf[256];
    ck_assert_int_eq(
        mp__dat_put_mem(buf, sizeof buf, 12.3456789, 1763822000.12345),
        (int)strlen("MEM 12.345679 1763822000.1235\n"));
    ck_assert_str_eq(buf, "MEM 12.345679 1763822000.1235\n");
    mp__dat_put_chld(buf, sizeof buf, 4242, 3.5, 1763822000.2234);
    ck_assert_str_eq(buf, "CHLD 4242 3.500000 1763822000.2234\n");
    mp__dat_put_func(buf, sizeof buf, "basic.my_func", 40.421875, 1763822000.3,
                     200.64453125, 1763822001.4, 0);
    ck_assert_str_eq(buf, "FUNC basic.my_func 40.4219 1763822000.3000 "
                          "200.6445 1763822001.4000 0\n");
    char a0[] = "./prog";
    char a1[] = "a b";
    char a2[] = "c\td";
    char a3[] = "e";
    char *argv[] = {a0, a1, a2, a3, NULL};
    mp__dat_put_cmdline(buf, sizeof buf, argv);
    ck_assert_str_eq(buf, "CMDLINE ./prog 'a b' 'c\td' e\n");
    ck_assert_int_eq(mp__dat_put_mem(buf, 10, 1.0, 2.0), -ENOSPC);
}
END_TEST

/*
 * CMDLINE stays one line whatever the arguments hold: an argument
 * "\nMEM 99999 1" cannot forge a reading.
 */
START_TEST(test_put_cmdline_escaped)
{
    char buf[256];
    char a0[] = "./prog";
    char a1[] = "\nMEM 99999 1";
    char a2[] = "x\ry\001z\x7f";
    char a3[] = "a\tb\n";
    char *argv[] = {a0, a1, a2, a3, NULL};
    int n = mp__dat_put_cmdline(buf, sizeof buf, argv);
    ck_assert_str_eq(buf, "CMDLINE ./prog '\\nMEM 99999 1' x\\ry\\x01z\\x7f "
                          "'a\tb\\n'\n");
    ck_assert_int_eq(n, (int)strlen(buf));
    ck_assert_ptr_eq(strchr(buf, '\n'), buf + n - 1);
    ck_assert_int_eq(mp__dat_put_cmdline(buf, 20, argv), -ENOSPC);
}
END_TEST

START_TEST(test_func_name)
{
    char buf[64];
    mp__dat_func_name(buf, sizeof buf, "examples/basic.c", "my_func");
    ck_assert_str_eq(buf, "basic.my_func");
    mp__dat_func_name(buf, sizeof buf, "x.tar.c", "a phase\tz");
    ck_assert_str_eq(buf, "x.tar.a_phase_z");
    mp__dat_func_name(buf, sizeof buf, "/abs/noext", "f");
    ck_assert_str_eq(buf, "noext.f");
    mp__dat_func_name(buf, sizeof buf, ".hidden", "f");
    ck_assert_str_eq(buf, ".hidden.f");
    ck_assert_int_eq(mp__dat_func_name(buf, 8, "long_name.c", "function"),
                     -ENOSPC);
}
END_TEST

/* write_tmp() - text into a new temporary file; its path (static). */
static const char *write_tmp(const char *text)
{
    static char path[64];
    strcpy(path, "/tmp/mp_dat_XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

START_TEST(test_read)
{
    const char *path =
        write_tmp("CMDLINE ./prog 'a b'\n"
                  "MEM 1.500000 100.0000\n"
                  "CHLD 7 2.000000 100.0500\n"
                  "MEM 3.250000 100.1000\n"
                  "FUNC m.f 1.5000 100.0000 3.2500 100.1000 0\n"
                  "CHLD 8 1.000000 100.1000\n"
                  "CHLD 7 4.000000 100.1500\n"
                  "FUNC m.g 1.0 100.01 2.0 100.02\n"
                  "NOTE anything mprof does not know is skipped\n");
    mp__dat d;
    char err[256] = "";
    ck_assert_int_eq(mp__dat_read(path, &d, err, sizeof err), 0);
    ck_assert_str_eq(d.cmdline, "./prog 'a b'");
    ck_assert_uint_eq(d.nmem, 2);
    ck_assert_double_eq(d.mem[1].mib, 3.25);
    ck_assert_double_eq(d.mem[1].t, 100.1);
    ck_assert_uint_eq(d.nchildren, 2);
    ck_assert_int_eq(d.children[0].pid, 7);
    ck_assert_uint_eq(d.children[0].n, 2);
    ck_assert_double_eq(d.children[0].samples[1].mib, 4.0);
    ck_assert_int_eq(d.children[1].pid, 8);
    ck_assert_uint_eq(d.nfuncs, 2);
    ck_assert_str_eq(d.funcs[0].name, "m.f");
    ck_assert_double_eq(d.funcs[0].mem1, 3.25);
    ck_assert_int_eq(d.funcs[0].level, 0);
    ck_assert_str_eq(d.funcs[1].name, "m.g");
    mp__dat_free(&d);
    ck_assert_ptr_null(d.mem);
    unlink(path);
}
END_TEST

START_TEST(test_read_errors)
{
    static const struct {
        const char *text;
        int line;
    } bad[] = {
        {"MEM 1.0 2.0\nMEM x 3.0\n", 2},
        {"MEM 1.0\n", 1},
        {"CMDLINE a\n\nMEM 1.0 2.0\n", 2},
        {"CHLD z 1.0 2.0\n", 1},
        {"FUNC f 1 2 3\n", 1},
        {"MEM 1.0 2.0 \nFUNC f 1 2 3 4 x\n", 2},
        /* What mprof does not write: junk after the fields, tabs, hex,
           a level that is not an int. */
        {"MEM 1.0 2.0\nMEM 1 2 junk\n", 2},
        {"MEM\t1.0\t2.0\n", 1},
        {"MEM 1.0 2.0\nCHLD\t7 1.0 2.0\n", 2},
        {"MEM 0x10 2.0\n", 1},
        {"FUNC f 1 2 3 4 inf\n", 1},
        {"FUNC f 1 2 3 4 nan\n", 1},
        {"FUNC f 1 2 3 4 2147483648\n", 1},
        {"FUNC f 1 2 3 4 1.5\n", 1},
        {"FUNC f 1 2 3 4 0 junk\n", 1},
        {"CHLD 99999999999999999999 1 2\n", 1},
        /* A malformed line that is not the last one, newline or not. */
        {"MEM 1 2\nMEM 1\nMEM 3 4", 2},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *path = write_tmp(bad[i].text);
        mp__dat d;
        char err[256];
        char want[128];
        ck_assert_int_eq(mp__dat_read(path, &d, err, sizeof err), -EINVAL);
        snprintf(want, sizeof want, "%s:%d: not a line of a .dat file", path,
                 bad[i].line);
        ck_assert_str_eq(err, want);
        ck_assert_uint_eq(d.nmem, 0);
        unlink(path);
    }
    mp__dat d;
    char err[256];
    ck_assert_int_eq(mp__dat_read("/nonexistent/x.dat", &d, err, sizeof err),
                     -ENOENT);
    ck_assert_str_eq(err, "cannot read /nonexistent/x.dat: No such file or "
                          "directory");
}
END_TEST

/*
 * A last line cut short (no newline) is left out, not the file; values
 * beyond what is drawable are skipped and counted; a level in int's range
 * is kept as it is.
 */
START_TEST(test_read_torn_and_absurd)
{
    mp__dat d;
    char err[256];
    const char *path = write_tmp("CMDLINE x\nMEM 1 2\nMEM 1e308 3\n"
                                 "MEM -1e308 4\nMEM nan 5\nMEM 2 inf\n"
                                 "CHLD 7 1e300 6\nFUNC a.f 1 2 3 1e99 0\n"
                                 "FUNC a.g 1 2 3 4 2147483647\nMEM 3 7\n"
                                 "FUNC a.h 1.0 2.0 3");
    ck_assert_int_eq(mp__dat_read(path, &d, err, sizeof err), 0);
    ck_assert_uint_eq(d.nmem, 2);
    ck_assert_double_eq(d.mem[1].mib, 3);
    ck_assert_uint_eq(d.nchildren, 0);
    ck_assert_uint_eq(d.nfuncs, 1);
    ck_assert_int_eq(d.funcs[0].level, 2147483647);
    ck_assert_uint_eq(d.skipped, 6);
    ck_assert_int_eq(d.skipped_line, 3);
    ck_assert_int_eq(d.torn_line, 11);
    mp__dat_free(&d);
    unlink(path);
    /* A whole last line without its newline is kept. */
    path = write_tmp("MEM 1 2\nMEM 3 4");
    ck_assert_int_eq(mp__dat_read(path, &d, err, sizeof err), 0);
    ck_assert_uint_eq(d.nmem, 2);
    ck_assert_int_eq(d.torn_line, 0);
    mp__dat_free(&d);
    unlink(path);
}
END_TEST

/*
 * Children are found by pid in time proportional to the file: 300,000
 * children (each a CHLD line) read in well under 3 s of CPU (it was
 * quadratic: about 18 s).
 */
START_TEST(test_read_many_children)
{
    char path[] = "/tmp/mp_dat_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    fputs("MEM 1 1\n", f);
    for (long i = 0; i < 300000; i++)
        fprintf(f, "CHLD %ld %ld.5 1.%ld\n", i * 7919 % 1000003, i % 9, i);
    fputs("CHLD 7919 100 2\n", f);
    ck_assert_int_eq(fclose(f), 0);
    clock_t c0 = clock();
    mp__dat d;
    char err[256];
    ck_assert_int_eq(mp__dat_read(path, &d, err, sizeof err), 0);
    double cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    ck_assert_uint_eq(d.nchildren, 300000);
    ck_assert_int_eq(d.children[1].pid, 7919);
    ck_assert_uint_eq(d.children[1].n, 2);
    ck_assert_double_eq(d.children[1].samples[1].mib, 100);
    /*
     * Linear, not quadratic: 3 s plain; the sanitizers run
     * code several times slower (3.5 s under TSan), valgrind some 50
     * times.
     */
    double limit = test_valgrind() ? 60 : MP_TEST_SAN[0] != '\0' ? 30 : 3;
    ck_assert_msg(cpu < limit, "%.2f s of CPU", cpu);
    mp__dat_free(&d);
    unlink(path);
}
END_TEST

/* span_of() - the FUNC span named name, the nth (0-based). */
static const mp__dat_span *span_of(const mp__dat *d, const char *name, int nth)
{
    for (size_t i = 0; i < d->nfuncs; i++)
        if (strcmp(d->funcs[i].name, name) == 0 && nth-- == 0)
            return &d->funcs[i];
    ck_abort_msg("no FUNC %s", name);
    return NULL;
}

/* within() - whether span a lies inside span b in time. */
static int within(const mp__dat_span *a, const mp__dat_span *b)
{
    return b->t0 <= a->t0 && a->t1 <= b->t1;
}

/*
 * examples/grow.c with MEMPROF_DAT set: one FUNC line per profiled call
 * and MP_TIMESTAMP block, named "<stem>.<name>", nested in time and by
 * level as the code nests them, children's spans included.
 */
START_TEST(test_spans_of_grow)
{
    char path[] = "/tmp/mp_spans_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    char env0[64];
    snprintf(env0, sizeof env0, "MEMPROF_DAT=%s", path);
    const char *env[] = {env0, NULL};
    char prog[256];
    snprintf(prog, sizeof prog, "%s/examples/grow", test_build_dir());
    const char *argv[] = {prog, NULL};
    run_result r;
    ck_assert_int_eq(run_capture(argv, env, &r), 0);
    ck_assert_int_eq(WEXITSTATUS(r.status), 0);
    run_result_free(&r);

    mp__dat d;
    char err[256];
    ck_assert_int_eq(mp__dat_read(path, &d, err, sizeof err), 0);
    ck_assert_uint_eq(d.nmem, 0);
    ck_assert_uint_eq(d.nfuncs, 4 + 1 + 2 + 1);
    const mp__dat_span *grow = span_of(&d, "grow.grow", 0);
    const mp__dat_span *children = span_of(&d, "grow.children", 0);
    ck_assert_int_eq(grow->level, 0);
    ck_assert_int_eq(children->level, 0);
    ck_assert(grow->t1 <= children->t0);
    for (int i = 0; i < 4; i++) {
        const mp__dat_span *s = span_of(&d, "grow.step", i);
        ck_assert_int_eq(s->level, 1);
        ck_assert(within(s, grow));
        /* Each step keeps 40 MB: 38.1 MiB more on the way out. */
        FIGURE(ck_assert_double_ge(s->mem1 - s->mem0, 37.5));
        FIGURE(ck_assert_double_le(s->mem1 - s->mem0, 39.0));
        ck_assert_double_ge(s->t1 - s->t0, 0.19);
        if (i > 0)
            ck_assert(span_of(&d, "grow.step", i - 1)->t1 <= s->t0);
    }
    for (int i = 0; i < 2; i++) {
        const mp__dat_span *s = span_of(&d, "grow.child_work", i);
        ck_assert_int_eq(s->level, 1);
        ck_assert(within(s, children));
        ck_assert_double_ge(s->t1 - s->t0, 0.49);
    }
    mp__dat_free(&d);
    unlink(path);
}
END_TEST

Suite *dat_suite(void)
{
    Suite *s = suite_create("dat");
    TCase *tc = tcase_create("format");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_put_lines);
    tcase_add_test(tc, test_put_cmdline_escaped);
    tcase_add_test(tc, test_func_name);
    tcase_add_test(tc, test_read);
    tcase_add_test(tc, test_read_errors);
    tcase_add_test(tc, test_read_torn_and_absurd);
    tcase_add_test(tc, test_read_many_children);
    tcase_add_test(tc, test_spans_of_grow);
    suite_add_tcase(s, tc);
    return s;
}
