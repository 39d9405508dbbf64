#pragma once

// The TorchScript of the project's action head (core/train/architecture.cpp) in the two halves a
// sweep needs apart. The head's context is never updated: each visual token's keys and values in
// every layer depend on that token alone (and the instruction), so a sweep computes them once for
// the frame's dense cells, and a method that keeps cells as they are takes their rows instead of
// running the per-token work again; only the action queries' attention runs per configuration.
//
//   visual_keys(tokens, coords, views, instruction) -> [B, N, layers, 2C]
//   act_from_keys(visual_keys [B, n, layers, 2C], instruction, state) -> (actions, attention)
//
// act(tokens, …) is act_from_keys(visual_keys(tokens, …), …) in checkpoints made since; the
// Policy defines these methods on the project's earlier checkpoints when they load (they hold
// every parameter read here), and uses them only after checking that they reproduce `act`.
//
//   act_from_key_groups(rows List[[R_j, layers, 2C]], groups, instruction, state)
//     -> (actions, attention per group)
//
// is the Policy's own (below): a frame's configurations of every length in one call, defined on
// every checkpoint of the architecture and used only where it reproduces act_from_keys.

namespace grids {

// Each visual token with where it is, which camera, the instruction's summary, its binding to
// the words and its object marks, token by token.
inline constexpr const char *kVisualContextSource = R"JIT(
def visual_context(self, tokens: Tensor, coords: Tensor, views: Tensor, text: Tensor) -> Tuple[Tensor, Tensor]:
    summary = self.linear(text.mean(1), self.ht_w, self.ht_b).unsqueeze(1)
    visual = tokens + self.linear(coords, self.hc_w, self.hc_b) + torch.embedding(self.view_embed, views) + summary
    visual = self.bind_instruction(visual, text)
    return self.mark_objects(visual)
)JIT";

inline constexpr const char *kHeadKeysSource = R"JIT(
def layer_keys(self, context: Tensor) -> Tensor:
    keys: List[Tensor] = []
    for l in range(self.layers):
        h = torch.layer_norm(context, [self.token_dim], self.lnc_w[l], self.lnc_b[l], 1e-5, False)
        keys.append(self.linear(h, self.xkv_w[l], self.xkv_b[l]))
    return torch.stack(keys, 2)

def cross_block(self, q: Tensor, kv: Tensor, l: int) -> Tuple[Tensor, Tensor]:
    C = self.token_dim
    h = torch.layer_norm(q, [C], self.ln1_w[l], self.ln1_b[l], 1e-5, False)
    qkv = self.linear(h, self.wqkv[l], self.bqkv[l])
    o, _ = self.attend(qkv[:, :, :C], qkv[:, :, C:2 * C], qkv[:, :, 2 * C:])
    q = q + self.linear(o, self.wo[l], self.bo[l])
    hq = torch.layer_norm(q, [C], self.ln2_w[l], self.ln2_b[l], 1e-5, False)
    o, attn = self.attend(self.linear(hq, self.xq_w[l], self.xq_b[l]), kv[:, :, :C], kv[:, :, C:])
    q = q + self.linear(o, self.xo_w[l], self.xo_b[l])
    h3 = torch.layer_norm(q, [C], self.ln3_w[l], self.ln3_b[l], 1e-5, False)
    q = q + self.linear(torch.relu(self.linear(h3, self.w1[l], self.b1[l])), self.w2[l], self.b2[l])
    return q, attn

def decode_keys(self, visual_keys: Tensor, text: Tensor, state: Tensor) -> Tuple[Tensor, Tensor]:
    B = visual_keys.size(0)
    N = visual_keys.size(1)
    s = (state - self.state_mean) / self.state_std * self.state_mask
    state_token = self.linear(s, self.hs_w, self.hs_b).unsqueeze(1)
    keys = torch.cat([self.layer_keys(torch.cat([text, state_token], 1)), visual_keys], 1)
    q = self.queries.unsqueeze(0).repeat(B, 1, 1) + state_token
    attn = torch.zeros([1])
    for l in range(self.layers):
        q, attn = self.cross_block(q, keys[:, :, l], l)
    out = torch.layer_norm(q, [self.token_dim], self.out_ln_w, self.out_ln_b, 1e-5, False)
    first = self.text_len + 1
    weights = attn[:, :, :, first:first + N].mean([1, 2])
    weights = weights / weights.sum(1, True)
    return out, weights

def visual_keys(self, tokens: Tensor, coords: Tensor, views: Tensor, instruction: List[str]) -> Tensor:
    visual, marks = self.visual_context(tokens, coords, views, self.instruction_tokens(instruction))
    return self.layer_keys(visual)

def act_from_keys(self, visual_keys: Tensor, instruction: List[str], state: Tensor) -> Tuple[Tensor, Tensor]:
    out, weights = self.decode_keys(visual_keys, self.instruction_tokens(instruction), state)
    return self.linear(out, self.out_w, self.out_b) * self.action_std + self.action_mean, weights
)JIT";

// A sweep's configurations of one frame decoded in one call. `rows` holds visual keys in blocks
// [R_j, layers, 2C] (the frame's dense cells', every merged or sampled token's), and `groups`
// one [G_i, n_i] tensor per length: the rows each configuration keeps, in order, counted through
// the blocks one after another. What the configurations share is computed once: the
// instruction's and state's keys, and the first layer's self-attention of the queries (they are
// the same for every configuration until they first look at the visual tokens). Each layer's cross-attention is one call of
// grids::group_cross_attention (group_attention.h), which reads each configuration's keys where
// they are and scores the shared prefix and them under one softmax. The queries'
// self-attention (a few queries per configuration) is grids::group_self_attention, for the same
// reason: a matrix product per configuration and head costs more in calls than in arithmetic.
// Returns the actions of every configuration in the groups' order [sum G_i, T, A] and each
// group's attention over its visual tokens [G_i, n_i] (as act_from_keys's).
inline constexpr const char *kDecodeKeyGroupsSource = R"JIT(
def act_from_key_groups(self, rows: List[Tensor], groups: List[Tensor], instruction: List[str], state: Tensor) -> Tuple[Tensor, List[Tensor]]:
    C = self.token_dim
    H = self.heads
    text = self.instruction_tokens(instruction)
    s = (state - self.state_mean) / self.state_std * self.state_mask
    state_token = self.linear(s, self.hs_w, self.hs_b).unsqueeze(1)
    prefix = self.layer_keys(torch.cat([text, state_token], 1))[0]
    q = self.queries.unsqueeze(0) + state_token
    attention: List[Tensor] = []
    for l in range(self.layers):
        h = torch.layer_norm(q, [C], self.ln1_w[l], self.ln1_b[l], 1e-5, False)
        qkv = self.linear(h, self.wqkv[l], self.bqkv[l])
        q = q + self.linear(grids.group_self_attention(qkv, H, self.attn_scale), self.wo[l], self.bo[l])
        hq = torch.layer_norm(q, [C], self.ln2_w[l], self.ln2_b[l], 1e-5, False)
        o, attention = grids.group_cross_attention(self.linear(hq, self.xq_w[l], self.xq_b[l]), prefix, rows, groups, l, H, self.attn_scale)
        q = q + self.linear(o, self.xo_w[l], self.xo_b[l])
        h3 = torch.layer_norm(q, [C], self.ln3_w[l], self.ln3_b[l], 1e-5, False)
        q = q + self.linear(torch.relu(self.linear(h3, self.w1[l], self.b1[l])), self.w2[l], self.b2[l])
    out = torch.layer_norm(q, [C], self.out_ln_w, self.out_ln_b, 1e-5, False)
    actions = self.linear(out, self.out_w, self.out_b) * self.action_std + self.action_mean
    weights: List[Tensor] = []
    for a in attention:
        weights.append(a / a.sum(1, True))
    return actions, weights
)JIT";

} // namespace grids
