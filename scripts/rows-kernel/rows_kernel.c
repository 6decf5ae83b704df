/*
 * y = x @ W^T for a few rows of x (4 to 8) against a large float32 weight W [out, in] as stored, for the engine's CPU
 * path (io.hogwild.engine.tensor.RowsKernel, JNI). Built by ./hogwild with the C compiler for the machine it runs on.
 *
 * Why: a decode pass of several workers or sessions projects a handful of rows through every weight matrix. That is
 * a matrix-vector product per row and should run at memory speed, the weight read once for all rows. libtorch hands
 * it to MKL's SGEMM, which first copies ("packs") the weight into its own layout: at 4 to 8 rows that copy costs more
 * than the product, and the pass runs at about half the memory speed (Qwen3-0.6B's [151936, 1025] output projection
 * times 8 rows on this project's 2-core machine: 25-33 ms with MKL, 17-20 ms here, as long as 1 row takes either
 * way). At 1-3 rows MKL's own matrix-vector path is at least as fast and is kept.
 *
 * How: each thread streams its share of W's rows once, two at a time, against all rows of x (a copy in L1/L2); every
 * 16-float slice of a weight row is multiplied into a vector accumulator per (weight row, x row), so the weight is
 * read once, in order, with software prefetch ahead of it. The sum order differs from MKL's, so results agree to
 * float32 rounding, not bit for bit.
 *
 * Threads: libtorch's OpenMP threads, each streaming its share of the weight (see "threads" below).
 */
#include <dlfcn.h>
#include <jni.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LANES 16
#define MAX_ROWS 8
/* How far ahead, in weight rows, the next rows are requested from memory (into L2). */
#define PREFETCH_ROWS 16

typedef float vec __attribute__((vector_size(LANES * sizeof(float)), aligned(sizeof(float))));

typedef struct {
    const float *x; /* rows of x, each at a 64-byte boundary, stride */
    const float *w;
    float *y;
    int rows, in, out;
    int stride;
    int parts;
} Task;

static inline float hsum(vec v) {
    float s = 0;
    for (int i = 0; i < LANES; i++) {
        s += v[i];
    }
    return s;
}

/* y[r][n], y[r][n+1] for r < R: weight rows n and n+1 against every row of x. R is a constant where inlined. */
static inline __attribute__((always_inline)) void two_rows(const Task *t, int n, int R) {
    const int in = t->in;
    const float *w0 = t->w + (size_t) n * in;
    const float *w1 = w0 + in;
    vec a0[MAX_ROWS], a1[MAX_ROWS];
    for (int r = 0; r < R; r++) {
        a0[r] = (vec) {0};
        a1[r] = (vec) {0};
    }
    int k = 0;
    for (; k + LANES <= in; k += LANES) {
        __builtin_prefetch(w0 + k + (size_t) PREFETCH_ROWS * in, 0, 2);
        __builtin_prefetch(w1 + k + (size_t) PREFETCH_ROWS * in, 0, 2);
        vec u = *(const vec *) (w0 + k);
        vec v = *(const vec *) (w1 + k);
        for (int r = 0; r < R; r++) {
            vec xv = *(const vec *) (t->x + (size_t) r * t->stride + k);
            a0[r] += u * xv;
            a1[r] += v * xv;
        }
    }
    for (int r = 0; r < R; r++) {
        float s0 = hsum(a0[r]), s1 = hsum(a1[r]);
        for (int j = k; j < in; j++) {
            s0 += w0[j] * t->x[(size_t) r * t->stride + j];
            s1 += w1[j] * t->x[(size_t) r * t->stride + j];
        }
        t->y[(size_t) r * t->out + n] = s0;
        t->y[(size_t) r * t->out + n + 1] = s1;
    }
}

static void one_row(const Task *t, int n) {
    const float *w0 = t->w + (size_t) n * t->in;
    for (int r = 0; r < t->rows; r++) {
        float s = 0;
        for (int j = 0; j < t->in; j++) {
            s += w0[j] * t->x[(size_t) r * t->stride + j];
        }
        t->y[(size_t) r * t->out + n] = s;
    }
}

#define SPAN(R)                                  \
    case R:                                      \
        for (int n = from; n < to; n += 2) {     \
            two_rows(t, n, R);                   \
        }                                        \
        break;

/* Part p of the task: an even-sized run of weight rows (the odd last row, if any, goes to the last part). */
static void run_part(const Task *t, int p) {
    int pairs = t->out / 2;
    int from = 2 * (int) ((long) pairs * p / t->parts);
    int to = 2 * (int) ((long) pairs * (p + 1) / t->parts);
    switch (t->rows) {
        SPAN(1) SPAN(2) SPAN(3) SPAN(4) SPAN(5) SPAN(6) SPAN(7) SPAN(8)
    }
    if (p == t->parts - 1 && (t->out & 1)) {
        one_row(t, t->out - 1);
    }
}

/* ---- threads ---- */

/*
 * The projection runs on libtorch's own OpenMP threads: a parallel region of the OpenMP runtime libtorch loaded (found
 * in this process's memory map, its entry points looked up at first use). A thread pool of our own would compete for
 * the same cores with libtorch's threads, which spin for a while after each of its operators: measured here, that
 * made the kernel as slow as MKL inside a real pass although it was twice as fast alone.
 */
typedef void (*parallel_fn)(void (*)(void *), void *, unsigned, unsigned);
typedef int (*thread_fn)(void);

static pthread_once_t runtime_once = PTHREAD_ONCE_INIT;
static parallel_fn gomp_parallel;
static thread_fn omp_thread_num;
static thread_fn omp_num_threads;

static void find_runtime(void) {
    FILE *maps = fopen("/proc/self/maps", "r");
    if (maps == NULL) {
        return;
    }
    char line[4096];
    while (fgets(line, sizeof line, maps) != NULL) {
        char *path = strchr(line, '/');
        if (path == NULL || (strstr(path, "libgomp") == NULL && strstr(path, "libiomp") == NULL)) {
            continue;
        }
        path[strcspn(path, "\n")] = 0;
        void *lib = dlopen(path, RTLD_LAZY | RTLD_NOLOAD);
        if (lib == NULL) {
            continue;
        }
        gomp_parallel = (parallel_fn) dlsym(lib, "GOMP_parallel");
        omp_thread_num = (thread_fn) dlsym(lib, "omp_get_thread_num");
        omp_num_threads = (thread_fn) dlsym(lib, "omp_get_num_threads");
        if (gomp_parallel != NULL && omp_thread_num != NULL && omp_num_threads != NULL) {
            break;
        }
        gomp_parallel = NULL;
    }
    fclose(maps);
}

/* One thread's share in the parallel region: the team's size decides the parts. */
static void run_in_team(void *arg) {
    Task t = *(const Task *) arg;
    t.parts = omp_num_threads();
    run_part(&t, omp_thread_num());
}

/* 1 when done, 0 when it declines (several threads asked for and no OpenMP runtime found: libtorch does it). */
static int project(const float *x, const float *w, float *y, int rows, int in, int out, int threads) {
    pthread_once(&runtime_once, find_runtime);
    if (threads > 1 && gomp_parallel == NULL) {
        return 0;
    }
    /* x copied with each row at a cache-line boundary: its loads, most of the loop's, then never split a line. */
    int stride = (in + LANES - 1) / LANES * LANES;
    float *xs = aligned_alloc(64, (size_t) rows * stride * sizeof(float));
    if (xs == NULL) {
        return 0;
    }
    for (int r = 0; r < rows; r++) {
        memcpy(xs + (size_t) r * stride, x + (size_t) r * in, (size_t) in * sizeof(float));
    }
    Task t = {xs, w, y, rows, in, out, stride, 1};
    if (threads <= 1 || out < 64) {
        run_part(&t, 0);
    } else {
        gomp_parallel(run_in_team, &t, (unsigned) threads, 0);
    }
    free(xs);
    return 1;
}

JNIEXPORT jboolean JNICALL Java_io_hogwild_engine_tensor_RowsKernel_project(JNIEnv *env, jclass cls, jobject x,
        jobject w, jobject y, jint rows, jint in, jint out, jint threads) {
    (void) cls;
    const float *xp = (*env)->GetDirectBufferAddress(env, x);
    const float *wp = (*env)->GetDirectBufferAddress(env, w);
    float *yp = (*env)->GetDirectBufferAddress(env, y);
    if (xp == NULL || wp == NULL || yp == NULL || rows < 1 || rows > MAX_ROWS || in < 1 || out < 1
            || (*env)->GetDirectBufferCapacity(env, x) < (jlong) rows * in * 4
            || (*env)->GetDirectBufferCapacity(env, w) < (jlong) out * in * 4
            || (*env)->GetDirectBufferCapacity(env, y) < (jlong) rows * out * 4) {
        return JNI_FALSE;
    }
    return project(xp, wp, yp, rows, in, out, threads) ? JNI_TRUE : JNI_FALSE;
}
