/*
 * plain.c - basic.c's my_func as anyone would write it: no memprof.h, no
 * macro.  memprof cc profiles it all the same, named on its command line:
 *
 *     memprof cc --func my_func cc -O2 examples/plain.c -o plain && ./plain
 *
 * Built as a plain program it runs the same and prints nothing.
 */
#include <stdlib.h>
#include <string.h>

static void *volatile escape;

/* fill() - touch every byte and let the block escape the optimiser. */
static void *fill(void *p, size_t n)
{
    if (p != NULL)
        memset(p, 1, n);
    escape = p;
    return p;
}

int *my_func(void)
{
    int *a = fill(malloc(8000000), 8000000);
    int *b = fill(malloc(160000000), 160000000);

    free(b);
    return a;
}

int main(void)
{
    int *a = my_func();
    free(a);
    return 0;
}
