// lang.cc - MP_RETURN and lambdas in C++ (test/check_lang.c builds it
// with g++ and clang++):
//
//     lang return    returns a 100 MiB vector, a unique_ptr, NULL as a
//                    char *, a reference to a global and a void call,
//                    then prints what it got, and on a second line the
//                    process's peak resident set (VmHWM) in MiB
//     lang lambda    profiled lambdas: in main, two deep in a function of
//                    a namespace, in a method; prints their results
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include <memprof.h>

static void *volatile escape;
// Called through a volatile pointer, so that the compiler cannot see that
// a block written is never read, and delete it.
static void *(*volatile touch)(void *, int, std::size_t) = std::memset;

static std::vector<char> big(std::size_t n)
{
    MP_PROFILE_FUNC();
    MP_LINE(std::vector<char> v(n); touch(v.data(), 1, n); escape = v.data());
    MP_RETURN(v);
}

static std::unique_ptr<int> owned()
{
    MP_PROFILE_FUNC();
    MP_LINE(std::unique_ptr<int> p(new int(7)));
    MP_RETURN(p);
}

static char *none()
{
    MP_PROFILE_FUNC();
    MP_RETURN(NULL);
}

static int global = 5;

static int &ref()
{
    MP_PROFILE_FUNC();
    MP_RETURN(global);
}

static int calls;

static void count()
{
    calls++;
}

static void nothing()
{
    MP_PROFILE_FUNC();
    MP_RETURN(count());
}

static std::pair<int, int> pair()
{
    MP_PROFILE_FUNC();
    MP_RETURN(std::pair<int, int>(3, 4));
}

namespace ns {
int outer(int n)
{
    auto f = [](int k) {
        auto g = [](int j) {
            MP_PROFILE_FUNC();
            MP_LINE(char *p = static_cast<char *>(std::malloc(8u << 20)));
            MP_LINE(touch(p, 1, 8u << 20); escape = p);
            MP_RETURN(j + 1);
        };
        return g(k) + 1;
    };
    return f(n);
}
} // namespace ns

struct S {
    int m(int x)
    {
        auto f = [x](int y) -> int {
            MP_PROFILE_FUNC();
            MP_RETURN(x * y);
        };
        return f(2);
    }
};

static int lambdas()
{
    auto sq = [](int n) {
        MP_PROFILE_FUNC();
        MP_LINE(int r = n * n);
        MP_RETURN(r);
    };
    int a = sq(3);
    int b = ns::outer(1);
    int c = S().m(5);
    std::printf("sq %d outer %d m %d\n", a, b, c);
    return 0;
}

// hwm_mib() - the peak resident set of this process, VmHWM, in MiB.
static double hwm_mib()
{
    char line[256];
    double kib = 0;
    std::FILE *f = std::fopen("/proc/self/status", "r");
    if (f == NULL)
        return 0;
    while (std::fgets(line, sizeof line, f) != NULL)
        if (std::sscanf(line, "VmHWM: %lf kB", &kib) == 1)
            break;
    std::fclose(f);
    return kib / 1024;
}

int main(int argc, char **argv)
{
    if (argc == 2 && std::strcmp(argv[1], "lambda") == 0)
        return lambdas();
    std::vector<char> v = big(100u << 20);
    escape = v.data();
    std::unique_ptr<int> u = owned();
    ref() = 9;
    nothing();
    char *p = none();
    std::printf("v %zu %d u %d global %d calls %d null %d pair %d\n", v.size(),
                v[v.size() - 1], *u, global, calls, p == NULL, pair().second);
    std::printf("hwm %.1f\n", hwm_mib());
    return 0;
}
