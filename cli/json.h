/*
 * json.h - a small JSON reader (RFC 8259) for memprof diff: the whole
 * text into a tree of values.  Strict: one value, nothing after it but
 * blanks, no comments, no trailing commas, strings valid UTF-8 (escapes
 * decoded, \u0000 refused), numbers finite, nesting at most
 * JSON_MAX_DEPTH deep.  Any other text gives one message naming its line
 * and column, never a crash.
 */
#ifndef MEMPROF_CLI_JSON_H
#define MEMPROF_CLI_JSON_H

#include <stddef.h>

/* How deep arrays and objects may nest: memprof's reports need 5. */
#define JSON_MAX_DEPTH 64

typedef enum json_type {
    JSON_NULL,
    JSON_BOOL,
    JSON_NUMBER,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT
} json_type;

/* One value; an object's members keep the order of the text. */
typedef struct json_value {
    json_type type;
    int boolean;              /* JSON_BOOL */
    double number;            /* JSON_NUMBER */
    char *string;             /* JSON_STRING: NUL-terminated UTF-8 */
    struct json_value *items; /* JSON_ARRAY: items; JSON_OBJECT: values */
    char **keys;              /* JSON_OBJECT: the members' names */
    size_t n;                 /* how many items or members */
} json_value;

/*
 * json_parse() - parse the len bytes of text (which need not end in a
 * NUL) into *out.  Returns 0, or -EINVAL (malformed: the message, with
 * "LINE:COLUMN: " first, in err) or -ENOMEM, *out then empty.  Free
 * with json_free().
 */
int json_parse(const char *text, size_t len, json_value *out, char *err,
               size_t errsize);

/* json_free() - free what json_parse() made; v is left a null value. */
void json_free(json_value *v);

/*
 * json_get() - the value of member key of object v (the first of that
 * name), or NULL when v is not an object or has no such member.
 */
const json_value *json_get(const json_value *v, const char *key);

#endif /* MEMPROF_CLI_JSON_H */
