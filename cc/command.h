/*
 * command.h - a compiler's command line taken apart (command.c).
 */
#ifndef MP_CC_COMMAND_H
#define MP_CC_COMMAND_H

#include <stddef.h>

enum {
    CC_ARG_OTHER = 0,
    CC_ARG_SOURCE = 1, /* a C source the command compiles */
    CC_ARG_VALUE = 2   /* the value of the option before it */
};

typedef struct cc_command {
    int argc;
    char **argv;        /* argv[0] is the compiler */
    int *kind;          /* per argument: CC_ARG_* */
    int nsources;       /* how many are C sources */
    const char **parse; /* the flags the parser is given */
    char **owned;       /* what parse points into that is not argv */
    size_t nowned;
    int nparse;
    int links;            /* no -c, -S, -E, -M, -MM, -fsyntax-only */
    int preprocess;       /* -E, -M, -MM or -fsyntax-only: nothing is built */
    int shared;           /* -shared */
    int deps;             /* -MD or -MMD */
    int output;           /* index of -o's value, or 0 */
    int output_attached;  /* index of a "-oFILE", or 0 */
    int depfile;          /* index of -MF's value, or 0 */
    int depfile_attached; /* index of a "-MFFILE", or 0 */
    int depfile_wp;       /* index of a "-Wp,-MD,FILE" (or -MMD), or 0 */
} cc_command;

/* cc_command_read() - take argv[0..argc) apart.  Returns 0 or -1 (memory). */
int cc_command_read(cc_command *cmd, int argc, char **argv);

void cc_command_free(cc_command *cmd);

/*
 * cc_wp_depfile() - the FILE that a "-Wp,...,-MD,FILE,..." or "-MMD,FILE"
 * gives the preprocessor (the Linux kernel's way), as a pointer into arg
 * and its length in *len; NULL if arg gives none.
 */
const char *cc_wp_depfile(const char *arg, size_t *len);

#endif /* MP_CC_COMMAND_H */
