/* In-place CONV_2D / DEPTHWISE_CONV_2D (int8, batch 1): the output takes over the input's storage.
 * Output rows are computed into a ring of `ring` rows and copied over the shared buffer once no
 * output row still to compute reads an input row under them; rows go bottom-up when `backward`.
 * The kernels (tinycc_conv_2d_s8[_fast]_inplace in conv_2d.h, tinycc_depthwise_conv_2d_s8[_fast]_inplace
 * in depthwise_conv_2d.h) compute each row with the out-of-place kernels' own row routines and
 * drive the ring with these helpers; core/inplace.py simulates the same schedule to size the ring.
 * Rows are copied with tinycc_copy_bytes (copy.h). */

#ifndef TINYCC_RING_DIM   /* a layer shape field: uint16_t when every shape value of the model fits (emitter.py) */
#if defined(TINYCC_DIM16) && TINYCC_DIM16
#define TINYCC_RING_DIM uint16_t
#else
#define TINYCC_RING_DIM int
#endif
#endif
typedef struct {
    TINYCC_RING_DIM h, oh, kh, sh, dh, pad_t, rbi, rbo, ring, backward;   /* rbi, rbo: input / output row bytes */
} tinycc_ring_shape;

static inline int tinycc_ring_start(const tinycc_ring_shape *r) {
    return r->backward ? r->oh - 1 : 0;
}

/* the output row computed at `step` */
static inline int tinycc_ring_row(const tinycc_ring_shape *r, int step) {
    return r->backward ? r->oh - 1 - step : step;
}

static inline int8_t *tinycc_ring_slot(const tinycc_ring_shape *r, int8_t *ring, int oy) {
    return ring + (long)(oy % r->ring) * r->rbo;
}

static inline int tinycc_ring_lo(const tinycc_ring_shape *r, int oy) {
    const int v = oy * r->sh - r->pad_t;
    return v < 0 ? 0 : v;
}

static inline int tinycc_ring_hi(const tinycc_ring_shape *r, int oy) {
    const int v = oy * r->sh - r->pad_t + (r->kh - 1) * r->dh;
    return v > r->h - 1 ? r->h - 1 : v;
}

/* Row oy (computed at `step`) is in the ring: copy the oldest ring rows over `buf` while no output
 * row still to compute reads the input rows under them (all of them after the last row). */
static inline void tinycc_ring_flush(const tinycc_ring_shape *r, int8_t *buf, const int8_t *ring, int step, int oy,
                                     int *first, int *count) {
    const long rbi = r->rbi, rbo = r->rbo;
    long need_lo = 0, need_hi = -1;
    ++*count;
    if (step != r->oh - 1) {
        need_lo = r->backward ? tinycc_ring_lo(r, 0) : tinycc_ring_lo(r, oy + 1);
        need_hi = r->backward ? tinycc_ring_hi(r, oy - 1) : tinycc_ring_hi(r, r->oh - 1);
    }
    while (*count > 0) {
        const long q = *first;
        if (step != r->oh - 1 && q * rbo / rbi <= need_hi && ((q + 1) * rbo - 1) / rbi >= need_lo) break;
        tinycc_copy_bytes(buf + q * rbo, ring + (q % r->ring) * rbo, rbo);
        --*count;
        *first += r->backward ? -1 : 1;
    }
}
