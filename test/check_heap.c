/*
 * check_heap.c - the heap backend: the counting malloc of heap/ exact to
 * the byte (a scripted sequence, C++'s new and delete, threads that free
 * each other's blocks), the table with MEMPROF_BACKEND=heap through the
 * heap archive and through the preload object (found by a weak reference
 * or by dlsym), the fallback without either, pkg-config, the names
 * the archive and the object show, and malloc's whole family answering
 * edge arguments as the C library's does.
 *
 * Tests run from the project's root, where make check runs them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

/*
 * asan() - whether this is the AddressSanitizer build, whose strdup
 * makes its block without calling malloc: that block is not counted.
 */
static int asan(void)
{
    return strstr(MP_TEST_SAN, "address") != NULL;
}

/* run() - run prog with env changes; asserts it ran and exited 0. */
static void run(run_result *r, const char *prog, const char *const env[])
{
    const char *argv[] = {prog, NULL};
    ck_assert_int_eq(run_capture(argv, env, r), 0);
    if (!WIFEXITED(r->status) || WEXITSTATUS(r->status) != 0)
        ck_abort_msg("%s failed (status %d):\n%s", prog, r->status, r->err);
}

/*
 * The scripted sequence: the count after each step, exact to the byte,
 * with what each step checks besides (see heap_script.c; what the calls
 * return for edge arguments is test_family_as_libc's).  Under ASan,
 * strdup is the sanitizer's, which makes its block without malloc.
 */
START_TEST(test_script)
{
    const char *head = "start 0 0\n"
                       "malloc 100 1\n"
                       "calloc 121 1\n"
                       "realloc_grow 1021 1\n"
                       "realloc_shrink 31 1\n"
                       "posix_memalign 231 1\n"
                       "aligned_alloc 531 1\n"
                       "memalign 581 1\n"
                       "valloc 5581 1\n"
                       "reallocarray 5701 1\n"
                       "reallocarray_grow 5821 1\n"
                       "realloc_aligned 6021 1\n"
                       "malloc0 6021 1\n"
                       "calloc_overflow 6021 1\n"
                       "reallocarray_overflow 6021 1\n"
                       "malloc_huge 6021 1\n"
                       "posix_memalign_einval 6021 22\n"
                       "posix_memalign_einval2 6021 22\n"
                       "errno_kept 6031 1234\n"
                       "free_all 0 0\n"
                       "free_null 0 0\n";
    const char *tail = "strdup_free 0 0\n"
                       "realloc_null 64 1\n"
                       "realloc_zero 0 1\n"
                       "malloc_big 1048576 1\n"
                       "realloc_big 3145728 1\n"
                       "free_big 0 0\n"
                       "peak 400 7300\n"
                       "peak_reset 400 400\n"
                       "end 0 0\n";
    run_result r;
    run(&r, build_path("test/progs/heap_script"), NULL);
    char want[2048];
    snprintf(want, sizeof want, "%s%s%s", head,
             asan() ? "strdup 0 1\n" : "strdup 13 1\n", tail);
    ck_assert_str_eq(r.out, want);
    run_result_free(&r);
}
END_TEST

/*
 * C++: new and delete, plain, array, over-aligned, and the containers'
 * allocators, all counted through malloc and free.  Under a sanitizer or
 * valgrind, new and delete are theirs, which do not call malloc: nothing
 * is counted.
 */
START_TEST(test_cxx)
{
    const char *want = "new_int 4\n"
                       "new_array 44\n"
                       "new_aligned 172\n"
                       "new_aligned_array 428\n"
                       "vector 828\n"
                       "string 929\n"
                       "scope_end 428\n"
                       "delete_int 424\n"
                       "delete_array 384\n"
                       "delete_aligned 256\n"
                       "delete_aligned_array 0\n";
    run_result r;
    run(&r, build_path("test/progs/heap_new"), NULL);
    if (MP_TEST_SAN[0] != '\0' || test_valgrind())
        want = "new_int 0\nnew_array 0\nnew_aligned 0\nnew_aligned_array 0\n"
               "vector 0\nstring 0\nscope_end 0\ndelete_int 0\n"
               "delete_array 0\ndelete_aligned 0\ndelete_aligned_array 0\n";
    ck_assert_str_eq(r.out, want);
    run_result_free(&r);
}
END_TEST

/*
 * Threads allocating and freeing at once, frees on other threads than
 * the allocation's, slots handed from ended threads to new ones, and a
 * reader: the count exact after each phase.  Threads that end keep
 * their blocks in the count: 1,024 of them, in waves of 128 alive at
 * once, then freed by the main thread; a reading after them visits the
 * main thread's slot and two words, of the 128 or more slots made.  A
 * thread that frees and allocates after its slot was given back (in a
 * key destructor of its own) counts in the shared remainder.
 */
START_TEST(test_threads)
{
    run_result r;
    run(&r, build_path("test/progs/heap_threads"), NULL);
    const char *names[] = {"made",  "traded",      "freed", "churn",
                           "waves", "waves_freed", "late"};
    const char *p = r.out;
    for (int i = 0; i < 7; i++) {
        char name[16];
        long long got;
        long long want;
        int used;
        ck_assert_int_eq(
            sscanf(p, "%15s %lld %lld\n%n", name, &got, &want, &used), 3);
        ck_assert_str_eq(name, names[i]);
        ck_assert_int_eq(got, want);
        p += used;
    }
    unsigned visits;
    unsigned made;
    ck_assert_int_eq(sscanf(p, "visits %u made %u", &visits, &made), 2);
    ck_assert_uint_ge(made, 128);
    ck_assert_uint_le(visits, 6);
    run_result_free(&r);
}
END_TEST

/*
 * The counter alone under threads, instrumented even in the sanitizer
 * builds: under ThreadSanitizer this is what checks its accesses.  Then
 * 1,024 threads in waves of 128, each ending with bytes counted: the
 * count keeps them, exactly, and a reading afterwards visits the one
 * slot still taken (the main thread's) and two words of the bitmap
 * above it, not the 128 slots or more that were made.
 */
START_TEST(test_count_threads)
{
    run_result r;
    run(&r, build_path("test/progs/heap_count"), NULL);
    long long got;
    long long want;
    long long peak;
    long long peak_want;
    long long waves;
    long long waves_want;
    unsigned visits;
    unsigned made;
    ck_assert_int_eq(sscanf(r.out,
                            "%lld %lld\npeak %lld %lld\nwaves %lld %lld\n"
                            "visits %u made %u",
                            &got, &want, &peak, &peak_want, &waves, &waves_want,
                            &visits, &made),
                     8);
    ck_assert_int_eq(got, want);
    ck_assert_int_eq(peak, peak_want);
    ck_assert_int_eq(waves, waves_want);
    ck_assert_uint_ge(made, 128);
    ck_assert_uint_le(visits, 6);
    run_result_free(&r);
}
END_TEST

/* The line that says the heap backend cannot work here. */
static const char fallback[] =
    "memprof: MEMPROF_BACKEND='heap' needs the heap archive (pkg-config "
    "--libs memprof-heap) or its preload object; using rss\n";

/*
 * own_malloc() - whether the program prog defines malloc itself, which a
 * preloaded malloc cannot displace (clang links a sanitizer's runtime,
 * malloc and all, into the program).
 */
static int own_malloc(const char *prog)
{
    return sh("nm %s | grep -Eq ' [TW] malloc$'", prog) == 0;
}

/*
 * check_lines_table() - the table heap_lines.c prints with
 * MEMPROF_BACKEND=heap and MEMPROF_PRECISION=6: each line's increment is
 * exactly its bytes (1000 bytes show as 0.000954 MiB).
 */
static void check_lines_table(const run_result *r)
{
    static const struct {
        int line;
        const char *inc;
    } want[] = {
        {17, "0.000954 MiB"},  /* malloc(1000) */
        {18, "0.000954 MiB"},  /* calloc(10, 100) */
        {19, "0.001907 MiB"},  /* realloc to 3000: 2000 more */
        {20, "0.000610 MiB"},  /* aligned_alloc(64, 640) */
        {21, "-0.000954 MiB"}, /* free 1000 */
        {22, "-0.002861 MiB"}, /* free 3000 */
        {23, "-0.000610 MiB"}, /* free 640 */
        {24, "0.000000 MiB"},  /* MP_RETURN_VOID */
    };
    ck_assert_msg(strncmp(r->err, "Filename: ", 10) == 0, "%s", r->err);
    table t[2];
    ck_assert_int_eq(parse_tables(r->err, t, 2), 1);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const table_row *row = table_find(&t[0], want[i].line);
        ck_assert_ptr_nonnull(row);
        ck_assert_int_eq(row->occ, 1);
        ck_assert_str_eq(row->inc_cell, want[i].inc);
    }
    /* Back where the function started. */
    ck_assert_str_eq(table_find(&t[0], 24)->mem_cell,
                     table_find(&t[0], 16)->mem_cell);
}

/*
 * check_preload_table() - check_lines_table() for prog run with the
 * preload object, unless prog has its own malloc: then the fallback.
 */
static void check_preload_table(const run_result *r, const char *prog)
{
    if (!own_malloc(prog)) {
        check_lines_table(r);
        return;
    }
    ck_assert(strncmp(r->err, fallback, strlen(fallback)) == 0);
}

/* The table, with the program linked with the heap archive. */
START_TEST(test_table_linked)
{
    const char *env[] = {"MEMPROF_BACKEND=heap", "MEMPROF_PRECISION=6", NULL};
    run_result r;
    run(&r, build_path("test/progs/heap_lines_linked"), env);
    check_lines_table(&r);
    run_result_free(&r);
}
END_TEST

/*
 * The table, with a program linked with libmemprof alone and the preload
 * object: the weak reference to the counter resolves at run time.
 */
START_TEST(test_table_preload)
{
    ck_assert_int_eq(sh("nm -D %s | grep -q ' w mp__heap_live$'",
                        build_path("test/progs/heap_lines")),
                     0);
    const char *env[] = {"MEMPROF_BACKEND=heap", "MEMPROF_PRECISION=6",
                         preload_env(), asan_env(), NULL};
    run_result r;
    run(&r, build_path("test/progs/heap_lines"), env);
    check_preload_table(&r, build_path("test/progs/heap_lines"));
    run_result_free(&r);
}
END_TEST

/*
 * The same with code built without PIC into a non-PIE program, where the
 * link resolves the weak reference to NULL for good: dlsym finds the
 * preloaded counter instead.
 */
START_TEST(test_table_preload_dlsym)
{
    const char *out = build_path("test/heap_lines_nopic");
    ck_assert_int_eq(sh("%s -std=gnu11 -pthread -Iinclude -Ilib -O2 %s "
                        "-fno-pic -no-pie -o %s test/progs/heap_lines.c "
                        "lib/*.c -pthread",
                        MP_TEST_CC, MP_TEST_SAN, out),
                     0);
    ck_assert_int_ne(sh("nm -D %s | grep -q mp__heap_live", out), 0);
    const char *env[] = {"MEMPROF_BACKEND=heap", "MEMPROF_PRECISION=6",
                         preload_env(), asan_env(), NULL};
    run_result r;
    run(&r, out, env);
    check_preload_table(&r, out);
    run_result_free(&r);
    unlink(out);
}
END_TEST

/*
 * Without the archive or the object: one line, then rss.  So too with the
 * object preloaded into a program with a malloc of its own, which the
 * object's cannot displace: its count would see nothing.  (That program
 * cannot run under a sanitizer, whose runtime must own malloc.)
 */
START_TEST(test_without_counter)
{
    const char *plain[] = {"MEMPROF_BACKEND=heap", NULL};
    const char *preload[] = {"MEMPROF_BACKEND=heap", preload_env(), asan_env(),
                             NULL};
    const char *const *envs[] = {plain, preload};
    const char *progs[] = {"test/progs/heap_lines",
                           "test/progs/heap_own_malloc"};
    for (int i = 0; i < (MP_TEST_SAN[0] != '\0' ? 1 : 2); i++) {
        run_result r;
        run(&r, build_path(progs[i]), envs[i]);
        ck_assert_msg(strncmp(r.err, fallback, strlen(fallback)) == 0, "%s",
                      r.err);
        table t[2];
        ck_assert_int_eq(parse_tables(r.err + strlen(fallback), t, 2), 1);
        run_result_free(&r);
    }
}
END_TEST

/*
 * Installed: a program that never calls malloc itself (only strdup)
 * built with pkg-config --libs memprof-heap has the archive's malloc;
 * a program built with memprof.pc counts under the installed preload
 * object.
 */
START_TEST(test_pkg_config)
{
    const char *dir = make_tmpdir("heap");
    ck_assert_int_eq(
        sh("make -s install B=%s CC='%s' SAN='%s' PREFIX=%s/prefix "
           ">/dev/null",
           test_build_dir(), MP_TEST_CC, MP_TEST_SAN, dir),
        0);
    ck_assert_int_eq(sh("test -f %s/prefix/lib/libmemprof-heap.a && "
                        "test -f %s/prefix/lib/libmemprof-heap.so && "
                        "test -f %s/prefix/lib/pkgconfig/memprof-heap.pc",
                        dir, dir, dir),
                     0);
    char cwd[4096];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    ck_assert_int_eq(
        sh("cd %s && printf '%%s\\n' '#include <stdio.h>' "
           "'#include <stdlib.h>' '#include <string.h>' "
           "'long long mp__heap_live(void);' "
           "'int main(void) {' '    long long a = mp__heap_live();' "
           "'    char *s = strdup(\"abc\");' "
           "'    printf(\"%%lld %%s\\n\", mp__heap_live() - a, s);' "
           "'    free(s);' '    return 0;' '}' > dup.c && "
           "export PKG_CONFIG_PATH=%s/prefix/lib/pkgconfig && "
           "%s -O2 %s -o dup dup.c $(pkg-config --cflags --libs "
           "memprof-heap) && %s -O2 %s -o lines %s/test/progs/heap_lines.c "
           "$(pkg-config --cflags --libs memprof)",
           dir, dir, MP_TEST_CC, MP_TEST_SAN, MP_TEST_CC, MP_TEST_SAN, cwd),
        0);
    ck_assert_int_eq(sh("nm %s/dup | grep -q ' T malloc$'", dir), 0);
    char prog[128];
    snprintf(prog, sizeof prog, "%s/dup", dir);
    run_result r;
    run(&r, prog, NULL);
    ck_assert_str_eq(r.out, asan() ? "0 abc\n" : "4 abc\n");
    run_result_free(&r);

    char preload[128];
    char libpath[128];
    snprintf(preload, sizeof preload,
             "LD_PRELOAD=%s/prefix/lib/libmemprof-heap.so", dir);
    snprintf(libpath, sizeof libpath, "LD_LIBRARY_PATH=%s/prefix/lib", dir);
    const char *env[] = {"MEMPROF_BACKEND=heap",
                         "MEMPROF_PRECISION=6",
                         preload,
                         libpath,
                         asan_env(),
                         NULL};
    snprintf(prog, sizeof prog, "%s/lines", dir);
    ck_assert_int_eq(chdir(cwd), 0);
    run(&r, prog, env);
    check_preload_table(&r, prog);
    run_result_free(&r);

    ck_assert_int_eq(sh("make -s uninstall B=%s PREFIX=%s/prefix && "
                        "test ! -e %s/prefix/lib/libmemprof-heap.a && "
                        "test ! -e %s/prefix/lib/libmemprof-heap.so && "
                        "test ! -e %s/prefix/lib/pkgconfig/memprof-heap.pc",
                        test_build_dir(), dir, dir, dir, dir),
                     0);
    sh("rm -rf %s", dir);
}
END_TEST

/*
 * null_env() - under a sanitizer, its options with "return NULL for an
 * impossible size" (and, under ASan, asan_env()'s): its allocator
 * otherwise stops the program there.  NULL in the plain build.
 */
static const char *null_env(void)
{
    static char buf[1024];
    if (MP_TEST_SAN[0] == '\0')
        return NULL;
    const char *name = asan() ? "ASAN_OPTIONS" : "TSAN_OPTIONS";
    const char *old = getenv(name);
    snprintf(buf, sizeof buf, "%s=%s%sallocator_may_return_null=1%s", name,
             old != NULL ? old : "", old != NULL && *old ? ":" : "",
             asan() ? ":verify_asan_link_order=0" : "");
    return buf;
}

/*
 * same_lines() - assert that got is want; if not, say at which line, with
 * both versions of it (whole outputs are too long for a message).
 */
static void same_lines(const char *what, const char *got, const char *want)
{
    int line = 1;
    const char *g = got;
    const char *w = want;
    while (*g != '\0' && *g == *w) {
        if (*g == '\n') {
            line++;
            got = g + 1;
            want = w + 1;
        }
        g++;
        w++;
    }
    if (*g == *w)
        return;
    ck_abort_msg("%s, line %d:\n  %.*s\nnot\n  %.*s", what, line,
                 (int)strcspn(got, "\n"), got, (int)strcspn(want, "\n"), want);
}

/*
 * run_args() - run() for heap_edges: under valgrind, whose allocator
 * calls an impossible size an error, with --fitting.
 */
static void run_args(run_result *r, const char *prog, const char *const env[])
{
    const char *argv[] = {prog, test_valgrind() ? "--fitting" : NULL, NULL};
    ck_assert_int_eq(run_capture(argv, env, r), 0);
    if (!WIFEXITED(r->status) || WEXITSTATUS(r->status) != 0)
        ck_abort_msg("%s failed (status %d):\n%.2000s", prog, r->status,
                     r->err);
}

/*
 * malloc and its whole family with edge arguments (heap_edges.c):
 * aligned_alloc(0 or 3, n) and other odd alignments, impossible sizes,
 * posix_memalign's refusals, realloc to 0 and from NULL, overflowing
 * products.  Linked with the heap archive, and plain under the preload
 * object, the program prints what it prints on the C library alone, line
 * for line.  Under a sanitizer or valgrind the allocator below is theirs,
 * not glibc's (ASan's aligned_alloc refuses 3): there the linked and the
 * preloaded runs, ours over theirs both, are compared with each other.
 */
START_TEST(test_family_as_libc)
{
    const char *plain = build_path("test/progs/heap_edges");
    const char *linked = build_path("test/progs/heap_edges_linked");
    const char *env[] = {null_env(), NULL};
    const char *preload[] = {preload_env(), null_env(), NULL};
    run_result lib;
    run_result ours;
    run_result pre;
    run_args(&ours, linked, env);
    ck_assert_msg(strstr(ours.out, "free(NULL)") != NULL, "%s", ours.out);
    run_args(&pre, plain, preload);
    if (!own_malloc(plain))
        same_lines("preloaded vs linked", pre.out, ours.out);
    if (MP_TEST_SAN[0] == '\0' && !test_valgrind()) {
        run_args(&lib, plain, env);
        same_lines("linked vs the C library", ours.out, lib.out);
        same_lines("preloaded vs the C library", pre.out, lib.out);
        run_result_free(&lib);
    }
    run_result_free(&ours);
    run_result_free(&pre);
}
END_TEST

/*
 * The names the heap archive shows the linker: mp__heap_ ones and the
 * allocator's entry points; the preload object exports only those
 * entry points, the three readers, the hooks' setter and MEMPROF_LEAKS's
 * two (mp__heap_leaks_start, mp__heap_dump).
 */
START_TEST(test_heap_names)
{
    const char *entry = "malloc|free|calloc|realloc|reallocarray|"
                        "posix_memalign|aligned_alloc|memalign|valloc|"
                        "pvalloc|malloc_usable_size|free_sized|"
                        "free_aligned_sized";
    ck_assert_int_eq(sh("nm -g --defined-only %s | "
                        "awk 'NF == 3 && $3 !~ /^(mp__heap_|__odr_asan)/ && "
                        "$3 !~ /^(%s)$/ { print; bad = 1 } END { exit bad }'",
                        build_path("libmemprof-heap.a"), entry),
                     0);
    ck_assert_int_eq(
        sh("nm -D --defined-only %s | "
           "awk 'NF == 3 && $2 != \"A\" && $3 !~ /^(%s|"
           "mp__heap_live|mp__heap_peak|mp__heap_peak_reset|mp__heap_set_hooks|"
           "mp__heap_leaks_start|mp__heap_dump|mp__heap_quiet|"
           "_init|_fini|__odr_asan.*)$/ { print; bad = 1 } "
           "END { exit bad }'",
           build_path("libmemprof-heap.so"), entry),
        0);
    /* libmemprof.a itself defines no allocator. */
    ck_assert_int_ne(sh("nm -g --defined-only %s | "
                        "grep -Eq ' T (malloc|free)$'",
                        build_path("libmemprof.a")),
                     0);
}
END_TEST

/*
 * The library's own memory is never counted: profiled functions that
 * allocate nothing show no increment in any row but their entry rows
 * (first calls: the count itself), with 1, 14 and 1,000 sites (the rows
 * each thread keeps grow with the sites), and every row shows the count
 * main started with: 0 bytes, but under a sanitizer, whose runtime
 * allocates through the counted malloc before main.
 */
START_TEST(test_own_memory_uncounted)
{
    const char *env[] = {"MEMPROF_BACKEND=heap", "MEMPROF_PRECISION=6", NULL};
    run_result r;
    run(&r, build_path("test/progs/heap_quiet"), env);
    double start = -1;
    ck_assert_int_eq(sscanf(r.out, "start %lf", &start), 1);
    if (MP_TEST_SAN[0] == '\0')
        ck_assert_double_eq(start, 0);
    char held[32];
    snprintf(held, sizeof held, "%.6f MiB", start / 1048576.0);
    table t[4];
    ck_assert_int_eq(parse_tables(r.err, t, 4), 3);
    static const int sites[3] = {1, 14, 1000};
    for (int i = 0; i < 3; i++) {
        int rows = 0;
        long long occ = 0;
        for (int k = 0; k < t[i].nrows; k++) {
            const table_row *row = &t[i].rows[k];
            if (!row->recorded)
                continue;
            const char *inc = rows == 0 ? held : "0.000000 MiB";
            ck_assert_msg(strcmp(row->mem_cell, held) == 0 &&
                              strcmp(row->inc_cell, inc) == 0,
                          "table %d, line %d: %s %s, not %s %s\n%s", i,
                          row->line, row->mem_cell, row->inc_cell, held, inc,
                          r.err);
            rows++;
            occ += row->occ;
        }
        /* The entry row and the lines: every hit shows. */
        ck_assert_int_eq(occ, 1 + sites[i]);
        ck_assert_int_eq(rows, i == 2 ? 2 : 1 + sites[i]);
    }
    run_result_free(&r);
}
END_TEST

Suite *heap_suite(void)
{
    Suite *s = suite_create("heap");
    TCase *tc = tcase_create("count");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_script);
    tcase_add_test(tc, test_cxx);
    tcase_add_test(tc, test_threads);
    tcase_add_test(tc, test_count_threads);
    suite_add_tcase(s, tc);
    tc = tcase_create("backend");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_table_linked);
    tcase_add_test(tc, test_table_preload);
    tcase_add_test(tc, test_table_preload_dlsym);
    tcase_add_test(tc, test_without_counter);
    tcase_add_test(tc, test_pkg_config);
    tcase_add_test(tc, test_heap_names);
    tcase_add_test(tc, test_family_as_libc);
    tcase_add_test(tc, test_own_memory_uncounted);
    suite_add_tcase(s, tc);
    return s;
}
