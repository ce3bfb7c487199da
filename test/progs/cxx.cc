// cxx.cc - the header compiles as C++ with -Wall -Wextra -pedantic and
// the macros work there.
#include <cstdlib>
#include <cstring>

#include <memprof.h>

static void *volatile escape;

static int *make(std::size_t n)
{
    MP_PROFILE_FUNC();
    MP_LINE(int *p = static_cast<int *>(std::malloc(n)));
    MP_LINE(std::memset(p, 1, n); escape = p);
    MP_RETURN(p);
}

static void nothing(void)
{
    MP_PROFILE_FUNC_PRECISION(2);
    MP_RETURN_VOID();
}

int main()
{
    int *p = make(1 << 20);
    nothing();
    std::free(p);
    return 0;
}
