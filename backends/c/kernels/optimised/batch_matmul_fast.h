/* Fast int8 BATCH_MATMUL (needs dot_s8.h and batch_matmul.h's geometry): every output element is a
 * dot product of two runs contiguous in k, two rows by two columns at a time (tinycc_dot_s8_2x2:
 * SXTB16 + SMLAD on a core with the DSP extension). An operand whose k is not contiguous (lhs with
 * adj_x, an activation rhs without adj_y; a constant rhs is re-laid at compile time) is first
 * copied k-contiguous into `scratch`, once per distinct batch matrix. The zero points come out of
 * the raw sums: sum (l - lzp)(r - rzp) = sum l r - lzp colsum(r) - rzp rowsum(l) + depth lzp rzp,
 * all modulo 2^32, so the result is TFLM's wrapping int32 sum exactly, in any order (the emitter
 * takes this kernel only while sum |l r| < 2^31: depth < 2^17, so the plain C sums cannot overflow
 * either). Column sums of a constant rhs come from `csum` (compile time, cols per rhs batch matrix,
 * indexed by its element offset / depth); of an activation they are made in scratch. `scratch`:
 * [cols int32 column sums when lzp != 0 and csum is NULL][rows x depth lhs when adj_x]
 * [cols x depth rhs when its k stride is not 1].
 * int16 (zero points 0): the same walk over int16 runs, sums in int64 (TFLM's), two products per
 * SMLALD on a core with the DSP extension; scratch [rows x depth lhs][cols x depth rhs] int16. */
/* NAME(dst, src, n, depth, step, kstep): n runs of `depth` T elements (run a at src + a x step, its k-th
 * element kstep further each) copied k-contiguous to dst */
#define TINYCC_BMM_PACK(NAME, T)                                                                             \
static inline void NAME(T *dst, const T *src, int32_t n, int32_t depth, int32_t step, int32_t kstep) {       \
    int32_t a, k;                                                                                            \
    for (a = 0; a < n; ++a) {                                                                                \
        const T *s = src + (long)a * step;                                                                   \
        for (k = 0; k < depth; ++k) dst[(long)a * depth + k] = s[(long)k * kstep];                           \
    }                                                                                                        \
}
TINYCC_BMM_PACK(tinycc_bmm_pack, int8_t)
TINYCC_BMM_PACK(tinycc_bmm_pack16, int16_t)
#undef TINYCC_BMM_PACK

/* an operand's element offset of batch matrix b = (b0 x B1 + b1) x B2 + b2: its three per-batch-step
 * offsets `step` (geo + 3 for lhs, geo + 6 for rhs) */
static inline long tinycc_bmm_offset(const int32_t *geo, const int32_t *step, long b) {
    return b / geo[2] / geo[1] * step[0] + b / geo[2] % geo[1] * step[1] + b % geo[2] * step[2];
}

static inline void tinycc_batch_matmul_s8_fast(const int32_t *geo, const int8_t *lhs, const int8_t *rhs,
                                               int8_t *out, const int32_t *csum, void *scratch, int32_t lhs_zp,
                                               int32_t rhs_zp, int32_t out_zp, int32_t mult, int32_t shift) {
    const int32_t rows = geo[9], depth = geo[10], cols = geo[11];
    const int pack_l = geo[13] != 1, pack_r = geo[14] != 1, sums = lhs_zp != 0 && csum == NULL;
    int32_t *colsum = (int32_t *)scratch;
    int8_t *lt = (int8_t *)scratch + (sums ? 4 * (long)cols : 0);
    int8_t *rt = lt + (pack_l ? (long)rows * depth : 0);
    const uint32_t kzz = (uint32_t)depth * (uint32_t)lhs_zp * (uint32_t)rhs_zp;
    const int8_t *last_r = NULL;
    const long batches = (long)geo[0] * geo[1] * geo[2];
    long b, o = 0;
    int32_t i, j;
    for (b = 0; b < batches; ++b, o += (long)rows * cols) {
        const long lb = tinycc_bmm_offset(geo, geo + 3, b), rb = tinycc_bmm_offset(geo, geo + 6, b);
        const int8_t *L = lhs + lb, *R = rhs + rb;
        const int32_t *cs = csum != NULL ? csum + rb / depth : colsum;
        if (pack_l) {
            tinycc_bmm_pack(lt, L, rows, depth, geo[12], geo[13]);
            L = lt;
        }
        if (pack_r || sums) {
            if (R != last_r) {
                last_r = R;
                if (pack_r) tinycc_bmm_pack(rt, R, cols, depth, geo[15], geo[14]);
                if (sums)
                    for (j = 0; j < cols; ++j)
                        colsum[j] = tinycc_sum_s8((pack_r ? rt : R) + (long)j * depth, depth, 0);
            }
            if (pack_r) R = rt;
        }
        for (i = 0; i < rows; i += 2) {
            const int two = i + 1 < rows;
            const int8_t *l0 = L + (long)i * depth, *l1 = two ? l0 + depth : l0;
            uint32_t zr0 = 0, zr1 = 0;
            if (rhs_zp != 0) {
                zr0 = (uint32_t)rhs_zp * (uint32_t)tinycc_sum_s8(l0, depth, 0);
                zr1 = (uint32_t)rhs_zp * (uint32_t)tinycc_sum_s8(l1, depth, 0);
            }
            for (j = 0; j < cols; j += 2) {
                const int32_t jn = j + 1 < cols ? j + 1 : j;    /* a last column alone: twice */
                const int8_t *r0 = R + (long)j * depth, *r1 = R + (long)jn * depth;
                int32_t acc[4] = {0, 0, 0, 0};
                uint32_t z0 = kzz, z1 = kzz;
                int8_t *y = out + o + (long)i * cols + j;
                if (two)
                    tinycc_dot_s8_2x2(r0, r1, l0, l1, depth, acc);
                else
                    tinycc_dot_s8_1x2(r0, r1, l0, depth, acc);
                if (lhs_zp != 0) {
                    z0 -= (uint32_t)lhs_zp * (uint32_t)cs[j];
                    z1 -= (uint32_t)lhs_zp * (uint32_t)cs[jn];
                }
                y[0] = tinycc_requant_s8((int32_t)((uint32_t)acc[0] + z0 - zr0), mult, shift, out_zp, -128, 127);
                if (j + 1 < cols)
                    y[1] = tinycc_requant_s8((int32_t)((uint32_t)acc[1] + z1 - zr0), mult, shift, out_zp, -128, 127);
                if (two) {
                    y[cols] = tinycc_requant_s8((int32_t)((uint32_t)acc[2] + z0 - zr1), mult, shift, out_zp,
                                                -128, 127);
                    if (j + 1 < cols)
                        y[cols + 1] = tinycc_requant_s8((int32_t)((uint32_t)acc[3] + z1 - zr1), mult, shift,
                                                        out_zp, -128, 127);
                }
            }
        }
    }
}

/* int16 dot products into int64: acc[0] += f0.x0, acc[1] += f1.x0, acc[2] += f0.x1, acc[3] += f1.x1 */
static inline void tinycc_dot_s16_2x2(const int16_t *f0, const int16_t *f1, const int16_t *x0, const int16_t *x1,
                                      int32_t n, int64_t *acc) {
    int64_t a00 = acc[0], a10 = acc[1], a01 = acc[2], a11 = acc[3];
    int32_t i = 0;
#ifdef TINYCC_DSP
    for (; i + 2 <= n; i += 2) {
        int32_t fa, fb, xa, xb;
        memcpy(&fa, f0 + i, 4); memcpy(&fb, f1 + i, 4); memcpy(&xa, x0 + i, 4); memcpy(&xb, x1 + i, 4);
        a00 = __smlald(xa, fa, a00);
        a10 = __smlald(xa, fb, a10);
        a01 = __smlald(xb, fa, a01);
        a11 = __smlald(xb, fb, a11);
    }
#endif
    for (; i < n; ++i) {
        a00 += (int32_t)f0[i] * x0[i];
        a10 += (int32_t)f1[i] * x0[i];
        a01 += (int32_t)f0[i] * x1[i];
        a11 += (int32_t)f1[i] * x1[i];
    }
    acc[0] = a00;
    acc[1] = a10;
    acc[2] = a01;
    acc[3] = a11;
}

static inline int16_t tinycc_bmm_out16(int64_t acc, int32_t mult, int32_t shift) {
    return (int16_t)tinycc_clamp(tinycc_mbqm64(acc, mult, shift), -32768, 32767);
}

static inline void tinycc_batch_matmul_s16_fast(const int32_t *geo, const int16_t *lhs, const int16_t *rhs,
                                                int16_t *out, void *scratch, int32_t mult, int32_t shift) {
    const int32_t rows = geo[9], depth = geo[10], cols = geo[11];
    const int pack_l = geo[13] != 1, pack_r = geo[14] != 1;
    int16_t *lt = (int16_t *)scratch;
    int16_t *rt = lt + (pack_l ? (long)rows * depth : 0);
    const int16_t *last_r = NULL;
    const long batches = (long)geo[0] * geo[1] * geo[2];
    long b, o = 0;
    int32_t i, j;
    for (b = 0; b < batches; ++b, o += (long)rows * cols) {
        const long lb = tinycc_bmm_offset(geo, geo + 3, b), rb = tinycc_bmm_offset(geo, geo + 6, b);
        const int16_t *L = lhs + lb, *R = rhs + rb;
        if (pack_l) {
            tinycc_bmm_pack16(lt, L, rows, depth, geo[12], geo[13]);
            L = lt;
        }
        if (pack_r) {
            if (R != last_r) {
                last_r = R;
                tinycc_bmm_pack16(rt, R, cols, depth, geo[15], geo[14]);
            }
            R = rt;
        }
        for (i = 0; i < rows; i += 2) {
            const int two = i + 1 < rows;
            const int16_t *l0 = L + (long)i * depth, *l1 = two ? l0 + depth : l0;
            for (j = 0; j < cols; j += 2) {
                const int32_t jn = j + 1 < cols ? j + 1 : j;    /* a last column alone: twice */
                int64_t acc[4] = {0, 0, 0, 0};
                int16_t *y = out + o + (long)i * cols + j;
                tinycc_dot_s16_2x2(R + (long)j * depth, R + (long)jn * depth, l0, l1, depth, acc);
                y[0] = tinycc_bmm_out16(acc[0], mult, shift);
                if (j + 1 < cols) y[1] = tinycc_bmm_out16(acc[1], mult, shift);
                if (two) {
                    y[cols] = tinycc_bmm_out16(acc[2], mult, shift);
                    if (j + 1 < cols) y[cols + 1] = tinycc_bmm_out16(acc[3], mult, shift);
                }
            }
        }
    }
}
