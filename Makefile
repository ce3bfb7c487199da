# libmemprof - memory_profiler for C.
#
#   make              the library (build/libmemprof.a)
#   make demo         build and run examples/basic.c: the table on stderr
#   make check        build and run every test
#   make help         every target

PREFIX ?= /usr/local
DESTDIR ?=
INSTALL ?= install
CC ?= cc
CFLAGS ?= -O2 -g
LDFLAGS ?=
B ?= build

LIBDIR = $(PREFIX)/lib
INCLUDEDIR = $(PREFIX)/include
MANDIR = $(PREFIX)/share/man

WARNINGS = -Wall -Wextra -Werror -Wstrict-prototypes -Wwrite-strings -Wshadow
REQ_CFLAGS = -std=gnu11 -pthread -Iinclude -Ilib $(WARNINGS) $(SAN)
REQ_LDLIBS = -pthread

LIB_SRC = $(wildcard lib/*.c)
LIB_OBJ = $(LIB_SRC:%.c=$(B)/%.o)
LIB = $(B)/libmemprof.a
CLI_SRC = $(wildcard cli/*.c)
CLI = $(B)/memprof
# memprof plot writes PNG through cairo when pkg-config finds it at build
# time; without it (or with NO_CAIRO=1) SVG and --term still work.
ifeq ($(NO_CAIRO),)
CAIRO_CFLAGS := $(shell pkg-config --cflags cairo 2>/dev/null)
CAIRO_LIBS := $(shell pkg-config --libs cairo 2>/dev/null)
endif
ifneq ($(CAIRO_LIBS),)
CLI_DEFS = -DMEMPROF_HAVE_CAIRO $(CAIRO_CFLAGS)
endif
BINDIR = $(PREFIX)/bin
EXAMPLES = $(patsubst examples/%.c,$(B)/examples/%,$(wildcard examples/*.c))
TEST_SRC = $(wildcard test/check_*.c) test/testutil.c
TEST_PROGS = $(patsubst test/progs/%.c,$(B)/test/progs/%,$(wildcard test/progs/*.c))
TEST_BIN = $(B)/test/check_all
CHECK_LIBS = $(shell pkg-config --libs check)

.PHONY: FORCE all demo check check-asan check-tsan check-valgrind bench install uninstall clean help

all: $(LIB) $(CLI) $(EXAMPLES) $(B)/memprof.pc

help:
	@echo "targets:"
	@echo "  all         the library, the memprof command, the examples (default)"
	@echo "  demo        build examples/basic.c and run it: the table on stderr"
	@echo "  check       build and run every test (check, end-to-end, man lint)"
	@echo "  check-asan  the tests again with AddressSanitizer + UBSan"
	@echo "  check-tsan  the tests again with ThreadSanitizer"
	@echo "  check-valgrind  the tests again under valgrind memcheck"
	@echo "  bench       benchmarks, printed as ratios against the measured floor"
	@echo "  install     install into \$$(DESTDIR)\$$(PREFIX) (PREFIX=$(PREFIX))"
	@echo "  uninstall   remove what install installed"
	@echo "  clean       remove build directories"

$(B)/lib/%.o: lib/%.c lib/internal.h include/memprof.h
	@mkdir -p $(dir $@)
	$(CC) $(REQ_CFLAGS) $(CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(CLI): $(CLI_SRC) $(wildcard cli/*.h) lib/internal.h include/memprof.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(REQ_CFLAGS) -Icli $(CLI_DEFS) $(CFLAGS) $(LDFLAGS) -o $@ \
	    $(CLI_SRC) $(LIB) $(CAIRO_LIBS) -lm $(REQ_LDLIBS)

$(B)/examples/%: examples/%.c $(LIB) include/memprof.h
	@mkdir -p $(dir $@)
	$(CC) $(REQ_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(REQ_LDLIBS)

$(B)/test/progs/%: test/progs/%.c $(LIB) include/memprof.h
	@mkdir -p $(dir $@)
	$(CC) $(REQ_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(REQ_LDLIBS)

# Made anew each time, so that it always names the PREFIX given.
$(B)/memprof.pc: FORCE
	@mkdir -p $(dir $@)
	printf '%s\n' \
	    'prefix=$(PREFIX)' \
	    'libdir=$${prefix}/lib' \
	    'includedir=$${prefix}/include' \
	    '' \
	    'Name: memprof' \
	    'Description: line-by-line memory profiling for C, after memory_profiler' \
	    'Version: $(shell sed -n 's/^#define MEMPROF_VERSION "\(.*\)"/\1/p' include/memprof.h)' \
	    'Cflags: -I$${includedir}' \
	    'Libs: -L$${libdir} -lmemprof -lpthread' > $@

FORCE:

demo: $(B)/examples/basic
	$(B)/examples/basic

$(TEST_BIN): $(TEST_SRC) test/testutil.h $(LIB) $(CLI) $(EXAMPLES) $(TEST_PROGS)
	@mkdir -p $(dir $@)
	$(CC) $(REQ_CFLAGS) $(CFLAGS) -Itest -DMP_TEST_BUILD='"$(B)"' \
	    -DMP_TEST_CC='"$(CC)"' -DMP_TEST_SAN='"$(SAN)"' $(LDFLAGS) \
	    -o $@ $(TEST_SRC) $(LIB) $(CHECK_LIBS) $(REQ_LDLIBS)

check: $(TEST_BIN)
	groff -man -ww -z man/memprof.3
	test ! -f man/memprof.1 || groff -man -ww -z man/memprof.1
	$(TEST_BIN)

# No quarantine: freed memory goes back to the system at once, as without
# ASan, so that the tests' memory figures hold.
check-asan:
	ASAN_OPTIONS=quarantine_size_mb=0:detect_leaks=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	$(MAKE) B=build-asan SAN='-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all' check

check-tsan:
	$(MAKE) B=build-tsan SAN='-fsanitize=thread' check

# valgrind follows the examples the tests run, but not the tools; memory
# figures are not asserted (valgrind's allocator is not glibc's) and the
# 8-thread count test runs 20,000 hits a thread instead of 1,000,000.
VALGRIND_SKIP = */sh,*/bash,*/env,*/cc,*/gcc,*/g++,*/clang*,*/nm,*/make,\
*/grep,*/awk,*/cat,*/ls,*/test,*/rm,*/python3*,*/pkg-config,*/groff

check-valgrind: $(TEST_BIN)
	MP_TEST_FIGURES=0 MP_TEST_QUICK=1 valgrind -q --error-exitcode=99 \
	    --leak-check=full --errors-for-leak-kinds=definite \
	    --trace-children=yes --trace-children-skip='$(VALGRIND_SKIP)' \
	    $(TEST_BIN)

bench: $(LIB) $(CLI)
	$(MAKE) -C bench B=$(abspath $(B))

install: $(LIB) $(CLI) $(B)/memprof.pc
	$(INSTALL) -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR)/pkgconfig \
	    $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BINDIR)
	$(INSTALL) -m 755 $(CLI) $(DESTDIR)$(BINDIR)
	$(INSTALL) -m 644 include/memprof.h $(DESTDIR)$(INCLUDEDIR)
	$(INSTALL) -m 644 $(LIB) $(DESTDIR)$(LIBDIR)
	$(INSTALL) -m 644 $(B)/memprof.pc $(DESTDIR)$(LIBDIR)/pkgconfig
	$(INSTALL) -m 644 man/memprof.3 $(DESTDIR)$(MANDIR)/man3
	test ! -f man/memprof.1 || $(INSTALL) -m 644 man/memprof.1 $(DESTDIR)$(MANDIR)/man1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/memprof $(DESTDIR)$(MANDIR)/man1/memprof.1
	rm -f $(DESTDIR)$(INCLUDEDIR)/memprof.h $(DESTDIR)$(LIBDIR)/libmemprof.a \
	    $(DESTDIR)$(LIBDIR)/pkgconfig/memprof.pc $(DESTDIR)$(MANDIR)/man3/memprof.3

clean:
	rm -rf build build-asan build-tsan build-*
