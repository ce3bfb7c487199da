/*
 * stacks_new.cc - MEMPROF_LEAKS's counts of C++ allocations, exact: new
 * and delete, new[] and delete[] (with the array cookie a type with a
 * destructor gets), and a std::vector that grows.  operator new calls
 * malloc; its frame is the C++ library's, the caller's comes next.
 * Prints as stacks_script.c does (stacks_read.h).
 */
#include <cstdint>
#include <string>
#include <vector>

#include "stacks_read.h"

#define NOINLINE __attribute__((noinline, used))

/* Pointers the compiler cannot see through: it may not drop the pairs. */
static void *volatile keep_one;
static void *volatile keep_array;
static std::vector<long> *volatile keep_vector;

/* A type with a destructor: new[] of it stores the count before it. */
struct named_thing {
    char name[24];
    ~named_thing()
    {
        name[0] = 0;
    }
};

extern "C" {

NOINLINE void make_one(void)
{
    keep_one = new long(7); /* 8 bytes, kept */
}

NOINLINE void make_many(void)
{
    for (int i = 0; i < 10; i++) {
        int *volatile p = new int[250]; /* 1000 bytes, freed */
        delete[] p;
    }
}

NOINLINE void make_things(void)
{
    /* 3 x 24 bytes and the array cookie (8 bytes on x86-64) */
    keep_array = new named_thing[3];
}

NOINLINE void make_vector(void)
{
    std::vector<long> *v = new std::vector<long>; /* 24 bytes */
    for (long i = 0; i < 5; i++)
        v->push_back(i); /* 8, 16, 32, 64 bytes: the last one kept */
    keep_vector = v;
}
}

int main()
{
    if (mp__heap_leaks_start() != 0)
        return 2;
    make_one();
    make_many();
    make_things();
    make_vector();
    report();
    return 0;
}
