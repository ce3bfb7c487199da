// heap_new.cc - for the heap backend's tests: C++'s operator new and
// delete (plain, array, sized, aligned) and the standard containers are
// counted, since libstdc++'s operators call malloc and free.  Linked with
// the heap archive; prints "<step> <bytes>" lines on stdout at the end,
// the count less the count at the start after each step.
#include <cstdio>
#include <string>
#include <vector>

extern "C" long long mp__heap_live(void);

// Over-aligned: operator new(std::size_t, std::align_val_t), which
// libstdc++ implements with aligned_alloc.  128 bytes, a multiple of 64,
// so that it asks for exactly sizeof(wide).
struct alignas(64) wide {
    char c[128];
};

// The blocks escape through here, or the compiler may leave out a new
// and its delete (C++14 allows it, and clang does).
static void *volatile escape[8];

static const char *steps[16];
static long long bytes[16];
static int n;
static long long base;

static void note(const char *step)
{
    steps[n] = step;
    bytes[n++] = mp__heap_live() - base;
}

int main()
{
    base = mp__heap_live();
    int *one = new int(1);
    escape[0] = one;
    note("new_int");
    int *ten = new int[10];
    escape[1] = ten;
    note("new_array");
    wide *w = new wide;
    escape[2] = w;
    note("new_aligned");
    wide *ws = new wide[2];
    escape[3] = ws;
    note("new_aligned_array");
    {
        std::vector<int> v(100);
        escape[4] = v.data();
        note("vector");
        std::string s(100, 'x');
        escape[5] = &s[0];
        note("string");
    }
    note("scope_end");
    delete one;
    note("delete_int");
    delete[] ten;
    note("delete_array");
    delete w;
    note("delete_aligned");
    delete[] ws;
    note("delete_aligned_array");
    for (int i = 0; i < n; i++)
        std::printf("%s %lld\n", steps[i], bytes[i]);
    return 0;
}
