/* TFLite_Detection_PostProcess (TF Lite Micro's custom operator): SSD box decoding and non-maximum
 * suppression in float32 (core/ops/detection_postprocess.py states the arithmetic). No heap: the work
 * buffers are carved from `scratch` (planned in the arena) in the order and sizes of the core op's
 * _scratch_layout: floats decoded[4n], work[n], kept_scores[n], cand_scores[m+n], sorted_scores[m];
 * int32 kept[n], order[n], selected[n], cand_ids[m+n], cand_order[m+n], tmp[max(m+n, c)], and for fast NMS
 * class_order[n*k], class_idx[c]; bytes active[n] (n boxes, m max_detections, c classes, k categories).
 * cfg: boxes, stride, columns, num_classes, label_offset, max_detections, categories,
 * detections_per_class, regular, outputs. fcfg: score threshold, IoU threshold, y/x/h/w scales.
 * Returns 1 (outputs untouched) when a decoded box is empty, as TFLM fails the invoke; else 0. */

/* Stable sort of idx[0..n) by decreasing v[idx[.]] (bottom-up merge; ties keep their order). */
static void tinycc_detpp_sort(const float *v, int32_t *idx, int32_t *tmp, int32_t n) {
    long width, lo, k;
    for (width = 1; width < n; width *= 2) {
        for (lo = 0; lo < n; lo += 2 * width) {
            const long mid = lo + width < n ? lo + width : n;
            const long hi = lo + 2 * width < n ? lo + 2 * width : n;
            long l = lo, r = mid;
            for (k = lo; k < hi; ++k)
                tmp[k] = (l < mid && (r >= hi || !(v[idx[r]] > v[idx[l]]))) ? idx[l++] : idx[r++];
        }
        for (k = 0; k < n; ++k) idx[k] = tmp[k];
    }
}

static float tinycc_detpp_max(float a, float b) { return a < b ? b : a; }   /* std::max<float> */
static float tinycc_detpp_min(float a, float b) { return b < a ? b : a; }   /* std::min<float> */

static float tinycc_detpp_iou(const float *boxes, int32_t i, int32_t j) {
    const float *p = boxes + 4 * (long)i, *q = boxes + 4 * (long)j;
    const float area_i = (p[2] - p[0]) * (p[3] - p[1]);
    const float area_j = (q[2] - q[0]) * (q[3] - q[1]);
    float ih, iw, inter;
    if (area_i <= 0.0f || area_j <= 0.0f) return 0.0f;
    ih = tinycc_detpp_max(tinycc_detpp_min(p[2], q[2]) - tinycc_detpp_max(p[0], q[0]), 0.0f);
    iw = tinycc_detpp_max(tinycc_detpp_min(p[3], q[3]) - tinycc_detpp_max(p[1], q[1]), 0.0f);
    inter = ih * iw;
    return inter / (area_i + area_j - inter);
}

typedef struct {
    float *decoded, *work, *kept_scores, *cand_scores, *sorted_scores;
    int32_t *kept, *order, *selected, *cand_ids, *cand_order, *tmp, *class_order, *class_idx;
    unsigned char *active;
} tinycc_detpp_buffers;

/* NMS of one class over scores[0..n): the kept boxes, best first, in b->selected; returns their count. */
static int32_t tinycc_detpp_nms(const tinycc_detpp_buffers *b, const float *scores, int32_t n, int32_t limit,
                                float threshold, float iou_threshold) {
    int32_t kept = 0, i, j, count = 0, active = 0, out_size;
    for (i = 0; i < n; ++i)
        if (scores[i] >= threshold) {
            b->kept_scores[kept] = scores[i];
            b->kept[kept++] = i;
        }
    for (i = 0; i < kept; ++i) b->order[i] = i;
    tinycc_detpp_sort(b->kept_scores, b->order, b->tmp, kept);
    out_size = kept < limit ? kept : limit;
    for (i = 0; i < kept; ++i) b->active[i] = 1;
    active = kept;
    for (i = 0; i < kept; ++i) {
        if (active == 0 || count >= out_size) break;
        if (!b->active[i]) continue;
        b->selected[count++] = b->kept[b->order[i]];
        b->active[i] = 0;
        --active;
        for (j = i + 1; j < kept; ++j)
            if (b->active[j] && tinycc_detpp_iou(b->decoded, b->kept[b->order[i]], b->kept[b->order[j]]) >
                                    iou_threshold) {
                b->active[j] = 0;
                --active;
            }
    }
    return count;
}

static void tinycc_detpp_write(float *out_boxes, float *out_classes, float *out_scores, int32_t slot,
                               const float *box, float cls, float score) {
    int32_t k;
    for (k = 0; k < 4; ++k) out_boxes[4 * (long)slot + k] = box[k];
    out_classes[slot] = cls;
    out_scores[slot] = score;
}

static int tinycc_detection_postprocess(const int32_t *cfg, const float *fcfg, const float *encodings,
                                        const float *predictions, const float *anchors, float *out_boxes,
                                        float *out_classes, float *out_scores, float *num_detections,
                                        void *scratch) {
    const int32_t n = cfg[0], stride = cfg[1], columns = cfg[2], classes = cfg[3], offset = cfg[4];
    const int32_t md = cfg[5], cats = cfg[6], per_class = cfg[7], regular = cfg[8], outputs = cfg[9];
    const long cand = (long)md + n;
    tinycc_detpp_buffers b;
    float *f = (float *)scratch;
    int32_t *q;
    int32_t i, col, count = 0;
    b.decoded = f; f += 4 * (long)n;
    b.work = f; f += n;
    b.kept_scores = f; f += n;
    b.cand_scores = f; f += cand;
    b.sorted_scores = f; f += md;
    q = (int32_t *)(void *)f;
    b.kept = q; q += n;
    b.order = q; q += n;
    b.selected = q; q += n;
    b.cand_ids = q; q += cand;
    b.cand_order = q; q += cand;
    b.tmp = q; q += cand > classes ? cand : classes;
    b.class_order = q; q += regular ? 0 : (long)n * cats;
    b.class_idx = q; q += regular ? 0 : classes;
    b.active = (unsigned char *)(void *)q;

    for (i = 0; i < n; ++i) {      /* TFLM's DecodeCenterSizeBoxes: center and half size in double */
        const float *e = encodings + (long)i * stride, *a = anchors + 4 * (long)i;
        const float yc = (float)((double)e[0] / (double)fcfg[2] * (double)a[2] + (double)a[0]);
        const float xc = (float)((double)e[1] / (double)fcfg[3] * (double)a[3] + (double)a[1]);
        const float hh = (float)(0.5 * exp((double)e[2] / (double)fcfg[4]) * (double)a[2]);
        const float hw = (float)(0.5 * exp((double)e[3] / (double)fcfg[5]) * (double)a[3]);
        float *d = b.decoded + 4 * (long)i;
        d[0] = yc - hh;
        d[1] = xc - hw;
        d[2] = yc + hh;
        d[3] = xc + hw;
    }
    for (i = 0; i < n; ++i) {
        const float *d = b.decoded + 4 * (long)i;
        if (d[0] >= d[2] || d[1] >= d[3]) return 1;
    }
    for (i = 0; i < outputs; ++i) {
        static const float zero[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        tinycc_detpp_write(out_boxes, out_classes, out_scores, i, zero, 0.0f, 0.0f);
    }
    if (regular) {
        int32_t size = 0;
        for (col = 0; col < classes; ++col) {
            int32_t kept, total, top;
            for (i = 0; i < n; ++i) b.work[i] = predictions[(long)i * columns + col + offset];
            kept = tinycc_detpp_nms(&b, b.work, n, per_class, fcfg[0], fcfg[1]);
            total = size + kept;
            for (i = 0; i < kept; ++i) {
                b.cand_ids[size + i] = b.selected[i] * classes + col;
                b.cand_scores[size + i] = b.work[b.selected[i]];
            }
            for (i = 0; i < total; ++i) b.cand_order[i] = i;
            tinycc_detpp_sort(b.cand_scores, b.cand_order, b.tmp, total);
            top = total < md ? total : md;
            for (i = 0; i < top; ++i) {          /* the best `top`, in order, back to the front */
                b.tmp[i] = b.cand_ids[b.cand_order[i]];
                b.sorted_scores[i] = b.cand_scores[b.cand_order[i]];
            }
            for (i = 0; i < top; ++i) {
                b.cand_ids[i] = b.tmp[i];
                b.cand_scores[i] = b.sorted_scores[i];
            }
            size = top;
        }
        for (i = 0; i < size; ++i) {
            const int32_t anchor = b.cand_ids[i] / classes;
            tinycc_detpp_write(out_boxes, out_classes, out_scores, i, b.decoded + 4 * (long)anchor,
                               (float)(b.cand_ids[i] - anchor * classes), b.cand_scores[i]);
        }
        count = size;
    } else {
        for (i = 0; i < n; ++i) {
            const float *s = predictions + (long)i * columns + offset;
            for (col = 0; col < classes; ++col) b.class_idx[col] = col;
            tinycc_detpp_sort(s, b.class_idx, b.tmp, classes);
            for (col = 0; col < cats; ++col) b.class_order[(long)i * cats + col] = b.class_idx[col];
            b.work[i] = s[b.class_idx[0]];
        }
        {
            const int32_t kept = tinycc_detpp_nms(&b, b.work, n, md, fcfg[0], fcfg[1]);
            for (i = 0; i < kept; ++i) {
                const int32_t anchor = b.selected[i];
                const float *s = predictions + (long)anchor * columns + offset;
                for (col = 0; col < cats; ++col) {
                    const int32_t c = b.class_order[(long)anchor * cats + col];
                    tinycc_detpp_write(out_boxes, out_classes, out_scores, cats * count + col,
                                       b.decoded + 4 * (long)anchor, (float)c, s[c]);
                    ++count;
                }
            }
        }
    }
    num_detections[0] = (float)count;
    return 0;
}
