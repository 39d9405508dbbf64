#pragma once

#include "common/progress.h"
#include "sim/scripted_expert.h"
#include "sim/tasks.h"

#include <cstdint>
#include <string>
#include <vector>

namespace grids::sim {

struct DatasetOptions
{
    std::vector<TaskFamily> tasks; // episodes are split evenly across these, in this order
    int episodes = 0;              // successful demonstrations to write, in all
    std::uint64_t seed = 0;
    std::string out;     // .hdf5 path (LIBERO layout)
    int threads = 0;     // 0: one per processor this process may use (usableCores)
    int compression = 4; // gzip level of camera datasets
    // > 0: DART. Executed actions get extra Gaussian noise of this size (action units) on the
    // three position dimensions; the recorded actions stay the expert's (RolloutOptions).
    double perturbation = 0;
    // The expert's slow-down distance (ScriptedExpert); kMaxStep reproduces the first expert.
    double expertSlowDown = ScriptedExpert::kSlowDownDistance;
};

struct DatasetReport
{
    int written = 0;
    int attempts = 0;       // expert episodes run (failures are not written)
    double wallSeconds = 0; // whole job
    // Summed over worker threads: physics, rendering, scene building; writing is the main thread's.
    double physicsSeconds = 0, renderSeconds = 0, resetSeconds = 0, writeSeconds = 0;
    std::int64_t frames = 0; // time steps written (each with both camera views)
};

// The seed of attempt `attempt` of task `task` in a dataset seeded with `seed`: episodes are
// reproducible one by one, whatever the number of threads.
std::uint64_t episodeSeed(std::uint64_t seed, TaskFamily task, int attempt);

// Generates scripted demonstrations and writes them as one LIBERO-layout file, each demo with its
// instruction (`language_instruction` attribute) and `success` = 1. Episodes run in parallel on
// `threads` threads; the file's content does not depend on the thread count. Failed expert
// episodes are skipped. On cancellation the episodes written so far are kept as a complete file
// and Error{Cancelled} is thrown.
DatasetReport makeDataset(const DatasetOptions &options, const Progress &progress = {});

} // namespace grids::sim
