#include "cli_support.h"

#include "common/error.h"

#include <csignal>
#include <iostream>

namespace grids::cli {

std::atomic<bool> &interrupted()
{
    static std::atomic<bool> flag{false};
    return flag;
}

namespace {
extern "C" void onInterrupt(int)
{
    interrupted().store(true);
}
} // namespace

void installInterruptHandler()
{
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
}

void printError(const std::string &message)
{
    std::string line = message;
    for (char &c : line)
        if (c == '\n' || c == '\r')
            c = ' ';
    std::cerr << "error: " << line << std::endl;
}

FrameRange parseFrameRange(const std::string &text, long long length)
{
    auto parse = [&](const std::string &part, long long fallback) -> long long {
        if (part.empty())
            return fallback;
        std::size_t used = 0;
        long long value = 0;
        try {
            value = std::stoll(part, &used);
        } catch (const std::exception &) {
            used = 0;
        }
        if (used != part.size())
            throw usageError("frames '" + text + "': '" + part + "' is not a frame number");
        return value < 0 ? length + value : value; // negative counts from the end, as in Python
    };
    const auto colon = text.find(':');
    FrameRange range;
    if (colon == std::string::npos) {
        range.first = range.last = parse(text, 0);
    } else {
        range.first = parse(text.substr(0, colon), 0);
        range.last = parse(text.substr(colon + 1), length - 1);
    }
    if (range.first < 0 || range.last < range.first || range.last >= length)
        throw usageError("frames '" + text + "' outside the episode's 0.." +
                         std::to_string(length - 1) + " (or end before start)");
    return range;
}

} // namespace grids::cli
