/*
 * deps.h - dependency files made to name the original source (deps.c).
 */
#ifndef MP_CC_DEPS_H
#define MP_CC_DEPS_H

#include "command.h"

/*
 * cc_fix_deps() - make every dependency file that cmd may have written
 * for its source argv[arg], compiled from copy, name argv[arg] instead.
 */
void cc_fix_deps(const cc_command *cmd, int arg, const char *copy);

#endif /* MP_CC_DEPS_H */
