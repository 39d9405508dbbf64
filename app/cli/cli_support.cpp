#include "cli_support.h"

#include "common/error.h"

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>

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

namespace {
// The flag that sets a core setting (Error::setting()), or empty for one no flag sets. Core names
// settings, the CLI its flags: this is the one table between the two.
std::string flagForSetting(const std::string &setting)
{
    static const std::map<std::string, std::string> flags = {
        {"batch", "--batch"},
        {"data", "--data"},
        {"device", "--device"},
        {"every", "--every"},
        {"kind", "--kind"},
        {"look_weight", "--look-weight"},
        {"object_weight", "--object-weight"},
        {"out", "--out"},
        {"policy_keys", "--policy-keys"},
        {"sampler", "--sampler"},
        {"shard", "--shard"},
        {"steps", "--steps"},
        {"view_map", "--view-map"},
    };
    const auto it = flags.find(setting);
    return it == flags.end() ? std::string() : it->second;
}
} // namespace

void printError(const Error &error)
{
    const std::string flag = flagForSetting(error.setting());
    printError(flag.empty() ? std::string(error.what()) : flag + ": " + error.detail());
}

namespace {
std::string duration(double seconds)
{
    const int s = int(seconds + 0.5);
    char text[32];
    if (s >= 3600)
        std::snprintf(text, sizeof text, "%dh%02dm", s / 3600, s / 60 % 60);
    else
        std::snprintf(text, sizeof text, "%dm%02ds", s / 60, s % 60);
    return text;
}
} // namespace

ProgressPrinter::ProgressPrinter(bool quiet)
    : m_quiet(quiet)
    , m_terminal(::isatty(STDERR_FILENO) == 1)
    , m_start(std::chrono::steady_clock::now())
    , m_lastLine(m_start)
{
    m_progress.cancel = &interrupted();
    m_progress.report = [this](std::int64_t done, std::int64_t total, const std::string &what) {
        print(done, total, what);
    };
}

ProgressPrinter::~ProgressPrinter()
{
    if (m_drawn)
        std::cerr << std::endl;
}

void ProgressPrinter::print(std::int64_t done, std::int64_t total, const std::string &what)
{
    if (m_quiet || total <= 0)
        return;
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - m_start).count();
    const double fraction = double(done) / double(total);
    const std::string eta =
        done > 0 && done < total ? " ETA " + duration(elapsed / fraction - elapsed) : "";
    if (m_terminal) {
        constexpr int kWidth = 30;
        const int filled = int(fraction * kWidth);
        std::cerr << "\r[" << std::string(std::size_t(filled), '#')
                  << std::string(std::size_t(kWidth - filled), '.') << "] " << done << "/" << total
                  << " " << what << eta << "\033[K" << std::flush;
        m_drawn = true;
        return;
    }
    // Plain lines for logs: the first, the last, and one every few seconds in between.
    if (done != total && done != 1 && now - m_lastLine < std::chrono::seconds(5))
        return;
    m_lastLine = now;
    std::cerr << "progress: " << done << "/" << total << " " << what << " (" << duration(elapsed)
              << " elapsed" << eta << ")" << std::endl;
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

void addViewMapOption(CLI::App &command, std::string &text)
{
    command.add_option("--view-map", text,
                       "dataset view = checkpoint view, comma-separated, for cameras named otherwise "
                       "(e.g. observation.images.image=agentview_rgb)");
}

void addPolicySourceOptions(CLI::App &command, PolicySource &source)
{
    command.add_option("--checkpoint", source.checkpoint, "checkpoint .pt");
    command.add_option("--policy", source.policy,
                       "a policy server instead of a checkpoint: ws://HOST:PORT (openpi's protocol)");
    command.add_option("--policy-keys", source.keys,
                       "observation keys the server expects: VIEW=KEY,…,state=KEY,prompt=KEY (default: "
                       "openpi's LIBERO keys)");
    command.add_option("--policy-timeout", source.timeoutSeconds,
                       "seconds to wait for the server's connection and each reply (default 30)");
}

std::unique_ptr<Policy> openPolicySource(const PolicySource &source, const std::string &device)
{
    if (source.checkpoint.empty() == source.policy.empty())
        throw usageError("give either --checkpoint C.pt or --policy ws://HOST:PORT");
    if (!source.policy.empty()) { // connecting refuses anything but ws://HOST:PORT by name
        RemotePolicyOptions options;
        options.keys = source.keys;
        options.timeoutSeconds = source.timeoutSeconds;
        return connectPolicyServer(source.policy, options);
    }
    return Policy::load(source.checkpoint, device);
}

} // namespace grids::cli
