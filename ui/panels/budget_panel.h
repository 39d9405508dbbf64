#pragma once

#include <QWidget>

#include <string>
#include <vector>

namespace grids {
class Workspace;
}
class EvaluationJob;
class PlotPanel;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;

// The Budgets tab: compare budgets and baselines. Runs an open-loop sweep (the episode file on
// screen) or a closed-loop evaluation (the tabletop suite) of the loaded checkpoint over
// methods × budgets (an EvaluationJob, off the UI thread, with progress and Cancel) into the
// workspace, beside a PlotPanel that draws what the workspace holds for the methods ticked.
// The settings are remembered between sessions.
class BudgetPanel : public QWidget
{
    Q_OBJECT

public:
    enum class Mode { OpenLoop, ClosedLoop };
    explicit BudgetPanel(QWidget *parent = nullptr);
    ~BudgetPanel() override;

    void setWorkspace(grids::Workspace *workspace);
    void setCheckpoint(const QString &path);
    // What open-loop sweeps run on: a file, and the episode on screen (key) when "this episode
    // only" is ticked.
    void setEpisodes(const QString &path, const QString &episodeKey);

    void setMode(Mode mode);
    void setMethods(const QStringList &methods);
    void setBudgets(const QString &budgets); // "4,16,64"
    void setSuite(const QString &suite);     // closed loop: "tabletop" or "tabletop/TASK"
    void setEpisodesPerTask(int episodes);
    // Closed loop: failed episodes written beside the workspace, one file per configuration.
    void setRecordFailures(bool record);
    Mode mode() const;
    QStringList methods() const; // ticked
    QString budgets() const;
    QString suite() const;
    int episodesPerTask() const;
    bool recordFailures() const;
    void startRun();
    void cancelRun();
    bool running() const;
    QString statusText() const;
    PlotPanel *plotPanel() const { return m_plots; }

signals:
    void runFinished(const QString &summary, const QStringList &recordedFiles);
    void runFailed(const QString &message);
    void message(const QString &text);

private:
    std::vector<std::string> tickedMethods() const;
    void saveSettings() const;
    void restoreSettings();
    void runEnded();

    grids::Workspace *m_workspace = nullptr;
    QString m_checkpoint, m_episodesPath, m_episodeKey;
    QComboBox *m_mode, *m_suite;
    QListWidget *m_methods;
    QLineEdit *m_budgets;
    QSpinBox *m_episodes;
    QCheckBox *m_thisEpisode, *m_record, *m_force;
    QPushButton *m_run, *m_cancelButton;
    QProgressBar *m_progress;
    QLabel *m_status;
    EvaluationJob *m_job;
    PlotPanel *m_plots;
};
