#include "jobs/evaluation_job.h"

#include "common/error.h"
#include "dialogs/export_path.h"
#include "eval/closed_loop.h"
#include "eval/sweep.h"
#include "jobs/job_runner.h"
#include "model/policy.h"
#include "sim/tasks.h"
#include "store/workspace.h"

#include <QDateTime>
#include <QDir>
#include <QPointer>

namespace {

struct Outcome
{
    QString summary, error;
    QStringList recorded;
    bool cancelled = false;
};

QString sweepSummary(const grids::SweepResult &result)
{
    int ran = 0, found = 0, skipped = 0;
    for (const auto &config : result.configs)
        (config.status == "ran" ? ran : config.status == "found" ? found : skipped)++;
    return EvaluationJob::tr("Open loop: %1 configurations run, %2 found in the workspace, %3 not "
                             "applicable; %4 frames")
        .arg(ran)
        .arg(found)
        .arg(skipped)
        .arg(result.framesRun);
}

Outcome evaluate(grids::Policy &policy,
                 grids::Workspace &workspace,
                 const EvaluationJob::Settings &s,
                 const JobControl &control)
{
    Outcome outcome;
    grids::ClosedLoopOptions base;
    base.tasks = grids::sim::parseSuite(s.suite);
    base.episodesPerTask = s.episodesPerTask;
    const auto configs = grids::sweepConfigs(policy, s.methods, s.budgets);
    // Failure files are named by the run's start, so that a re-run never overwrites a file the
    // window may hold open.
    const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    grids::EvaluationHooks hooks;
    std::string recording; // the failure file of the configuration running
    hooks.recordFailuresFor = [&](const grids::SweepConfig &config) -> std::string {
        recording.clear();
        if (s.recordDir.isEmpty() || !config.notApplicable.empty())
            return recording;
        QDir().mkpath(s.recordDir);
        recording = (s.recordDir + "/" +
                     fileSafeName(QString::fromStdString(policy.info().name + "-" + config.method +
                                                     "-" + std::to_string(config.budget))) +
                     "-" + stamp + ".hdf5")
                        .toStdString();
        return recording;
    };
    // One bar for the whole run: configuration i of n covers its share.
    std::size_t index = 0;
    hooks.progressFor = [&](const grids::SweepConfig &) {
        const std::int64_t offset = std::int64_t(index++), count = std::int64_t(configs.size());
        grids::Progress progress = control.progress();
        progress.report = [control, offset, count](std::int64_t done, std::int64_t total,
                                                   const std::string &) {
            control.report(offset * total + done, count * std::max<std::int64_t>(total, 1));
        };
        return progress;
    };
    QStringList lines;
    hooks.finished = [&](const grids::EvaluationOutcome &done) {
        if (done.result.failuresRecorded > 0)
            outcome.recorded << QString::fromStdString(recording);
        const QString name = QString::fromStdString(done.config.method);
        if (done.status == "not_applicable")
            lines << EvaluationJob::tr("%1 @ %2: not applicable").arg(name).arg(done.config.budget);
        else if (!done.result.interrupted)
            lines << EvaluationJob::tr("%1 @ %2: %3% success")
                         .arg(name)
                         .arg(done.config.budget)
                         .arg(100 * done.result.overall.rate, 0, 'f', 1);
    };
    const auto outcomes = grids::evaluateConfigs(policy, &workspace, base, configs, s.suite,
                                                 s.force, hooks);
    outcome.cancelled = !outcomes.empty() && outcomes.back().result.interrupted;
    outcome.summary = lines.join('\n');
    return outcome;
}

} // namespace

EvaluationJob::EvaluationJob(QObject *parent)
    : QObject(parent)
    , m_runner(new JobRunner(this))
{
    connect(m_runner, &JobRunner::progress, this, &EvaluationJob::progress);
}

EvaluationJob::~EvaluationJob() = default; // the runner cancels the run and waits

void EvaluationJob::cancel()
{
    m_runner->cancel();
}

bool EvaluationJob::running() const
{
    return m_runner->busy();
}

void EvaluationJob::start(const Settings &settings)
{
    QPointer<EvaluationJob> self(this);
    m_runner->submit([self, settings](const JobControl &control) -> JobRunner::Delivery {
        Outcome outcome;
        try {
            auto policy =
                grids::openPolicy(settings.checkpoint.toStdString(), "cpu", settings.serverOptions);
            grids::Workspace workspace(settings.workspace.toStdString()); // this thread's own
            if (settings.closedLoop) {
                outcome = evaluate(*policy, workspace, settings, control);
            } else {
                grids::SweepOptions options;
                options.episodesPath = settings.episodes;
                options.episodeKey = settings.episodeKey;
                options.viewRenames = settings.viewRenames;
                options.methods = settings.methods;
                options.budgets = settings.budgets;
                options.force = settings.force;
                outcome.summary =
                    sweepSummary(runSweep(*policy, workspace, options, control.progress()));
            }
        } catch (const grids::Error &e) {
            outcome.cancelled = e.kind() == grids::Error::Kind::Cancelled;
            outcome.error = outcome.cancelled ? QString() : QString::fromStdString(e.what());
        } catch (const std::exception &e) {
            outcome.error = QString::fromStdString(e.what());
        }
        return [self, outcome] {
            if (outcome.cancelled)
                emit self->cancelled();
            else if (!outcome.error.isEmpty())
                emit self->failed(outcome.error);
            else
                emit self->finished(outcome.summary, outcome.recorded);
        };
    });
}
