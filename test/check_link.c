/*
 * check_link.c - libmemprof as C programs link it: the shared library's
 * names, soname and exports; one report from a program, a shared library
 * and plugins, whichever way each was linked; a plugin unloaded before
 * exit; and make install's pkg-config files and CMake package as a user
 * builds with them (shared by default, the archive with --static).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memprof.h>

#include "testutil.h"

#define SO_REAL "libmemprof.so." MEMPROF_VERSION
#define SO_NAME "libmemprof.so.0"

/*
 * The shared library: real name with the full version, the soname and
 * the link-time name as symlinks, only mp_/mp__ names exported, no static
 * TLS (so that dlopen can load it), never unloaded.  The preload object
 * has a soname too.
 */
START_TEST(test_so_names)
{
    const char *b = test_build_dir();
    ck_assert_int_eq(
        sh("test -f %s/" SO_REAL " && test ! -L %s/" SO_REAL, b, b), 0);
    ck_assert_int_eq(sh("test \"$(readlink %s/" SO_NAME ")\" = " SO_REAL, b),
                     0);
    ck_assert_int_eq(sh("test \"$(readlink %s/libmemprof.so)\" = " SO_NAME, b),
                     0);
    ck_assert_int_eq(sh("readelf -d %s/" SO_REAL " | grep -q "
                        "'Library soname: \\[" SO_NAME "\\]'",
                        b),
                     0);
    ck_assert_int_eq(sh("readelf -d %s/" SO_REAL " | grep -q 'NODELETE'", b),
                     0);
    ck_assert_int_ne(sh("readelf -d %s/" SO_REAL " | grep -q 'STATIC_TLS'", b),
                     0);
    /* Defined dynamic names: mp_ and mp__ only, the API among them. */
    ck_assert_int_eq(sh("nm -D --defined-only %s/" SO_REAL " | awk "
                        "'NF == 3 { n++; if ($3 !~ /^mp_/) bad++ } "
                        "END { exit !(n > 50 && bad == 0) }'",
                        b),
                     0);
    const char *api[] = {"mp_report",       "mp_reset",   "mp_set_precision",
                         "mp_memory_usage", "mp__record", "mp__state"};
    for (unsigned i = 0; i < sizeof api / sizeof *api; i++)
        ck_assert_msg(sh("nm -D --defined-only %s/" SO_REAL " | grep -q ' %s$'",
                         b, api[i]) == 0,
                      "%s not exported", api[i]);
    ck_assert_int_eq(sh("readelf -d %s/libmemprof-heap.so | grep -q "
                        "'Library soname: \\[libmemprof-heap.so\\]'",
                        b),
                     0);
}
END_TEST

/*
 * run_link() - run link_main_<variant> with plugin <plugin> loaded and
 * unloaded times times, from the project's root (the sources are read);
 * its tables into t (max n), their count returned, stderr in *r.
 */
static int run_link(const char *variant, const char *plugin, int times,
                    table *t, int n, run_result *r)
{
    char prog[128];
    char path[PATH_MAX];
    char count[16];
    snprintf(prog, sizeof prog, "test/progs/link_main_%s", variant);
    ck_assert_ptr_nonnull(realpath(build_path(plugin), path));
    snprintf(count, sizeof count, "%d", times);
    const char *argv[] = {build_path(prog), path, count, NULL};
    ck_assert_int_eq(run_capture(argv, NULL, r), 0);
    ck_assert_msg(WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0,
                  "%s: status %d\n%s", prog, r->status, r->err);
    return parse_tables(r->err, t, n);
}

/* table_of() - the table of file among t[0..n), failing when absent. */
static const table *table_of(const table *t, int n, const char *file)
{
    for (int i = 0; i < n; i++)
        if (strcmp(t[i].file, file) == 0)
            return &t[i];
    ck_abort_msg("no table for %s", file);
    return NULL;
}

/*
 * The tables of the program, of its shared library and of the plugin,
 * which ran twice (loaded, called, unloaded): one report, each table
 * once, the plugin's rows counting both loads, no warning.
 */
static void check_one_report(const char *variant, const char *plugin)
{
    table t[4];
    run_result r;
    int n = run_link(variant, plugin, 2, t, 4, &r);
    ck_assert_msg(n == 3, "%s: %d tables\n%s", variant, n, r.err);
    ck_assert_msg(strstr(r.err, "memprof:") == NULL, "%s: %s", variant, r.err);
    const table *m = table_of(t, n, "test/progs/link_main.c");
    const table *l = table_of(t, n, "test/progs/link_lib.c");
    const table *p = table_of(t, n, "test/progs/plugin.c");
    ck_assert_int_eq(row_with(m, "cycle(path)")->occ, 2);
    ck_assert_int_eq(row_with(m, "linklib_work()")->occ, 1);
    const table_row *lib = row_with(l, "memset(p, 2, 6u << 20)");
    ck_assert_int_eq(lib->occ, 1);
    FIGURE(ck_assert_double_eq_tol(lib->inc, 6.0, 0.3));
    const table_row *plug = row_with(p, "memset(p, 1, 8u << 20)");
    ck_assert_int_eq(plug->occ, 2);
    FIGURE(ck_assert_double_eq_tol(plug->inc, 16.0, 0.6));
    ck_assert_int_eq(row_with(p, "MP_PROFILE_FUNC()")->occ, 2);
    run_result_free(&r);
}

/* Program, shared library and plugin all linked with libmemprof.so. */
START_TEST(test_all_shared)
{
    check_one_report("so", "test/progs/plugin_linked.so");
}
END_TEST

/*
 * The same program, its plugin linked with nothing: the plugin binds to
 * the libmemprof.so the program loaded.
 */
START_TEST(test_plugin_unlinked)
{
    check_one_report("so", "test/progs/plugin.so");
}
END_TEST

/*
 * The program linked with the archive: with liblinklib.so on its link
 * line, the linker exports the names that library and libmemprof.so use,
 * and both, and the plugin, record into the program's copy.  Without a
 * shared library, its names exported as memprof.pc --static exports them
 * (ar_export): the plugin records into the program's copy.
 */
START_TEST(test_archive_exported)
{
    check_one_report("ar", "test/progs/plugin_linked.so");

    table t[3];
    run_result r;
    int n = run_link("ar_export", "test/progs/plugin_linked.so", 1, t, 3, &r);
    ck_assert_msg(n == 2, "%d tables\n%s", n, r.err);
    ck_assert_msg(strstr(r.err, "memprof:") == NULL, "%s", r.err);
    ck_assert_int_eq(
        row_with(table_of(t, n, "test/progs/plugin.c"), "free(p)")->occ, 1);
    run_result_free(&r);
}
END_TEST

/*
 * The archive without its names exported and a plugin linked with
 * libmemprof.so: two copies, two reports, and one line that says so.
 */
START_TEST(test_two_copies)
{
    table t[3];
    run_result r;
    int n = run_link("ar_private", "test/progs/plugin_linked.so", 1, t, 3, &r);
    ck_assert_msg(n == 2, "%d tables\n%s", n, r.err);
    const char *say = "memprof: two copies of libmemprof in this process";
    const char *at = strstr(r.err, say);
    ck_assert_msg(at != NULL, "%s", r.err);
    ck_assert_ptr_null(strstr(at + 1, say));
    run_result_free(&r);
}
END_TEST

/*
 * A program with no libmemprof of its own loads a plugin linked with
 * libmemprof.so, calls it on two threads and unloads it while the second
 * thread, which recorded, still runs: the library stays loaded (it holds
 * that thread's destructor and the exit handler), the thread ends
 * cleanly, and the table printed at exit counts both calls.
 */
START_TEST(test_plugin_only)
{
    char path[PATH_MAX];
    ck_assert_ptr_nonnull(
        realpath(build_path("test/progs/plugin_linked.so"), path));
    const char *argv[] = {build_path("test/progs/link_host"), path, NULL};
    run_result r;
    table t[2];
    ck_assert_int_eq(run_capture(argv, NULL, &r), 0);
    ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
                  "status %d\n%s", r.status, r.err);
    ck_assert_int_eq(parse_tables(r.err, t, 2), 1);
    ck_assert_str_eq(t[0].file, "test/progs/plugin.c");
    ck_assert_int_eq(row_with(&t[0], "MP_PROFILE_FUNC()")->occ, 2);
    const table_row *set = row_with(&t[0], "memset(p, 1, 8u << 20)");
    ck_assert_int_eq(set->occ, 2);
    FIGURE(ck_assert_double_eq_tol(set->inc, 16.0, 0.6));
    ck_assert_int_eq(row_with(&t[0], "free(p)")->occ, 2);
    ck_assert_uint_eq(r.out_len, 0);
    run_result_free(&r);
}
END_TEST

/*
 * A profiled shared object made from the archive's objects cannot be
 * linked (the archive is not PIC); with -lmemprof it can, today's
 * R_X86_64_TPOFF32 error gone.
 */
START_TEST(test_shared_object_links)
{
    const char *dir = make_tmpdir("link");
    char cwd[PATH_MAX];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    ck_assert_int_eq(sh("%s %s -fPIC -shared -I%s/include -o %s/x.so "
                        "%s/test/progs/link_lib.c -L%s/%s -lmemprof "
                        "-pthread 2>%s/err",
                        MP_TEST_CC, MP_TEST_SAN, cwd, dir, cwd, cwd,
                        test_build_dir(), dir),
                     0);
    ck_assert_int_eq(
        sh("readelf -d %s/x.so | grep -q 'NEEDED.*" SO_NAME "'", dir), 0);
    sh("rm -rf %s", dir);
}
END_TEST

/*
 * CPPFLAGS reaches every compile and link the Makefile runs (the library,
 * the command, the examples, the tests and their programs), as Debian's
 * hardening passes -D_FORTIFY_SOURCE there: make -n with a compiler name
 * of its own, each of its command lines joined.
 */
START_TEST(test_cppflags)
{
    const char *dir = make_tmpdir("link");
    ck_assert_int_eq(sh("env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u WERROR "
                        "make -n -B B=%s/b CC=mp_cc CXX=mp_cxx "
                        "CPPFLAGS=-DMP_PROBE %s/b/test/check_all all "
                        "2>/dev/null | sed -e ':a' -e '/\\\\$/N; "
                        "s/\\\\\\n//; ta' | grep -E '(mp_cc|mp_cxx) ' "
                        "> %s/lines",
                        dir, dir, dir),
                     0);
    ck_assert_int_eq(sh("test $(wc -l < %s/lines) -gt 100", dir), 0);
    ck_assert_int_eq(sh("! grep -v -e -DMP_PROBE %s/lines", dir), 0);
    sh("rm -rf %s", dir);
}
END_TEST

/*
 * A plain make (the default goal) builds both libraries, the heap object,
 * the .pc files and the CMake package: make -n in an empty build folder
 * lists their link and write lines.
 */
START_TEST(test_default_goal)
{
    const char *dir = make_tmpdir("link");
    ck_assert_int_eq(sh("env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "
                        "make -n B=%s/b 2>/dev/null > %s/lines",
                        dir, dir),
                     0);
    static const char *const want[] = {
        "-soname,libmemprof.so.0",    "-o %s/b/libmemprof.so.0.1.0",
        "-soname,libmemprof-heap.so", "%s/b/libmemprof.a",
        "> %s/b/memprof.pc",          "%s/b/cmake/memprofConfig.cmake"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, want[i], dir);
        ck_assert_msg(sh("grep -qF -e '%s' %s/lines", text, dir) == 0,
                      "make does not make %s", text);
    }
    sh("rm -rf %s", dir);
}
END_TEST

/*
 * Warnings are errors with WERROR=1 (development, CI) on every compile
 * line, and on none without it (a plain make, make check).
 */
START_TEST(test_werror)
{
    const char *dir = make_tmpdir("link");
    /* Not the variables of a make this test runs under (make check). */
    const char *make = "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u WERROR "
                       "make -n -B B=%s/b CC=mp_cc CXX=mp_cxx %s "
                       "%s/b/test/check_all all 2>/dev/null | "
                       "grep -E '^\\s*(mp_cc|mp_cxx) ' > %s/%s";
    ck_assert_int_eq(sh(make, dir, "", dir, dir, "plain"), 0);
    ck_assert_int_eq(sh(make, dir, "WERROR=1", dir, dir, "werror"), 0);
    ck_assert_int_eq(sh("test $(wc -l < %s/plain) -gt 100 && "
                        "test $(wc -l < %s/werror) -eq $(wc -l < %s/plain)",
                        dir, dir, dir),
                     0);
    ck_assert_int_eq(sh("! grep -Ee '-Werror( |$)' %s/plain", dir), 0);
    ck_assert_int_eq(sh("! grep -vEe '-Werror( |$)' %s/werror", dir), 0);
    sh("rm -rf %s", dir);
}
END_TEST

/* The install prefix of the tests below, made by install(). */
static char prefix[64];
static char libdir[128];

/*
 * install() - make install into a new prefix with a multiarch LIBDIR; the
 * prefix in prefix[], LIBDIR in libdir[].
 */
static void install(void)
{
    snprintf(prefix, sizeof prefix, "%s", make_tmpdir("link"));
    snprintf(libdir, sizeof libdir, "%s/lib/x86_64-linux-gnu", prefix);
    ck_assert_int_eq(sh("make -s install B=%s CC='%s' SAN='%s' PREFIX=%s "
                        "LIBDIR=%s >/dev/null",
                        test_build_dir(), MP_TEST_CC, MP_TEST_SAN, prefix,
                        libdir),
                     0);
}

/*
 * build() - compile src (under the project) to prefix/name with the
 * flags of pkg-config flags (e.g. "--static memprof"); 0 or the status.
 */
static int build(const char *name, const char *src, const char *flags)
{
    char cwd[PATH_MAX];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    return sh("export PKG_CONFIG_PATH=%s/pkgconfig && "
              "%s -O2 %s -o %s/%s %s/%s $(pkg-config --cflags --libs %s)",
              libdir, MP_TEST_CC, MP_TEST_SAN, prefix, name, cwd, src, flags);
}

/* needs_so() - whether prefix/name has NEEDED libmemprof.so.0. */
static int needs_so(const char *name)
{
    return sh("readelf -d %s/%s | grep -q 'NEEDED.*\\[" SO_NAME "\\]'", prefix,
              name) == 0;
}

/*
 * The .pc files name the LIBDIR given; pkg-config links the shared
 * library by default and the archive with --static (no NEEDED
 * libmemprof.so.0), memprof-heap.pc both ways too; each program prints
 * its table (the heap backend exact to the byte).  Then uninstall leaves
 * no file in the prefix.
 */
START_TEST(test_install_pkgconfig)
{
    install();
    ck_assert_int_eq(sh("grep -qx 'libdir=${prefix}/lib/x86_64-linux-gnu' "
                        "%s/pkgconfig/memprof.pc && grep -qx "
                        "'libdir=${prefix}/lib/x86_64-linux-gnu' "
                        "%s/pkgconfig/memprof-heap.pc && grep -qx "
                        "'prefix=%s' %s/pkgconfig/memprof.pc",
                        libdir, libdir, prefix, libdir),
                     0);
    ck_assert_int_eq(sh("test -f %s/" SO_REAL " && test -L %s/" SO_NAME
                        " && test -L %s/libmemprof.so && test -f "
                        "%s/libmemprof.a",
                        libdir, libdir, libdir, libdir),
                     0);
    ck_assert_int_eq(build("shared", "examples/basic.c", "memprof"), 0);
    ck_assert_int_eq(build("static", "examples/basic.c", "--static memprof"),
                     0);
    ck_assert_int_eq(
        build("heap_shared", "test/progs/heap_lines.c", "memprof-heap"), 0);
    ck_assert_int_eq(build("heap_static", "test/progs/heap_lines.c",
                           "--static memprof-heap"),
                     0);
    ck_assert(needs_so("shared"));
    ck_assert(!needs_so("static"));
    ck_assert(needs_so("heap_shared"));
    ck_assert(!needs_so("heap_static"));

    const char *progs[] = {"shared", "static", "heap_shared", "heap_static"};
    for (int i = 0; i < 4; i++) {
        char path[256];
        char ld[160];
        snprintf(path, sizeof path, "%s/%s", prefix, progs[i]);
        snprintf(ld, sizeof ld, "LD_LIBRARY_PATH=%s", libdir);
        const char *argv[] = {path, NULL};
        const char *env[] = {ld, "MEMPROF_PRECISION=6",
                             i < 2 ? "MEMPROF_BACKEND=rss"
                                   : "MEMPROF_BACKEND=heap",
                             asan_env(), NULL};
        run_result r;
        table t[2];
        ck_assert_int_eq(run_capture(argv, env, &r), 0);
        ck_assert_msg(WIFEXITED(r.status), "%s: %d", progs[i], r.status);
        ck_assert_msg(parse_tables(r.err, t, 2) == 1, "%s:\n%s", progs[i],
                      r.err);
        if (i < 2) {
            FIGURE(ck_assert_double_eq_tol(
                row_with(&t[0], "malloc(160000000)")->inc, 152.6, 1.0));
        } else {
            ck_assert_str_eq(row_with(&t[0], "malloc(1000)")->inc_cell,
                             "0.000954 MiB");
        }
        run_result_free(&r);
    }

    ck_assert_int_eq(sh("make -s uninstall B=%s PREFIX=%s LIBDIR=%s "
                        ">/dev/null",
                        test_build_dir(), prefix, libdir),
                     0);
    ck_assert_int_eq(sh("rm -f %s/shared %s/static %s/heap_shared "
                        "%s/heap_static && test -z \"$(find %s ! -type d)\"",
                        prefix, prefix, prefix, prefix, prefix),
                     0);
    sh("rm -rf %s", prefix);
}
END_TEST

/*
 * consumer() - a project in prefix/src: its build file name holding text,
 * and the project's files given (paths under this checkout, blank-separated).
 */
static void consumer(const char *name, const char *text, const char *files)
{
    char cwd[PATH_MAX];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    ck_assert_int_eq(sh("mkdir %s/src && for f in %s; do cp \"%s/$f\" %s/src "
                        "|| exit 1; done",
                        prefix, files, cwd, prefix),
                     0);
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/src/%s", prefix, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

/* The consumer project of test_cmake_package. */
static const char cmake_project[] =
    "cmake_minimum_required(VERSION 3.13)\n"
    "project(consumer C)\n"
    "find_package(memprof 0.1 REQUIRED)\n"
    "add_executable(basic basic.c)\n"
    "target_link_libraries(basic PRIVATE memprof::memprof)\n"
    "add_executable(basic_static basic.c)\n"
    "target_link_libraries(basic_static PRIVATE memprof::memprof_static)\n"
    "add_executable(heap heap_lines.c)\n"
    "target_link_libraries(heap PRIVATE memprof::heap)\n"
    "find_package(PkgConfig REQUIRED)\n"
    "pkg_check_modules(MEMPROF REQUIRED IMPORTED_TARGET memprof)\n"
    "add_executable(basic_pc basic.c)\n"
    "target_link_libraries(basic_pc PRIVATE PkgConfig::MEMPROF)\n";

/*
 * find_package(memprof) from the installed package: memprof::memprof
 * (the shared library), memprof::memprof_static (the archive),
 * memprof::heap (the heap backend), and pkg-config through CMake's
 * PkgConfig module; each program builds and prints its table.
 */
START_TEST(test_cmake_package)
{
    if (sh("command -v cmake >/dev/null") != 0) {
        fprintf(stderr, "test_cmake_package: cmake not installed: skipped\n");
        return;
    }
    install();
    consumer("CMakeLists.txt", cmake_project,
             "examples/basic.c test/progs/heap_lines.c");
    ck_assert_int_eq(sh("cd %s && PKG_CONFIG_PATH=%s/pkgconfig cmake -S src "
                        "-B out -DCMAKE_PREFIX_PATH=%s -DCMAKE_C_COMPILER=%s "
                        "-DCMAKE_C_FLAGS='-O2 %s' "
                        "-DCMAKE_EXE_LINKER_FLAGS='%s' >cmake.log 2>&1 && "
                        "cmake --build out >>cmake.log 2>&1 || "
                        "{ cat cmake.log; exit 1; }",
                        prefix, libdir, prefix, MP_TEST_CC, MP_TEST_SAN,
                        MP_TEST_SAN),
                     0);
    const char *progs[] = {"basic", "basic_static", "basic_pc", "heap"};
    const int shared[] = {1, 0, 1, 1};
    for (int i = 0; i < 4; i++) {
        char name[64];
        snprintf(name, sizeof name, "out/%s", progs[i]);
        ck_assert_msg(needs_so(name) == shared[i], "%s", progs[i]);
        char prog[160];
        snprintf(prog, sizeof prog, "%s/%s", prefix, name);
        const char *argv[] = {prog, NULL};
        const char *env[] = {"MEMPROF_PRECISION=6",
                             i < 3 ? "MEMPROF_BACKEND=rss"
                                   : "MEMPROF_BACKEND=heap",
                             asan_env(), NULL};
        run_result r;
        table t[2];
        ck_assert_int_eq(run_capture(argv, env, &r), 0);
        ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
                      "%s: %d\n%s", progs[i], r.status, r.err);
        ck_assert_msg(parse_tables(r.err, t, 2) == 1, "%s:\n%s", progs[i],
                      r.err);
        if (i == 3)
            ck_assert_str_eq(row_with(&t[0], "malloc(1000)")->inc_cell,
                             "0.000954 MiB");
        else
            ck_assert_int_eq(row_with(&t[0], "MP_RETURN(a)")->occ, 1);
        run_result_free(&r);
    }
    sh("rm -rf %s", prefix);
}
END_TEST

/* The consumer project of test_meson_package. */
static const char meson_project[] =
    "project('consumer', 'c')\n"
    "memprof = dependency('memprof')\n"
    "executable('basic', 'basic.c', dependencies: memprof)\n"
    "memprof_static = dependency('memprof', static: true)\n"
    "executable('basic_static', 'basic.c', dependencies: memprof_static)\n";

/*
 * A Meson project finds the installed library with dependency('memprof'),
 * shared and static: true (the archive); its programs, run from another
 * folder, show their source, which Meson compiled as ../src/basic.c from
 * its build folder (found through the folder the compiler ran in).
 */
START_TEST(test_meson_package)
{
    if (sh("command -v meson >/dev/null && command -v ninja >/dev/null") != 0) {
        fprintf(stderr, "test_meson_package: meson or ninja not installed: "
                        "skipped\n");
        return;
    }
    install();
    consumer("meson.build", meson_project, "examples/basic.c");
    ck_assert_int_eq(sh("cd %s && PKG_CONFIG_PATH=%s/pkgconfig CC='%s' "
                        "CFLAGS='-O2 -g %s' LDFLAGS='%s' meson setup out src "
                        ">meson.log 2>&1 && ninja -C out >>meson.log 2>&1 || "
                        "{ cat meson.log; exit 1; }",
                        prefix, libdir, MP_TEST_CC, MP_TEST_SAN, MP_TEST_SAN),
                     0);
    const char *progs[] = {"basic", "basic_static"};
    for (int i = 0; i < 2; i++) {
        char name[64];
        snprintf(name, sizeof name, "out/%s", progs[i]);
        ck_assert_msg(needs_so(name) == (i == 0), "%s", progs[i]);
        char prog[160];
        snprintf(prog, sizeof prog, "%s/%s", prefix, name);
        char ld_path[160];
        snprintf(ld_path, sizeof ld_path, "LD_LIBRARY_PATH=%s", libdir);
        const char *argv[] = {prog, NULL};
        const char *env[] = {ld_path, asan_env(), NULL};
        run_result r;
        table t[2];
        ck_assert_int_eq(run_capture(argv, env, &r), 0);
        ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
                      "%s: %d\n%s", progs[i], r.status, r.err);
        ck_assert_msg(parse_tables(r.err, t, 2) == 1, "%s:\n%s", progs[i],
                      r.err);
        ck_assert_int_eq(row_with(&t[0], "MP_RETURN(a)")->occ, 1);
        /* A line only the source has: not the statements' fallback. */
        row_with(&t[0], "int *my_func(void)");
        ck_assert_msg(strstr(r.err, "cannot read") == NULL, "%s", r.err);
        run_result_free(&r);
    }
    sh("rm -rf %s", prefix);
}
END_TEST

Suite *link_suite(void)
{
    Suite *s = suite_create("link");
    TCase *tc = tcase_create("link");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_so_names);
    tcase_add_test(tc, test_all_shared);
    tcase_add_test(tc, test_plugin_unlinked);
    tcase_add_test(tc, test_archive_exported);
    tcase_add_test(tc, test_two_copies);
    tcase_add_test(tc, test_plugin_only);
    tcase_add_test(tc, test_shared_object_links);
    tcase_add_test(tc, test_cppflags);
    tcase_add_test(tc, test_default_goal);
    tcase_add_test(tc, test_werror);
    tcase_add_test(tc, test_install_pkgconfig);
    tcase_add_test(tc, test_cmake_package);
    tcase_add_test(tc, test_meson_package);
    suite_add_tcase(s, tc);
    return s;
}
