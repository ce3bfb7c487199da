/*
 * dwarf.c - the folders the compiler ran in, from the DWARF debug
 * information of the program and of the objects loaded with it: each
 * compile unit's DW_AT_name (the source file as the compiler was given
 * it, __FILE__'s path) and DW_AT_comp_dir (the folder it ran in).
 * source.c looks a relative __FILE__ up there: Meson, for one, compiles
 * ../prog.c from its build folder.
 *
 * Read with the C library alone: the ELF file mapped read-only, its
 * section headers, then each unit's header and first entry in
 * .debug_info with its abbreviation in .debug_abbrev, and their strings
 * in .debug_str, .debug_line_str and .debug_str_offsets: DWARF 2 to 5,
 * 32- and 64-bit, as gcc and clang write them.  Compressed sections,
 * split DWARF's .dwo files and debug information kept in other files
 * (/usr/lib/debug) are not read: those units give no folder.  Every
 * offset is checked against its section, so a damaged file gives no
 * folder, never a crash.
 *
 * Nothing here is on the hot path: it runs when a report cannot open a
 * source from its recorded path.
 */
#define _GNU_SOURCE /* dl_iterate_phdr */
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* The DWARF names used (DWARF 5, section 7). */
enum {
    DW_UT_compile = 0x01,
    DW_UT_type = 0x02,
    DW_UT_partial = 0x03,
    DW_UT_skeleton = 0x04,
    DW_UT_split_compile = 0x05,
    DW_UT_split_type = 0x06,
    DW_AT_name = 0x03,
    DW_AT_comp_dir = 0x1b,
    DW_AT_str_offsets_base = 0x72,
    DW_FORM_addr = 0x01,
    DW_FORM_block2 = 0x03,
    DW_FORM_block4 = 0x04,
    DW_FORM_data2 = 0x05,
    DW_FORM_data4 = 0x06,
    DW_FORM_data8 = 0x07,
    DW_FORM_string = 0x08,
    DW_FORM_block = 0x09,
    DW_FORM_block1 = 0x0a,
    DW_FORM_data1 = 0x0b,
    DW_FORM_flag = 0x0c,
    DW_FORM_sdata = 0x0d,
    DW_FORM_strp = 0x0e,
    DW_FORM_udata = 0x0f,
    DW_FORM_ref_addr = 0x10,
    DW_FORM_ref1 = 0x11,
    DW_FORM_ref2 = 0x12,
    DW_FORM_ref4 = 0x13,
    DW_FORM_ref8 = 0x14,
    DW_FORM_ref_udata = 0x15,
    DW_FORM_indirect = 0x16,
    DW_FORM_sec_offset = 0x17,
    DW_FORM_exprloc = 0x18,
    DW_FORM_flag_present = 0x19,
    DW_FORM_strx = 0x1a,
    DW_FORM_addrx = 0x1b,
    DW_FORM_ref_sup4 = 0x1c,
    DW_FORM_strp_sup = 0x1d,
    DW_FORM_data16 = 0x1e,
    DW_FORM_line_strp = 0x1f,
    DW_FORM_ref_sig8 = 0x20,
    DW_FORM_implicit_const = 0x21,
    DW_FORM_loclistx = 0x22,
    DW_FORM_rnglistx = 0x23,
    DW_FORM_ref_sup8 = 0x24,
    DW_FORM_strx1 = 0x25,
    DW_FORM_strx2 = 0x26,
    DW_FORM_strx3 = 0x27,
    DW_FORM_strx4 = 0x28,
    DW_FORM_addrx1 = 0x29,
    DW_FORM_addrx2 = 0x2a,
    DW_FORM_addrx3 = 0x2b,
    DW_FORM_addrx4 = 0x2c,
    DW_FORM_GNU_addr_index = 0x1f01,
    DW_FORM_GNU_str_index = 0x1f02,
    DW_FORM_GNU_ref_alt = 0x1f20,
    DW_FORM_GNU_strp_alt = 0x1f21
};

/* A section's bytes in the mapped file; n is 0 when it is not there. */
typedef struct sect {
    const unsigned char *p;
    size_t n;
} sect;

/* The sections read. */
typedef struct dw_file {
    sect info;
    sect abbrev;
    sect str;
    sect line_str;
    sect str_offsets;
} dw_file;

/* Reading bytes from p up to end; bad once a read went past end. */
typedef struct cursor {
    const unsigned char *p;
    const unsigned char *end;
    int bad;
} cursor;

/* take() - the next n bytes of c, or NULL (c bad) when fewer are left. */
static const unsigned char *take(cursor *c, uint64_t n)
{
    if (c->bad || n > (uint64_t)(c->end - c->p)) {
        c->bad = 1;
        return NULL;
    }
    const unsigned char *at = c->p;
    c->p += n;
    return at;
}

/* rd() - an n-byte little-endian unsigned number (n <= 8), or 0. */
static uint64_t rd(cursor *c, unsigned n)
{
    const unsigned char *b = take(c, n);
    uint64_t v = 0;

    if (b == NULL)
        return 0;
    for (unsigned i = n; i-- > 0;)
        v = v << 8 | b[i];
    return v;
}

/* uleb() - an unsigned LEB128 number (bits past 64 are dropped). */
static uint64_t uleb(cursor *c)
{
    uint64_t v = 0;
    unsigned shift = 0;
    const unsigned char *b;

    while ((b = take(c, 1)) != NULL) {
        if (shift < 64)
            v |= (uint64_t)(*b & 0x7f) << shift;
        shift += 7;
        if ((*b & 0x80) == 0)
            break;
    }
    return v;
}

/* str_at() - the NUL-terminated string at off in s, or NULL. */
static const char *str_at(const sect *s, uint64_t off)
{
    if (off >= s->n || memchr(s->p + off, '\0', s->n - off) == NULL)
        return NULL;
    return (const char *)s->p + off;
}

/* What one attribute of the unit's entry holds, as far as it matters. */
typedef struct value {
    enum { V_NONE, V_STR, V_STRP, V_LINE_STRP, V_STRX, V_NUM } kind;
    const char *str; /* V_STR */
    uint64_t num;    /* an offset, an index or a number */
} value;

/*
 * read_form() - read an attribute's value of form from c into *v, for a
 * unit of offset size osz, address size asz and version ver; implicit is
 * an implicit_const's value.  Returns 0, or -1 for a form not known
 * (nothing after it can be read).
 */
static int read_form(cursor *c, uint64_t form, unsigned osz, unsigned asz,
                     unsigned ver, uint64_t implicit, value *v)
{
    const unsigned char *s;

    v->kind = V_NONE;
    switch (form) {
    case DW_FORM_string:
        s = c->p;
        if (c->bad || memchr(s, '\0', (size_t)(c->end - s)) == NULL)
            return -1;
        c->p += strlen((const char *)s) + 1;
        v->kind = V_STR;
        v->str = (const char *)s;
        return 0;
    case DW_FORM_strp:
        v->kind = V_STRP;
        v->num = rd(c, osz);
        return 0;
    case DW_FORM_line_strp:
        v->kind = V_LINE_STRP;
        v->num = rd(c, osz);
        return 0;
    case DW_FORM_strx:
    case DW_FORM_GNU_str_index:
        v->kind = V_STRX;
        v->num = uleb(c);
        return 0;
    case DW_FORM_strx1:
    case DW_FORM_strx2:
    case DW_FORM_strx3:
    case DW_FORM_strx4:
        v->kind = V_STRX;
        v->num = rd(c, (unsigned)(form - DW_FORM_strx1 + 1));
        return 0;
    case DW_FORM_sec_offset:
        v->kind = V_NUM;
        v->num = rd(c, osz);
        return 0;
    case DW_FORM_implicit_const:
        v->kind = V_NUM;
        v->num = implicit;
        return 0;
    case DW_FORM_flag_present:
        return 0;
    case DW_FORM_data1:
    case DW_FORM_ref1:
    case DW_FORM_flag:
    case DW_FORM_addrx1:
        take(c, 1);
        return 0;
    case DW_FORM_data2:
    case DW_FORM_ref2:
    case DW_FORM_addrx2:
        take(c, 2);
        return 0;
    case DW_FORM_addrx3:
        take(c, 3);
        return 0;
    case DW_FORM_data4:
    case DW_FORM_ref4:
    case DW_FORM_ref_sup4:
    case DW_FORM_addrx4:
        take(c, 4);
        return 0;
    case DW_FORM_data8:
    case DW_FORM_ref8:
    case DW_FORM_ref_sig8:
    case DW_FORM_ref_sup8:
        take(c, 8);
        return 0;
    case DW_FORM_data16:
        take(c, 16);
        return 0;
    case DW_FORM_addr:
        take(c, asz);
        return 0;
    case DW_FORM_ref_addr:
        take(c, ver <= 2 ? asz : osz);
        return 0;
    case DW_FORM_strp_sup:
    case DW_FORM_GNU_ref_alt:
    case DW_FORM_GNU_strp_alt:
        take(c, osz);
        return 0;
    case DW_FORM_sdata:
    case DW_FORM_udata:
    case DW_FORM_ref_udata:
    case DW_FORM_addrx:
    case DW_FORM_loclistx:
    case DW_FORM_rnglistx:
    case DW_FORM_GNU_addr_index:
        uleb(c);
        return 0;
    case DW_FORM_block1:
        take(c, rd(c, 1));
        return 0;
    case DW_FORM_block2:
        take(c, rd(c, 2));
        return 0;
    case DW_FORM_block4:
        take(c, rd(c, 4));
        return 0;
    case DW_FORM_block:
    case DW_FORM_exprloc:
        take(c, uleb(c));
        return 0;
    default:
        return -1;
    }
}

/*
 * resolve() - the string an attribute's value names, or NULL; strx
 * indexes go through .debug_str_offsets from base (the unit's
 * DW_AT_str_offsets_base, or past the table's header when it has none).
 */
static const char *resolve(const dw_file *f, const value *v, unsigned osz,
                           int have_base, uint64_t base)
{
    switch (v->kind) {
    case V_STR:
        return v->str;
    case V_STRP:
        return str_at(&f->str, v->num);
    case V_LINE_STRP:
        return str_at(&f->line_str, v->num);
    case V_STRX: {
        uint64_t n = f->str_offsets.n;
        uint64_t first = have_base ? base : 2u * osz;
        if (n < osz || first > n - osz || v->num > (n - osz - first) / osz)
            return NULL;
        cursor c = {f->str_offsets.p + first + v->num * osz,
                    f->str_offsets.p + n, 0};
        return str_at(&f->str, rd(&c, osz));
    }
    default:
        return NULL;
    }
}

/*
 * find_abbrev() - put c at the attribute specifications of abbreviation
 * code in the table at off of .debug_abbrev.  Returns 0 or -1.
 */
static int find_abbrev(const dw_file *f, uint64_t off, uint64_t code, cursor *c)
{
    if (off >= f->abbrev.n)
        return -1;
    c->p = f->abbrev.p + off;
    c->end = f->abbrev.p + f->abbrev.n;
    c->bad = 0;
    for (;;) {
        uint64_t got = uleb(c);
        if (got == 0 || c->bad)
            return -1;
        uleb(c);    /* tag */
        take(c, 1); /* children */
        if (got == code)
            return c->bad ? -1 : 0;
        for (;;) {
            uint64_t name = uleb(c);
            uint64_t form = uleb(c);
            if (c->bad)
                return -1;
            if (name == 0 && form == 0)
                break;
            if (form == DW_FORM_implicit_const)
                uleb(c);
        }
    }
}

/* What a unit's first entry says: its name and compile folder. */
typedef struct unit_die {
    const char *name;
    const char *dir;
} unit_die;

/*
 * read_unit_die() - the name and folder of the unit entry at c (in a unit
 * of offset size osz, address size asz, version ver, abbreviations at
 * abbrev_off).  Leaves NULL what it cannot read.
 */
static void read_unit_die(const dw_file *f, cursor *c, unsigned osz,
                          unsigned asz, unsigned ver, uint64_t abbrev_off,
                          unit_die *out)
{
    cursor a;
    value name = {V_NONE, NULL, 0};
    value dir = {V_NONE, NULL, 0};
    int have_base = 0;
    uint64_t base = 0;

    out->name = NULL;
    out->dir = NULL;
    if (find_abbrev(f, abbrev_off, uleb(c), &a) != 0)
        return;
    for (;;) {
        uint64_t at = uleb(&a);
        uint64_t form = uleb(&a);
        uint64_t implicit = 0;
        value v;
        int depth = 0;

        if (a.bad || (at == 0 && form == 0))
            break;
        if (form == DW_FORM_implicit_const)
            implicit = uleb(&a);
        while (form == DW_FORM_indirect && depth++ < 4)
            form = uleb(c);
        if (read_form(c, form, osz, asz, ver, implicit, &v) != 0 || c->bad)
            break;
        if (at == DW_AT_name)
            name = v;
        else if (at == DW_AT_comp_dir)
            dir = v;
        else if (at == DW_AT_str_offsets_base && v.kind == V_NUM) {
            have_base = 1;
            base = v.num;
        }
    }
    out->name = resolve(f, &name, osz, have_base, base);
    out->dir = resolve(f, &dir, osz, have_base, base);
}

/*
 * each_unit() - call fn(name, dir, arg) for each compile unit of f that
 * has a folder (name "" when it has no name: a split DWARF skeleton's is
 * in its .dwo); stop at the first that returns non-zero and return it.
 * Returns 0 when none did.
 */
static int each_unit(const dw_file *f, mp__dwarf_fn *fn, void *arg)
{
    size_t off = 0;

    while (f->info.n - off >= 4) {
        cursor c = {f->info.p + off, f->info.p + f->info.n, 0};
        unsigned osz = 4;
        uint64_t len = rd(&c, 4);

        if (len == 0xffffffffu) {
            osz = 8;
            len = rd(&c, 8);
        } else if (len >= 0xfffffff0u) {
            break;
        }
        if (c.bad || len > (uint64_t)(c.end - c.p))
            break;
        c.end = c.p + len;
        off = (size_t)(c.end - f->info.p);

        unsigned ver = (unsigned)rd(&c, 2);
        unsigned type = DW_UT_compile;
        unsigned asz;
        uint64_t abbrev_off;
        if (ver == 5) {
            type = (unsigned)rd(&c, 1);
            asz = (unsigned)rd(&c, 1);
            abbrev_off = rd(&c, osz);
            if (type == DW_UT_skeleton || type == DW_UT_split_compile)
                take(&c, 8);
        } else if (ver >= 2 && ver <= 4) {
            abbrev_off = rd(&c, osz);
            asz = (unsigned)rd(&c, 1);
        } else {
            continue;
        }
        if (c.bad || (type != DW_UT_compile && type != DW_UT_partial &&
                      type != DW_UT_skeleton))
            continue;

        unit_die die;
        read_unit_die(f, &c, osz, asz, ver, abbrev_off, &die);
        if (die.dir != NULL) {
            int rc = fn(die.name != NULL ? die.name : "", die.dir, arg);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

/* The ELF section header fields read, from either class. */
typedef struct shdr {
    uint64_t name;
    uint64_t type;
    uint64_t flags;
    uint64_t offset;
    uint64_t size;
    uint64_t link;
} shdr;

/* get_shdr() - section header i of the file, or -1 past its end. */
static int get_shdr(const unsigned char *map, size_t size, int is64,
                    uint64_t shoff, uint64_t entsize, uint64_t i, shdr *out)
{
    uint64_t need = is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);

    if (entsize < need || shoff > size || i > (size - shoff) / entsize ||
        (size - shoff) - i * entsize < need)
        return -1;
    const unsigned char *p = map + shoff + i * entsize;
    if (is64) {
        Elf64_Shdr h;
        memcpy(&h, p, sizeof h);
        *out = (shdr){h.sh_name,   h.sh_type, h.sh_flags,
                      h.sh_offset, h.sh_size, h.sh_link};
    } else {
        Elf32_Shdr h;
        memcpy(&h, p, sizeof h);
        *out = (shdr){h.sh_name,   h.sh_type, h.sh_flags,
                      h.sh_offset, h.sh_size, h.sh_link};
    }
    return 0;
}

/*
 * find_sections() - the DWARF sections of the ELF file mapped at map.
 * Returns 0, or -1 when it is not an ELF file of this machine's byte
 * order or has no .debug_info to read.
 */
static int find_sections(const unsigned char *map, size_t size, dw_file *f)
{
    static const union {
        uint16_t n;
        unsigned char b[2];
    } order = {1};
    int is64;
    uint64_t shoff;
    uint64_t entsize;
    uint64_t shnum;
    uint64_t shstrndx;

    memset(f, 0, sizeof *f);
    if (size < sizeof(Elf64_Ehdr) || memcmp(map, ELFMAG, SELFMAG) != 0 ||
        map[EI_DATA] != (order.b[0] == 1 ? ELFDATA2LSB : ELFDATA2MSB))
        return -1;
    if (map[EI_CLASS] == ELFCLASS64) {
        Elf64_Ehdr h;
        memcpy(&h, map, sizeof h);
        is64 = 1;
        shoff = h.e_shoff;
        entsize = h.e_shentsize;
        shnum = h.e_shnum;
        shstrndx = h.e_shstrndx;
    } else if (map[EI_CLASS] == ELFCLASS32) {
        Elf32_Ehdr h;
        memcpy(&h, map, sizeof h);
        is64 = 0;
        shoff = h.e_shoff;
        entsize = h.e_shentsize;
        shnum = h.e_shnum;
        shstrndx = h.e_shstrndx;
    } else {
        return -1;
    }
    shdr h;
    if (shoff == 0 || get_shdr(map, size, is64, shoff, entsize, 0, &h) != 0)
        return -1;
    if (shnum == 0)
        shnum = h.size;
    if (shstrndx == SHN_XINDEX)
        shstrndx = h.link;
    shdr names;
    if (get_shdr(map, size, is64, shoff, entsize, shstrndx, &names) != 0 ||
        names.offset > size || names.size > size - names.offset)
        return -1;
    sect strtab = {map + names.offset, (size_t)names.size};

    for (uint64_t i = 1; i < shnum; i++) {
        if (get_shdr(map, size, is64, shoff, entsize, i, &h) != 0)
            break;
        const char *name = str_at(&strtab, h.name);
        sect *s = NULL;
        if (name == NULL || h.type == SHT_NOBITS ||
            (h.flags & SHF_COMPRESSED) != 0 || h.offset > size ||
            h.size > size - h.offset)
            continue;
        if (strcmp(name, ".debug_info") == 0)
            s = &f->info;
        else if (strcmp(name, ".debug_abbrev") == 0)
            s = &f->abbrev;
        else if (strcmp(name, ".debug_str") == 0)
            s = &f->str;
        else if (strcmp(name, ".debug_line_str") == 0)
            s = &f->line_str;
        else if (strcmp(name, ".debug_str_offsets") == 0)
            s = &f->str_offsets;
        if (s != NULL) {
            s->p = map + h.offset;
            s->n = (size_t)h.size;
        }
    }
    return f->info.n > 0 && f->abbrev.n > 0 ? 0 : -1;
}

/* mp__dwarf_image_units() - see internal.h. */
int mp__dwarf_image_units(const unsigned char *image, size_t size,
                          mp__dwarf_fn *fn, void *arg)
{
    dw_file f;

    if (find_sections(image, size, &f) != 0)
        return 0;
    return each_unit(&f, fn, arg);
}

/*
 * file_units() - each_unit() of the ELF file at path.  Returns what fn
 * returned to stop, or 0.
 */
static int file_units(const char *path, mp__dwarf_fn *fn, void *arg)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    int rc = 0;

    if (fd < 0)
        return 0;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (uint64_t)st.st_size > SIZE_MAX) {
        close(fd);
        return 0;
    }
    size_t size = (size_t)st.st_size;
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return 0;
    rc = mp__dwarf_image_units(map, size, fn, arg);
    munmap(map, size);
    return rc;
}

/* The paths of the loaded objects other than the program. */
typedef struct objects {
    char **path;
    size_t n;
    size_t cap;
} objects;

/* add_object() - dl_iterate_phdr's callback: note a named object. */
static int add_object(struct dl_phdr_info *info, size_t size, void *arg)
{
    objects *o = arg;
    (void)size;
    if (info->dlpi_name == NULL || info->dlpi_name[0] != '/')
        return 0;
    char *copy = mp__strdup(info->dlpi_name);
    if (copy == NULL ||
        mp__grow(&o->path, &o->cap, o->n + 1, sizeof *o->path) != 0)
        mp__free(copy);
    else
        o->path[o->n++] = copy;
    return 0;
}

/* mp__dwarf_units() - see internal.h. */
int mp__dwarf_units(mp__dwarf_fn *fn, void *arg)
{
    objects o = {NULL, 0, 0};
    int rc = file_units("/proc/self/exe", fn, arg);

    if (rc != 0)
        return rc;
    dl_iterate_phdr(add_object, &o);
    for (size_t i = 0; i < o.n; i++) {
        if (rc == 0)
            rc = file_units(o.path[i], fn, arg);
        mp__free(o.path[i]);
    }
    mp__free(o.path);
    return rc;
}
