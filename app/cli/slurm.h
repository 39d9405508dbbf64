#pragma once

// `grids sweep|eval … --slurm`: the same command as a Slurm job array (docs/CLUSTER.md). Task i
// of N runs this invocation with `--shard i/N` into its own shard workspace beside the user's
// (DB.slurm/shard-i-of-N.sqlite) and marks it finished (shard-i-of-N.done) when the command
// exits 0. The submitting command waits with progress (or returns at once with --no-wait), then
// merges the shard workspaces into DB. Running the same command again waits for a job still in
// the queue, or resubmits only the tasks that did not finish, and merges when all have.

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace grids::cli {

struct SlurmOptions
{
    bool enabled = false;
    std::string partition;
    int arraySize = 4;
    std::vector<std::string> sbatchArgs; // passed to sbatch as they are
    bool noWait = false;
    double pollSeconds = 2.0;
};

// --slurm, --partition, --array-size, --sbatch-arg, --no-wait.
void addSlurmOptions(CLI::App &command, SlurmOptions &options);

// Keeps the process's arguments, from which each task's command line is made.
void rememberInvocation(int argc, char **argv);

// Runs the remembered invocation (a sweep or eval writing to `db`) on Slurm as above. Throws
// Error{Usage} for a missing Slurm, Error{Other} naming the tasks that failed and their logs.
void runOnSlurm(const std::string &db, const SlurmOptions &options);

} // namespace grids::cli
