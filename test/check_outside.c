/*
 * check_outside.c - what happens outside: lines outside profiled
 * functions (test/progs/outside.c), each counting its increment from the
 * last reading taken on its thread, by any line, and a thread's first
 * reading from itself, with the rss backend (figures within 1 MiB) and
 * the heap backend through the preload object (figures exact to the byte
 * at 6 decimals); and programs run outside the folder they were built in,
 * whose sources are found in the folder the compiler ran in (the debug
 * information's, lib/dwarf.c) or the executable's; and the README's
 * comparisons with memory_profiler run side by side on the same work.
 *
 * Tests run from the project's root, where make check runs them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "testutil.h"

/* The block sizes of outside.c, in MiB. */
#define BIG_MIB (150000000 / 1048576.0)
#define SMALL_MIB (40000000 / 1048576.0)
#define MAIN_MIB (60000000 / 1048576.0)
#define T_MIB (20000000 / 1048576.0)

/* How far an RSS figure may be from the bytes a line made or freed. */
#define RSS_SLACK 1.0

enum { RSS, HEAP };

/*
 * run_outside() - run outside MODE with the backend into *r (the caller
 * frees it); asserts that it exited 0 and that its report parses, into
 * t[max], whose rows point into r->err; returns the number of tables.
 */
static int run_outside(const char *mode, int backend, run_result *r, table *t,
                       int max)
{
    const char *prog = build_path("test/progs/outside");
    const char *argv[] = {prog, mode, NULL};
    const char *rss[] = {NULL};
    const char *heap[] = {"MEMPROF_BACKEND=heap", "MEMPROF_PRECISION=6",
                          preload_env(), asan_env(), NULL};

    ck_assert_int_eq(run_capture(argv, backend == HEAP ? heap : rss, r), 0);
    ck_assert_msg(WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0,
                  "outside %s: status %d\n%s", mode, r->status, r->err);
    ck_assert_msg(strncmp(r->err, "Filename: ", 10) == 0, "%s", r->err);
    return parse_tables(r->err, t, max);
}

/* near() - assert that a row's increment is want MiB, within slack. */
#define near(row, want)                                                        \
    FIGURE(ck_assert_msg((row)->inc > (want)-RSS_SLACK &&                      \
                             (row)->inc < (want) + RSS_SLACK,                  \
                         "%s: increment %s, want %.2f MiB", (row)->contents,   \
                         (row)->inc_cell, (double)(want)))

/*
 * The case: a profiled function makes and touches a 143 MiB
 * block, and the file's first line outside a function frees it.  It used
 * to count from 0 and show the whole process (+1.4 MiB); it counts from
 * the function's last reading on the thread.  A loop outside functions
 * then makes and frees 3 x 40 MB: each pass counts from the one before.
 */
START_TEST(test_free_rss)
{
    run_result r;
    table t[3];
    ck_assert_int_eq(run_outside("free", RSS, &r, t, 3), 2);
    ck_assert(strstr(t[0].rows[0].contents, "make(size_t n)") != NULL);
    const table_row *f = row_with(&t[1], "MP_LINE(free(p));");
    ck_assert_int_eq(f->occ, 1);
    near(f, -BIG_MIB);
    const table_row *m = row_with(&t[1], "malloc(SMALL)");
    const table_row *q = row_with(&t[1], "MP_LINE(free(q));");
    ck_assert_int_eq(m->occ, 3);
    ck_assert_int_eq(q->occ, 3);
    near(m, 3 * SMALL_MIB);
    near(q, -3 * SMALL_MIB);
    run_result_free(&r);
}
END_TEST

/* The same with the heap backend: exact bytes. */
START_TEST(test_free_heap)
{
    run_result r;
    table t[3];
    ck_assert_int_eq(run_outside("free", HEAP, &r, t, 3), 2);
    ck_assert_str_eq(row_with(&t[0], "malloc(n)")->inc_cell, "143.051147 MiB");
    ck_assert_str_eq(row_with(&t[1], "MP_LINE(free(p));")->inc_cell,
                     "-143.051147 MiB");
    ck_assert_str_eq(row_with(&t[1], "malloc(SMALL)")->inc_cell,
                     "114.440918 MiB");
    ck_assert_str_eq(row_with(&t[1], "MP_LINE(free(q));")->inc_cell,
                     "-114.440918 MiB");
    run_result_free(&r);
}
END_TEST

/*
 * The thread's first reading has no reading before it: it counts from
 * itself, an increment of exactly 0, and the next line from it.
 */
START_TEST(test_first_reading)
{
    run_result r;
    table t[2];
    ck_assert_int_eq(run_outside("first", RSS, &r, t, 2), 1);
    const table_row *m = row_with(&t[0], "malloc(SMALL)");
    ck_assert_str_eq(m->inc_cell, "0.0 MiB");
    FIGURE(ck_assert_double_gt(m->mem, SMALL_MIB));
    near(row_with(&t[0], "free(p)"), -SMALL_MIB);
    run_result_free(&r);

    ck_assert_int_eq(run_outside("first", HEAP, &r, t, 2), 1);
    ck_assert_str_eq(row_with(&t[0], "malloc(SMALL)")->inc_cell,
                     "0.000000 MiB");
    ck_assert_str_eq(row_with(&t[0], "free(p)")->inc_cell, "-38.146973 MiB");
    run_result_free(&r);
}
END_TEST

/*
 * Two threads taking turns: each line counts from its own thread's last
 * reading, so what the other thread did since shows in it (memory is the
 * process's), and each thread's first line shows 0.
 *   1. main makes 60 MB (main's first: 0)
 *   2. the worker makes 20 MB (its first: 0)
 *   3. main frees its 60 MB: -60 MB, +20 MB of the worker's since 1
 *   4. the worker frees its 20 MB: -20 MB, -60 MB of main's since 2
 */
START_TEST(test_threads)
{
    run_result r;
    table t[2];
    ck_assert_int_eq(run_outside("threads", HEAP, &r, t, 2), 1);
    ck_assert_str_eq(row_with(&t[0], "malloc(MAIN_N)")->inc_cell,
                     "0.000000 MiB");
    ck_assert_str_eq(row_with(&t[0], "malloc(T_N)")->inc_cell, "0.000000 MiB");
    ck_assert_str_eq(row_with(&t[0], "free(m)")->inc_cell, "-38.146973 MiB");
    ck_assert_str_eq(row_with(&t[0], "free(x)")->inc_cell, "-76.293945 MiB");
    run_result_free(&r);

    ck_assert_int_eq(run_outside("threads", RSS, &r, t, 2), 1);
    ck_assert_str_eq(row_with(&t[0], "malloc(MAIN_N)")->inc_cell, "0.0 MiB");
    ck_assert_str_eq(row_with(&t[0], "malloc(T_N)")->inc_cell, "0.0 MiB");
    near(row_with(&t[0], "free(m)"), T_MIB - MAIN_MIB);
    near(row_with(&t[0], "free(x)"), -T_MIB - MAIN_MIB);
    run_result_free(&r);
}
END_TEST

/* ---- Sources of a program run outside the folder it was built in. */

/* A program with a function whose source shows lines that never record. */
static const char prog_c[] =
    "#include <stdlib.h>\n"
    "#include <string.h>\n"
    "#include <memprof.h>\n"
    "\n"
    "static void *volatile escape;\n"
    "\n"
    "static char *make(size_t n) /* only in the source */\n"
    "{\n"
    "    MP_PROFILE_FUNC();\n"
    "    MP_LINE(char *p = malloc(n));\n"
    "    memset(p, 1, n);\n"
    "    escape = p;\n"
    "    MP_RETURN(p);\n"
    "}\n"
    "\n"
    "int main(void)\n"
    "{\n"
    "    free(make(1000000));\n"
    "    return 0;\n"
    "}\n";

/*
 * build_in() - in the sandbox: proj/prog.c, compiled as a build system
 * does from proj/build with the relative path ../prog.c, by cc with
 * flags, into proj/build/exe (a path below proj/build).
 */
static void build_in(const sandbox *sb, const char *cc, const char *flags,
                     const char *exe)
{
    ck_assert_int_eq(sh("rm -rf proj far && mkdir -p proj/build/out/sub far"),
                     0);
    put_file("proj/prog.c", prog_c);
    ck_assert_int_eq(sh("cd proj/build && %s %s %s -I%s/include ../prog.c "
                        "%s/%s/libmemprof.a -pthread -o %s",
                        cc, MP_TEST_SAN, flags, sb->home, sb->home,
                        test_build_dir(), exe),
                     0);
}

/*
 * run_far() - run proj/build/exe from the folder far, where ../prog.c is
 * nothing; the report into *r, parsed into *t.
 */
static void run_far(const char *exe, run_result *r, table *t)
{
    char path[4096 + 64];
    char cwd[4096];

    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    snprintf(path, sizeof path, "%s/proj/build/%s", cwd, exe);
    const char *argv[] = {path, NULL};
    ck_assert_int_eq(chdir("far"), 0);
    ck_assert_int_eq(run_capture(argv, NULL, r), 0);
    ck_assert_int_eq(chdir(cwd), 0);
    ck_assert_msg(WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0,
                  "%s: status %d\n%s", exe, r->status, r->err);
    ck_assert_int_eq(parse_tables(r->err, t, 1), 1);
    ck_assert_str_eq(t->file, "../prog.c");
}

/* assert_source() - the table shows prog.c's lines, read from the file. */
static void assert_source(const run_result *r, const table *t, const char *how)
{
    ck_assert_msg(strstr(r->err, "cannot read") == NULL, "%s:\n%s", how,
                  r->err);
    ck_assert_msg(t->nrows == 8, "%s: %d rows\n%s", how, t->nrows, r->err);
    ck_assert_int_eq(t->rows[0].line, 7);
    ck_assert_int_eq(t->rows[0].recorded, 0);
    ck_assert(strncmp(t->rows[0].contents,
                      "static char *make(size_t n) /* only in the source */",
                      t->rows[0].contents_len) == 0);
    ck_assert_int_eq(row_with(t, "memset(p, 1, n);")->recorded, 0);
    ck_assert_int_eq(row_with(t, "MP_LINE(char *p")->occ, 1);
}

/* have_clang() - whether clang is there, for a second compiler's DWARF. */
static int have_clang(void)
{
    return sh("command -v clang >/dev/null 2>&1") == 0;
}

/*
 * Built with debug information, the executable in a folder of its own:
 * the folder the compiler ran in comes from DW_AT_comp_dir, with gcc's
 * DWARF 5 and 4, split DWARF, and clang's DWARF 5 (strings by index),
 * where the sanitizer flags do not tie the build to one compiler.
 */
START_TEST(test_comp_dir)
{
    static const struct {
        const char *cc;
        const char *flags;
    } builds[] = {
        {MP_TEST_CC, "-g -O1"},
        {MP_TEST_CC, "-gdwarf-4 -O1"},
        {MP_TEST_CC, "-g -gsplit-dwarf -O1"},
        {"clang", "-g -O1"},
        {"clang", "-gdwarf-4 -O1"},
    };
    sandbox sb;
    sandbox_enter(&sb, "compdir");
    for (size_t i = 0; i < sizeof builds / sizeof builds[0]; i++) {
        if (strcmp(builds[i].cc, MP_TEST_CC) != 0 &&
            (MP_TEST_SAN[0] != '\0' || !have_clang()))
            continue;
        /* valgrind 3.19 gives up on a split DWARF skeleton's program. */
        if (strstr(builds[i].flags, "split") != NULL && test_valgrind())
            continue;
        char how[128];
        run_result r;
        table t;
        snprintf(how, sizeof how, "%s %s", builds[i].cc, builds[i].flags);
        build_in(&sb, builds[i].cc, builds[i].flags, "out/sub/prog");
        run_far("out/sub/prog", &r, &t);
        assert_source(&r, &t, how);
        run_result_free(&r);
    }
    sandbox_leave(&sb);
}
END_TEST

/*
 * Without debug information: the executable's folder, where the build
 * put it; elsewhere, the one line and the recorded statements.
 */
START_TEST(test_exe_dir)
{
    sandbox sb;
    run_result r;
    table t;

    sandbox_enter(&sb, "exedir");
    build_in(&sb, MP_TEST_CC, "-g0 -O1", "prog");
    run_far("prog", &r, &t);
    assert_source(&r, &t, "-g0, in the build folder");
    run_result_free(&r);

    build_in(&sb, MP_TEST_CC, "-g0 -O1", "out/sub/prog");
    run_far("out/sub/prog", &r, &t);
    ck_assert(strncmp(r.err,
                      "memprof: cannot read ../prog.c (No such file or "
                      "directory); showing the recorded statements\n",
                      strlen("memprof: cannot read ../prog.c")) == 0);
    ck_assert_int_eq(t.nrows, 3);
    ck_assert_str_eq(t.rows[0].inc_cell, t.rows[0].mem_cell);
    ck_assert(strncmp(t.rows[1].contents, "char *p = malloc(n)",
                      t.rows[1].contents_len) == 0);
    run_result_free(&r);
    sandbox_leave(&sb);
}
END_TEST

/*
 * What unit_list() gathers: the units' names and folders, one string;
 * and whether each string lay in the image (lo to hi), its NUL too.
 */
typedef struct units {
    char text[65536];
    size_t len;
    int n;
    const char *lo;
    const char *hi;
    int outside;
} units;

/* inside() - whether s, NUL included, lies in u's image ("" is static). */
static int inside(const units *u, const char *s)
{
    return *s == '\0' || (s >= u->lo && s + strlen(s) < u->hi);
}

/* unit_list() - mp__dwarf_fn that notes "name|dir\n" for each unit. */
static int unit_list(const char *name, const char *dir, void *arg)
{
    units *u = arg;
    if (!inside(u, name) || !inside(u, dir))
        u->outside++;
    int n = snprintf(u->text + u->len, sizeof u->text - u->len, "%s|%s\n", name,
                     dir);
    if (n > 0 && (size_t)n < sizeof u->text - u->len)
        u->len += (size_t)n;
    u->n++;
    return 0;
}

/*
 * The units of a test program that make built from the project's root:
 * its own named as make named it, in the root.  Then the same image
 * damaged 3,000 ways (bytes changed in its second half, where the debug
 * sections are, and cut short): never a crash or a read past the image
 * (the ASan run checks that), and every string given lies in the image.
 */
START_TEST(test_dwarf_units)
{
    char root[4096];
    char want[4096 + 64];
    size_t size;
    char *image = read_file(build_path("test/progs/outside"), &size);
    units *u = calloc(1, sizeof *u);

    ck_assert_ptr_nonnull(image);
    ck_assert_ptr_nonnull(u);
    ck_assert_ptr_nonnull(getcwd(root, sizeof root));
    snprintf(want, sizeof want, "test/progs/outside.c|%s\n", root);
    u->lo = image;
    u->hi = image + size;
    mp__dwarf_image_units((const unsigned char *)image, size, unit_list, u);
    ck_assert_msg(strstr(u->text, want) != NULL, "%s", u->text);
    ck_assert_int_eq(u->outside, 0);

    unsigned char *copy = malloc(size);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, image, size);
    uint64_t x = 88172645463325252u;
    for (int i = 0; i < 3000; i++) {
        size_t at[8];
        size_t n = size;
        int changed = 1 + i % 8;
        for (int k = 0; k < changed; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            at[k] = size / 2 + x % (size / 2);
            copy[at[k]] = (unsigned char)(x >> 32);
        }
        if (i % 5 == 0)
            n = (size_t)(x >> 20) % size;
        /* Cut short in a block of its own: ASan sees a read past it. */
        unsigned char *img = n < size ? malloc(n + 1) : copy;
        ck_assert_ptr_nonnull(img);
        if (img != copy)
            memcpy(img, copy, n);
        u->len = 0;
        u->lo = (const char *)img;
        u->hi = (const char *)img + n;
        mp__dwarf_image_units(img, n, unit_list, u);
        ck_assert_int_eq(u->outside, 0);
        if (img != copy)
            free(img);
        for (int k = 0; k < changed; k++)
            copy[at[k]] = (unsigned char)image[at[k]];
    }
    ck_assert_int_eq(memcmp(copy, image, size), 0);
    free(copy);
    free(u);
    free(image);
}
END_TEST

/* ---- The README's loop, side by side with memory_profiler. */

/*
 * The same loop in Python and in C, 200, 160, 120, 80, 40 MB made and
 * freed (test/python/shrink.py, examples/shrink.c): both show +572.2 MiB
 * made; memory_profiler counts every pass of "del tmp" from the largest
 * reading of the line before, the first pass's, and shows -953.7 MiB;
 * libmemprof shows the -572.2 MiB freed, and its column sums to its last
 * reading.
 */
START_TEST(test_shrink_side_by_side)
{
    const double made = 600000000 / 1048576.0;
    const double mp_del = 5 * -200000000 / 1048576.0;
    run_result c;
    table tc[2];
    const char *cargv[] = {build_path("examples/shrink"), NULL};

    ck_assert_int_eq(run_capture(cargv, NULL, &c), 0);
    ck_assert_int_eq(c.status, 0);
    ck_assert_int_eq(parse_tables(c.err, tc, 2), 1);
    const table_row *cm = row_with(&tc[0], "malloc(i * 40000000)");
    const table_row *cf = row_with(&tc[0], "free(tmp)");
    ck_assert_int_eq(cm->occ, 5);
    ck_assert_int_eq(cf->occ, 5);
    near(cm, made);
    near(cf, -made);
    FIGURE(ck_assert_double_eq_tol(table_inc_sum(&tc[0]), cf->mem, 0.3));
    run_result_free(&c);

    if (!memory_profiler_present()) {
        fprintf(stderr, "SKIP test_shrink_side_by_side's Python half: "
                        "python3-memory-profiler is not installed\n");
        return;
    }
    run_result py;
    table tp[2];
    memory_profiler_run("test/python/shrink.py", &py);
    ck_assert_int_eq(parse_tables(py.out, tp, 2), 1);
    const table_row *pm = row_with(&tp[0], "tmp = bytearray");
    const table_row *pd = row_with(&tp[0], "del tmp");
    ck_assert_int_eq(pm->occ, 5);
    ck_assert_int_eq(pd->occ, 5);
    near(pm, made);
    near(pd, mp_del);
    run_result_free(&py);
}
END_TEST

/*
 * A profiled function's line that calls another, which makes 50 MB
 * (test/progs/nested.c, test/python/nested.py): libmemprof's row shows
 * the +47.7 MiB made; memory_profiler counts the line from the reading
 * of the line it traced last, the callee's, which it looks up in the
 * caller's table, finds nothing and counts from 0: its Increment is its
 * Mem usage, the whole process.
 */
START_TEST(test_nested_side_by_side)
{
    const double made = 50000000 / 1048576.0;
    run_result c;
    table tc[2];
    const char *cargv[] = {build_path("test/progs/nested"), NULL};

    ck_assert_int_eq(run_capture(cargv, NULL, &c), 0);
    ck_assert_int_eq(c.status, 0);
    ck_assert_int_eq(parse_tables(c.err, tc, 2), 2);
    near(row_with(&tc[0], "MP_LINE(char *b = inner());"), made);
    near(row_with(&tc[1], "malloc(50000000)"), made);
    run_result_free(&c);

    if (!memory_profiler_present())
        return;
    run_result py;
    table tp[2];
    memory_profiler_run("test/python/nested.py", &py);
    ck_assert_int_eq(parse_tables(py.out, tp, 2), 2);
    near(row_with(&tp[0], "a = bytearray"), made);
    const table_row *pb = row_with(&tp[1], "b = inner()");
    ck_assert_str_eq(pb->inc_cell, pb->mem_cell);
    FIGURE(ck_assert_double_gt(pb->inc, made + 5));
    run_result_free(&py);
}
END_TEST

Suite *outside_suite(void)
{
    Suite *s = suite_create("outside");
    TCase *tc = tcase_create("previous reading");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_free_rss);
    tcase_add_test(tc, test_free_heap);
    tcase_add_test(tc, test_first_reading);
    tcase_add_test(tc, test_threads);
    suite_add_tcase(s, tc);

    TCase *look = tcase_create("source lookup");
    tcase_set_timeout(look, 120);
    tcase_add_test(look, test_comp_dir);
    tcase_add_test(look, test_exe_dir);
    tcase_add_test(look, test_dwarf_units);
    suite_add_tcase(s, look);

    TCase *side = tcase_create("side by side");
    tcase_set_timeout(side, 60);
    tcase_add_test(side, test_shrink_side_by_side);
    tcase_add_test(side, test_nested_side_by_side);
    suite_add_tcase(s, side);
    return s;
}
