#pragma once

// The cross-attention of a sweep's configurations, one operator for all of them:
//
//   grids::group_cross_attention(queries [B, Q, C], prefix [P, layers, 2C],
//                                rows List[[R_j, layers, 2C]], groups List[[G_i, n_i] row indices],
//                                layer, heads, scale)
//     -> (out [sum G_i, Q, C], attention List[[G_i, n_i]])
//
// The rows come in blocks (the frame's dense cells' keys, every merged or sampled token's), read
// where they are; a row index counts through the blocks in order, as if they were one tensor.
// Configuration k of the groups (in order) attends with queries[k] (or queries[0] for all where
// B is 1) over the shared prefix's keys and its own rows' keys of `layer` under one softmax per
// head and query: out is the heads' outputs side by side, attention each own key's weight averaged
// over heads and queries. A key row holds, per layer, the keys then the values, heads side by
// side (the layout of visual_keys). act_from_key_groups (head_keys.h) calls it once per layer.
//
// Why not LibTorch's batched products: a configuration's attention is 8 queries over a few dozen
// keys of 16 numbers per head, and a sweep's frame has about 33 configurations × 4 heads × 3
// layers of them. LibTorch runs one small matrix product per configuration and head, with
// gathers and copies around them, and that costs more than the arithmetic; here each
// configuration's keys are read where they are, once.
//
//   grids::group_self_attention(qkv [B, Q, 3C], heads, scale) -> [B, Q, C]
//
// is the queries' self-attention of every configuration (queries, keys and values side by side,
// as the head's qkv projection gives them), for the same reason.

namespace grids {

// The cross-attention operator's name, registered with LibTorch's dispatcher when this library is
// linked in (the Policy asks for it before defining act_from_key_groups, which keeps the
// registration linked).
const char *groupCrossAttentionOperator();

} // namespace grids
