#include "sim/dataset_generation.h"

#include "common/error.h"
#include "common/random.h"
#include "common/system_cores.h"
#include "episodes/libero_hdf5_writer.h"
#include "sim/rollout.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace grids::sim {
namespace {

using Clock = std::chrono::steady_clock;

// Gives up on a task whose expert fails this many times in a row: a bug, not bad luck.
constexpr int kMaxConsecutiveFailures = 40;

// Hands out (task, attempt) jobs to worker threads and collects their results so that the main
// thread can consume attempts strictly in order.
class JobBoard
{
public:
    explicit JobBoard(int window)
        : m_window(window)
    {}

    void startTask(TaskFamily task)
    {
        std::lock_guard lock(m_mutex);
        m_task = task;
        m_active = true;
        m_nextAttempt = 0;
        m_consumed = 0;
        m_results.clear();
        ++m_generation;
        m_changed.notify_all();
    }

    void stopTask()
    {
        std::lock_guard lock(m_mutex);
        m_active = false;
        ++m_generation;
        m_results.clear();
        m_changed.notify_all();
    }

    void shutdown()
    {
        std::lock_guard lock(m_mutex);
        m_shutdown = true;
        m_changed.notify_all();
    }

    // Worker side: the next job, or false at shutdown.
    bool claim(TaskFamily &task, int &attempt, int &generation)
    {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [&] {
            return m_shutdown || (m_active && m_nextAttempt < m_consumed + m_window);
        });
        if (m_shutdown)
            return false;
        task = m_task;
        attempt = m_nextAttempt++;
        generation = m_generation;
        return true;
    }

    void deliver(int generation, int attempt, std::optional<DemoRecord> result)
    {
        std::lock_guard lock(m_mutex);
        if (generation != m_generation)
            return; // a task that is already complete
        m_results[attempt] = std::move(result);
        m_changed.notify_all();
    }

    // Main side: the result of `attempt` (nullopt inside = the expert failed), waiting for it.
    std::optional<DemoRecord> take(int attempt)
    {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [&] { return m_shutdown || m_results.count(attempt) > 0; });
        if (!m_results.count(attempt))
            throw Error(Error::Kind::Other, "simulator workers stopped");
        auto result = std::move(m_results[attempt]);
        m_results.erase(attempt);
        m_consumed = attempt + 1;
        m_changed.notify_all();
        return result;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    TaskFamily m_task = TaskFamily::PickPlace;
    bool m_active = false, m_shutdown = false;
    int m_nextAttempt = 0, m_consumed = 0, m_generation = 0, m_window;
    std::map<int, std::optional<DemoRecord>> m_results;
};

struct WorkerTimes
{
    double physics = 0, render = 0, reset = 0;
    std::string error;
};

void work(JobBoard &board, const DatasetOptions &dataset, WorkerTimes &times)
{
    try {
        TabletopEnv env;
        TaskFamily task;
        int attempt = 0, generation = 0;
        while (board.claim(task, attempt, generation)) {
            const TaskLayout layout = sampleLayout(task, episodeSeed(dataset.seed, task, attempt));
            const double perturbation = dataset.perturbation;
            RolloutOptions options;
            options.record = true;
            if (perturbation > 0) {
                // Seeded per episode, so episodes stay reproducible whatever the thread count.
                auto random = std::make_shared<Random>(layout.seed ^ 0xDA27ull);
                options.perturbExecuted = [random, perturbation](const Action &action) {
                    Action executed = action;
                    for (std::size_t i = 0; i < 3; ++i)
                        executed[i] = float(std::clamp(
                            double(action[i]) + perturbation * random->normal(), -1.0, 1.0));
                    return executed;
                };
            }
            RolloutResult result = runRollout(
                env, layout,
                expertPolicy(env, layout, layout.seed ^ 0x5EEDull, dataset.expertSlowDown),
                options);
            board.deliver(generation, attempt,
                          result.success ? std::move(result.episode) : std::nullopt);
        }
        times.physics = env.physicsSeconds();
        times.render = env.renderSeconds();
        times.reset = env.resetSeconds();
    } catch (const std::exception &e) {
        times.error = e.what();
        board.shutdown();
    }
}

} // namespace

std::uint64_t episodeSeed(std::uint64_t seed, TaskFamily task, int attempt)
{
    Random mix(seed ^ (std::uint64_t(task) + 1) * 0xA24BAED4963EE407ull);
    for (int i = 0; i <= attempt % 7; ++i)
        mix.next();
    return mix.next() + std::uint64_t(attempt);
}

DatasetReport makeDataset(const DatasetOptions &options, const Progress &progress)
{
    if (options.tasks.empty() || options.episodes < 1)
        throw usageError("make-dataset needs at least one task and one episode");
    const auto start = Clock::now();
    const int threads = options.threads > 0 ? options.threads : usableCores();
    DatasetReport report;

    LiberoFileAttributes attributes;
    attributes.problemName = "grids_tabletop";
    attributes.envArgs =
        R"({"env_name": "grids_tabletop", "control_freq": 20, "camera_size": 128})";
    attributes.bddlFileName = "grids/tabletop.bddl";
    attributes.compressionLevel = options.compression;
    if (options.tasks.size() == 1) // one task per file, as LIBERO has it
        attributes.problemName = "grids_tabletop_" + taskName(options.tasks.front());
    LiberoHdf5Writer writer(options.out, attributes);

    JobBoard board(2 * threads);
    std::vector<WorkerTimes> times(static_cast<std::size_t>(threads));
    std::vector<std::thread> workers;
    for (int i = 0; i < threads; ++i)
        workers.emplace_back(work, std::ref(board), std::cref(options),
                             std::ref(times[std::size_t(i)]));
    auto joinAll = [&] {
        board.shutdown();
        for (auto &worker : workers)
            worker.join();
        workers.clear();
        for (const auto &t : times) {
            report.physicsSeconds += t.physics;
            report.renderSeconds += t.render;
            report.resetSeconds += t.reset;
        }
    };

    const int taskCount = int(options.tasks.size());
    bool cancelled = false;
    try {
        for (int j = 0; j < taskCount && !cancelled; ++j) {
            const TaskFamily task = options.tasks[std::size_t(j)];
            const int quota = options.episodes / taskCount + (j < options.episodes % taskCount);
            board.startTask(task);
            int written = 0, failuresInARow = 0;
            for (int attempt = 0; written < quota; ++attempt) {
                if (progress.cancelled()) {
                    cancelled = true;
                    break;
                }
                std::optional<DemoRecord> demo = board.take(attempt);
                ++report.attempts;
                if (!demo) {
                    if (++failuresInARow >= kMaxConsecutiveFailures)
                        throw Error(Error::Kind::Other, "the scripted expert failed " +
                                                            std::to_string(failuresInARow) +
                                                            " times in a row on " + taskName(task));
                    continue;
                }
                failuresInARow = 0;
                const auto writeStart = Clock::now();
                writer.addDemo(*demo);
                report.writeSeconds +=
                    std::chrono::duration<double>(Clock::now() - writeStart).count();
                report.frames += demo->actions.rows;
                ++written;
                ++report.written;
                progress(report.written, options.episodes, taskName(task));
            }
            board.stopTask();
        }
    } catch (...) {
        joinAll();
        for (const auto &t : times) // a worker's own error says more than "workers stopped"
            if (!t.error.empty())
                throw Error(Error::Kind::Other, "simulator: " + t.error);
        throw;
    }
    joinAll();
    const auto finishStart = Clock::now();
    if (report.written > 0)
        writer.finish();
    report.writeSeconds += std::chrono::duration<double>(Clock::now() - finishStart).count();
    report.wallSeconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (cancelled)
        throw Error(Error::Kind::Cancelled, options.out + ": interrupted; kept the " +
                                                std::to_string(report.written) +
                                                " episodes written so far");
    return report;
}

} // namespace grids::sim
