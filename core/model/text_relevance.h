#pragma once

// The TorchScript of the checkpoint method `text_relevance` for the project's architecture
// (core/train/architecture.cpp), which SparseVLM scores cells with: for every visual token and
// every instruction word, the logit with which that token attends to that word in the head's
// binding layer (the mean over heads of q·k·scale, the layer's own projections), as the head
// computes it. Words past the sentence's end (padding) are -inf: they rate nothing.
//
// Checkpoints the project trained before the method existed have every parameter it reads; the
// Policy defines it on them when they load (torch::jit::Module::define), so they need no
// re-export.

namespace grids {

inline constexpr const char *kTextRelevanceSource = R"JIT(
def text_relevance(self, tokens: Tensor, coords: Tensor, views: Tensor, instruction: List[str]) -> Tensor:
    C = self.token_dim
    H = self.heads
    D = C // H
    text = self.instruction_tokens(instruction)
    summary = self.linear(text.mean(1), self.ht_w, self.ht_b).unsqueeze(1)
    visual = tokens + self.linear(coords, self.hc_w, self.hc_b) + torch.embedding(self.view_embed, views) + summary
    h = torch.layer_norm(visual, [C], self.bind_ln_w, self.bind_ln_b, 1e-5, False)
    words = torch.layer_norm(text, [C], self.bind_text_ln_w, self.bind_text_ln_b, 1e-5, False)
    k = self.linear(words, self.bind_kv_w, self.bind_kv_b)[:, :, :C]
    q = self.linear(h, self.bind_q_w, self.bind_q_b)
    B = q.size(0)
    qh = q.reshape(B, q.size(1), H, D).transpose(1, 2)
    kh = k.reshape(B, k.size(1), H, D).transpose(1, 2)
    attention = torch.softmax(torch.matmul(qh, kh.transpose(-2, -1)) * self.attn_scale, -1).mean(1)
    logits = torch.log(attention + 1e-12)
    for b in range(len(instruction)):
        n = len(instruction[b].lower().split())
        if n < self.text_len:
            logits[b, :, n:] = float("-inf")
    return logits
)JIT";

// The Policy's own visual_keys_with_relevance (tokens, coords, views, instruction) ->
// (visual_keys's keys, text_relevance's logits): for a sweep that needs both over the dense cells
// (SparseVLM beside dense or a ranking method), whose work up to the binding layer's attention
// is the same. Defined on checkpoints of the project's architecture that have both methods, and
// used only where a probe at load shows it gives what each of them gives.
inline constexpr const char *kVisualKeysWithRelevanceSource = R"JIT(
def visual_keys_with_relevance(self, tokens: Tensor, coords: Tensor, views: Tensor, instruction: List[str]) -> Tuple[Tensor, Tensor]:
    C = self.token_dim
    text = self.instruction_tokens(instruction)
    summary = self.linear(text.mean(1), self.ht_w, self.ht_b).unsqueeze(1)
    visual = tokens + self.linear(coords, self.hc_w, self.hc_b) + torch.embedding(self.view_embed, views) + summary
    bound = torch.layer_norm(visual, [C], self.bind_ln_w, self.bind_ln_b, 1e-5, False)
    kv = self.linear(torch.layer_norm(text, [C], self.bind_text_ln_w, self.bind_text_ln_b, 1e-5, False), self.bind_kv_w, self.bind_kv_b)
    o, attention = self.attend(self.linear(bound, self.bind_q_w, self.bind_q_b), kv[:, :, :C], kv[:, :, C:])
    marked, marks = self.mark_objects(visual + self.linear(o, self.bind_o_w, self.bind_o_b))
    logits = torch.log(attention.mean(1) + 1e-12)
    for b in range(len(instruction)):
        words = len(instruction[b].lower().split())
        if words < self.text_len:
            logits[b, :, words:] = float("-inf")
    return self.layer_keys(marked), logits
)JIT";

} // namespace grids
