#pragma once

#include <atomic>
#include <string>

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

// Parses "A:B" (inclusive; either side may be empty for open ends, resolved against `length`) or
// a single frame "A". Throws Error{Usage} on malformed text.
struct FrameRange
{
    long long first = 0, last = 0;
};
FrameRange parseFrameRange(const std::string &text, long long length);

} // namespace grids::cli
