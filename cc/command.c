/*
 * command.c - a compiler's command line taken apart, as gcc and clang read
 * it: which arguments are C sources, whether the command links or only
 * preprocesses, where dependency files go, and which flags the parser
 * needs to see the code as the compiler will (-I, -D, -std, -include...).
 */
#include <stdlib.h>
#include <string.h>

#include "command.h"

/*
 * Options whose value is the next argument when not attached; parse: the
 * parser is given them too, with their value (attached or not).
 */
static const struct value_option {
    const char *name;
    int parse;
} value_options[] = {
    {"-o", 0},
    {"-I", 1},
    {"-D", 1},
    {"-U", 1},
    {"-include", 1},
    {"-imacros", 1},
    {"-isystem", 1},
    {"-iquote", 1},
    {"-idirafter", 1},
    {"-iprefix", 1},
    {"-iwithprefix", 1},
    {"-iwithprefixbefore", 1},
    {"-isysroot", 1},
    {"-imultilib", 0},
    {"-MF", 0},
    {"-MT", 0},
    {"-MQ", 0},
    {"-x", 0},
    {"-L", 0},
    {"-l", 0},
    {"-Xlinker", 0},
    {"-Xassembler", 0},
    {"-Xpreprocessor", 0},
    {"-Xclang", 0},
    {"-aux-info", 0},
    {"--param", 0},
    {"-T", 0},
    {"-u", 0},
    {"-z", 0},
    {"-e", 0},
    {"-target", 1},
    {"--sysroot", 1},
    {"-arch", 0},
    {"-dumpbase", 0},
    {"-dumpdir", 0},
    {"-G", 0},
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

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* value_option() - the option arg is, when it takes a value; or NULL. */
static const struct value_option *value_option(const char *arg)
{
    for (size_t i = 0; i < COUNT(value_options); i++)
        if (strcmp(arg, value_options[i].name) == 0)
            return &value_options[i];
    return NULL;
}

/*
 * for_parser() - whether arg is a flag the parser is given as it is: an
 * option of the parser's with its value attached ("-DX", "-Iinc"), or a
 * flag that changes the language.
 */
static int for_parser(const char *arg)
{
    for (size_t i = 0; i < COUNT(value_options); i++)
        if (value_options[i].parse &&
            strncmp(arg, value_options[i].name,
                    strlen(value_options[i].name)) == 0)
            return 1;
    for (size_t i = 0; i < COUNT(parse_flag_prefix); i++)
        if (strncmp(arg, parse_flag_prefix[i], strlen(parse_flag_prefix[i])) ==
            0)
            return 1;
    return 0;
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
        const struct value_option *vo = value_option(a);
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

        if (vo != NULL) {
            if (i + 1 >= argc)
                continue;
            if (strcmp(a, "-x") == 0)
                lang = strcmp(argv[i + 1], "none") == 0 ? NULL : argv[i + 1];
            else if (strcmp(a, "-o") == 0)
                cmd->output = i + 1;
            else if (strcmp(a, "-MF") == 0)
                cmd->depfile = i + 1;
            if (vo->parse) {
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
        if (for_parser(a))
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
