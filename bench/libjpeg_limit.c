/*
 * The decode limit for this machine: libjpeg-turbo (with its SIMD) decoding JPEGs at the
 * smallest DCT scale whose sides are at least the target, then a plain bilinear resize to a
 * square target. In "files" mode each image is read from disk (the page cache, after a warm-up
 * pass) as catsdogs does; in "memory" mode all files are loaded first and only decode and
 * resize are timed. Prints the images/s of all the measured passes together, then the process's
 * CPU time per image over them (getrusage, in microseconds): the statistic `catsdogs bench input`
 * reports. The best single pass, which this program first printed, favoured the limit on a VM
 * whose speed drifts by tens of percent between passes.
 *
 * usage: libjpeg_limit FILELIST THREADS [TARGET] [PASSES] [files|memory]
 */
#include <pthread.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <turbojpeg.h>

typedef struct {
    char **paths;
    unsigned char **contents; /* memory mode: each file's bytes, else NULL */
    long *lengths;
    int count;
    int first, step;
    int target;
    long decoded;
    unsigned long checksum;
} Work;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static double cpu_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
}

/* Plain bilinear, pixel centres aligned, with 8-bit fixed-point weights. The column taps are
 * worked out once per image: recomputed per row and channel in float, as this file first did, the
 * resize cost 59 us of an image's ~400 us here (2026-12-07), a handicap the limit should not carry. */
static void bilinear(const unsigned char *src, int w, int h, unsigned char *dst, int side) {
    int x0s[1024], x1s[1024], wxs[1024];
    for (int x = 0; x < side; x++) {
        float sx = (x + 0.5f) * w / side - 0.5f;
        int x0 = sx < 0 ? 0 : (int)sx;
        x0s[x] = x0 * 3;
        x1s[x] = (x0 + 1 < w ? x0 + 1 : w - 1) * 3;
        wxs[x] = sx - x0 < 0 ? 0 : (int)((sx - x0) * 256 + 0.5f);
    }
    for (int y = 0; y < side; y++) {
        float sy = (y + 0.5f) * h / side - 0.5f;
        int y0 = sy < 0 ? 0 : (int)sy;
        int y1 = y0 + 1 < h ? y0 + 1 : h - 1;
        int wy = sy - y0 < 0 ? 0 : (int)((sy - y0) * 256 + 0.5f);
        const unsigned char *top = src + (size_t)y0 * w * 3, *bottom = src + (size_t)y1 * w * 3;
        unsigned char *out = dst + (size_t)y * side * 3;
        for (int x = 0; x < side; x++) {
            int wx = wxs[x], a = x0s[x], b = x1s[x];
            for (int c = 0; c < 3; c++) {
                int upper = top[a + c] * (256 - wx) + top[b + c] * wx;
                int lower = bottom[a + c] * (256 - wx) + bottom[b + c] * wx;
                out[x * 3 + c] = (unsigned char)((upper * (256 - wy) + lower * wy + 32768) >> 16);
            }
        }
    }
}

static void *run(void *arg) {
    Work *work = arg;
    tjhandle tj = tjInitDecompress();
    unsigned char *file = NULL, *pixels = NULL, *out = malloc((size_t)work->target * work->target * 3);
    size_t file_capacity = 0, pixel_capacity = 0;
    for (int i = work->first; i < work->count; i += work->step) {
        unsigned char *data;
        size_t got;
        if (work->contents) {
            data = work->contents[i];
            got = work->lengths[i];
        } else {
            FILE *f = fopen(work->paths[i], "rb");
            if (!f) continue;
            fseek(f, 0, SEEK_END);
            long length = ftell(f);
            fseek(f, 0, SEEK_SET);
            if ((size_t)length > file_capacity) { file_capacity = length; file = realloc(file, file_capacity); }
            got = fread(file, 1, length, f);
            fclose(f);
            data = file;
        }
        int w, h, subsampling, colorspace;
        if (tjDecompressHeader3(tj, data, got, &w, &h, &subsampling, &colorspace) != 0) continue;
        /* The smallest scale (of 1/8, 1/4, 1/2, 1) whose sides still reach the target. */
        int sw = w, sh = h;
        for (int s = 8; s >= 1; s /= 2) {
            int cw = TJSCALED(w, ((tjscalingfactor){1, s})), ch = TJSCALED(h, ((tjscalingfactor){1, s}));
            if (cw >= work->target && ch >= work->target) { sw = cw; sh = ch; break; }
        }
        size_t need = (size_t)sw * sh * 3;
        if (need > pixel_capacity) { pixel_capacity = need; pixels = realloc(pixels, need); }
        if (tjDecompress2(tj, data, got, pixels, sw, 0, sh, TJPF_RGB, 0) != 0) continue;
        bilinear(pixels, sw, sh, out, work->target);
        work->checksum += out[0];
        work->decoded++;
    }
    free(file); free(pixels); free(out);
    tjDestroy(tj);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s FILELIST THREADS [TARGET] [PASSES] [files|memory]\n", argv[0]); return 2; }
    int threads = atoi(argv[2]);
    int target = argc > 3 ? atoi(argv[3]) : 64;
    if (target < 1 || target > 1024) { fprintf(stderr, "TARGET must be 1 to 1024\n"); return 2; }
    int passes = argc > 4 ? atoi(argv[4]) : 3;
    int in_memory = argc > 5 && strcmp(argv[5], "memory") == 0;
    FILE *list = fopen(argv[1], "r");
    if (!list) { perror(argv[1]); return 2; }
    int capacity = 1024, count = 0;
    char **paths = malloc(capacity * sizeof *paths), line[4096];
    while (fgets(line, sizeof line, list)) {
        line[strcspn(line, "\n")] = 0;
        if (!*line) continue;
        if (count == capacity) paths = realloc(paths, (capacity *= 2) * sizeof *paths);
        paths[count++] = strdup(line);
    }
    fclose(list);

    unsigned char **contents = NULL;
    long *lengths = NULL;
    if (in_memory) {
        contents = calloc(count, sizeof *contents);
        lengths = calloc(count, sizeof *lengths);
        for (int i = 0; i < count; i++) {
            FILE *f = fopen(paths[i], "rb");
            if (!f) { perror(paths[i]); return 2; }
            fseek(f, 0, SEEK_END);
            lengths[i] = ftell(f);
            fseek(f, 0, SEEK_SET);
            contents[i] = malloc(lengths[i]);
            lengths[i] = (long)fread(contents[i], 1, lengths[i], f);
            fclose(f);
        }
    }

    double elapsed = 0, cpu = 0;
    long measured = 0;
    for (int pass = 0; pass <= passes; pass++) {  /* pass 0 warms the page cache */
        Work work[64];
        pthread_t ids[64];
        double start = now(), cpu_start = cpu_seconds();
        long decoded = 0;
        for (int t = 0; t < threads; t++) {
            work[t] = (Work){paths, contents, lengths, count, t, threads, target, 0, 0};
            pthread_create(&ids[t], NULL, run, &work[t]);
        }
        for (int t = 0; t < threads; t++) { pthread_join(ids[t], NULL); decoded += work[t].decoded; }
        if (pass > 0) {
            elapsed += now() - start;
            cpu += cpu_seconds() - cpu_start;
            measured += decoded;
        }
    }
    printf("%.1f %.1f\n", elapsed > 0 ? measured / elapsed : 0.0, measured ? cpu * 1e6 / measured : 0.0);
    return 0;
}
