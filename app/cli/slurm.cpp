#include "slurm.h"

#include "cli_support.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "store/workspace.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <set>
#include <sstream>
#include <thread>

namespace grids::cli {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> &invocation()
{
    static std::vector<std::string> arguments;
    return arguments;
}

// One argument for /bin/sh: single-quoted, each ' as '\''.
std::string quoted(const std::string &argument)
{
    std::string out = "'";
    for (char c : argument)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

struct CommandOutput
{
    int status = -1;
    std::string text; // stdout and stderr
};

CommandOutput runShell(const std::string &command)
{
    CommandOutput out;
    FILE *pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (!pipe)
        throw Error(Error::Kind::Other, "cannot run " + command);
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe))
        out.text.append(buffer, n);
    const int status = ::pclose(pipe);
    out.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
}

std::string firstLineOf(const std::string &text)
{
    const auto end = text.find('\n');
    return text.substr(0, end);
}

// This invocation's arguments without the Slurm options and without --db and --shard, which
// each task gets its own of.
std::vector<std::string> taskArguments()
{
    static const std::set<std::string> withValue = {"--partition", "--array-size", "--sbatch-arg",
                                                    "--db", "--shard"};
    static const std::set<std::string> flags = {"--slurm", "--no-wait"};
    const auto &all = invocation();
    std::vector<std::string> kept;
    for (std::size_t i = 1; i < all.size(); ++i) {
        const std::string &a = all[i];
        const std::string name = a.substr(0, a.find('='));
        if (flags.count(a))
            continue;
        if (withValue.count(name)) {
            if (name == a)
                ++i; // "--db X": skip X too
            continue;
        }
        kept.push_back(a);
    }
    return kept;
}

std::string executable()
{
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (ec)
        throw Error(Error::Kind::Other, "cannot find this program's own path (/proc/self/exe)");
    return self.string();
}

// The job's folder beside the workspace, and what is in it.
struct JobFolder
{
    fs::path dir;
    int tasks = 0;

    std::string stem(int i) const
    {
        return "shard-" + std::to_string(i) + "-of-" + std::to_string(tasks);
    }
    fs::path shardDb(int i) const { return dir / (stem(i) + ".sqlite"); }
    fs::path doneMark(int i) const { return dir / (stem(i) + ".done"); }
    fs::path log(int i) const { return dir / ("task-" + std::to_string(i) + ".log"); }
    fs::path script() const { return dir / "job.sh"; }
    fs::path record() const { return dir / "job.json"; }
    fs::path command() const { return dir / "command.txt"; }
    bool finished(int i) const { return fs::exists(doneMark(i)); }
};

std::string readText(const fs::path &path)
{
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// The tasks of `job` that Slurm still runs or will (pending, running, completing, …).
std::set<int> activeTasks(const std::string &job)
{
    const CommandOutput out = runShell("squeue -h -r -j " + quoted(job) + " -o '%K %T'");
    std::set<int> active;
    if (out.status == 127)
        throw usageError("squeue not found: --slurm needs Slurm's client commands (sbatch, "
                         "squeue) on PATH");
    if (out.status != 0) // a job Slurm no longer knows has nothing active
        return active;
    std::istringstream lines(out.text);
    std::string task, state;
    while (lines >> task >> state)
        if (state != "COMPLETED" && state != "FAILED" && state != "CANCELLED" &&
            state != "TIMEOUT" && state != "OUT_OF_MEMORY" && state != "NODE_FAIL")
            active.insert(std::atoi(task.c_str()));
    return active;
}

std::string submit(const JobFolder &folder, const std::vector<int> &tasks, const SlurmOptions &o)
{
    std::string array;
    for (int i : tasks)
        array += (array.empty() ? "" : ",") + std::to_string(i);
    std::string command = "sbatch --parsable --array=" + array +
                          " --output=" + quoted((folder.dir / "task-%a.log").string());
    if (!o.partition.empty())
        command += " --partition=" + quoted(o.partition);
    for (const auto &arg : o.sbatchArgs)
        command += " " + quoted(arg);
    command += " " + quoted(folder.script().string());
    const CommandOutput out = runShell(command);
    if (out.status == 127)
        throw usageError("sbatch not found: --slurm needs Slurm's client commands (sbatch, "
                         "squeue) on PATH");
    if (out.status != 0)
        throw Error(Error::Kind::Other, "sbatch refused the job: " + firstLineOf(out.text));
    std::string job = firstLineOf(out.text);
    job = job.substr(0, job.find(';')); // "id;cluster" on federated setups
    if (job.empty() || job.find_first_not_of("0123456789") != std::string::npos)
        throw Error(Error::Kind::Other, "sbatch printed no job id: " + firstLineOf(out.text));
    writeFileAtomically(folder.record().string(),
                        nlohmann::json({{"job", job}, {"tasks", tasks}}).dump() + "\n");
    return job;
}

void writeScript(const JobFolder &folder, const std::vector<std::string> &arguments)
{
    std::string line = quoted(executable());
    for (const auto &a : arguments)
        line += " " + quoted(a);
    const std::string n = std::to_string(folder.tasks);
    const bool isQuiet = std::find(arguments.begin(), arguments.end(), "--quiet") != arguments.end();
    const std::string quiet = isQuiet ? "" : " --quiet";
    const std::string stem = quoted((folder.dir / "shard-").string()) + "\"$i\"" +
                             quoted("-of-" + n);
    std::string script = "#!/bin/bash\n"
                         "# Written by grids --slurm: task i of " +
                         n +
                         " runs the command on shard i/" + n +
                         " and marks it finished.\n"
                         "set -euo pipefail\n"
                         "i=$SLURM_ARRAY_TASK_ID\n"
                         "cd " +
                         quoted(fs::current_path().string()) + "\n" + line + " --shard \"$i/" + n +
                         "\" --db " + stem + ".sqlite" + quiet + "\n" + "touch " + stem + ".done\n";
    writeFileAtomically(folder.script().string(), script);
    fs::permissions(folder.script(), fs::perms::owner_all, fs::perm_options::add);
}

// "task 2 (DIR/task-2.log)", "tasks 1 (…), 3 (…)" for those of `tasks` without their mark; empty
// when all finished.
std::string describeUnfinished(const JobFolder &folder, const std::vector<int> &tasks)
{
    std::string which;
    int count = 0;
    for (int i : tasks)
        if (!folder.finished(i)) {
            which += (which.empty() ? "" : ", ") + std::to_string(i) + " (" +
                     folder.log(i).string() + ")";
            ++count;
        }
    return count == 0 ? std::string() : (count > 1 ? "tasks " : "task ") + which;
}

// Waits until no task of `job` is active, with progress over `tasks`.
void waitFor(const std::string &job, const std::vector<int> &tasks, const SlurmOptions &o)
{
    ProgressPrinter printer(false);
    for (;;) {
        const std::set<int> active = activeTasks(job);
        int ended = 0;
        for (int i : tasks)
            ended += active.count(i) ? 0 : 1;
        printer.progress()(ended, std::int64_t(tasks.size()),
                           "slurm job " + job + ": " + std::to_string(ended) + " of " +
                               std::to_string(tasks.size()) + " tasks ended");
        if (active.empty())
            return;
        if (interrupted().load())
            throw Error(Error::Kind::Cancelled,
                        "stopped waiting; slurm job " + job +
                            " goes on: run the same command again to wait for it and merge");
        std::this_thread::sleep_for(std::chrono::duration<double>(o.pollSeconds));
    }
}

} // namespace

void addSlurmOptions(CLI::App &command, SlurmOptions &o)
{
    command.add_flag("--slurm", o.enabled,
                     "run as a Slurm job array of --array-size tasks (each a shard into "
                     "DB.slurm/), wait, and merge into --db; run again to resubmit failed tasks");
    command.add_option("--partition", o.partition, "--slurm: the partition to submit to");
    command.add_option("--array-size", o.arraySize, "--slurm: number of tasks (default 4)")
        ->check(CLI::Range(1, 10000));
    command.add_option("--sbatch-arg", o.sbatchArgs,
                       "--slurm: one more sbatch argument, as it is (repeatable), e.g. "
                       "--sbatch-arg=--time=01:00:00")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    command.add_flag("--no-wait", o.noWait, "--slurm: submit and return; run again to merge");
}

void rememberInvocation(int argc, char **argv)
{
    invocation().assign(argv, argv + argc);
}

void runOnSlurm(const std::string &db, const SlurmOptions &o)
{
    if (db.empty())
        throw settingError("slurm", "needs --db: the workspace the shards are merged into");
    for (const auto &a : invocation())
        if (a == "--shard" || a.rfind("--shard=", 0) == 0)
            throw settingError("slurm", "makes its own shards; leave out --shard");
    JobFolder folder{fs::path(db + ".slurm"), o.arraySize};
    std::error_code ec;
    fs::create_directories(folder.dir, ec);
    if (ec)
        throw badInput(folder.dir.string() + ": cannot create the job folder (" + ec.message() + ")");

    // The folder belongs to one command and one number of tasks.
    const std::vector<std::string> arguments = taskArguments();
    std::string identity = "tasks " + std::to_string(o.arraySize) + "\n";
    for (const auto &a : arguments)
        identity += a + "\n";
    if (fs::exists(folder.command())) {
        if (readText(folder.command()) != identity)
            throw usageError(folder.dir.string() +
                             " holds the shards of another command or number of tasks "
                             "(see its command.txt): remove it, or use another --db");
    } else {
        writeFileAtomically(folder.command().string(), identity);
    }

    // A job from an earlier call that is still queued or running is waited for, not repeated.
    std::string job;
    std::vector<int> tasks;
    bool submitted = false;
    if (fs::exists(folder.record())) {
        const auto record = nlohmann::json::parse(readText(folder.record()), nullptr, false);
        if (record.is_object() && record.contains("job") && record.contains("tasks")) {
            const std::string earlier = record["job"].get<std::string>();
            const auto earlierTasks = record["tasks"].get<std::vector<int>>();
            if (!activeTasks(earlier).empty()) {
                job = earlier;
                tasks = earlierTasks;
                std::fprintf(stderr, "slurm job %s is still in the queue: waiting for it\n",
                             job.c_str());
            } else {
                const std::string unfinished = describeUnfinished(folder, earlierTasks);
                if (!unfinished.empty())
                    std::fprintf(stderr, "slurm job %s: %s did not finish; resubmitting\n",
                                 earlier.c_str(), unfinished.c_str());
            }
        }
    }
    if (job.empty()) {
        for (int i = 0; i < o.arraySize; ++i)
            if (!folder.finished(i))
                tasks.push_back(i);
        if (!tasks.empty()) {
            writeScript(folder, arguments);
            job = submit(folder, tasks, o);
            submitted = true;
            std::fprintf(stderr, "submitted slurm job %s: %zu of %d tasks\n", job.c_str(),
                         tasks.size(), o.arraySize);
        }
    }
    if (!job.empty()) {
        if (o.noWait) {
            std::printf("slurm job %s %s; run the same command again to wait for it and merge "
                        "its shards into %s\n",
                        job.c_str(), submitted ? "submitted" : "is still in the queue", db.c_str());
            return;
        }
        waitFor(job, tasks, o);
    }

    std::vector<int> all(std::size_t(o.arraySize));
    std::iota(all.begin(), all.end(), 0);
    if (const std::string unfinished = describeUnfinished(folder, all); !unfinished.empty())
        throw Error(Error::Kind::Other,
                    "slurm job " + job + ": " + unfinished +
                        " did not finish; run the same command again to resubmit");
    Workspace workspace(db);
    int runs = 0;
    for (int i = 0; i < o.arraySize; ++i)
        runs += workspace.mergeRunsFrom(folder.shardDb(i).string());
    std::printf("merged %d runs from %d shards into %s\n", runs, o.arraySize, db.c_str());
}

} // namespace grids::cli
