#pragma once

#include "common/progress.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace grids::train {

struct TrainOptions
{
    std::vector<std::string> data; // LIBERO-layout files
    std::string kind = "grids";    // "grids" or "dense"
    int budget = 16;               // GridS: the budget trained for (non-nested)
    int nestedMax = 0;             // GridS: > 0 trains nested budgets up to this K_max
    std::string sampler = "learned"; // GridS: learned, or the controls fixed, pooled, marks
    bool instructionConditioned = false;
    bool instructionBinding = true;   // visual tokens attend to the instruction's words
    bool encoderContext = false;      // a self-attention block over each view's cells
    std::vector<int> maskedStateDims; // state dimensions the head does not see
    int steps = 1000;
    int batch = 32;
    double learningRate = 3e-4;
    double weightDecay = 1e-4;
    int warmup = 100;
    bool augment = true; // random shifts of up to 4 px
    // > 0: frames where the expert's action changes weigh more (1 + w · mean |a_t − a_{t−1}|),
    // against a policy that learns to continue its own motion and never when to start or turn.
    double keyframeWeight = 0;
    // > 0: an auxiliary L1 loss, weighted so, on where the instruction's objects are (the data's
    // obs/target_pos and obs/reference_pos, normalised), read out of the action queries: the
    // queries must find the named objects in the images, not only continue the motion.
    double objectWeight = 0;
    // GridS, with objectWeight: > 0 pulls the nearest of each view's points towards the target
    // and the reference (weighted so against the action loss).
    double lookWeight = 0;
    std::uint64_t seed = 0;
    int tokenDim = 64, layers = 3, heads = 4, horizon = 8;
    std::string out;    // checkpoint to write
    std::string resume; // checkpoint to continue from (architecture and statistics from it)
    std::string name;   // grids.json "name" (default: the output's file name)
    int saveEvery = 0;  // > 0: also write the checkpoint every this many steps (long runs)
    // Training holds every frame in memory; more than this (bytes; 0: what the system has
    // available now) is refused before anything is loaded.
    std::int64_t memoryLimit = 0;
};

struct TrainReport
{
    int episodes = 0;
    std::int64_t frames = 0;
    int stepsDone = 0;
    double finalLoss = 0;   // mean L1 (normalised units) of the last 5 % of steps
    double initialLoss = 0; // mean of the first 5 %
    // The object readout's L1 (normalised units), first and last 5 % (--object-weight only).
    double initialObjectLoss = 0, finalObjectLoss = 0;
    double secondsPerStep = 0;
    std::vector<std::pair<int, double>> curve; // (step, loss), at most ~200 points
    std::vector<double> learningRates;         // per curve point
    // The trained module's action chunk (T×A, dataset units) for the first training frame at
    // the default budget, computed before saving: reloading the file must give the same.
    std::vector<float> probeAction;
    std::string checkpointSha256;
};

// Trains the project's architecture on demonstrations: normalisation statistics from the data,
// image augmentation, L1 loss on the action chunk, AdamW with linear warm-up and cosine decay,
// seeded; nested budgets draw K ∈ [1, K_max] each step (log-uniform). Writes the contract
// checkpoint (temp file + rename). On cancellation the weights so far are saved and
// Error{Cancelled} is thrown.
TrainReport trainPolicy(const TrainOptions &options, const Progress &progress = {});

} // namespace grids::train
