#pragma once

#include "common/error.h"
#include "common/progress.h"
#include "remote/remote_policy.h"

#include <atomic>
#include <chrono>
#include <string>

namespace CLI {
class App;
}

namespace grids::cli {

// Exit statuses of CLI.md.
enum ExitCode {
    kExitOk = 0,
    kExitOther = 1,
    kExitUsage = 2,
    kExitBadInput = 3,
    kExitInterrupted = 4,
};

// Set by SIGINT/SIGTERM; long jobs receive it as their cancellation flag.
std::atomic<bool> &interrupted();
void installInterruptHandler();

// Prints "error: <message>" as one line on stderr (newlines in the message become spaces).
void printError(const std::string &message);
// Prints a core error so; one about a setting names the flag that sets it ("--view-map: …").
void printError(const Error &error);

// Turns a core Progress into a progress bar on stderr when stderr is a terminal, plain progress
// lines (at most every few seconds) otherwise, and nothing with --quiet. Its cancellation flag is
// interrupted(), so SIGINT stops the job cleanly.
class ProgressPrinter
{
public:
    explicit ProgressPrinter(bool quiet);
    ~ProgressPrinter();
    const Progress &progress() const { return m_progress; }

private:
    void print(std::int64_t done, std::int64_t total, const std::string &what);

    bool m_quiet, m_terminal, m_drawn = false;
    std::chrono::steady_clock::time_point m_start, m_lastLine;
    Progress m_progress;
};

// Parses "A:B" (inclusive; either side may be empty for open ends, resolved against `length`) or
// a single frame "A". Throws Error{Usage} on malformed text.
struct FrameRange
{
    long long first = 0, last = 0;
};
FrameRange parseFrameRange(const std::string &text, long long length);

// Where a command's policy comes from: a checkpoint file (--checkpoint) or a policy server
// (--policy ws://HOST:PORT, with --policy-keys and --policy-timeout).
struct PolicySource
{
    std::string checkpoint, policy, keys;
    double timeoutSeconds = 30;
};
void addPolicySourceOptions(CLI::App &command, PolicySource &source);
// Throws Error{Usage} unless exactly one of --checkpoint and --policy is given.
std::unique_ptr<Policy> openPolicySource(const PolicySource &source, const std::string &device);

// --view-map FROM=TO,…: which dataset camera feeds which checkpoint view, where names differ
// (parsed by parseViewRenames when the command runs).
void addViewMapOption(CLI::App &command, std::string &text);

} // namespace grids::cli
