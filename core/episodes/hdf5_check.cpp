#include "episodes/hdf5_check.h"

#include "common/error.h"
#include "episodes/libero_hdf5_reader.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace grids {
namespace {

namespace fs = std::filesystem;

constexpr const char *kHelperName = "grids-hdf5-check";

int checkSeconds()
{
    if (const char *text = std::getenv("GRIDS_HDF5_CHECK_SECONDS")) {
        const int seconds = std::atoi(text);
        if (seconds > 0)
            return seconds;
    }
    return 60;
}

bool isExecutable(const fs::path &path)
{
    std::error_code ec;
    return fs::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

// What one helper run reported: a line per file it finished ("ok", or "refused<TAB>reason"), and
// how it ended; `timedOut` when it was killed for taking too long over one file.
struct HelperRun
{
    std::vector<std::string> lines;
    int status = 0;
    bool timedOut = false;
};

// Runs the helper on paths[first..], allowing it `seconds` per file. posix_spawn, not fork: this
// process may have other threads (the GUI's workers), and a forked copy of their locks could
// deadlock. False where it could not start.
bool runHelper(const std::string &helper,
               const std::vector<std::string> &paths,
               std::size_t first,
               int seconds,
               HelperRun &run)
{
    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0)
        return false;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipeFds[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    std::vector<char *> argv{const_cast<char *>(helper.c_str())};
    for (std::size_t i = first; i < paths.size(); ++i)
        argv.push_back(const_cast<char *>(paths[i].c_str()));
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, helper.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipeFds[1]);
    if (spawned != 0) {
        ::close(pipeFds[0]);
        return false;
    }
    // Each file gets the whole allowance: the clock restarts with every line.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    const auto msLeft = [&] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   deadline - std::chrono::steady_clock::now())
            .count();
    };
    std::string pending;
    bool open = true;
    while (open && msLeft() > 0) {
        pollfd fd{pipeFds[0], POLLIN, 0};
        if (::poll(&fd, 1, int(std::min<long long>(msLeft(), 1000))) <= 0)
            continue; // a slice of the wait ended, or a signal: check the deadline again
        char buffer[4096];
        const ssize_t got = ::read(pipeFds[0], buffer, sizeof buffer);
        if (got <= 0) {
            open = got < 0 && errno == EINTR;
            continue;
        }
        pending.append(buffer, std::size_t(got));
        for (std::size_t end; (end = pending.find('\n')) != std::string::npos;) {
            run.lines.push_back(pending.substr(0, end));
            pending.erase(0, end + 1);
            deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
        }
    }
    ::close(pipeFds[0]);
    // Its output is closed (it ended, as a rule) or the time is up.
    while (true) {
        const pid_t done = ::waitpid(pid, &run.status, WNOHANG);
        if (done == pid)
            return true;
        if (done < 0 && errno != EINTR)
            return false;
        if (msLeft() <= 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &run.status, 0);
            run.timedOut = true;
            return true;
        }
        ::usleep(2000);
    }
}

// Why the helper, allowed `seconds` per file, stopped at `path` without a line for it.
std::string failureOf(const std::string &path, int seconds, const HelperRun &run)
{
    if (run.timedOut)
        return path + ": the HDF5 library did not finish reading this file in " +
               std::to_string(seconds) +
               " s (damaged? HDF5 files are first read in a separate process, which was stopped)";
    if (WIFSIGNALED(run.status))
        return path + ": the HDF5 library crashed reading this file (" +
               strsignal(WTERMSIG(run.status)) +
               " in the separate process that reads HDF5 files first): the file is damaged, and "
               "Debian 12's HDF5 1.10 cannot read it safely";
    return path + ": reading this HDF5 file failed in a separate process (exit status " +
           std::to_string(WIFEXITED(run.status) ? WEXITSTATUS(run.status) : -1) + ")";
}

} // namespace

std::string hdf5CheckHelperPath()
{
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec && isExecutable(self.parent_path() / kHelperName))
        return (self.parent_path() / kHelperName).string();
#ifdef GRIDS_HDF5_CHECK_BUILD_PATH
    if (isExecutable(GRIDS_HDF5_CHECK_BUILD_PATH))
        return GRIDS_HDF5_CHECK_BUILD_PATH;
#endif
    return {};
}

std::vector<std::string> checkHdf5FilesInHelper(const std::vector<std::string> &paths)
{
    std::vector<std::string> refusals(paths.size());
    const std::string helper = hdf5CheckHelperPath();
    if (helper.empty())
        return refusals; // no helper here: the files are read in this process, as they always were
    const std::string refused = "refused\t";
    const int seconds = checkSeconds();
    for (std::size_t next = 0; next < paths.size();) {
        HelperRun run;
        if (!runHelper(helper, paths, next, seconds, run))
            return refusals; // it could not start: the same
        for (const std::string &line : run.lines) {
            if (next == paths.size())
                break;
            if (line.compare(0, refused.size(), refused) == 0)
                refusals[next] = line.substr(refused.size());
            ++next;
        }
        if (next < paths.size()) // it stopped at this file
            refusals[next] = failureOf(paths[next], seconds, run), ++next;
    }
    return refusals;
}

void checkHdf5InHelper(const std::string &path)
{
    const std::string refusal = checkHdf5FilesInHelper({path}).front();
    if (!refusal.empty())
        throw badInput(refusal);
}

void readLiberoHdf5Structure(const std::string &path)
{
    const auto file = openLiberoHdf5(path);
    const auto &episodes = file->episodes();
    for (std::size_t e = 0; e < episodes.size(); ++e) {
        if (episodes[e].length <= 0)
            continue;
        file->frame(e, 0);
        file->frame(e, episodes[e].length - 1);
        file->actions(e);
    }
}

} // namespace grids
