// alloc_new.cc - MEMPROF_ALLOC's columns for C++'s new and delete, for
// check_alloc.c: built with g++ and the heap archive.
#include <string>
#include <vector>

#include <memprof.h>

static int *volatile kept; // escapes: -O2 may drop new/delete pairs

void lines()
{
    MP_PROFILE_FUNC();
    MP_LINE(int *a = new int[100]; kept = a);
    MP_LINE(delete[] a);
    MP_LINE(kept = new int(7));
    MP_LINE(std::vector<int> v(1000); v[999] = 1);
    MP_LINE(std::string *s = new std::string(100, 'x'); delete s);
}

int main()
{
    lines();
    return 0;
}
