#include "model/group_attention.h"

#include "common/vector_clones.h"

#include <ATen/ATen.h>
#include <torch/library.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace grids {
namespace {

// 16 floats: one head's channels in the project's heads; heads of other widths score 16 keys at a
// time in them.
constexpr int kLanes = 16;

// 16 floats as one value: GCC turns its arithmetic into whatever each clone has (one AVX-512
// register, two AVX2 ones, four SSE ones), so the loops below need no intrinsics.
typedef float Lanes __attribute__((vector_size(kLanes * sizeof(float))));
typedef std::int32_t IntLanes __attribute__((vector_size(kLanes * sizeof(std::int32_t))));

// A vector of floats (Lanes, QueryLanes) from memory and back, wherever it is aligned.
template <typename V> inline V load(const float *p)
{
    V v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

template <typename V> inline void store(float *p, V v)
{
    std::memcpy(p, &v, sizeof v);
}

// e^x for x <= 0, a vector at a time, in plain arithmetic: x = n·ln2 + r with |r| <= ln2/2, e^r
// from its Taylor series to r^7, 2^n put in the exponent bits. The relative error is below 1.1e-7
// (tried on every float from -87 to 0). Below -87 (e^-87 ≈ 1.6e-38, near the smallest normal
// float) the result stays at e^-87: such a weight next to the softmax's largest (e^0) is nothing.
template <typename V, typename IntV> inline V expNonPositive(V x)
{
    const V lowest = V{} - 87.0f;
    x = x < lowest ? lowest : x;
    const float shifter = 12582912.0f; // 1.5 · 2^23: adding it rounds to an integer
    const V n = (x * 1.44269504f + shifter) - shifter;
    const V r = (x - n * 0.693145752f) - n * 1.42860677e-6f; // ln 2 in two parts
    V p = r * (1.0f / 5040) + 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const IntV bits = (__builtin_convertvector(n, IntV) + 127) << 23;
    V twoToN;
    std::memcpy(&twoToN, &bits, sizeof twoToN);
    return p * twoToN;
}

// Eight queries side by side, one lane each: how the cross-attention of the project's heads
// scores a key against every query at once.
constexpr int kQueryLanes = 8;
typedef float QueryLanes __attribute__((vector_size(kQueryLanes * sizeof(float))));
typedef std::int32_t QueryIntLanes __attribute__((vector_size(kQueryLanes * sizeof(std::int32_t))));

struct Dims
{
    int Q, C, H, D, P;
    int layerOffset; // where the layer's keys start in a key row (its values follow after C)
};

// The buffers of one configuration's attention: T keys, padded to Tp (a multiple of kLanes).
// attendHeads uses the first three, attendHeads16 the last.
struct Scratch
{
    std::vector<float> keysT;     // [D][Tp]: the head's keys, one row per channel
    std::vector<float> scores;    // [Q][Tp]: scores, then weights
    std::vector<float> queries;   // [Q][D]: the head's queries
    std::vector<float> keyScores; // [T][8]: a key's scores, then weights, for 8 queries

    // Sized for configurations of T keys, for the path heads of d.D channels take.
    void prepare(const Dims &d, std::int64_t T, std::int64_t Tp)
    {
        if (d.D == kLanes) {
            keyScores.resize(std::size_t(T * kQueryLanes));
            return;
        }
        keysT.assign(std::size_t(d.D * Tp), 0.0f);
        scores.resize(std::size_t(d.Q * Tp));
        queries.resize(std::size_t(d.Q * d.D));
    }
};

// One configuration's attention: its queries [Q][C]; where each of its T keys' rows starts (the
// prefix's P, then its own), T padded to Tp; its output [Q][C] and its own keys' weights.
struct Configuration
{
    const float *queries;
    const float *const *keys;
    int T, Tp;
    float *out, *attention;
};

// One configuration, every head: out[Q][C] and each own key's weight summed over heads and
// queries added to attention[n]. `keys[t]` is the start of key t's row (the prefix's P, then the
// configuration's own). Heads of any width; attendHeads16 is the project's.
inline __attribute__((always_inline)) void
attendHeads(const Configuration &c, const Dims &d, float scale, Scratch &scratch)
{
    const float *queries = c.queries, *const *keys = c.keys;
    float *out = c.out, *attention = c.attention;
    const int Q = d.Q, D = d.D, T = c.T, Tp = c.Tp;
    float *keysT = scratch.keysT.data(), *scores = scratch.scores.data(),
          *q = scratch.queries.data();
    std::fill(out, out + std::size_t(Q) * std::size_t(d.C), 0.0f);
    for (int h = 0; h < d.H; ++h) {
        const int k0 = d.layerOffset + h * D, v0 = d.layerOffset + d.C + h * D;
        for (int i = 0; i < Q; ++i)
            std::copy(queries + std::size_t(i) * std::size_t(d.C) + std::size_t(h * D),
                      queries + std::size_t(i) * std::size_t(d.C) + std::size_t(h * D + D),
                      q + i * D);
        for (int t = 0; t < T; ++t) {
            const float *key = keys[t] + k0;
            for (int e = 0; e < D; ++e)
                keysT[std::size_t(e) * std::size_t(Tp) + std::size_t(t)] = key[e];
        }
        for (int i = 0; i < Q; ++i) {
            float *row = scores + std::size_t(i) * std::size_t(Tp);
            // scores = (q_i · k_t) · scale, 16 keys at a time; the padding's are the lowest float.
            for (int t0 = 0; t0 < Tp; t0 += kLanes) {
                Lanes sum{};
                for (int e = 0; e < D; ++e)
                    sum += q[i * D + e] *
                           load<Lanes>(keysT + std::size_t(e) * std::size_t(Tp) + std::size_t(t0));
                store(row + t0, sum * scale);
            }
            std::fill(row + T, row + Tp, -std::numeric_limits<float>::max());
            // Softmax over the T keys: the largest score, then e^(s - largest), normalised.
            Lanes largest = load<Lanes>(row);
            for (int t0 = kLanes; t0 < Tp; t0 += kLanes) {
                const Lanes s = load<Lanes>(row + t0);
                largest = s > largest ? s : largest;
            }
            float m = largest[0];
            for (int l = 1; l < kLanes; ++l)
                m = std::max(m, largest[l]);
            Lanes total{};
            for (int t0 = 0; t0 < Tp; t0 += kLanes) {
                Lanes w = expNonPositive<Lanes, IntLanes>(load<Lanes>(row + t0) - m);
                if (t0 + kLanes > T)
                    for (int l = T - t0; l < kLanes; ++l)
                        w[l] = 0;
                store(row + t0, w);
                total += w;
            }
            float sum = 0;
            for (int l = 0; l < kLanes; ++l)
                sum += total[l];
            const float inverse = 1.0f / sum;
            for (int t0 = 0; t0 < Tp; t0 += kLanes)
                store(row + t0, load<Lanes>(row + t0) * inverse);
            for (int t = d.P; t < T; ++t)
                attention[t - d.P] += row[t];
        }
        // out[i][h·D + e] = Σ_t weight[i][t] · v_t[e]
        for (int i = 0; i < Q; ++i) {
            const float *w = scores + std::size_t(i) * std::size_t(Tp);
            float *o = out + std::size_t(i) * std::size_t(d.C) + std::size_t(h * D);
            for (int t = 0; t < T; ++t)
                for (int e = 0; e < D; ++e)
                    o[e] += w[t] * keys[t][v0 + e];
        }
    }
}

// attendHeads for heads of 16 channels (the project's), with the same arithmetic in the same
// order, so the same numbers to the bit, but eight queries at a time in the lanes of a vector
// instead of 16 keys: each key's channels are read where the key is, not copied into a
// transposed buffer for every configuration and head first.
inline __attribute__((always_inline)) void
attendHeads16(const Configuration &c, const Dims &d, float scale, Scratch &scratch)
{
    constexpr int D = kLanes;
    const float *queries = c.queries, *const *keys = c.keys;
    float *out = c.out, *attention = c.attention;
    const int Q = d.Q, T = c.T;
    float *scores = scratch.keyScores.data(); // key t's at t · kQueryLanes
    for (int h = 0; h < d.H; ++h) {
        const int k0 = d.layerOffset + h * D, v0 = d.layerOffset + d.C + h * D;
        for (int i0 = 0; i0 < Q; i0 += kQueryLanes) {
            const int lanes = std::min(kQueryLanes, Q - i0);
            QueryLanes q[D] = {}; // q[e][j]: channel e of query i0 + j
            for (int j = 0; j < lanes; ++j)
                for (int e = 0; e < D; ++e)
                    q[e][j] =
                        queries[std::size_t(i0 + j) * std::size_t(d.C) + std::size_t(h * D + e)];
            // scores = (q · k_t) · scale, and each query's largest
            QueryLanes largest = QueryLanes{} - std::numeric_limits<float>::max();
            for (int t = 0; t < T; ++t) {
                const float *key = keys[t] + k0;
                QueryLanes sum{};
                for (int e = 0; e < D; ++e)
                    sum += key[e] * q[e];
                sum = sum * scale;
                store(scores + t * kQueryLanes, sum);
                largest = sum > largest ? sum : largest;
            }
            // e^(s − largest), summed as attendHeads sums them: key t into partial t mod 16,
            // then the partials in order.
            QueryLanes partial[kLanes] = {};
            for (int t = 0; t < T; ++t) {
                const QueryLanes w = expNonPositive<QueryLanes, QueryIntLanes>(
                    load<QueryLanes>(scores + t * kQueryLanes) - largest);
                store(scores + t * kQueryLanes, w);
                partial[t % kLanes] += w;
            }
            QueryLanes total{};
            for (int l = 0; l < kLanes; ++l)
                total += partial[l];
            const QueryLanes inverse = 1.0f / total;
            for (int t = 0; t < T; ++t)
                store(scores + t * kQueryLanes,
                      load<QueryLanes>(scores + t * kQueryLanes) * inverse);
            for (int t = d.P; t < T; ++t)
                for (int j = 0; j < lanes; ++j)
                    attention[t - d.P] += scores[t * kQueryLanes + j];
            // out[i][h·D + e] = Σ_t weight[i][t] · v_t[e], each query's sum in a register.
            for (int j = 0; j < lanes; ++j) {
                Lanes sum{};
                for (int t = 0; t < T; ++t)
                    sum += scores[t * kQueryLanes + j] * load<Lanes>(keys[t] + v0);
                store(out + std::size_t(i0 + j) * std::size_t(d.C) + std::size_t(h * D), sum);
            }
        }
    }
}

GRIDS_VECTOR_CLONES
void attendConfiguration(const Configuration &c, const Dims &d, float scale, Scratch &scratch)
{
    if (d.D == kLanes) // the project's heads: 64 channels in 4 heads
        attendHeads16(c, d, scale, scratch);
    else
        attendHeads(c, d, scale, scratch);
}

std::tuple<at::Tensor, std::vector<at::Tensor>> groupCrossAttention(const at::Tensor &queriesIn,
                                                                    const at::Tensor &prefixIn,
                                                                    at::TensorList rowBlocks,
                                                                    at::TensorList groups,
                                                                    std::int64_t layer,
                                                                    std::int64_t heads,
                                                                    double scale)
{
    TORCH_CHECK(queriesIn.dim() == 3 && prefixIn.dim() == 3,
                "group_cross_attention: queries [B, Q, C] and prefix [P, layers, 2C] expected");
    TORCH_CHECK(queriesIn.scalar_type() == at::kFloat && prefixIn.scalar_type() == at::kFloat &&
                    queriesIn.device().is_cpu() && prefixIn.device().is_cpu(),
                "group_cross_attention: float tensors on the CPU expected");
    const at::Tensor queries = queriesIn.contiguous(), prefix = prefixIn.contiguous();
    const std::int64_t B = queries.size(0), Q = queries.size(1), C = queries.size(2);
    const std::int64_t layers = prefix.size(1), P = prefix.size(0);
    TORCH_CHECK(heads > 0 && C % heads == 0, "group_cross_attention: ", C,
                " channels do not split into ", heads, " heads");
    TORCH_CHECK(prefix.size(2) == 2 * C,
                "group_cross_attention: the prefix must hold [layers, 2C] per row");
    TORCH_CHECK(layer >= 0 && layer < layers, "group_cross_attention: layer ", layer, " of ",
                layers);
    const std::int64_t stride = layers * 2 * C; // floats per key row
    // Where each row starts: the blocks' rows one after another, read where they are.
    std::vector<at::Tensor> blocks;
    std::vector<const float *> rowStart;
    for (const at::Tensor &block : rowBlocks) {
        TORCH_CHECK(block.dim() == 3 && block.size(1) == layers && block.size(2) == 2 * C &&
                        block.scalar_type() == at::kFloat && block.device().is_cpu(),
                    "group_cross_attention: each block of rows as a float [R, layers, 2C] tensor "
                    "on the CPU");
        blocks.push_back(block.contiguous());
        const float *first = blocks.back().data_ptr<float>();
        for (std::int64_t r = 0; r < block.size(0); ++r)
            rowStart.push_back(first + r * stride);
    }
    const std::int64_t R = std::int64_t(rowStart.size());
    std::int64_t configurations = 0;
    for (const at::Tensor &index : groups) {
        TORCH_CHECK(index.dim() == 2 && index.scalar_type() == at::kLong && index.device().is_cpu(),
                    "group_cross_attention: each group's rows as a [G, n] int64 tensor");
        configurations += index.size(0);
    }
    TORCH_CHECK(B == 1 || B == configurations, "group_cross_attention: ", B, " query sets for ",
                configurations, " configurations");

    const Dims dims{int(Q), int(C), int(heads), int(C / heads), int(P), int(layer * 2 * C)};
    at::Tensor out = at::empty({configurations, Q, C}, queries.options());
    std::vector<at::Tensor> attention;
    const float *q = queries.data_ptr<float>();
    const float *prefixRows = prefix.data_ptr<float>();
    std::vector<const float *> keys;
    Scratch scratch;
    std::int64_t k = 0;
    for (const at::Tensor &indexIn : groups) {
        const at::Tensor index = indexIn.contiguous();
        const std::int64_t G = index.size(0), n = index.size(1);
        const std::int64_t *rowOf = index.data_ptr<std::int64_t>();
        for (std::int64_t i = 0; i < G * n; ++i)
            TORCH_CHECK(rowOf[i] >= 0 && rowOf[i] < R, "group_cross_attention: row ", rowOf[i],
                        " of ", R);
        at::Tensor groupAttention = at::zeros({G, n}, queries.options());
        const std::int64_t T = P + n, Tp = (T + kLanes - 1) / kLanes * kLanes;
        TORCH_CHECK(T > 0, "group_cross_attention: no keys to attend to");
        keys.resize(std::size_t(T));
        scratch.prepare(dims, T, Tp);
        for (std::int64_t t = 0; t < P; ++t)
            keys[std::size_t(t)] = prefixRows + t * stride;
        for (std::int64_t g = 0; g < G; ++g, ++k) {
            for (std::int64_t j = 0; j < n; ++j)
                keys[std::size_t(P + j)] = rowStart[std::size_t(rowOf[g * n + j])];
            float *a = groupAttention.data_ptr<float>() + g * n;
            const Configuration configuration{q + (B == 1 ? 0 : k) * Q * C,
                                              keys.data(),
                                              int(T),
                                              int(Tp),
                                              out.data_ptr<float>() + k * Q * C,
                                              a};
            attendConfiguration(configuration, dims, float(scale), scratch);
            const float mean = 1.0f / float(heads * Q);
            for (std::int64_t j = 0; j < n; ++j)
                a[j] *= mean;
        }
        attention.push_back(groupAttention);
    }
    return {out, attention};
}

// The queries' self-attention of one configuration and head: queries, keys and values at
// q/k/v + i·rowStride (i < Q), D channels each, into out + i·outStride. kD: the channels per
// head when they are kLanes (0: D, any).
template <int kD>
inline __attribute__((always_inline)) void selfAttendHead(const float *q,
                                                          const float *k,
                                                          const float *v,
                                                          int Q,
                                                          int D,
                                                          int rowStride,
                                                          float scale,
                                                          float *weights,
                                                          float *out,
                                                          int outStride)
{
    for (int i = 0; i < Q; ++i) {
        float largest = -std::numeric_limits<float>::infinity();
        for (int j = 0; j < Q; ++j) {
            float dot = 0;
            if constexpr (kD == kLanes) {
                const Lanes products =
                    load<Lanes>(q + i * rowStride) * load<Lanes>(k + j * rowStride);
                for (int l = 0; l < kLanes; ++l)
                    dot += products[l];
            } else {
                for (int e = 0; e < D; ++e)
                    dot += q[i * rowStride + e] * k[j * rowStride + e];
            }
            weights[j] = dot * scale;
            largest = std::max(largest, weights[j]);
        }
        float total = 0;
        for (int j = 0; j < Q; ++j)
            total += weights[j] = std::exp(weights[j] - largest);
        const float inverse = 1.0f / total;
        float *o = out + i * outStride;
        if constexpr (kD == kLanes) {
            Lanes sum{};
            for (int j = 0; j < Q; ++j)
                sum += (weights[j] * inverse) * load<Lanes>(v + j * rowStride);
            store(o, sum);
        } else {
            std::fill(o, o + D, 0.0f);
            for (int j = 0; j < Q; ++j)
                for (int e = 0; e < D; ++e)
                    o[e] += weights[j] * inverse * v[j * rowStride + e];
        }
    }
}

// The queries' self-attention of every configuration: qkv [B, Q, 3C] (queries, keys, values,
// heads side by side) -> [B, Q, C]. A few queries per configuration, so plain loops over each
// configuration's own numbers; LibTorch's broadcast products and sums cost more in passes over
// memory than in arithmetic here.
GRIDS_VECTOR_CLONES
void selfAttendAll(const float *qkv, std::int64_t B, int Q, int C, int H, float scale, float *out)
{
    const int D = C / H;
    std::vector<float> weights(static_cast<std::size_t>(Q));
    for (std::int64_t b = 0; b < B; ++b)
        for (int h = 0; h < H; ++h) {
            const float *q = qkv + b * Q * 3 * C + h * D;
            float *o = out + b * Q * C + h * D;
            if (D == kLanes)
                selfAttendHead<kLanes>(q, q + C, q + 2 * C, Q, D, 3 * C, scale, weights.data(), o,
                                       C);
            else
                selfAttendHead<0>(q, q + C, q + 2 * C, Q, D, 3 * C, scale, weights.data(), o, C);
        }
}

at::Tensor groupSelfAttention(const at::Tensor &qkvIn, std::int64_t heads, double scale)
{
    TORCH_CHECK(qkvIn.dim() == 3 && qkvIn.size(2) % 3 == 0 && qkvIn.scalar_type() == at::kFloat &&
                    qkvIn.device().is_cpu(),
                "group_self_attention: a float [B, Q, 3C] tensor on the CPU expected");
    const at::Tensor qkv = qkvIn.contiguous();
    const std::int64_t B = qkv.size(0), Q = qkv.size(1), C = qkv.size(2) / 3;
    TORCH_CHECK(heads > 0 && C % heads == 0, "group_self_attention: ", C,
                " channels do not split into ", heads, " heads");
    at::Tensor out = at::empty({B, Q, C}, qkv.options());
    selfAttendAll(qkv.data_ptr<float>(), B, int(Q), int(C), int(heads), float(scale),
                  out.data_ptr<float>());
    return out;
}

} // namespace

const char *groupCrossAttentionOperator()
{
    return "grids::group_cross_attention";
}

} // namespace grids

TORCH_LIBRARY(grids, library)
{
    library.def("group_cross_attention(Tensor queries, Tensor prefix, Tensor[] rows, Tensor[] "
                "groups, int layer, "
                "int heads, float scale) -> (Tensor, Tensor[])",
                &grids::groupCrossAttention);
    library.def("group_self_attention(Tensor qkv, int heads, float scale) -> Tensor",
                &grids::groupSelfAttention);
}
