/*
 * lang.c - MP_RETURN and MP_LINE in C, as test/check_lang.c checks them:
 * built with -Wall -Wextra -Werror, it also shows that MP_RETURN(0) in a
 * function returning a pointer compiles without a warning.
 *
 *     lang        runs each function below once, prints what they gave
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

static void *volatile escape;
static void *(*volatile touch)(void *, int, size_t) = memset;

/* fill() - touch every byte and let the block escape the optimiser. */
static void *fill(void *p, size_t n)
{
    if (p != NULL)
        touch(p, 1, n);
    escape = p;
    return p;
}

/* none() - MP_RETURN(0) and MP_RETURN(NULL) where a char * is returned. */
char *none(int which)
{
    MP_PROFILE_FUNC();
    if (which)
        MP_RETURN(0);
    MP_RETURN(NULL);
}

/* outside() - not profiled: its MP_RETURN records in the file's table. */
int outside(int x)
{
    MP_RETURN(x + 1);
}

/*
 * early() - MP_LINE(return ...): the line records as the function
 * returns, after the 20 MB the value holds are made.
 */
char *early(void)
{
    MP_PROFILE_FUNC();
    MP_LINE(return fill(malloc(20000000), 20000000));
}

/*
 * leave() - MP_LINE(if (i == 3) break) runs 4 times; the pass that
 * breaks records when the next line starts.
 */
int leave(void)
{
    MP_PROFILE_FUNC();
    int i;
    for (i = 0; i < 10; i++) {
        MP_LINE(if (i == 3) break);
    }
    MP_LINE(i *= 2);
    MP_RETURN(i);
}

int main(void)
{
    char *a = none(1);
    char *b = none(0);
    int o = outside(1);
    char *e = early();
    int l = leave();
    printf("none %d %d outside %d early %d leave %d\n", a == NULL, b == NULL, o,
           e != NULL, l);
    free(e);
    return 0;
}
