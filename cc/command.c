/*
 * command.c - a compiler's command line taken apart, as gcc and clang read
 * it: which arguments are C sources, whether the command links or only
 * preprocesses, where dependency files go, and which flags the parser
 * needs to see the code as the compiler will (-I, -D, -std, -include...).
 */
#include <stdlib.h>
#include <string.h>

#include "command.h"

/* Options whose value is the next argument when not attached. */
static const char *const with_value[] = {
    "-o",
    "-I",
    "-D",
    "-U",
    "-include",
    "-imacros",
    "-isystem",
    "-iquote",
    "-idirafter",
    "-iprefix",
    "-iwithprefix",
    "-iwithprefixbefore",
    "-isysroot",
    "-imultilib",
    "-MF",
    "-MT",
    "-MQ",
    "-x",
    "-L",
    "-l",
    "-Xlinker",
    "-Xassembler",
    "-Xpreprocessor",
    "-Xclang",
    "-aux-info",
    "--param",
    "-T",
    "-u",
    "-z",
    "-e",
    "-target",
    "--sysroot",
    "-arch",
    "-dumpbase",
    "-dumpdir",
    "-G",
};

/* Of those, the ones the parser is given (with their value). */
static const char *const parse_value[] = {
    "-I",
    "-D",
    "-U",
    "-include",
    "-imacros",
    "-isystem",
    "-iquote",
    "-idirafter",
    "-iprefix",
    "-iwithprefix",
    "-iwithprefixbefore",
    "-isysroot",
    "--sysroot",
    "-target",
};

/* Flags without a value the parser is given: they change the language. */
static const char *const parse_flag_prefix[] = {
    "-std=",
    "-ansi",
    "-nostdinc",
    "-O",
    "-fsigned-char",
    "-funsigned-char",
    "-fopenmp",
    "-pthread",
    "-m32",
    "-m64",
    "-mx32",
    "-fgnu89-inline",
    "-fms-extensions",
    "--sysroot=",
    "-fno-builtin",
    "-ffreestanding",
    "-fshort-enums",
    "-fshort-wchar",
    "-fno-signed-char",
    "-fno-unsigned-char",
};

static int is_in(const char *arg, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(arg, list[i]) == 0)
            return 1;
    return 0;
}

/* value_option() - the option of list arg starts with (attached value). */
static const char *value_option(const char *arg, const char *const *list,
                                size_t n)
{
    const char *best = NULL;

    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(list[i]);

        /* -l and -e only as separate words: -lm is a library, -ex no. */
        if (strncmp(arg, list[i], len) == 0 &&
            (best == NULL || len > strlen(best)))
            best = list[i];
    }
    return best;
}

static int c_suffix(const char *arg)
{
    size_t n = strlen(arg);

    return n > 2 && strcmp(arg + n - 2, ".c") == 0;
}

const char *cc_wp_depfile(const char *arg, size_t *len)
{
    if (strncmp(arg, "-Wp,", 4) != 0)
        return NULL;
    for (const char *p = arg + 3; p != NULL; p = strchr(p + 1, ',')) {
        const char *file;

        if (strncmp(p, ",-MD,", 5) == 0)
            file = p + 5;
        else if (strncmp(p, ",-MMD,", 6) == 0)
            file = p + 6;
        else
            continue;
        *len = strcspn(file, ",");
        return *len > 0 ? file : NULL;
    }
    return NULL;
}

/* preprocessor_flag() - a -D, -U or -I with its value attached. */
static int preprocessor_flag(const char *arg)
{
    return (strncmp(arg, "-D", 2) == 0 || strncmp(arg, "-U", 2) == 0 ||
            strncmp(arg, "-I", 2) == 0) &&
           arg[2] != '\0';
}

/*
 * wp_flags() - the -D, -U and -I of "-Wp,a,b,..." for the parser, from a
 * copy of arg split at its commas (kept in cmd->owned).  Returns 0 or -1.
 */
static int wp_flags(cc_command *cmd, const char *arg)
{
    char **grown = realloc(cmd->owned, (cmd->nowned + 1) * sizeof *grown);
    char *copy;
    char *save = NULL;

    if (grown == NULL)
        return -1;
    cmd->owned = grown;
    copy = strdup(arg + 4);
    if (copy == NULL)
        return -1;
    cmd->owned[cmd->nowned++] = copy;
    for (char *f = strtok_r(copy, ",", &save); f != NULL;
         f = strtok_r(NULL, ",", &save))
        if (preprocessor_flag(f))
            cmd->parse[cmd->nparse++] = f;
    return 0;
}

int cc_command_read(cc_command *cmd, int argc, char **argv)
{
    const char *lang = NULL; /* -x LANG in force, NULL: by suffix */

    memset(cmd, 0, sizeof *cmd);
    cmd->argc = argc;
    cmd->argv = argv;
    cmd->kind = calloc((size_t)argc + 1, sizeof *cmd->kind);
    /* At most two entries an argument, or one per comma of a -Wp. */
    size_t most = 8;
    for (int i = 1; i < argc; i++)
        most += 2 + strlen(argv[i]) / 2;
    cmd->parse = calloc(most, sizeof *cmd->parse);
    if (cmd->kind == NULL || cmd->parse == NULL)
        return -1;
    cmd->links = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        size_t nwv = sizeof with_value / sizeof with_value[0];
        size_t npv = sizeof parse_value / sizeof parse_value[0];
        size_t npf = sizeof parse_flag_prefix / sizeof parse_flag_prefix[0];
        size_t wplen;

        if (a[0] != '-' || a[1] == '\0') {
            int c = lang != NULL ? strcmp(lang, "c") == 0 : c_suffix(a);

            if (a[0] != '-' && c) {
                cmd->kind[i] = CC_ARG_SOURCE;
                cmd->nsources++;
            }
            continue;
        }
        if (strcmp(a, "-c") == 0 || strcmp(a, "-S") == 0)
            cmd->links = 0;
        else if (strcmp(a, "-E") == 0 || strcmp(a, "-M") == 0 ||
                 strcmp(a, "-MM") == 0 || strcmp(a, "-fsyntax-only") == 0)
            cmd->links = 0, cmd->preprocess = 1;
        else if (strcmp(a, "-MD") == 0 || strcmp(a, "-MMD") == 0)
            cmd->deps = 1;
        else if (strcmp(a, "-shared") == 0)
            cmd->shared = 1;
        else if (cc_wp_depfile(a, &wplen) != NULL)
            cmd->deps = 1, cmd->depfile_wp = i;

        if (is_in(a, with_value, nwv)) {
            if (i + 1 >= argc)
                continue;
            if (strcmp(a, "-x") == 0)
                lang = strcmp(argv[i + 1], "none") == 0 ? NULL : argv[i + 1];
            else if (strcmp(a, "-o") == 0)
                cmd->output = i + 1;
            else if (strcmp(a, "-MF") == 0)
                cmd->depfile = i + 1;
            if (is_in(a, parse_value, npv)) {
                cmd->parse[cmd->nparse++] = a;
                cmd->parse[cmd->nparse++] = argv[i + 1];
            } else if (strcmp(a, "-Xpreprocessor") == 0 &&
                       preprocessor_flag(argv[i + 1])) {
                cmd->parse[cmd->nparse++] = argv[i + 1];
            }
            cmd->kind[i + 1] = CC_ARG_VALUE;
            i++;
            continue;
        }
        if (strncmp(a, "-x", 2) == 0) {
            lang = strcmp(a + 2, "none") == 0 ? NULL : a + 2;
            continue;
        }
        if (strncmp(a, "-Wp,", 4) == 0 && wp_flags(cmd, a) != 0)
            return -1;
        if (strncmp(a, "-o", 2) == 0)
            cmd->output_attached = i;
        if (strncmp(a, "-MF", 3) == 0)
            cmd->depfile_attached = i;
        const char *v = value_option(a, parse_value, npv);
        if (v != NULL || value_option(a, parse_flag_prefix, npf) != NULL)
            cmd->parse[cmd->nparse++] = a;
    }
    return 0;
}

void cc_command_free(cc_command *cmd)
{
    for (size_t i = 0; i < cmd->nowned; i++)
        free(cmd->owned[i]);
    free(cmd->owned);
    free(cmd->kind);
    free(cmd->parse);
    memset(cmd, 0, sizeof *cmd);
}
