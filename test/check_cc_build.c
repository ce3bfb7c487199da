/*
 * check_cc_build.c - memprof cc in real builds, run as a user runs it: a
 * Makefile project built with CC="memprof cc gcc" (--func, and
 * MEMPROF_CC_FUNCS) whose program prints and exits as its plain build
 * does and shows the right tables; the dependency files of -MD and -MMD,
 * which name the sources as given, never memprof cc's copies; the same
 * project through CMake's launchers; the object code of the functions
 * not profiled, unchanged, and the objects of files with nothing to
 * profile, byte for byte; sources that the parser, or the compiler once
 * they are rewritten, rejects, built as without memprof cc; and the
 * compiler's output and exit status, passed through.
 *
 * Each test works in a directory of its own (test/data/cc_project is
 * copied there), with memprof-cc's temporary directory in it, which must
 * be empty at the end.  The programs the tests link take the build's
 * libmemprof.a, so they are built with its sanitizer flags (MP_TEST_SAN).
 * Without memprof-cc (no libclang where the build ran) or without gcc the
 * suite is empty.
 */
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

/* The running test's directory (each test runs in a process of its own). */
static sandbox sb;
/* The TMPDIR of the commands shell() runs: where memprof-cc's copies go. */
static char tmpdir[PATH_MAX];

/* enter() - the test's directory, entered, with an empty tmp/ in it. */
static void enter(void)
{
    sandbox_enter(&sb, "cc_build");
    snprintf(tmpdir, sizeof tmpdir, "%s/tmp", sb.dir);
    ck_assert_int_eq(mkdir(tmpdir, 0700), 0);
}

/* leave() - tmp/ checked empty (memprof cc cleans up), then removed. */
static void leave(void)
{
    ck_assert_msg(rmdir(tmpdir) == 0, "memprof cc left files in %s", tmpdir);
    sandbox_leave(&sb);
}

/*
 * vshell() - run the command fmt and ap make with /bin/sh in the current
 * directory, with TMPDIR set to tmpdir and env ("NAME=value", or NULL)
 * added, into *r.  Returns its exit status, or -1 if it was killed.  The
 * make that runs the tests (make check) is not the projects' make: its
 * MAKEFLAGS (jobserver) are left out.
 */
static int vshell(run_result *r, const char *env, const char *fmt, va_list ap)
{
    char cmd[8192];
    char tmp[PATH_MAX + 8];

    ck_assert_int_lt(vsnprintf(cmd, sizeof cmd, fmt, ap), (int)sizeof cmd);
    snprintf(tmp, sizeof tmp, "TMPDIR=%s", tmpdir);
    const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    const char *envv[] = {"-MAKEFLAGS", "-MFLAGS", "-MAKELEVEL",
                          tmp,          env,       NULL};
    ck_assert_int_eq(run_capture(argv, envv, r), 0);
    return WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1;
}

/* shell() - vshell() with the printf-formatted command. */
static int shell(run_result *r, const char *env, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int shell(run_result *r, const char *env, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int st = vshell(r, env, fmt, ap);
    va_end(ap);
    return st;
}

/* must() - run the printf-formatted command as shell(): it must succeed. */
static void must(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void must(const char *fmt, ...)
{
    run_result r;
    va_list ap;

    va_start(ap, fmt);
    int st = vshell(&r, NULL, fmt, ap);
    va_end(ap);
    ck_assert_msg(st == 0, "exit status %d: %s%s", st, r.out, r.err);
    run_result_free(&r);
}

/* run_prog() - run the program at path, no arguments, into *r. */
static void run_prog(run_result *r, const char *path)
{
    const char *argv[] = {path, NULL};
    ck_assert_int_eq(run_capture(argv, NULL, r), 0);
}

/* copy_project() - test/data/cc_project's files into the current one. */
static void copy_project(void)
{
    static const char *const files[] = {
        "Makefile", "CMakeLists.txt", "rows.h", "main.c", "grow.c", "tally.c"};
    char rel[128];

    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(rel, sizeof rel, "test/data/cc_project/%s", files[i]);
        copy_file(&sb, rel, files[i]);
    }
}

/* file_text() - a file of the current directory, which must be there. */
static char *file_text(const char *name)
{
    char *text = read_file(name, NULL);
    ck_assert_msg(text != NULL, "no %s", name);
    return text;
}

/* lines() - how many lines text holds. */
static int lines(const char *text)
{
    int n = 0;
    for (const char *p = text; *p != '\0'; p++)
        n += *p == '\n';
    return n;
}

/* ends_with() - whether text ends with tail. */
static int ends_with(const char *text, const char *tail)
{
    size_t n = strlen(text);
    size_t t = strlen(tail);
    return n >= t && strcmp(text + n - t, tail) == 0;
}

/* table_of() - the table of file, among t[0..n). */
static const table *table_of(const table *t, int n, const char *file)
{
    for (int i = 0; i < n; i++)
        if (strcmp(t[i].file, file) == 0)
            return &t[i];
    ck_abort_msg("no table for %s", file);
    return NULL;
}

/* recorded() - how many rows of t have values. */
static int recorded(const table *t)
{
    int n = 0;
    for (int i = 0; i < t->nrows; i++)
        n += t->rows[i].recorded;
    return n;
}

/*
 * check_rows_tables() - what the project's program, built with
 * grow_rows profiled, prints on stderr: a table for grow.c's grow_rows
 * (not free_rows) and for tally.c's tally, every line recorded with the
 * number of times it ran: six rows of 1 MiB, three of them summed.
 * file_prefix is what the file names start with ("" or a directory).
 */
static void check_rows_tables(const char *err, const char *file_prefix)
{
    table t[4];
    char name[256];
    int n = parse_tables(err, t, 4);

    ck_assert_msg(n == 2, "%d tables in: %s", n, err);
    snprintf(name, sizeof name, "%sgrow.c", file_prefix);
    const table *g = table_of(t, n, name);
    ck_assert_int_eq(recorded(g), 6);
    ck_assert_int_eq(row_with(g, "char **grow_rows(")->occ, 1);
    ck_assert_int_eq(row_with(g, "= calloc(")->occ, 1);
    ck_assert_int_eq(row_with(g, "for (int i = 0;")->occ, 7);
    ck_assert_int_eq(row_with(g, "= malloc(size);")->occ, 6);
    ck_assert_int_eq(row_with(g, "memset(")->occ, 6);
    ck_assert_int_eq(row_with(g, "return rows;")->occ, 1);
    FIGURE(ck_assert_double_ge(row_with(g, "memset(")->inc, 5.5));
    FIGURE(ck_assert_double_le(row_with(g, "memset(")->inc, 6.5));
    for (int i = 0; i < g->nrows; i++)
        ck_assert_msg(g->rows[i].line <= 14, "free_rows in the table");

    snprintf(name, sizeof name, "%stally.c", file_prefix);
    const table *s = table_of(t, n, name);
    ck_assert_int_eq(recorded(s), 6);
    ck_assert_int_eq(row_with(s, "MP_PROFILE_FUNC();")->occ, 1);
    ck_assert_int_eq(row_with(s, "long sum = 0;")->occ, 1);
    ck_assert_int_eq(row_with(s, "for (int i = 0;")->occ, 7);
    ck_assert_int_eq(row_with(s, "if (i % 2 == 0)")->occ, 6);
    ck_assert_int_eq(row_with(s, "sum += ")->occ, 3);
    ck_assert_int_eq(row_with(s, "return sum;")->occ, 1);
}

/* The program's own output, as its plain build prints it. */
#define ROWS_OUT "tally 6\n"
#define ROWS_STATUS 3

/*
 * The project built by its own Makefile, plain (memprof.h and the library
 * named by the user), then with CC="memprof cc --func grow_rows gcc", then
 * with MEMPROF_CC_FUNCS and make -j2: the builds succeed silently, the
 * program prints and exits as the plain one, with both tables; main.c,
 * with nothing to profile, compiles to the same object; the dependency
 * files are make's to read again (nothing to do, then a header touched
 * and everything to do).
 */
START_TEST(test_make_project)
{
    run_result r;
    run_result plain;

    enter();
    copy_project();
    must("make -s CC=gcc CFLAGS='-O2 %s' LDFLAGS='%s' CPPFLAGS=-I%s/include "
         "LDLIBS='%s/%s/libmemprof.a -lpthread'",
         MP_TEST_SAN, MP_TEST_SAN, sb.home, sb.home, test_build_dir());
    run_prog(&plain, "./rows");
    ck_assert_str_eq(plain.out, ROWS_OUT);
    ck_assert_int_eq(WEXITSTATUS(plain.status), ROWS_STATUS);
    table t[2];
    ck_assert_int_eq(parse_tables(plain.err, t, 2), 1);
    ck_assert_int_eq(recorded(&t[0]), 1);
    ck_assert_int_eq(row_with(&t[0], "MP_PROFILE_FUNC();")->occ, 1);
    must("cp main.o main.o.plain && make -s clean");

    for (int v = 0; v < 2; v++) {
        int st =
            shell(&r, v == 0 ? NULL : "MEMPROF_CC_FUNCS=grow_*,no_such",
                  "make -s %s CC='%s cc%s gcc' CFLAGS='-O2 %s' "
                  "LDFLAGS='%s'",
                  v == 0 ? "" : "-j2", sb.memprof,
                  v == 0 ? " --func grow_rows" : "", MP_TEST_SAN, MP_TEST_SAN);
        ck_assert_msg(st == 0, "make: %d: %s", st, r.err);
        ck_assert_str_eq(r.err, "");
        ck_assert_str_eq(r.out, "");
        run_result_free(&r);

        run_prog(&r, "./rows");
        ck_assert_str_eq(r.out, plain.out);
        ck_assert_msg(WIFEXITED(r.status), "killed: %s", r.err);
        ck_assert_int_eq(WEXITSTATUS(r.status), WEXITSTATUS(plain.status));
        check_rows_tables(r.err, "");
        run_result_free(&r);

        must("cmp main.o main.o.plain");
        for (int i = 0; i < 3; i++) {
            static const char *const deps[] = {"main.d", "grow.d", "tally.d"};
            char *d = file_text(deps[i]);
            ck_assert_msg(strstr(d, "memprof-cc.") == NULL, "%s: %s", deps[i],
                          d);
            free(d);
        }
        /* In the past, the sources before the objects: nothing to do. */
        must("touch -d '-2 hours' *.c *.h && touch -d '-1 hour' *.o rows && "
             "make -q");
        must("touch -d '-30 minutes' rows.h && ! make -q");
        must("make -s clean");
    }
    run_result_free(&plain);
    leave();
}
END_TEST

/*
 * unwrapped() - a dependency file's text as make reads it: each line
 * continued with a backslash joined to the next by one space (the
 * compiler wraps lines at its own width, which depends on the names it
 * wrote, the copy's being longer).  malloc'd.
 */
static char *unwrapped(const char *text)
{
    char *out = malloc(strlen(text) + 1);
    char *q = out;

    ck_assert_ptr_nonnull(out);
    for (const char *p = text; *p != '\0'; p++) {
        if (p[0] == '\\' && p[1] == '\n') {
            while (q > out && q[-1] == ' ')
                q--;
            for (p += 2; *p == ' ' || *p == '\t'; p++)
                ;
            *q++ = ' ';
            p--;
            continue;
        }
        *q++ = *p;
    }
    *q = '\0';
    return out;
}

/* The source the dependency tests compile, and its header. */
static const char work_c[] = "#include \"work.h\"\n"
                             "\n"
                             "int work(int n)\n"
                             "{\n"
                             "    int s = 0;\n"
                             "    for (int i = 0; i < n; i++)\n"
                             "        s += i;\n"
                             "    return s;\n"
                             "}\n";
static const char work_h[] = "int work(int n);\n";
static const char main_c[] = "#include \"work.h\"\n"
                             "\n"
                             "int main(void)\n"
                             "{\n"
                             "    return work(3) != 3;\n"
                             "}\n";

/*
 * The dependency file of each command, with and without -o, -MF (apart
 * and attached), -MT, -Wp,-MMD,FILE (the Linux kernel's), a source in a
 * directory, names with a space, '$' and '#' (which the file escapes), a
 * link with and without -o, and once the copies made under a TMPDIR with
 * a space: with -MMD, what plain gcc writes (lines may wrap elsewhere);
 * with -MD, the same first line (memprof.h is listed too); never a copy's path.
 * Each object was compiled from the rewritten copy (it calls into libmemprof).
 */
START_TEST(test_depfiles)
{
    static const struct {
        const char *args;
        const char *dep;
        const char *obj; /* an object that must call into libmemprof */
    } cases[] = {
        {"-MMD -MP -c work.c", "work.d", "work.o"},
        {"-MMD -MP -c work.c -o obj/y.o", "obj/y.d", "obj/y.o"},
        {"-MMD -c work.c -oobj/ya.o", "obj/ya.d", "obj/ya.o"},
        {"-MMD -MP -MF deps.d -c work.c -o obj/z.o", "deps.d", "obj/z.o"},
        {"-MMD -MFdeps2.d -MT target -c sub/work.c -o obj/t.o", "deps2.d",
         "obj/t.o"},
        {"-MMD -MP -c sub/work.c", "work.d", "work.o"},
        {"-MMD -MP -c 'sp ace/work.c' -o obj/s.o", "obj/s.d", "obj/s.o"},
        {"-Wp,-MMD,obj/wp.d -c work.c -o obj/wp.o", "obj/wp.d", "obj/wp.o"},
        {"-MD -c sub/work.c -o obj/w.o", "obj/w.d", "obj/w.o"},
        {"-MD -MP -MF obj/wf.d -c work.c -o obj/wf.o", "obj/wf.d", "obj/wf.o"},
        {"-MMD -c 'd$#x/work.c' -o obj/h.o", "obj/h.d", "obj/h.o"},
        {"-MMD -MP main.c work.c -o prog", "prog.d", NULL},
        {"-MMD -MP work.c main.c", "a-work.d", NULL},
    };
    run_result r;

    enter();
    must("mkdir obj sub 'sp ace' 'd$#x' 't mp'");
    put_file("work.c", work_c);
    put_file("work.h", work_h);
    put_file("main.c", main_c);
    put_file("sub/work.c", work_c);
    put_file("sub/work.h", work_h);
    put_file("sp ace/work.c", work_c);
    put_file("sp ace/work.h", work_h);
    put_file("d$#x/work.c", work_c);
    put_file("d$#x/work.h", work_h);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int md = strstr(cases[i].args, "-MD") != NULL;

        must("gcc %s %s", MP_TEST_SAN, cases[i].args);
        /* gcc before 11 names a link's dependency file otherwise. */
        if (strncmp(cases[i].dep, "a-", 2) == 0 && !file_exists(cases[i].dep))
            continue;
        char *plain = file_text(cases[i].dep);
        ck_assert_int_eq(unlink(cases[i].dep), 0);
        /* Once, the copies are made under a directory with a space. */
        if (i == 1)
            snprintf(tmpdir, sizeof tmpdir, "%s/t mp", sb.dir);
        int st = shell(&r, NULL, "'%s' cc --func work gcc %s %s", sb.memprof,
                       MP_TEST_SAN, cases[i].args);
        snprintf(tmpdir, sizeof tmpdir, "%s/tmp", sb.dir);
        ck_assert_msg(st == 0, "%s: %s", cases[i].args, r.err);
        ck_assert_str_eq(r.err, "");
        run_result_free(&r);
        char *dep = file_text(cases[i].dep);
        ck_assert_msg(strstr(dep, "memprof-cc.") == NULL, "%s: %s",
                      cases[i].args, dep);
        if (md) {
            size_t first = strcspn(plain, " ");
            ck_assert_msg(strncmp(dep, plain, first + 1) == 0 &&
                              strstr(dep, "work.h") != NULL,
                          "%s: %s, plain %s", cases[i].args, dep, plain);
        } else {
            char *a = unwrapped(dep);
            char *b = unwrapped(plain);
            ck_assert_msg(strcmp(a, b) == 0, "%s: %s, plain %s", cases[i].args,
                          dep, plain);
            free(a);
            free(b);
        }
        free(dep);
        free(plain);
        if (cases[i].obj != NULL)
            must("nm -u %s | grep -q ' mp__'", cases[i].obj);
    }
    ck_assert_int_eq(rmdir("t mp"), 0);
    leave();
}
END_TEST

/* cmake_version() - CMake's version as major * 100 + minor, 0 if none. */
static int cmake_version(void)
{
    run_result r;
    int major = 0;
    int minor = 0;

    if (shell(&r, NULL, "cmake --version") != 0 ||
        sscanf(r.out, "cmake version %d.%d", &major, &minor) != 2)
        major = minor = 0;
    run_result_free(&r);
    return major * 100 + minor;
}

/*
 * cmake_build() - configure the project (the current directory) into dir
 * with generator gen and the -D options defs, build it, and return the
 * build's exit status; what the build printed in *r.
 */
static int cmake_build(run_result *r, const char *gen, const char *dir,
                       const char *defs)
{
    run_result c;
    int st = shell(&c, NULL,
                   "cmake -G '%s' -S . -B %s -DCMAKE_C_COMPILER=gcc "
                   "-DCMAKE_C_FLAGS='-O2 %s' -DCMAKE_EXE_LINKER_FLAGS='%s' %s",
                   gen, dir, MP_TEST_SAN, MP_TEST_SAN, defs);
    ck_assert_msg(st == 0, "cmake %s: %s%s", defs, c.out, c.err);
    run_result_free(&c);
    return shell(r, NULL, "cmake --build %s", dir);
}

/*
 * The project through CMake: CMAKE_C_COMPILER_LAUNCHER profiles the
 * compiles, but a launcher of compiles alone leaves the library out of
 * the link; CMAKE_C_LINKER_LAUNCHER="memprof;cc" (CMake 3.21 and later)
 * adds it, and so does naming libmemprof.a in target_link_libraries
 * (MEMPROF_LIB).  With the Makefile generator, and Ninja's if installed.
 */
START_TEST(test_cmake)
{
    char launch[PATH_MAX + 128];
    char link[PATH_MAX + 128];
    char lib[PATH_MAX + 128];
    char defs[3 * PATH_MAX + 400];
    char dir[64];
    char prog[80];
    char prefix[PATH_MAX + 8];
    run_result r;

    if (sh("command -v cmake >/dev/null") != 0) {
        fprintf(stderr, "test_cmake: cmake not installed: skipped\n");
        return;
    }
    enter();
    copy_project();
    int version = cmake_version();
    int ninja = sh("command -v ninja >/dev/null") == 0;
    snprintf(launch, sizeof launch,
             "-DCMAKE_C_COMPILER_LAUNCHER='%s;cc;--func;grow_rows'",
             sb.memprof);
    snprintf(link, sizeof link, "-DCMAKE_C_LINKER_LAUNCHER='%s;cc'",
             sb.memprof);
    snprintf(lib, sizeof lib, "-DMEMPROF_LIB=%s/%s/libmemprof.a", sb.home,
             test_build_dir());
    /* CMake gives the compiler the sources by their absolute paths. */
    snprintf(prefix, sizeof prefix, "%s/", sb.dir);
    /* The generator, and what brings the library into the link. */
    const struct {
        const char *gen;
        const char *link;
    } builds[] = {
        {"Unix Makefiles", link},
        {"Unix Makefiles", lib},
        {"Ninja", link},
    };

    for (int i = 0; i < 3; i++) {
        if (builds[i].link == link && version < 321) {
            fprintf(stderr, "test_cmake: CMake before 3.21 has no "
                            "CMAKE_C_LINKER_LAUNCHER: not tried\n");
            continue;
        }
        if (strcmp(builds[i].gen, "Ninja") == 0 && !ninja)
            continue;
        snprintf(dir, sizeof dir, "b%d", i);
        snprintf(defs, sizeof defs, "%s %s", launch, builds[i].link);
        int st = cmake_build(&r, builds[i].gen, dir, defs);
        ck_assert_msg(st == 0, "%s, %s: %s%s", builds[i].gen, defs, r.out,
                      r.err);
        ck_assert_ptr_null(strstr(r.err, "memprof cc:"));
        run_result_free(&r);
        snprintf(prog, sizeof prog, "%s/rows", dir);
        run_prog(&r, prog);
        ck_assert_str_eq(r.out, ROWS_OUT);
        ck_assert_int_eq(WEXITSTATUS(r.status), ROWS_STATUS);
        check_rows_tables(r.err, prefix);
        run_result_free(&r);
    }
    /* The compiler launcher alone: the link misses the library. */
    ck_assert_int_ne(cmake_build(&r, "Unix Makefiles", "b_alone", launch), 0);
    ck_assert_msg(strstr(r.out, "undefined reference to `mp__") != NULL ||
                      strstr(r.err, "undefined reference to `mp__") != NULL,
                  "%s%s", r.out, r.err);
    run_result_free(&r);
    leave();
}
END_TEST

/* A file of four functions, of which grab alone is profiled below. */
static const char two_c[] = "#include <stdlib.h>\n"
                            "#include <string.h>\n"
                            "\n"
                            "void *volatile sink;\n"
                            "\n"
                            "int other(int n)\n"
                            "{\n"
                            "    int s = 0;\n"
                            "    for (int i = 0; i < n; i++)\n"
                            "        s += i * i;\n"
                            "    return s;\n"
                            "}\n"
                            "\n"
                            "char *grab(size_t n)\n"
                            "{\n"
                            "    char *p = malloc(n);\n"
                            "    if (p != NULL)\n"
                            "        memset(p, 1, n);\n"
                            "    sink = p;\n"
                            "    return p;\n"
                            "}\n"
                            "\n"
                            "static int helper(int x)\n"
                            "{\n"
                            "    return x * 3 + 1;\n"
                            "}\n"
                            "\n"
                            "/* Not MP_PROFILE_FUNC(): a comment. */\n"
                            "int use_helper(int x)\n"
                            "{\n"
                            "    return helper(x) + other(x);\n"
                            "}\n";

/*
 * section_of() - the disassembly of the section .text.NAME of dir/two.o,
 * objdump run in dir so that the header names the same file; malloc'd.
 * Also the section's bytes, into dir/NAME.bin.
 */
static char *section_of(const char *dir, const char *name)
{
    run_result r;

    int st = shell(&r, NULL,
                   "cd %s && objcopy -O binary --only-section=.text.%s "
                   "two.o %s.bin && objdump -d -r --no-show-raw-insn "
                   "-j .text.%s two.o",
                   dir, name, name, name);
    ck_assert_msg(st == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, name));
    free(r.err);
    return r.out;
}

/*
 * Profiling grab changes grab only: at -O0, -O2 and -O2 -g, the machine
 * code of other and use_helper (-ffunction-sections: a section each) is
 * the same instructions and the same bytes as in the plain build.  A file
 * with nothing to profile (no --func pattern matches; MP_PROFILE_FUNC in
 * a comment only) compiles to the very same object: memprof cc compiles
 * the original, untouched.
 */
START_TEST(test_objects_unchanged)
{
    static const char *const opts[] = {"-O0", "-O2", "-O2 -g"};
    static const char *const same[] = {"other", "use_helper"};

    enter();
    put_file("two.c", two_c);
    must("mkdir plain prof");
    for (int o = 0; o < 3; o++) {
        must("gcc %s -ffunction-sections -c two.c -o plain/two.o", opts[o]);
        must("'%s' cc --func grab gcc %s -ffunction-sections -c two.c "
             "-o prof/two.o",
             sb.memprof, opts[o]);
        for (int f = 0; f < 2; f++) {
            char *a = section_of("plain", same[f]);
            char *b = section_of("prof", same[f]);
            ck_assert_msg(strcmp(a, b) == 0, "%s %s:\n%s\nprofiled:\n%s",
                          opts[o], same[f], a, b);
            free(a);
            free(b);
            must("cmp plain/%s.bin prof/%s.bin", same[f], same[f]);
        }
        char *a = section_of("plain", "grab");
        char *b = section_of("prof", "grab");
        ck_assert_msg(strcmp(a, b) != 0, "%s: grab not profiled", opts[o]);
        free(a);
        free(b);
    }

    must("gcc -O2 -g -c two.c -o plain/two.o");
    must("'%s' cc --func no_such gcc -O2 -g -c two.c -o prof/two.o",
         sb.memprof);
    must("cmp plain/two.o prof/two.o");
    must("'%s' cc gcc -O2 -g -c two.c -o prof/two.o", sb.memprof);
    must("cmp plain/two.o prof/two.o");
    leave();
}
END_TEST

/* A GCC nested function, which clang's parser rejects. */
static const char nest_c[] = "#include <stdio.h>\n"
                             "\n"
                             "int outer(int n)\n"
                             "{\n"
                             "    int add(int x) { return x + n; }\n"
                             "    return add(1);\n"
                             "}\n"
                             "\n"
                             "int main(void)\n"
                             "{\n"
                             "    printf(\"%d\\n\", outer(41));\n"
                             "    return 0;\n"
                             "}\n";

/*
 * A goto over a declaration without an initialiser: fine, but the copy's
 * reading after that declaration is one with an initialiser, which
 * -Wjump-misses-init reports (the one known way to make gcc reject a copy
 * of code it accepts).
 */
static const char decl_c[] = "int f(int x)\n"
                             "{\n"
                             "    if (x)\n"
                             "        goto out;\n"
                             "    int a;\n"
                             "    a = x + 1;\n"
                             "    return a;\n"
                             "out:\n"
                             "    return 0;\n"
                             "}\n";

/*
 * check_one_warning() - err is exactly one line, memprof cc's, saying that
 * file was compiled without line profiling.
 */
static void check_one_warning(const char *err, const char *file)
{
    char head[128];

    snprintf(head, sizeof head, "memprof cc: %s: ", file);
    ck_assert_msg(lines(err) == 1 && strncmp(err, head, strlen(head)) == 0 &&
                      ends_with(err, "; compiled without line profiling\n"),
                  "stderr: %s", err);
}

/*
 * A source that clang's parser rejects but gcc compiles builds and runs
 * as without memprof cc, its object the same, with one line saying so;
 * so does one whose rewritten copy gcc rejects (a flag of the user's).
 */
START_TEST(test_not_parsed_still_builds)
{
    run_result r;
    run_result plain;

    enter();
    put_file("nest.c", nest_c);
    must("gcc -O2 %s nest.c -o nest_plain", MP_TEST_SAN);
    ck_assert_int_eq(shell(&r, NULL,
                           "'%s' cc --func outer gcc -O2 %s nest.c "
                           "-o nest",
                           sb.memprof, MP_TEST_SAN),
                     0);
    ck_assert_str_eq(r.out, "");
    check_one_warning(r.err, "nest.c");
    run_result_free(&r);
    run_prog(&plain, "./nest_plain");
    run_prog(&r, "./nest");
    ck_assert_str_eq(r.out, "42\n");
    ck_assert_str_eq(r.out, plain.out);
    ck_assert_int_eq(r.status, plain.status);
    ck_assert_ptr_null(strstr(r.err, "Filename:"));
    run_result_free(&r);
    run_result_free(&plain);

    must("gcc -O2 -c nest.c -o nest_plain.o");
    ck_assert_int_eq(shell(&r, NULL,
                           "'%s' cc --func outer gcc -O2 -c nest.c -o nest.o",
                           sb.memprof),
                     0);
    check_one_warning(r.err, "nest.c");
    run_result_free(&r);
    must("cmp nest.o nest_plain.o");

    put_file("decl.c", decl_c);
    must("gcc -O2 -Werror=jump-misses-init -c decl.c -o decl_plain.o");
    ck_assert_int_eq(shell(&r, NULL,
                           "'%s' cc --func f gcc -O2 "
                           "-Werror=jump-misses-init -c decl.c -o decl.o",
                           sb.memprof),
                     0);
    check_one_warning(r.err, "decl.c");
    run_result_free(&r);
    must("cmp decl.o decl_plain.o");
    leave();
}
END_TEST

/*
 * A real error is the compiler's to report: a syntax error (which the
 * parser sees too), an error that only gcc's flags make (the rewritten
 * copy is rejected, then the original): the same messages and exit
 * status as plain gcc, and no line of memprof cc's.
 */
START_TEST(test_errors_are_the_compilers)
{
    static const struct {
        const char *name;
        const char *text;
        const char *args;
    } cases[] = {
        {"bad.c", "int main(void)\n{\n    return 0\n}\n", "--func main"},
        {"unused.c", "int f(int x)\n{\n    int unused;\n    return x;\n}\n",
         "--func f"},
    };
    run_result r;
    run_result plain;

    enter();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *flags = "-Wall -Werror";
        put_file(cases[i].name, cases[i].text);
        int want = shell(&plain, NULL, "gcc %s -c %s", flags, cases[i].name);
        ck_assert_int_ne(want, 0);
        int st = shell(&r, NULL, "'%s' cc %s gcc %s -c %s", sb.memprof,
                       cases[i].args, flags, cases[i].name);
        ck_assert_int_eq(st, want);
        ck_assert_str_eq(r.err, plain.err);
        ck_assert_str_eq(r.out, plain.out);
        ck_assert_ptr_null(strstr(r.err, "memprof cc:"));
        run_result_free(&r);
        run_result_free(&plain);
    }
    leave();
}
END_TEST

/* fake_cc - a compiler that says how it was called and exits 42. */
static const char fake_cc[] = "#!/bin/sh\n"
                              "echo \"fake $*\"\n"
                              "echo 'fake: on stderr' >&2\n"
                              "exit 42\n";
/* fake_kill - one killed by SIGTERM. */
static const char fake_kill[] = "#!/bin/sh\n"
                                "kill -TERM $$\n"
                                "sleep 5\n";

/* mpcc() - run memprof cc with the arguments (NULL-terminated) into *r. */
static void mpcc(run_result *r, ...)
{
    const char *argv[16] = {sb.memprof, "cc"};
    int n = 2;
    const char *a;
    va_list ap;

    va_start(ap, r);
    while ((a = va_arg(ap, const char *)) != NULL && n < 15)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    ck_assert_int_eq(run_capture(argv, NULL, r), 0);
}

/*
 * What the compiler prints and how it ends comes through: gcc --version
 * and other queries print as gcc; a failing link and a missing source
 * end as with gcc; a compiler's own exit status and output, and its
 * death by a signal; a compiler that is not there, 127 and one line.  A
 * link gets the library added after the user's arguments.
 */
START_TEST(test_passthrough)
{
    static const char *const queries[] = {"--version", "-dumpmachine",
                                          "-print-prog-name=ld"};
    run_result r;
    run_result plain;
    char want[PATH_MAX + 128];

    enter();
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(shell(&plain, NULL, "gcc %s", queries[i]), 0);
        ck_assert_int_eq(
            shell(&r, NULL, "'%s' cc gcc %s", sb.memprof, queries[i]), 0);
        ck_assert_str_eq(r.out, plain.out);
        ck_assert_str_eq(r.err, plain.err);
        run_result_free(&r);
        run_result_free(&plain);
    }

    put_file("u.c", "int nope(void);\n"
                    "int main(void)\n"
                    "{\n"
                    "    return nope();\n"
                    "}\n");
    int want_st = shell(&plain, NULL, "gcc %s u.c -o u", MP_TEST_SAN);
    ck_assert_int_ne(want_st, 0);
    ck_assert_int_eq(shell(&r, NULL, "'%s' cc --func main gcc %s u.c -o u",
                           sb.memprof, MP_TEST_SAN),
                     want_st);
    ck_assert_ptr_nonnull(strstr(r.err, "undefined reference to `nope'"));
    ck_assert_ptr_null(strstr(r.err, "memprof cc:"));
    ck_assert_int_eq(file_exists("u"), 0);
    run_result_free(&r);
    run_result_free(&plain);

    want_st = shell(&plain, NULL, "gcc -c no_such.c");
    ck_assert_int_ne(want_st, 0);
    ck_assert_int_eq(
        shell(&r, NULL, "'%s' cc --func main gcc -c no_such.c", sb.memprof),
        want_st);
    ck_assert_str_eq(r.err, plain.err);
    run_result_free(&r);
    run_result_free(&plain);

    put_file("fakecc", fake_cc);
    put_file("fakekill", fake_kill);
    ck_assert_int_eq(chmod("fakecc", 0755), 0);
    ck_assert_int_eq(chmod("fakekill", 0755), 0);
    mpcc(&r, "./fakecc", "-c", "u.c", NULL);
    ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 42,
                  "status %#x", r.status);
    ck_assert_msg(strncmp(r.out, "fake ", 5) == 0 &&
                      ends_with(r.out, " -c u.c\n"),
                  "%s", r.out);
    ck_assert_str_eq(r.err, "fake: on stderr\n");
    run_result_free(&r);
    mpcc(&r, "./fakecc", "u.o", "-o", "u", NULL);
    ck_assert_int_eq(WEXITSTATUS(r.status), 42);
    snprintf(want, sizeof want, " u.o -o u -L%s/%s -l:libmemprof.a -lpthread\n",
             sb.home, test_build_dir());
    ck_assert_msg(ends_with(r.out, want), "%s", r.out);
    run_result_free(&r);
    mpcc(&r, "./fakekill", "-c", "u.c", NULL);
    ck_assert_msg(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGTERM,
                  "status %#x", r.status);
    run_result_free(&r);
    mpcc(&r, "./no-such-cc", "-c", "u.c", NULL);
    ck_assert_int_eq(WEXITSTATUS(r.status), 127);
    ck_assert_str_eq(r.err, "memprof cc: cannot run ./no-such-cc: No such "
                            "file or directory\n");
    run_result_free(&r);
    leave();
}
END_TEST

Suite *cc_build_suite(void)
{
    Suite *s = suite_create("cc_build");

    if (!MP_TEST_HAVE_CC) {
        fprintf(stderr, "cc_build: skipped, memprof-cc is not built (it "
                        "needs libclang)\n");
        return s;
    }
    if (sh("command -v gcc >/dev/null") != 0) {
        fprintf(stderr, "cc_build: skipped, the builds are gcc's and there "
                        "is no gcc\n");
        return s;
    }
    TCase *tc = tcase_create("builds");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_make_project);
    tcase_add_test(tc, test_depfiles);
    tcase_add_test(tc, test_cmake);
    suite_add_tcase(s, tc);
    tc = tcase_create("compiles");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_objects_unchanged);
    tcase_add_test(tc, test_not_parsed_still_builds);
    tcase_add_test(tc, test_errors_are_the_compilers);
    tcase_add_test(tc, test_passthrough);
    suite_add_tcase(s, tc);
    return s;
}
