#pragma once

#include "episodes/episode.h"
#include "model/checkpoint_info.h"
#include "model/frame_result.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace grids {

// A loaded, validated contract checkpoint. Loading runs the checkpoint's TorchScript code (a
// probe call of every method with the documented shapes), so a module that breaks the contract is
// refused at load with a message that names what is wrong.
//
// Encoder outputs are cached per frame (LRU, bounded memory): re-running the same frame with
// another method or budget re-runs only selection and head. Not thread-safe: one thread at a time.
// One configuration of a selection: a method and its tokens per view (ignored by dense).
struct MethodBudget
{
    std::string method;
    int budget = 0;
};

class Policy
{
public:
    // device: "cpu" (default, all cores) or "cuda". Throws Error{BadInput} for a file that is not
    // a contract checkpoint, Error{Usage} for "cuda" where LibTorch has no CUDA device.
    static std::unique_ptr<Policy> load(const std::string &path,
                                        const std::string &device = "cpu",
                                        std::size_t cacheBytes = 256u << 20);
    virtual ~Policy() = default;

    virtual const CheckpointInfo &info() const = 0;

    // Runs one frame. `method` is one of METHODS.md's selectors (selectors::methodNames()):
    // "grids" is a GridS checkpoint's own sampler, the others select from the dense tokens.
    // `budget` is tokens per view (ignored by dense). `cacheKey` identifies the frame's pixels
    // (file hash + episode + frame index); empty disables caching. Throws Error{Usage} for a
    // method the checkpoint cannot run (see notApplicable) or a budget out of range.
    virtual FrameResult run(const Frame &frame,
                            const std::vector<ViewInfo> &frameViews,
                            const std::string &method,
                            int budget,
                            const std::string &cacheKey = {}) = 0;

    // Runs several configurations on one frame, each as run() would (up to float rounding), in
    // `configs`' order: the encoder once, and the head once per group of configurations that
    // keep as many tokens, as one batch, where the checkpoint's head takes a batch. Each result
    // is charged its share of the shared head call.
    virtual std::vector<FrameResult> runMany(const Frame &frame,
                                             const std::vector<ViewInfo> &frameViews,
                                             const std::vector<MethodBudget> &configs,
                                             const std::string &cacheKey = {});

    virtual std::size_t cachedFrames() const = 0;
    virtual std::size_t encoderCalls() const = 0; // encoder forward passes so far
    virtual std::size_t headCalls() const = 0;    // head (act) calls so far, probes excepted
    // Calls of one of a local checkpoint's methods so far, load's own included (0 for a policy
    // server): which of them a sweep ran.
    virtual std::size_t methodCalls(const std::string &method) const
    {
        (void)method;
        return 0;
    }
};

// Why `method` cannot run on this checkpoint (grids on a dense checkpoint, sparsevlm without
// `embed_instruction`, an unknown name), or empty when it can. Sweeps record such a pair as not
// applicable rather than as a number.
std::string notApplicable(const CheckpointInfo &info, const std::string &method);

// True when this build's LibTorch can run on a CUDA device here.
bool cudaAvailable();

// How many threads inference uses: one per processor this process may run on (usableCores:
// under taskset or a Slurm allocation of 2 processors, 2, not the machine's 64), or nothing where
// OMP_NUM_THREADS is set, which LibTorch then follows. Policy::load applies it once per process.
std::optional<int> inferenceThreads();

} // namespace grids
