/*
 * Hogwild! shared attention of one layer for a few rows, float32, on one CPU thread, for the engine's CPU path
 * (io.hogwild.engine.attention.AttentionKernel, JNI). Built by ./hogwild into the same library as rows_kernel.c.
 *
 * Why: for a small model each session's attention in a pass is a dozen tiny libtorch operators per layer (store the
 * keys and values, slice, score, gather the floating columns' slots, mask, softmax, weigh the values), each costing
 * more to dispatch than to compute, and a pass of many sessions pays them per session. Here the same steps are one
 * call, and what is left of its time is mostly reading the session's cache.
 *
 * What (the same as SharedAttention's operators, in the same layouts):
 *   rotated  [kv][vectors][d]  vector (slot * (group + 1) + g) * rows + r: query head g (g < group) or the new key
 *                              (g == group) of row r, rotated for slot `slot` (0: aligned blocks; k > 0: floating)
 *   values   [rows][kv][d]     the new values
 *   keys     [kv][d][capacity] the layer's key cache (columns are tokens), written at the new columns
 *   cache_v  [kv][capacity][d] the layer's value cache, written at the new columns
 *   out      [kv][group * rows][d]
 * Row r's key (rotated for slot key_slot[r]) and value go to column new_column[r]; then every query scores the read
 * columns [0, read_end): aligned ones [0, aligned_end) with slot 0, floating ones with their block's slot
 * (slot_of_column[c - aligned_end]); plus the additive mask [group * rows][read_end] when there is one; softmax;
 * the weighted sum of the value columns. Sums run in a different order than MKL's: results agree to float32
 * rounding, and are the same for a row whatever else the pass holds (a session alone or batched).
 */
#include <jni.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const float *rotated, *values, *mask;
    const int *slot_of_column, *key_slot;
    const jlong *new_column;
    float *keys, *cache_v, *out;
    int kv, group, rows, d, capacity, aligned_end, read_end, vectors;
} Layer;

/*
 * e^x in float32 to about one unit in the last place, written so that the compiler vectorizes the softmax loop (libm's
 * expf is a call per element, and was most of this kernel's time): e^x = 2^n * e^r with n = round(x / ln 2) and
 * r = x - n ln 2 (ln 2 in two parts, exact for the first), e^r by Cephes' degree-6 polynomial; 2^n built in the
 * exponent bits. Masked scores (minus infinity) and anything below float's range give 0, as softmax needs.
 */
static inline float exp_of(float x) {
    float clamped = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
    /* Round to nearest by adding and taking away 1.5 * 2^23 (|x / ln 2| < 2^22 here). */
    float n = (clamped * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    float r = clamped - n * 0.693359375f + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float y = p * r * r + r + 1.0f;
    int bits = ((int) n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return x < -87.0f ? 0.0f : y * scale;
}

static const float *vector_of(const Layer *a, int h, int slot, int g, int r) {
    return a->rotated + ((size_t) h * a->vectors + (size_t) (slot * (a->group + 1) + g) * a->rows + r) * a->d;
}

#define LANES 16
#define MAX_QUERIES 64

typedef float vec __attribute__((vector_size(LANES * sizeof(float)), aligned(sizeof(float))));
typedef int mask_vec __attribute__((vector_size(LANES * sizeof(int)), aligned(sizeof(int))));

/*
 * 16 columns' scores for Q queries (Q a constant where inlined, so the accumulators stay in registers): the keys
 * [d][capacity] read row by row, each 16-column slice once for all Q queries.
 */
static inline __attribute__((always_inline)) void score_block(const float *keys, int capacity, int d,
        const float *const *q, int Q, int c, float *score, int stride) {
    vec acc[4];
    for (int i = 0; i < Q; i++) {
        acc[i] = (vec) {0};
    }
    for (int j = 0; j < d; j++) {
        vec k = *(const vec *) (keys + (size_t) j * capacity + c);
        for (int i = 0; i < Q; i++) {
            acc[i] += q[i][j] * k;
        }
    }
    for (int i = 0; i < Q; i++) {
        *(vec *) (score + (size_t) i * stride + c) = acc[i];
    }
}

/* score[q][c] = query q . keys[h][:, c] for every query of head h (rotated for `slot`) and c in [from, to). */
static void score_columns(const Layer *a, int h, int slot, int from, int to, float *score) {
    int queries = a->group * a->rows;
    const float *keys = a->keys + (size_t) h * a->d * a->capacity;
    for (int first = 0; first < queries; first += 4) {
        int Q = queries - first < 4 ? queries - first : 4;
        const float *q[4];
        for (int i = 0; i < Q; i++) {
            q[i] = vector_of(a, h, slot, (first + i) / a->rows, (first + i) % a->rows);
        }
        float *rows = score + (size_t) first * a->read_end;
        int c = from;
        for (; c + LANES <= to; c += LANES) {
            switch (Q) {
                case 1: score_block(keys, a->capacity, a->d, q, 1, c, rows, a->read_end); break;
                case 2: score_block(keys, a->capacity, a->d, q, 2, c, rows, a->read_end); break;
                case 3: score_block(keys, a->capacity, a->d, q, 3, c, rows, a->read_end); break;
                default: score_block(keys, a->capacity, a->d, q, 4, c, rows, a->read_end); break;
            }
        }
        for (; c < to; c++) {
            for (int i = 0; i < Q; i++) {
                float sum = 0;
                for (int j = 0; j < a->d; j++) {
                    sum += q[i][j] * keys[(size_t) j * a->capacity + c];
                }
                rows[(size_t) i * a->read_end + c] = sum;
            }
        }
    }
}

static void store(const Layer *a) {
    for (int r = 0; r < a->rows; r++) {
        jlong column = a->new_column[r];
        for (int h = 0; h < a->kv; h++) {
            const float *key = vector_of(a, h, a->key_slot[r], a->group, r);
            for (int j = 0; j < a->d; j++) {
                a->keys[((size_t) h * a->d + j) * a->capacity + column] = key[j];
            }
            memcpy(a->cache_v + ((size_t) h * a->capacity + column) * a->d,
                   a->values + ((size_t) r * a->kv + h) * a->d, (size_t) a->d * sizeof(float));
        }
    }
}

/* Softmax of one query's masked scores, in place. */
static void softmax(float *score, const float *mask, int columns) {
    if (mask != NULL) {
        for (int c = 0; c < columns; c++) {
            score[c] += mask[c];
        }
    }
    /* The largest score, 16 lanes at a time (a branchy scalar maximum does not vectorize, and cost as much as the
       scores themselves). */
    vec lanes = (vec) {0} - INFINITY;
    int c = 0;
    for (; c + LANES <= columns; c += LANES) {
        vec x = *(const vec *) (score + c);
        mask_vec greater = x > lanes;
        lanes = (vec) (((mask_vec) x & greater) | ((mask_vec) lanes & ~greater));
    }
    float max = -INFINITY;
    for (int i = 0; i < LANES; i++) {
        max = lanes[i] > max ? lanes[i] : max;
    }
    for (; c < columns; c++) {
        max = score[c] > max ? score[c] : max;
    }
    float sum = 0;
    for (int c = 0; c < columns; c++) {
        score[c] = exp_of(score[c] - max);
        sum += score[c];
    }
    float inverse = 1.0f / sum;
    for (int c = 0; c < columns; c++) {
        score[c] *= inverse;
    }
}

/* score holds [queries][read_end] floats. */
static void attend(const Layer *a, float *score) {
    int queries = a->group * a->rows;
    for (int h = 0; h < a->kv; h++) {
        score_columns(a, h, 0, 0, a->aligned_end, score);
        /* Floating columns: each block's run of columns with the queries rotated for that block. */
        for (int c = a->aligned_end; c < a->read_end;) {
            int slot = a->slot_of_column[c - a->aligned_end];
            int end = c + 1;
            while (end < a->read_end && a->slot_of_column[end - a->aligned_end] == slot) {
                end++;
            }
            score_columns(a, h, slot, c, end, score);
            c = end;
        }
        for (int i = 0; i < queries; i++) {
            softmax(score + (size_t) i * a->read_end,
                    a->mask == NULL ? NULL : a->mask + (size_t) i * a->read_end, a->read_end);
        }
        /* out[q] = sum over columns of p[q][c] * values[c]: each value row read once for all the queries. */
        float *out = a->out + (size_t) h * queries * a->d;
        memset(out, 0, (size_t) queries * a->d * sizeof(float));
        for (int c = 0; c < a->read_end; c++) {
            const float *v = a->cache_v + ((size_t) h * a->capacity + c) * a->d;
            for (int i = 0; i < queries; i++) {
                float p = score[(size_t) i * a->read_end + c];
                if (p == 0) {
                    continue; /* masked */
                }
                float *o = out + (size_t) i * a->d;
                for (int j = 0; j < a->d; j++) {
                    o[j] += p * v[j];
                }
            }
        }
    }
}

JNIEXPORT jboolean JNICALL Java_io_hogwild_engine_attention_AttentionKernel_attend(JNIEnv *env, jclass cls,
        jobject rotated, jobject values, jobject keys, jobject cache_v, jobject out, jfloatArray mask,
        jintArray slot_of_column, jintArray key_slot, jlongArray new_column, jint kv, jint group, jint rows, jint d,
        jint capacity, jint aligned_end, jint read_end, jint slots) {
    (void) cls;
    Layer a = {0};
    a.rotated = (*env)->GetDirectBufferAddress(env, rotated);
    a.values = (*env)->GetDirectBufferAddress(env, values);
    a.keys = (*env)->GetDirectBufferAddress(env, keys);
    a.cache_v = (*env)->GetDirectBufferAddress(env, cache_v);
    a.out = (*env)->GetDirectBufferAddress(env, out);
    a.kv = kv;
    a.group = group;
    a.rows = rows;
    a.d = d;
    a.capacity = capacity;
    a.aligned_end = aligned_end;
    a.read_end = read_end;
    a.vectors = slots * (group + 1) * rows;
    int floating = read_end - aligned_end;
    if (a.rotated == NULL || a.values == NULL || a.keys == NULL || a.cache_v == NULL || a.out == NULL
            || rows < 1 || read_end < 1 || read_end > capacity || floating < 0
            || (*env)->GetDirectBufferCapacity(env, rotated) < (jlong) kv * a.vectors * d * 4
            || (*env)->GetDirectBufferCapacity(env, values) < (jlong) rows * kv * d * 4
            || (*env)->GetDirectBufferCapacity(env, keys) < (jlong) kv * d * capacity * 4
            || (*env)->GetDirectBufferCapacity(env, cache_v) < (jlong) kv * capacity * d * 4
            || (*env)->GetDirectBufferCapacity(env, out) < (jlong) kv * group * rows * d * 4
            || (*env)->GetArrayLength(env, key_slot) < rows || (*env)->GetArrayLength(env, new_column) < rows
            || (floating > 0 && (slot_of_column == NULL || (*env)->GetArrayLength(env, slot_of_column) < floating))
            || (mask != NULL && (*env)->GetArrayLength(env, mask) < (jsize) (group * rows * read_end))) {
        return JNI_FALSE;
    }
    if (group * rows > MAX_QUERIES) {
        return JNI_FALSE;
    }
    float *score = malloc((size_t) group * rows * read_end * sizeof(float));
    if (score == NULL) {
        return JNI_FALSE;
    }
    jint *key_slots = (*env)->GetIntArrayElements(env, key_slot, NULL);
    jlong *columns = (*env)->GetLongArrayElements(env, new_column, NULL);
    jint *slot_columns = floating > 0 ? (*env)->GetIntArrayElements(env, slot_of_column, NULL) : NULL;
    jfloat *mask_values = mask != NULL ? (*env)->GetFloatArrayElements(env, mask, NULL) : NULL;
    jboolean done = JNI_FALSE;
    if (key_slots != NULL && columns != NULL && (floating == 0 || slot_columns != NULL)
            && (mask == NULL || mask_values != NULL)) {
        int valid = 1;
        for (int r = 0; r < rows; r++) {
            valid &= columns[r] >= 0 && columns[r] < read_end && key_slots[r] >= 0 && key_slots[r] < slots;
        }
        for (int c = 0; c < floating; c++) {
            valid &= slot_columns[c] >= 0 && slot_columns[c] < slots;
        }
        if (valid) {
            a.key_slot = key_slots;
            a.new_column = columns;
            a.slot_of_column = slot_columns;
            a.mask = mask_values;
            store(&a);
            attend(&a, score);
            done = JNI_TRUE;
        }
    }
    if (mask_values != NULL) {
        (*env)->ReleaseFloatArrayElements(env, mask, mask_values, JNI_ABORT);
    }
    if (slot_columns != NULL) {
        (*env)->ReleaseIntArrayElements(env, slot_of_column, slot_columns, JNI_ABORT);
    }
    if (columns != NULL) {
        (*env)->ReleaseLongArrayElements(env, new_column, columns, JNI_ABORT);
    }
    if (key_slots != NULL) {
        (*env)->ReleaseIntArrayElements(env, key_slot, key_slots, JNI_ABORT);
    }
    free(score);
    return done;
}
