/*
 * fuzz_dat.c - libFuzzer target for the .dat reader and memprof plot's
 * pipeline: the input's first byte picks plot options, the rest is a .dat
 * file, which is read (mp__dat_read), peaked (memprof peak), built into a
 * plot_data, laid out into a picture and written as SVG, and drawn in the
 * terminal.  Built and run by make fuzz and make fuzz-short.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base.h"
#include "cli.h"
#include "plot_data.h"
#include "plot_picture.h"
#include "plot_scene.h"
#include "plot_svg.h"
#include "plot_term.h"

/* The file each input is written to, and /dev/null for the outputs. */
static char path[] = "/tmp/memprof-fuzz-XXXXXX.dat";
static FILE *null_out;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerInitialize() - the input file and the null output, once. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    int fd = mkstemps(path, 4);
    null_out = fopen("/dev/null", "w");
    if (fd < 0 || null_out == NULL)
        abort();
    close(fd);
    return 0;
}

/* LLVMFuzzerTestOneInput() - one input through every stage. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t flags = data[0];
    FILE *f = fopen(path, "w");
    if (f == NULL || fwrite(data + 1, 1, size - 1, f) != size - 1 ||
        fclose(f) != 0)
        abort();

    mp__dat dat;
    char err[256];
    if (mp__dat_read(path, &dat, err, sizeof err) == 0)
        mp__dat_free(&dat);

    /* memprof peak FILE, its output to /dev/null. */
    char peak[] = "peak";
    char *argv[] = {peak, path, NULL};
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    dup2(fileno(null_out), STDOUT_FILENO);
    (void)cmd_peak(2, argv);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);

    plot_opts o;
    memset(&o, 0, sizeof o);
    o.flame = flags & 1;
    o.slope = (flags >> 1) & 1;
    o.no_funcs = (flags >> 2) & 1;
    if ((flags >> 3) & 1) {
        o.window = 1;
        o.xmin = (flags >> 4) & 3;
        o.xmax = o.xmin + 1 + ((flags >> 6) & 3);
    }
    o.width = flags & 0x40 ? 320 : 1000;
    o.height = flags & 0x80 ? 240 : 600;
    o.columns = flags & 0x20 ? 40 : 120;
    o.rows = flags & 0x10 ? 4 : 20;
    o.color = flags & 2 ? PLOT_COLOR_ALWAYS : PLOT_COLOR_NEVER;
    char *names[] = {path, NULL};
    plot_data d;
    if (plot_data_build(&d, &o, names, 1) != 0)
        return 0;
    plot_scene scene;
    if (plot_picture_build(&scene, &d, &o) == 0) {
        (void)plot_svg_write(&scene, null_out);
        plot_scene_free(&scene);
    }
    (void)plot_term_write(&d, &o, null_out);
    fflush(null_out);
    plot_data_free(&d);
    return 0;
}
