# libmemprof - memory_profiler for C.
#
#   make              the library (build/libmemprof.a, build/libmemprof.so.0)
#   make demo         build and run examples/basic.c: the table on stderr
#   make check        build and run every test (add WERROR=1: warnings are
#                     errors, as in development and CI)
#   make help         every target
#
# Warnings are errors in development and CI (make WERROR=1, as .ci/run
# does), not in a plain make, so that a newer compiler's new warning cannot
# break a user's build of a release.  CPPFLAGS, CFLAGS and LDFLAGS are the
# user's, honoured on every line (Debian's hardening passes
# -D_FORTIFY_SOURCE in CPPFLAGS).

PREFIX ?= /usr/local
DESTDIR ?=
INSTALL ?= install
CC ?= cc
CFLAGS ?= -O2 -g
CPPFLAGS ?=
LDFLAGS ?=
B ?= build
WERROR ?= 0

# LIBDIR may be a multiarch folder (LIBDIR=/usr/lib/x86_64-linux-gnu): the
# .pc files and the CMake package name the one given.
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
CMAKEDIR ?= $(LIBDIR)/cmake/memprof

WERROR_FLAG = $(if $(filter 1,$(WERROR)),-Werror)
WARNINGS = -Wall -Wextra $(WERROR_FLAG) -Wstrict-prototypes -Wwrite-strings \
    -Wshadow
# The user's CPPFLAGS come with the required flags, on every compile and
# link; -O0 builds add -U_FORTIFY_SOURCE (glibc warns without an optimiser).
REQ_CFLAGS = -std=gnu11 -pthread -Iinclude -Ilib $(WARNINGS) $(SAN) \
    $(CPPFLAGS)
REQ_LDLIBS = -pthread
# Each object and program also writes the headers it included into a .d
# file beside it, read back below: touching a header rebuilds its users.
DEPFLAGS = -MMD -MP

empty :=
space := $(empty) $(empty)
comma := ,

# The version, from the header's three numbers.  (".define": a "#" would
# start a comment in make before 4.3.)
VERSION_PART = $(shell sed -n \
    's/^.define MEMPROF_VERSION_$(1)  *\([0-9][0-9]*\)$$/\1/p' \
    include/memprof.h)
VERSION_PARTS = $(foreach p,MAJOR MINOR PATCH,$(call VERSION_PART,$(p)))
VERSION := $(subst $(space),.,$(VERSION_PARTS))

LIB_SRC = $(wildcard lib/*.c)
LIB_OBJ = $(LIB_SRC:%.c=$(B)/%.o)
LIB = $(B)/libmemprof.a
CLI_SRC = $(wildcard cli/*.c)
CLI_OBJ = $(CLI_SRC:%.c=$(B)/%.o)
# What the command takes from lib/: the shared base (warnings, parsing,
# allocation), the /proc readers and the .dat format; never the profiler.
CLI_LIB_OBJ = $(B)/lib/base.o $(B)/lib/proc.o $(B)/lib/dat.o \
    $(B)/lib/leaks.o $(B)/lib/symbols.o
CLI = $(B)/memprof
# memprof plot loads cairo (libcairo.so.2) at run time, for PNG only: the
# command links no cairo and needs no cairo headers.  dlopen is in the C
# library from glibc 2.34; before, in libdl.
DL_PROBE = printf '\043include <dlfcn.h>\nint main(void) { return !dlopen("", 0); }\n'
CLI_LDLIBS := $(shell $(DL_PROBE) | $(CC) -x c -o /dev/null - 2>/dev/null || \
    echo -ldl)
BINDIR = $(PREFIX)/bin
LIBEXECDIR = $(PREFIX)/libexec
# memprof cc's program, memprof-cc: the only one that links libclang, found
# where Debian's libclang-dev puts it (or given as LIBCLANG_CFLAGS and
# LIBCLANG_LIBS).  Without it, everything else builds and memprof cc says
# what to install.
LIBCLANG_INDEX := $(lastword $(sort \
    $(wildcard /usr/lib/llvm-*/include/clang-c/Index.h)))
LIBCLANG_DIR = $(LIBCLANG_INDEX:%/include/clang-c/Index.h=%)
LIBCLANG_CFLAGS ?= $(if $(LIBCLANG_INDEX),-I$(LIBCLANG_DIR)/include)
LIBCLANG_LIBS ?= $(if $(LIBCLANG_INDEX),-L$(LIBCLANG_DIR)/lib -lclang)
CC_SRC = $(wildcard cc/*.c)
CC_OBJ = $(CC_SRC:%.c=$(B)/%.o)
MEMPROF_CC = $(if $(LIBCLANG_CFLAGS),$(B)/memprof-cc)
# Where memprof-cc finds memprof.h and libmemprof.a: beside it in a build
# directory (the header in this tree), else where they are installed.
CC_PATHS = -DMP_CC_BUILD_INCLUDEDIR='"$(abspath include)"' \
    -DMP_CC_LIBDIR='"$(LIBDIR)"' -DMP_CC_INCLUDEDIR='"$(INCLUDEDIR)"'
EXAMPLES = $(patsubst examples/%.c,$(B)/examples/%,$(wildcard examples/*.c))
TEST_SRC = $(wildcard test/check_*.c) test/testutil.c
TEST_OBJ = $(TEST_SRC:%.c=$(B)/%.o)
# plugin.c and failmalloc.c are shared objects, not programs (see below);
# link_*.c have rules of their own (LINK_PROGS).
TEST_PROGS = $(patsubst test/progs/%.c,$(B)/test/progs/%,\
    $(filter-out test/progs/plugin.c test/progs/failmalloc.c \
    test/progs/link_%.c,$(wildcard test/progs/*.c))) $(B)/test/progs/plugin.so
FAILMALLOC_SO = $(B)/test/progs/failmalloc.so
TEST_BIN = $(B)/test/check_all
CHECK_LIBS = $(shell pkg-config --libs check)
# The heap backend's counter: malloc and its family, counted, in an archive
# linked ahead of libmemprof.a and in an object for LD_PRELOAD.  Not part
# of libmemprof.a, so that programs which do not ask for it keep their
# allocator untouched.  The archive is linked whole: its malloc is pulled
# in even when the program never calls malloc itself or when a shared
# library ahead of it (a sanitizer's runtime) defines malloc already.
# memprof-heap.pc names it by its path: -lmemprof-heap would find the
# preload object first.
# heap/preload.c and heap/share.c (memprof run --heap: a constructor that
# moves the count into a file memprof reads) go into the preload object
# only.
HEAP_PRELOAD_SRC = heap/preload.c heap/share.c
HEAP_SRC = $(filter-out $(HEAP_PRELOAD_SRC),$(wildcard heap/*.c))
HEAP_OBJ = $(HEAP_SRC:%.c=$(B)/%.o)
HEAP_SO_OBJ = $(HEAP_OBJ) $(HEAP_PRELOAD_SRC:%.c=$(B)/%.o)
HEAP_LIB = $(B)/libmemprof-heap.a
HEAP_SO = $(B)/libmemprof-heap.so
HEAP_LINK = -Wl,--whole-archive $(HEAP_LIB) -Wl,--no-whole-archive
HEAP_PC_LINK = -Wl,--whole-archive $${libdir}/libmemprof-heap.a \
    -Wl,--no-whole-archive
HEAP_LINKED = $(B)/test/progs/heap_script $(B)/test/progs/heap_threads \
    $(B)/test/progs/alloc_threads \
    $(B)/test/progs/heap_quiet $(B)/test/progs/recurse \
    $(B)/test/progs/stress
# Test programs with rules of their own below.
HEAP_OWN = $(B)/test/progs/stacks_script $(B)/test/progs/stacks_script_O0 \
    $(B)/test/progs/stacks_new
# Programs built twice, plain and as <name>_linked with the heap archive.
HEAP_TWINS = $(B)/test/progs/heap_lines_linked $(B)/test/progs/leaky_linked \
    $(B)/test/progs/alloc_lines_linked \
    $(B)/test/progs/heap_edges_linked
# The leak report's fixture, built three ways: with CFLAGS, at -O0 -g, and
# without debug information (stripped).
LEAKS_FIXTURES = $(B)/test/progs/leaks_fixture $(B)/test/progs/leaks_fixture_O0 \
    $(B)/test/progs/leaks_fixture_nodebug
HEAP_PROGS = $(HEAP_LINKED) $(HEAP_TWINS) $(HEAP_OWN) $(B)/test/progs/heap_new \
    $(B)/test/progs/alloc_new \
    $(B)/test/progs/heap_count $(LEAKS_FIXTURES)

# The sources make format-check looks at.
FORMAT_SRC = $(wildcard $(addsuffix /*.[ch],lib cli cc heap include test \
    test/progs test/fuzz bench examples))
CLANG_FORMAT ?= clang-format

.PHONY: FORCE all demo check check-asan check-tsan check-valgrind bench \
    format-check fuzz fuzz-short fuzz-leaks fuzz-json install uninstall clean help

# The default goal; its prerequisites follow the variables they name
# (below the CMake package's), since a rule's prerequisites are expanded
# where the rule is read.
all:

help:
	@echo "targets:"
	@echo "  all         the library, its heap archive and preload object, the"
	@echo "              memprof command (memprof-cc where libclang is), the"
	@echo "              examples (default)"
	@echo "  demo        build examples/basic.c and run it: the table on stderr"
	@echo "  check       build and run every test (check, end-to-end, man lint)"
	@echo "  check-asan  the tests again with AddressSanitizer + UBSan"
	@echo "  check-tsan  the tests again with ThreadSanitizer"
	@echo "  check-valgrind  the tests again under valgrind memcheck"
	@echo "  bench       benchmarks, printed as ratios against the measured floor"
	@echo "  fuzz        build the libFuzzer target test/fuzz/fuzz_dat.c (clang)"
	@echo "              and run it FUZZ_SECONDS (600) on test/fuzz/corpus"
	@echo "  fuzz-short  the same for 60 seconds, fuzz-leaks and fuzz-json for 30"
	@echo "  fuzz-leaks  the leak report's reader under libFuzzer, FUZZ_SECONDS"
	@echo "  fuzz-json   memprof diff (JSON reports, recordings) under libFuzzer"
	@echo "  format-check  whether the sources are as .clang-format lays them"
	@echo "              out (nothing is changed; skipped without clang-format)"
	@echo "  install     install into \$$(DESTDIR)\$$(PREFIX) (PREFIX=$(PREFIX)):"
	@echo "              libmemprof.so.$(SO_MAJOR) and libmemprof.a, the .pc files"
	@echo "              and the CMake package in LIBDIR (LIBDIR=$(LIBDIR))"
	@echo "  uninstall   remove what install installed"
	@echo "  clean       remove build directories"
	@echo "variables:"
	@echo "  WERROR=1    warnings are errors (development and CI: .ci/run sets"
	@echo "              it on every make); off by default, in check* too"
	@echo "  CC, CPPFLAGS, CFLAGS, LDFLAGS  honoured on every compile and link"
	@echo "  PREFIX, LIBDIR, INCLUDEDIR, MANDIR, DESTDIR  where install puts"
	@echo "              files; the .pc files and CMake package name them"

$(B)/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(CC) $(REQ_CFLAGS) $(DEPFLAGS) $(CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

# The shared library, from the same sources compiled again as PIC:
# libmemprof.so.$(VERSION) (soname libmemprof.so.$(SO_MAJOR)) with the
# symlinks libmemprof.so.$(SO_MAJOR) and libmemprof.so beside it.  It
# exports the mp_ and mp__ names only (lib/libmemprof.map), which stay
# interposable: a program that links the archive and exports its names
# (memprof.pc --static does) makes the shared library and every plugin use
# its copy.  Its thread-local variables use the global-dynamic model, which
# a dlopen'd object can always have, through TLS descriptors where the
# compiler has them (gcc on x86-64: after the first access, a load); the
# archive keeps the initial-exec model.  -z nodelete: a plugin's dlclose
# never unmaps the library that holds every table and exit handler.
SO_MAJOR := $(call VERSION_PART,MAJOR)
SO_NAME = libmemprof.so.$(SO_MAJOR)
SO_REAL = libmemprof.so.$(VERSION)
SO = $(B)/$(SO_REAL)
SO_LINKS = $(B)/$(SO_NAME) $(B)/libmemprof.so
SO_MAP = lib/libmemprof.map
# What a program linked with the archive exports (memprof.pc --static).
DYNLIST = lib/memprof.dynlist
PIC_OBJ = $(LIB_SRC:%.c=$(B)/pic/%.o)
TLS_DESC := $(shell $(CC) -fPIC -mtls-dialect=gnu2 -x c -c -o /dev/null \
    /dev/null 2>/dev/null && echo -mtls-dialect=gnu2)
HEAP_SO_NAME = libmemprof-heap.so

$(B)/pic/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(CC) $(REQ_CFLAGS) -fPIC $(TLS_DESC) -DMP__SHARED $(DEPFLAGS) \
	    $(CFLAGS) -c -o $@ $<

$(SO): $(PIC_OBJ) $(SO_MAP) Makefile
	$(CC) $(REQ_CFLAGS) $(CFLAGS) $(LDFLAGS) -shared \
	    -Wl,-soname,$(SO_NAME) -Wl,--version-script=$(SO_MAP) \
	    -Wl,-z,nodelete -o $@ $(PIC_OBJ) $(CLI_LDLIBS) $(REQ_LDLIBS)

$(SO_LINKS): $(SO)
	ln -sf $(SO_REAL) $(B)/$(SO_NAME)
	ln -sf $(SO_NAME) $(B)/libmemprof.so

# memprof run --heap finds the heap object beside memprof, in ../lib, or
# in LIBDIR.
$(B)/cli/%.o: cli/%.c
	@mkdir -p $(dir $@)
	$(CC) $(REQ_CFLAGS) -Icli -DMP_RUN_LIBDIR='"$(LIBDIR)"' $(DEPFLAGS) \
	    $(CFLAGS) -c -o $@ $<

$(CLI): $(CLI_OBJ) $(CLI_LIB_OBJ)
	$(CC) $(REQ_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(CLI_LIB_OBJ) \
	    -lm $(CLI_LDLIBS) $(REQ_LDLIBS)

# The installed memprof finds the heap object in the LIBDIR given to make
# install: heaprun.c again with it.
$(B)/cli/install/memprof: $(CLI_OBJ) $(CLI_LIB_OBJ) FORCE
	@mkdir -p $(dir $@)
	$(CC) $(REQ_CFLAGS) -Icli -DMP_RUN_LIBDIR='"$(LIBDIR)"' $(CFLAGS) \
	    -c -o $(B)/cli/install/heaprun.o cli/heaprun.c
	$(CC) $(REQ_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ \
	    $(filter-out $(B)/cli/heaprun.o,$(CLI_OBJ)) \
	    $(B)/cli/install/heaprun.o $(CLI_LIB_OBJ) -lm $(CLI_LDLIBS) \
	    $(REQ_LDLIBS)

# memprof-cc is a tool, not a program under test: no sanitizer (libclang
# is not built with one).
$(B)/cc/%.o: cc/%.c
	@mkdir -p $(dir $@)
	$(CC) $(filter-out $(SAN),$(REQ_CFLAGS)) $(LIBCLANG_CFLAGS) $(CC_PATHS) \
	    $(DEPFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/memprof-cc: $(CC_OBJ)
	$(CC) $(filter-out $(SAN),$(REQ_CFLAGS)) $(CFLAGS) $(LDFLAGS) -o $@ \
	    $(CC_OBJ) $(LIBCLANG_LIBS)

# The installed memprof-cc knows the installed paths: compile.c again
# with the PREFIX given to make install.
$(B)/cc/install/memprof-cc: $(CC_OBJ) FORCE
	@mkdir -p $(dir $@)
	$(CC) $(filter-out $(SAN),$(REQ_CFLAGS)) $(LIBCLANG_CFLAGS) \
	    -DMP_CC_LIBDIR='"$(LIBDIR)"' -DMP_CC_INCLUDEDIR='"$(INCLUDEDIR)"' \
	    $(CFLAGS) $(LDFLAGS) -o $@ cc/compile.c \
	    $(filter-out $(B)/cc/compile.o,$(CC_OBJ)) $(LIBCLANG_LIBS)

$(B)/examples/%: examples/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(REQ_CFLAGS) $(DEPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) \
	    $(REQ_LDLIBS)

# examples/auto.c has no MP_LINE: memprof cc makes every line record.
$(B)/examples/auto: examples/auto.c $(LIB) $(CLI) $(MEMPROF_CC)
	@mkdir -p $(dir $@)
	$(if $(MEMPROF_CC),$(CLI) cc) $(CC) $(REQ_CFLAGS) $(DEPFLAGS) $(CFLAGS) \
	    $(LDFLAGS) -o $@ $< $(LIB) $(REQ_LDLIBS)

$(B)/test/progs/%: test/progs/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(REQ_CFLAGS) $(DEPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) \
	    $(REQ_LDLIBS)

# The .pc files, from one recipe: each sets its name, description and
# libraries.  Made anew each time, so that they always name the PREFIX,
# LIBDIR and INCLUDEDIR given (relative to ${prefix} when under it).
# memprof.pc links libmemprof.so.0 through memprof-shared.pc; with
# --static, pkg-config puts memprof.pc's private libraries first: the
# archive, its names exported (so that shared objects linked with
# libmemprof.so use the program's copy), and the shared library after it
# --as-needed, which no longer adds it then.
PC_DIR = $(if $(filter $(PREFIX)/%,$(1)),$${prefix}/$(1:$(PREFIX)/%=%),$(1))
PC_FILES = $(B)/memprof.pc $(B)/memprof-shared.pc $(B)/memprof-heap.pc
$(B)/memprof.pc: PC_NAME = memprof
$(B)/memprof.pc: PC_DESC = line-by-line memory profiling for C, after memory_profiler
$(B)/memprof.pc: PC_REQ = memprof-shared
$(B)/memprof.pc: PC_LIBS =
$(B)/memprof.pc: PC_PRIVATE = -l:libmemprof.a \
    -Wl,--dynamic-list=$${libdir}/memprof/memprof.dynlist $(CLI_LDLIBS) \
    -lpthread
$(B)/memprof-shared.pc: PC_NAME = memprof-shared
$(B)/memprof-shared.pc: PC_DESC = libmemprof.so for memprof.pc (use memprof)
$(B)/memprof-shared.pc: PC_LIBS = -Wl,--push-state,--as-needed -lmemprof \
    -Wl,--pop-state -lpthread
$(B)/memprof-heap.pc: PC_NAME = memprof-heap
$(B)/memprof-heap.pc: PC_DESC = the heap backend of libmemprof: malloc, counted
$(B)/memprof-heap.pc: PC_REQ = memprof
$(B)/memprof-heap.pc: PC_LIBS = $(HEAP_PC_LINK)

$(PC_FILES): FORCE
	@mkdir -p $(dir $@)
	printf '%s\n' \
	    'prefix=$(PREFIX)' \
	    'libdir=$(call PC_DIR,$(LIBDIR))' \
	    'includedir=$(call PC_DIR,$(INCLUDEDIR))' \
	    '' \
	    'Name: $(PC_NAME)' \
	    'Description: $(PC_DESC)' \
	    'Version: $(VERSION)' \
	    $(if $(PC_REQ),'Requires: $(PC_REQ)') \
	    'Cflags: -I$${includedir}' \
	    'Libs: -L$${libdir} $(PC_LIBS)' \
	    $(if $(PC_PRIVATE),'Libs.private: $(PC_PRIVATE)') > $@

# The CMake package (cmake/*.in), with the installed paths.
CMAKE_FILES = $(B)/cmake/memprofConfig.cmake \
    $(B)/cmake/memprofConfigVersion.cmake

all: $(LIB) $(SO) $(SO_LINKS) $(CLI) $(EXAMPLES) $(PC_FILES) \
    $(CMAKE_FILES) $(HEAP_LIB) $(HEAP_SO) $(MEMPROF_CC)
POINTER_BITS := $(shell getconf LONG_BIT 2>/dev/null || echo 64)

$(CMAKE_FILES): $(B)/cmake/%: cmake/%.in FORCE
	@mkdir -p $(dir $@)
	sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@SO_MAJOR@|$(SO_MAJOR)|g' \
	    -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' \
	    -e 's|@BITS@|$(POINTER_BITS)|g' \
	    -e 's|@SIZEOF_VOID_P@|$(shell expr $(POINTER_BITS) / 8)|g' $< > $@

$(B)/heap/%.o: heap/%.c
	@mkdir -p $(dir $@)
	$(CC) $(REQ_CFLAGS) -fPIC -fvisibility=hidden $(DEPFLAGS) $(CFLAGS) \
	    -c -o $@ $<

$(HEAP_LIB): $(HEAP_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

# The preload object has a soname (its own name: it is loaded by path, for
# LD_PRELOAD, and never linked against, so it has no version suffix).
# Both shared objects are linked again when this Makefile changes: their
# link lines (soname, version script) live here, and a build directory
# made before a change would keep the old object.
$(HEAP_SO): $(HEAP_SO_OBJ) Makefile
	$(CC) $(REQ_CFLAGS) $(CFLAGS) $(LDFLAGS) -shared \
	    -Wl,-soname,$(HEAP_SO_NAME) -o $@ $(HEAP_SO_OBJ) $(REQ_LDLIBS)

# Test programs that count their heap, linked as memprof-heap.pc links.
$(HEAP_LINKED): $(B)/test/progs/%: test/progs/%.c $(LIB) $(HEAP_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(REQ_CFLAGS) $(DEPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< \
	    $(HEAP_LINK) $(LIB) $(REQ_LDLIBS)

# MEMPROF_LEAKS's exact counts: names its sites with dladdr (-rdynamic);
# built again at -O0, whose frames have another shape.
$(B)/test/progs/stacks_script: test/progs/stacks_script.c $(HEAP_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(REQ_CFLAGS) $(DEPFLAGS) $(CFLAGS) $(LDFLAGS) -rdynamic -o $@ $< \
	    $(HEAP_LINK) $(CLI_LDLIBS) $(REQ_LDLIBS)

$(B)/test/progs/stacks_script_O0: test/progs/stacks_script.c $(HEAP_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(REQ_CFLAGS) $(DEPFLAGS) -U_FORTIFY_SOURCE $(CFLAGS) -O0 \
	    $(LDFLAGS) -rdynamic -o $@ $< $(HEAP_LINK) $(CLI_LDLIBS) \
	    $(REQ_LDLIBS)

$(B)/test/progs/stacks_new: test/progs/stacks_new.cc $(HEAP_LIB)
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 -Wall -Wextra $(WERROR_FLAG) -Wshadow $(SAN) $(DEPFLAGS) \
	    $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -rdynamic -o $@ $< $(HEAP_LINK) \
	    $(CLI_LDLIBS) -pthread

$(HEAP_TWINS): $(B)/test/progs/%_linked: test/progs/%.c $(LIB) $(HEAP_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(REQ_CFLAGS) $(DEPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< \
	    $(HEAP_LINK) $(LIB) $(REQ_LDLIBS)

# It writes a sites dump of its own stacks through the heap archive's
# mp__heap_dump (check_leaks.c).  libmemprof links libdw at run time only,
# so the -O0 and stripped builds are the same program: the output differs
# by its debug information only.
$(B)/test/progs/leaks_fixture: test/progs/leaks_fixture.c $(HEAP_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(REQ_CFLAGS) $(DEPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< \
	    $(HEAP_LINK) $(CLI_LDLIBS) $(REQ_LDLIBS)

$(B)/test/progs/leaks_fixture_O0: test/progs/leaks_fixture.c $(HEAP_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(REQ_CFLAGS) -U_FORTIFY_SOURCE $(CFLAGS) -O0 -g $(LDFLAGS) -o $@ $< \
	    $(HEAP_LINK) $(CLI_LDLIBS) $(REQ_LDLIBS)

$(B)/test/progs/leaks_fixture_nodebug: test/progs/leaks_fixture.c $(HEAP_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(REQ_CFLAGS) $(filter-out -g%,$(CFLAGS)) -g0 $(LDFLAGS) -o $@ $< \
	    $(HEAP_LINK) $(CLI_LDLIBS) $(REQ_LDLIBS)
	strip $@

# A profiled plugin that dlclose.c loads and unloads; dlclose is linked
# with -rdynamic, so that the plugin finds libmemprof in it.
$(B)/test/progs/plugin.so: test/progs/plugin.c include/memprof.h
	@mkdir -p $(dir $@)
	$(CC) $(REQ_CFLAGS) $(CFLAGS) $(LDFLAGS) -fPIC -shared -o $@ $<

$(B)/test/progs/dlclose: test/progs/dlclose.c $(LIB) $(B)/test/progs/plugin.so
	@mkdir -p $(dir $@)
	$(CC) $(REQ_CFLAGS) $(DEPFLAGS) $(CFLAGS) $(LDFLAGS) -rdynamic -o $@ $< \
	    $(LIB) $(REQ_LDLIBS)

# check_link's programs: one profiled program, a shared library and a
# plugin, linked with libmemprof each way it can be (see check_link.c).
# They find the shared objects beside them and in the build directory, by
# absolute paths ($$ORIGIN makes valgrind report the loader's own reads).
LINK_DIR = $(B)/test/progs
LINK_RPATH = -Wl,-rpath,$(abspath $(LINK_DIR)):$(abspath $(B))
LINK_SO = -L$(B) -lmemprof
LINK_EXPORT = -Wl,--dynamic-list=$(DYNLIST)
LINK_PROGS = $(LINK_DIR)/liblinklib.so $(LINK_DIR)/plugin_linked.so \
    $(LINK_DIR)/link_main_so $(LINK_DIR)/link_main_ar \
    $(LINK_DIR)/link_main_ar_private $(LINK_DIR)/link_main_ar_export \
    $(LINK_DIR)/link_host

$(LINK_DIR)/liblinklib.so: test/progs/link_lib.c $(SO_LINKS)
	@mkdir -p $(dir $@)
	$(CC) $(REQ_CFLAGS) $(DEPFLAGS) $(CFLAGS) $(LDFLAGS) -fPIC \
	    -shared $(LINK_RPATH) -o $@ $< $(LINK_SO) $(REQ_LDLIBS)

$(LINK_DIR)/plugin_linked.so: test/progs/plugin.c $(SO_LINKS)
	@mkdir -p $(dir $@)
	$(CC) $(REQ_CFLAGS) $(CFLAGS) $(LDFLAGS) -fPIC -shared \
	    $(LINK_RPATH) -o $@ $< $(LINK_SO) $(REQ_LDLIBS)

$(LINK_DIR)/link_main_so: test/progs/link_main.c $(LINK_DIR)/liblinklib.so
	$(CC) $(REQ_CFLAGS) $(DEPFLAGS) $(CFLAGS) $(LDFLAGS) \
	    $(LINK_RPATH) -o $@ $< -L$(LINK_DIR) -llinklib $(LINK_SO) \
	    $(CLI_LDLIBS) $(REQ_LDLIBS)

# The archive, nothing exported by hand: the linker exports the names
# liblinklib.so (and the libmemprof.so it needs) use from the program.
$(LINK_DIR)/link_main_ar: test/progs/link_main.c $(LINK_DIR)/liblinklib.so \
    $(LIB)
	$(CC) $(REQ_CFLAGS) $(DEPFLAGS) $(CFLAGS) $(LDFLAGS) \
	    $(LINK_RPATH) -o $@ $< -L$(LINK_DIR) -llinklib $(LIB) $(CLI_LDLIBS) \
	    $(REQ_LDLIBS)

# The archive alone, its names not exported: a plugin linked with
# libmemprof.so has its own copy (the linker exports what a shared library
# on the link line needs, so this program links none).
$(LINK_DIR)/link_main_ar_private: test/progs/link_main.c $(LIB)
	$(CC) $(REQ_CFLAGS) $(DEPFLAGS) $(CFLAGS) $(LDFLAGS) \
	    -DLINK_NO_LIB -o $@ $< $(LIB) $(CLI_LDLIBS) $(REQ_LDLIBS)

# No libmemprof at all: only the plugin brings libmemprof.so in.
$(LINK_DIR)/link_host: test/progs/link_host.c
	@mkdir -p $(dir $@)
	$(CC) $(REQ_CFLAGS) $(DEPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ \
	    $< $(CLI_LDLIBS) $(REQ_LDLIBS)

# The archive alone, its names exported as memprof.pc --static does.
$(LINK_DIR)/link_main_ar_export: test/progs/link_main.c $(LIB) $(DYNLIST)
	$(CC) $(REQ_CFLAGS) $(DEPFLAGS) $(CFLAGS) $(LDFLAGS) \
	    -DLINK_NO_LIB $(LINK_EXPORT) -o $@ $< $(LIB) $(CLI_LDLIBS) \
	    $(REQ_LDLIBS)

# The counter alone, instrumented even under the sanitizers (see heap.h).
# With two sources the compiler writes the .d file of the last one:
# heap/heap.h stays listed for the first.
$(B)/test/progs/heap_count: test/progs/heap_count.c heap/count.c heap/heap.h
	@mkdir -p $(dir $@)
	$(CC) $(REQ_CFLAGS) -Iheap -DMP__HEAP_INSTRUMENTED $(DEPFLAGS) $(CFLAGS) \
	    $(LDFLAGS) -o $@ $< heap/count.c $(REQ_LDLIBS)

$(B)/test/progs/heap_new: test/progs/heap_new.cc $(HEAP_LIB)
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 -Wall -Wextra $(WERROR_FLAG) -Wshadow $(SAN) $(DEPFLAGS) \
	    $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(HEAP_LINK) -pthread

$(B)/test/progs/alloc_new: test/progs/alloc_new.cc $(LIB) $(HEAP_LIB)
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 -Iinclude -Wall -Wextra $(WERROR_FLAG) -Wshadow $(SAN) \
	    $(DEPFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(HEAP_LINK) \
	    $(LIB) -pthread

# The test preload that makes the N-th allocation fail (MP_FAILMALLOC=N).
$(FAILMALLOC_SO): test/progs/failmalloc.c
	@mkdir -p $(dir $@)
	$(CC) $(REQ_CFLAGS) -fPIC $(DEPFLAGS) $(CFLAGS) $(LDFLAGS) -shared -o $@ \
	    $< $(CLI_LDLIBS)

FORCE:

demo: $(B)/examples/basic
	$(B)/examples/basic

# The suites' objects know the build they test: its directory, compiler
# and sanitizer flags.
TEST_DEFS = -Itest -DMP_TEST_BUILD='"$(B)"' -DMP_TEST_CC='"$(CC)"' \
    -DMP_TEST_SAN='"$(SAN)"' -DMP_TEST_HAVE_CC=$(if $(MEMPROF_CC),1,0)

$(B)/test/%.o: test/%.c
	@mkdir -p $(dir $@)
	$(CC) $(REQ_CFLAGS) $(TEST_DEFS) $(DEPFLAGS) $(CFLAGS) -c -o $@ $<

# Besides its objects, the test binary needs, to run, everything the
# suites run.
$(TEST_BIN): $(TEST_OBJ) $(LIB)
	$(CC) $(REQ_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(TEST_OBJ) $(LIB) \
	    $(CHECK_LIBS) $(REQ_LDLIBS)

$(TEST_BIN): $(CLI) $(EXAMPLES) $(TEST_PROGS) $(HEAP_SO) $(HEAP_PROGS) \
    $(FAILMALLOC_SO) $(MEMPROF_CC) $(LINK_PROGS) $(SO_LINKS) $(PC_FILES) \
    $(CMAKE_FILES)

check: $(TEST_BIN) format-check
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
# The heap archive's and preload object's malloc are left in place
# (somalloc=nouserintercepts), to be checked and to count, over valgrind's.
VALGRIND_TOOLS = sh bash env cc gcc g++ clang* nm make grep awk cat ls test \
    rm sleep touch python3* pkg-config groff memprof-cc cmake ctest ninja meson \
    objdump objcopy cmp cp mkdir chmod readelf sed find wc readlink
VALGRIND_SKIP = $(subst $(space),$(comma),$(addprefix */,$(VALGRIND_TOOLS)))

check-valgrind: $(TEST_BIN)
	MP_TEST_FIGURES=0 MP_TEST_QUICK=1 CK_TIMEOUT_MULTIPLIER=4 \
	    valgrind -q --error-exitcode=99 \
	    --leak-check=full --errors-for-leak-kinds=definite \
	    --soname-synonyms=somalloc=nouserintercepts \
	    --trace-children=yes --trace-children-skip='$(VALGRIND_SKIP)' \
	    $(TEST_BIN)

bench: $(LIB) $(SO_LINKS) $(CLI) $(HEAP_LIB) $(HEAP_SO) $(MEMPROF_CC)
	$(MAKE) -C bench B=$(abspath $(B))

# The fuzz target: the .dat reader, memprof peak and plot's pipeline (SVG,
# terminal), under AddressSanitizer and UBSan.  New inputs go to
# build-fuzz/corpus; the seeds and what earlier campaigns found worth
# keeping are in test/fuzz/corpus.  A crash, a hang (10 s) or 2 GiB of
# memory fails the run and leaves the input in build-fuzz/.
FUZZ_CC ?= clang
FUZZ_B = build-fuzz
FUZZ_BIN = $(FUZZ_B)/fuzz_dat
FUZZ_SECONDS ?= 600
FUZZ_SRC = test/fuzz/fuzz_dat.c $(filter-out cli/memprof.c,$(CLI_SRC)) \
    $(patsubst $(B)/%.o,%.c,$(CLI_LIB_OBJ))
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=all

$(FUZZ_BIN): $(FUZZ_SRC) $(wildcard cli/*.h lib/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -pthread -Iinclude -Ilib -Icli $(WARNINGS) \
	    $(CPPFLAGS) $(FUZZ_FLAGS) -o $@ $(FUZZ_SRC) -lm $(CLI_LDLIBS)

fuzz: $(FUZZ_BIN)
	@mkdir -p $(FUZZ_B)/corpus
	cd $(FUZZ_B) && ./fuzz_dat -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	    -rss_limit_mb=2048 -max_len=65536 -close_fd_mask=3 \
	    -print_final_stats=1 corpus ../test/fuzz/corpus

fuzz-short:
	$(MAKE) fuzz FUZZ_SECONDS=60
	$(MAKE) fuzz-leaks FUZZ_SECONDS=30
	$(MAKE) fuzz-json FUZZ_SECONDS=30

# The leak report's reader (mp__leaks_print) under libFuzzer, the same
# way: new inputs in build-fuzz/leaks_corpus, seeds in
# test/fuzz/leaks_corpus.
FUZZ_LEAKS_BIN = $(FUZZ_B)/fuzz_leaks
FUZZ_LEAKS_SRC = test/fuzz/fuzz_leaks.c lib/leaks.c lib/symbols.c lib/base.c

$(FUZZ_LEAKS_BIN): $(FUZZ_LEAKS_SRC) $(wildcard lib/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -pthread -Iinclude -Ilib $(WARNINGS) \
	    $(CPPFLAGS) $(FUZZ_FLAGS) -o $@ $(FUZZ_LEAKS_SRC) $(CLI_LDLIBS)

fuzz-leaks: $(FUZZ_LEAKS_BIN)
	@mkdir -p $(FUZZ_B)/leaks_corpus
	cd $(FUZZ_B) && ./fuzz_leaks -max_total_time=$(FUZZ_SECONDS) \
	    -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
	    leaks_corpus ../test/fuzz/leaks_corpus

# memprof diff (its JSON reader and the comparison) under libFuzzer, the
# same way: new inputs in build-fuzz/json_corpus, seeds in
# test/fuzz/json_corpus.
FUZZ_JSON_BIN = $(FUZZ_B)/fuzz_json
FUZZ_JSON_SRC = test/fuzz/fuzz_json.c cli/diff.c cli/json.c cli/args.c \
    cli/files.c cli/peak.c lib/base.c lib/dat.c

$(FUZZ_JSON_BIN): $(FUZZ_JSON_SRC) $(wildcard cli/*.h lib/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -pthread -Iinclude -Ilib -Icli $(WARNINGS) \
	    $(CPPFLAGS) $(FUZZ_FLAGS) -o $@ $(FUZZ_JSON_SRC) -lm

fuzz-json: $(FUZZ_JSON_BIN)
	@mkdir -p $(FUZZ_B)/json_corpus
	cd $(FUZZ_B) && ./fuzz_json -max_total_time=$(FUZZ_SECONDS) \
	    -timeout=10 -rss_limit_mb=2048 -max_len=65536 -close_fd_mask=2 \
	    -print_final_stats=1 json_corpus ../test/fuzz/json_corpus

# Reports, changes nothing.  Not part of check yet: the sources have not
# been formatted once.
# Formats differ between clang-format releases: the sources are kept in
# clang-format 14's (Debian 12's), and others skip the check.
format-check:
	@v=$$($(CLANG_FORMAT) --version 2>/dev/null | \
	    sed -n 's/.*version \([0-9]*\)\..*/\1/p'); \
	if [ "$$v" = 14 ]; then \
	    echo "$(CLANG_FORMAT) --dry-run -Werror <$(words $(FORMAT_SRC)) files>"; \
	    $(CLANG_FORMAT) --dry-run -Werror $(FORMAT_SRC); \
	else \
	    echo "format-check: skipped, needs clang-format 14 (found: $${v:-none})"; \
	fi

install: $(LIB) $(SO) $(SO_LINKS) $(B)/cli/install/memprof $(PC_FILES) \
    $(CMAKE_FILES) $(HEAP_LIB) $(HEAP_SO) \
    $(if $(MEMPROF_CC),$(B)/cc/install/memprof-cc)
	$(INSTALL) -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR)/pkgconfig \
	    $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BINDIR)
	$(INSTALL) -m 755 $(B)/cli/install/memprof $(DESTDIR)$(BINDIR)
	$(if $(MEMPROF_CC),$(INSTALL) -d $(DESTDIR)$(LIBEXECDIR)/memprof)
	$(if $(MEMPROF_CC),$(INSTALL) -m 755 $(B)/cc/install/memprof-cc \
	    $(DESTDIR)$(LIBEXECDIR)/memprof)
	$(INSTALL) -m 644 include/memprof.h $(DESTDIR)$(INCLUDEDIR)
	$(INSTALL) -m 644 $(LIB) $(DESTDIR)$(LIBDIR)
	$(INSTALL) -m 644 $(B)/memprof.pc $(DESTDIR)$(LIBDIR)/pkgconfig
	$(INSTALL) -m 644 $(HEAP_LIB) $(DESTDIR)$(LIBDIR)
	$(INSTALL) -m 755 $(HEAP_SO) $(DESTDIR)$(LIBDIR)
	$(INSTALL) -m 644 $(B)/memprof-heap.pc $(DESTDIR)$(LIBDIR)/pkgconfig
	$(INSTALL) -m 755 $(SO) $(DESTDIR)$(LIBDIR)
	ln -sf $(SO_REAL) $(DESTDIR)$(LIBDIR)/$(SO_NAME)
	ln -sf $(SO_NAME) $(DESTDIR)$(LIBDIR)/libmemprof.so
	$(INSTALL) -m 644 $(B)/memprof-shared.pc $(DESTDIR)$(LIBDIR)/pkgconfig
	$(INSTALL) -d $(DESTDIR)$(LIBDIR)/memprof $(DESTDIR)$(CMAKEDIR)
	$(INSTALL) -m 644 $(DYNLIST) $(DESTDIR)$(LIBDIR)/memprof
	$(INSTALL) -m 644 $(CMAKE_FILES) $(DESTDIR)$(CMAKEDIR)
	$(INSTALL) -m 644 man/memprof.3 $(DESTDIR)$(MANDIR)/man3
	test ! -f man/memprof.1 || $(INSTALL) -m 644 man/memprof.1 $(DESTDIR)$(MANDIR)/man1
	$(INSTALL) -D -m 644 completions/memprof.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/memprof

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/memprof $(DESTDIR)$(MANDIR)/man1/memprof.1
	rm -f $(DESTDIR)$(PREFIX)/share/bash-completion/completions/memprof
	rm -f $(DESTDIR)$(LIBEXECDIR)/memprof/memprof-cc
	-rmdir $(DESTDIR)$(LIBEXECDIR)/memprof 2>/dev/null
	rm -f $(DESTDIR)$(INCLUDEDIR)/memprof.h $(DESTDIR)$(LIBDIR)/libmemprof.a \
	    $(DESTDIR)$(LIBDIR)/pkgconfig/memprof.pc $(DESTDIR)$(MANDIR)/man3/memprof.3
	rm -f $(DESTDIR)$(LIBDIR)/libmemprof-heap.a \
	    $(DESTDIR)$(LIBDIR)/libmemprof-heap.so \
	    $(DESTDIR)$(LIBDIR)/pkgconfig/memprof-heap.pc
	rm -f $(DESTDIR)$(LIBDIR)/$(SO_REAL) $(DESTDIR)$(LIBDIR)/$(SO_NAME) \
	    $(DESTDIR)$(LIBDIR)/libmemprof.so \
	    $(DESTDIR)$(LIBDIR)/pkgconfig/memprof-shared.pc \
	    $(addprefix $(DESTDIR)$(CMAKEDIR)/,$(notdir $(CMAKE_FILES)))
	rm -f $(DESTDIR)$(LIBDIR)/memprof/$(notdir $(DYNLIST))
	-rmdir $(DESTDIR)$(CMAKEDIR) $(DESTDIR)$(LIBDIR)/memprof 2>/dev/null

clean:
	rm -rf build build-asan build-tsan build-*

# The headers each object and program included, from its last build.
DEPS = $(LIB_OBJ:.o=.d) $(PIC_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(CC_OBJ:.o=.d) \
    $(HEAP_SO_OBJ:.o=.d) \
    $(TEST_OBJ:.o=.d) $(EXAMPLES:=.d) $(TEST_PROGS:=.d) $(HEAP_PROGS:=.d) \
    $(FAILMALLOC_SO:.so=.d) $(LINK_DIR)/liblinklib.d \
    $(addprefix $(LINK_DIR)/,$(addsuffix .d,link_main_so link_main_ar \
    link_main_ar_private link_main_ar_export link_host))
-include $(DEPS)
