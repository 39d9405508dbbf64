#pragma once

#include "episodes/view_renames.h"
#include "remote/remote_policy.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <string>
#include <vector>

class JobRunner;

// The budget panel's runs, off the UI thread: an open-loop sweep of an episode file, or a
// closed-loop evaluation of the tabletop suite through core's configuration loop (the one
// `grids eval` uses), over methods × budgets, into the workspace. Progress counts the whole run;
// Cancel stops at the next frame or episode, and configurations finished before stay stored.
class EvaluationJob : public QObject
{
    Q_OBJECT

public:
    struct Settings
    {
        bool closedLoop = false;
        QString checkpoint, workspace;
        grids::RemotePolicyOptions serverOptions;
        std::vector<std::string> methods;
        std::vector<int> budgets;
        bool force = false; // re-run configurations the workspace already holds
        // Open loop: the episode file, and one episode of it (empty: all).
        std::string episodes, episodeKey;
        grids::ViewRenames viewRenames;
        // Closed loop: "tabletop" or "tabletop/TASK", episodes per task family, and where failed
        // episodes are written (empty: not recorded), one file per configuration.
        std::string suite;
        int episodesPerTask = 5;
        QString recordDir;
    };

    explicit EvaluationJob(QObject *parent = nullptr);
    ~EvaluationJob() override;

    void start(const Settings &settings);
    void cancel();
    bool running() const;

signals:
    void progress(qint64 done, qint64 total);
    void finished(const QString &summary, const QStringList &recordedFiles);
    void failed(const QString &message);
    void cancelled();

private:
    JobRunner *m_runner;
};
