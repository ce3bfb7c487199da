#include <stdio.h>

#include "rows.h"

#define N 6
#define SIZE (1 << 20)

int main(void)
{
    char **rows = grow_rows(N, SIZE);
    long sum = tally(rows, N, SIZE);

    printf("tally %ld\n", sum);
    free_rows(rows, N);
    return sum == 6 ? 3 : 1;
}
