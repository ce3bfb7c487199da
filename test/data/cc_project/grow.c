#include <stdlib.h>
#include <string.h>

#include "rows.h"

char **grow_rows(int n, size_t size)
{
    char **rows = calloc((size_t)n, sizeof *rows);
    for (int i = 0; i < n; i++) {
        rows[i] = malloc(size);
        memset(rows[i], i, size);
    }
    return rows;
}

void free_rows(char **rows, int n)
{
    for (int i = 0; i < n; i++)
        free(rows[i]);
    free(rows);
}
