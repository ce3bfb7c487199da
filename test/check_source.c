/*
 * check_source.c - tests of lib/source.c: loading and splitting source
 * files, and the search path (check_lexer.c tests what lexer.c finds).
 *
 * Each test source is a string literal written to a temporary file; the
 * comment after each of its lines gives that line's number.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* nftw() */
#endif
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "internal.h"

/* temp_dir() - where temporary files go: $TMPDIR or /tmp. */
static const char *temp_dir(void)
{
    const char *dir = getenv("TMPDIR");

    return dir != NULL && *dir != '\0' ? dir : "/tmp";
}

/* write_text() - create path holding exactly text; fails the test if not. */
static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    ck_assert_msg(f != NULL, "cannot create %s: %s", path, strerror(errno));
    ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
    ck_assert_int_eq(fclose(f), 0);
}

/*
 * load_text() - load text into *src through a temporary file, which is
 * removed again.  Fails the test if loading fails.
 */
static void load_text(mp__source *src, const char *text)
{
    char path[4096];
    int fd;
    size_t len = strlen(text);

    snprintf(path, sizeof path, "%s/mp_source_XXXXXX", temp_dir());
    fd = mkstemp(path);
    ck_assert_msg(fd >= 0, "mkstemp: %s", strerror(errno));
    ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
    ck_assert_int_eq(close(fd), 0);
    ck_assert_int_eq(mp__source_load(src, path, NULL), 0);
    ck_assert_int_eq(unlink(path), 0);
}

/* remove_one() - nftw callback of remove_tree(). */
static int remove_one(const char *path, const struct stat *st, int flag,
                      struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* remove_tree() - remove dir and everything under it. */
static void remove_tree(const char *dir)
{
    ck_assert_int_eq(nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/* make_temp_dir() - a new empty directory; its name goes into buf. */
static void make_temp_dir(char *buf, size_t size)
{
    snprintf(buf, size, "%s/mp_source_XXXXXX", temp_dir());
    ck_assert_msg(mkdtemp(buf) != NULL, "mkdtemp: %s", strerror(errno));
}

/* in_dir() - dir "/" rel in a static buffer of n (0..3). */
static const char *in_dir(int n, const char *dir, const char *rel)
{
    static char bufs[4][4096];
    int len = snprintf(bufs[n], sizeof bufs[n], "%s/%s", dir, rel);

    ck_assert(len > 0 && (size_t)len < sizeof bufs[n]);
    return bufs[n];
}

/* assert_zeroed() - *src is all zeros, as after a failed load. */
static void assert_zeroed(const mp__source *src)
{
    ck_assert_ptr_null(src->buf);
    ck_assert_ptr_null(src->lines);
    ck_assert_uint_eq(src->len, 0);
    ck_assert_int_eq(src->nlines, 0);
}

/* ---- Loading and line splitting. */

START_TEST(test_lines_lf)
{
    mp__source src;

    load_text(&src, "a\nbb\n\nccc\n");
    ck_assert_uint_eq(src.len, 10);
    ck_assert_int_eq(src.nlines, 4);
    ck_assert_str_eq(src.lines[0], "a");
    ck_assert_str_eq(src.lines[1], "bb");
    ck_assert_str_eq(src.lines[2], "");
    ck_assert_str_eq(src.lines[3], "ccc");
    ck_assert_ptr_eq(src.lines[0], src.buf);
    mp__source_free(&src);
    assert_zeroed(&src);
}
END_TEST

START_TEST(test_lines_crlf)
{
    mp__source src;

    load_text(&src, "a\r\nb\r\n\r\nx\ry\r\n\rz\r\n");
    ck_assert_uint_eq(src.len, 17);
    ck_assert_int_eq(src.nlines, 5);
    ck_assert_str_eq(src.lines[0], "a");
    ck_assert_str_eq(src.lines[1], "b");
    ck_assert_str_eq(src.lines[2], "");
    ck_assert_str_eq(src.lines[3], "x\ry");
    ck_assert_str_eq(src.lines[4], "\rz");
    mp__source_free(&src);
}
END_TEST

START_TEST(test_lines_no_final_newline)
{
    mp__source src;

    load_text(&src, "one\ntwo");
    ck_assert_int_eq(src.nlines, 2);
    ck_assert_str_eq(src.lines[0], "one");
    ck_assert_str_eq(src.lines[1], "two");
    mp__source_free(&src);

    load_text(&src, "one\r\ntwo\r");
    ck_assert_int_eq(src.nlines, 2);
    ck_assert_str_eq(src.lines[1], "two");
    mp__source_free(&src);

    load_text(&src, "x");
    ck_assert_int_eq(src.nlines, 1);
    ck_assert_str_eq(src.lines[0], "x");
    mp__source_free(&src);
}
END_TEST

START_TEST(test_lines_empty)
{
    mp__source src;

    load_text(&src, "");
    ck_assert_int_eq(src.nlines, 0);
    ck_assert_uint_eq(src.len, 0);
    ck_assert_ptr_nonnull(src.buf);
    ck_assert_str_eq(src.buf, "");
    mp__source_free(&src);

    load_text(&src, "\n\n");
    ck_assert_int_eq(src.nlines, 2);
    ck_assert_str_eq(src.lines[0], "");
    ck_assert_str_eq(src.lines[1], "");
    mp__source_free(&src);
}
END_TEST

START_TEST(test_free_zeroed)
{
    mp__source src;

    memset(&src, 0, sizeof src);
    mp__source_free(&src);
    mp__source_free(&src);
    mp__source_free(NULL);
    assert_zeroed(&src);
}
END_TEST

/* ---- The search path. */

START_TEST(test_load_missing)
{
    mp__source src;

    memset(&src, 0xa5, sizeof src);
    ck_assert_int_eq(mp__source_load(&src, "/nonexistent/mp/x.c", NULL),
                     -ENOENT);
    assert_zeroed(&src);
}
END_TEST

START_TEST(test_search_path)
{
    char root[4096];
    char search[4 * 4096 + 16];
    mp__source src;

    make_temp_dir(root, sizeof root);
    ck_assert_int_eq(mkdir(in_dir(0, root, "a"), 0700), 0);
    ck_assert_int_eq(mkdir(in_dir(0, root, "a/sub"), 0700), 0);
    ck_assert_int_eq(mkdir(in_dir(0, root, "b"), 0700), 0);
    ck_assert_int_eq(mkdir(in_dir(0, root, "b/sub"), 0700), 0);
    ck_assert_int_eq(mkdir(in_dir(0, root, "b/sub/x.c"), 0700), 0);
    ck_assert_int_eq(mkdir(in_dir(0, root, "c"), 0700), 0);
    write_text(in_dir(0, root, "a/sub/x.c"), "full a\n");
    write_text(in_dir(0, root, "a/x.c"), "base a\n");
    write_text(in_dir(0, root, "b/x.c"), "base b\n");
    write_text(in_dir(0, root, "c/y.c"), "base c\n");
    write_text(in_dir(0, root, "plain"), "not a directory\n");

    /* dir/path comes before dir/basename(path); empty entries skipped. */
    snprintf(search, sizeof search, "::%s:%s", in_dir(0, root, "a"),
             in_dir(1, root, "b"));
    ck_assert_int_eq(mp__source_load(&src, "sub/x.c", search), 0);
    ck_assert_int_eq(src.nlines, 1);
    ck_assert_str_eq(src.lines[0], "full a");
    mp__source_free(&src);

    /* A directory in the way is passed over for the basename. */
    snprintf(search, sizeof search, "%s:", in_dir(0, root, "b"));
    ck_assert_int_eq(mp__source_load(&src, "sub/x.c", search), 0);
    ck_assert_str_eq(src.lines[0], "base b");
    mp__source_free(&src);

    /* The first directory that has the file wins. */
    snprintf(search, sizeof search, "%s:%s:%s", in_dir(0, root, "nope"),
             in_dir(1, root, "c"), in_dir(2, root, "a"));
    ck_assert_int_eq(mp__source_load(&src, "deep/down/y.c", search), 0);
    ck_assert_str_eq(src.lines[0], "base c");
    mp__source_free(&src);

    /* A path that opens as given is not searched for. */
    ck_assert_int_eq(
        mp__source_load(&src, in_dir(0, root, "c/y.c"), in_dir(1, root, "a")),
        0);
    ck_assert_str_eq(src.lines[0], "base c");
    mp__source_free(&src);

    /* Missing everywhere: the error of the first attempt. */
    memset(&src, 0xa5, sizeof src);
    ck_assert_int_eq(mp__source_load(&src, "sub/none.c", search), -ENOENT);
    assert_zeroed(&src);
    ck_assert_int_eq(
        mp__source_load(&src, in_dir(0, root, "plain/z.c"), search), -ENOTDIR);
    assert_zeroed(&src);
    ck_assert_int_eq(mp__source_load(&src, "sub/none.c", ""), -ENOENT);
    ck_assert_int_eq(mp__source_load(&src, "sub/none.c", ":::"), -ENOENT);
    ck_assert_int_eq(mp__source_load(&src, in_dir(0, root, "a"), NULL),
                     -EISDIR);
    assert_zeroed(&src);

    remove_tree(root);
}
END_TEST

/* source_suite() - the tests of lib/source.c. */
Suite *source_suite(void)
{
    Suite *s = suite_create("source");
    TCase *load = tcase_create("load");

    tcase_add_test(load, test_lines_lf);
    tcase_add_test(load, test_lines_crlf);
    tcase_add_test(load, test_lines_no_final_newline);
    tcase_add_test(load, test_lines_empty);
    tcase_add_test(load, test_free_zeroed);
    tcase_add_test(load, test_load_missing);
    tcase_add_test(load, test_search_path);
    suite_add_tcase(s, load);
    return s;
}
