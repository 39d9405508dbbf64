#pragma once

// Helpers of the Policy (policy.cpp) that need LibTorch: one-line messages for what a
// checkpoint's TorchScript did wrong, the methods earlier checkpoints get at load, the checks of
// what a head can be asked, and the per-frame encoder cache. Internal to core/model.

#include "model/checkpoint_info.h"

#include <torch/script.h>

#include <cstddef>
#include <list>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace grids::policy_support {

// The first line that says something (LibTorch's messages often start with a blank line).
std::string firstLine(const std::string &text);

// What to tell a user whose checkpoint needs an operator this LibTorch lacks (one from a newer
// PyTorch, typically fused attention): the operator, the method that uses it, and the way out;
// empty when `message` is about something else.
std::string unsupportedOperator(const std::string &path, const std::string &message);

// Unpacks a method's (Tensor, Tensor) result, naming the method when it returns something else.
std::pair<at::Tensor, at::Tensor>
tensorPair(const c10::IValue &value, const std::string &method, const std::string &path);

// A float tensor of `shape` over `values`, which it takes over: no copy.
at::Tensor tensorOwning(std::vector<float> &&values, at::IntArrayRef shape);

// Throws Error{BadInput} naming `what` when `tensor` is not of `shape`.
void expectShape(const at::Tensor &tensor,
                 const std::vector<std::int64_t> &shape,
                 const std::string &what,
                 const std::string &path);

// Earlier checkpoints of the project's architecture get the methods added since (text_relevance,
// visual_keys, act_from_keys) when they load, and every checkpoint of it the Policy's own
// act_from_key_groups and visual_keys_with_relevance; any other checkpoint is left as it is (a
// compile error means it is not that architecture).
void defineArchitectureMethods(torch::jit::Module &module);

// Whether `act` on a batch of two (rows of `n` tokens) gives each row what it gives that row
// alone (a traced head may have fixed its batch at 1): then configurations of one length can
// share a call.
bool headTakesABatch(torch::jit::Module &module,
                     const CheckpointInfo &info,
                     torch::Device device,
                     std::int64_t n);

// Whether act_from_keys(visual_keys(…)) gives, on such a batch, what act gives.
bool headRunsFromKeys(torch::jit::Module &module,
                      const CheckpointInfo &info,
                      torch::Device device,
                      std::int64_t n);

// Whether visual_keys_with_relevance (text_relevance.h) gives, on such a batch, what
// visual_keys and text_relevance give: then a sweep that needs both runs one call.
bool keysComeWithRelevance(torch::jit::Module &module,
                           const CheckpointInfo &info,
                           torch::Device device,
                           std::int64_t n);

// Whether act_from_key_groups (head_keys.h) gives each configuration of two groups of keys
// what act_from_keys gives it alone: then a frame's configurations share one decode call.
bool headDecodesKeyGroups(torch::jit::Module &module,
                          const CheckpointInfo &info,
                          torch::Device device,
                          std::int64_t n);

// Encoder outputs by frame, least recently used evicted first, bounded in bytes.
class FeatureCache
{
public:
    explicit FeatureCache(std::size_t capacityBytes)
        : m_capacity(capacityBytes)
    {}

    const at::Tensor *find(const std::string &key)
    {
        const auto it = m_index.find(key);
        if (it == m_index.end())
            return nullptr;
        m_order.splice(m_order.begin(), m_order, it->second);
        return &it->second->second;
    }

    void insert(const std::string &key, const at::Tensor &features)
    {
        const std::size_t bytes = std::size_t(features.numel()) * features.element_size();
        if (bytes > m_capacity)
            return;
        m_order.emplace_front(key, features);
        m_index[key] = m_order.begin();
        m_bytes += bytes;
        while (m_bytes > m_capacity) {
            const auto &last = m_order.back();
            m_bytes -= std::size_t(last.second.numel()) * last.second.element_size();
            m_index.erase(last.first);
            m_order.pop_back();
        }
    }

    std::size_t size() const { return m_order.size(); }

private:
    std::size_t m_capacity, m_bytes = 0;
    std::list<std::pair<std::string, at::Tensor>> m_order;
    std::unordered_map<std::string, std::list<std::pair<std::string, at::Tensor>>::iterator>
        m_index;
};

} // namespace grids::policy_support
