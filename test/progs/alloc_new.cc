// alloc_new.cc - MEMPROF_ALLOC's columns for C++'s new and delete, for
// check_alloc.c: built with g++ and the heap archive.
#include <string>
#include <vector>

#include <memprof.h>

static int *volatile kept; static const void *volatile seen; // escape: -O2 drops new/delete pairs

void lines()
{
    MP_PROFILE_FUNC();
    MP_LINE(int *a = new int[100]; kept = a);
    MP_LINE(delete[] a);
    MP_LINE(kept = new int(7));
    MP_LINE(std::vector<int> v(1000); seen = v.data());
    MP_LINE(std::string *s = new std::string(100, 'x'); seen = s->data(); delete s);
}

int main()
{
    lines();
    return 0;
}
