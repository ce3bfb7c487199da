/*
 * leaks_stub.c - TEMPORARY, branch run-heap only: stands in for
 * lib/leaks.c's mp__leaks_print() (branch leaks-report) until it lands;
 * drop this file at the merge and link lib/leaks.o into memprof.  It
 * copies the sites dump through as it is (JSON: one string).
 */
#include <stdio.h>

#include "leaks.h"

/* mp__leaks_print() - see leaks.h; here, the dump unread. */
int mp__leaks_print(FILE *dump, FILE *out, int json)
{
    int c;
    if (json)
        fputs("{\"dump\": \"", out);
    while ((c = getc(dump)) != EOF) {
        if (json && (c == '"' || c == '\\'))
            fprintf(out, "\\%c", c);
        else if (json && c == '\n')
            fputs("\\n", out);
        else
            putc(c, out);
    }
    if (json)
        fputs("\"}", out);
    return 0;
}
