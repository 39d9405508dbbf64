#pragma once

#include "eval/plot_spec.h"

#include <QThreadPool>
#include <QWidget>

#include <atomic>
#include <memory>

namespace grids {
class Workspace;
}
class QCheckBox;
class QComboBox;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;

// Compare budgets and baselines: runs an open-loop sweep (the episode file on screen) or a
// closed-loop evaluation (the tabletop suite) of the loaded checkpoint over methods × budgets,
// off the UI thread with progress and Cancel, into the workspace; and draws what the workspace
// holds (error or success against tokens per method, FLOPs, the Pareto front) with the same
// renderer as `grids plot`. Plots are saved as rows, reopened, exported to PNG/PDF/SVG; clicking
// an open-loop point asks for the worst frame behind it.
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
    void
    setRecordFailures(bool record); // closed loop: failed episodes written beside the workspace
    void startRun();
    void cancelRun();
    bool running() const { return bool(m_cancel); }

    grids::PlotSpec spec() const; // the plot kind chosen, over the methods ticked
    void showSpec(const grids::PlotSpec &spec);
    void refreshPlot();
    const grids::PlotData &plotData() const { return m_data; }
    std::int64_t savePlot(const QString &title);
    bool openPlot(std::int64_t id);
    void exportPlot(const QString &path);
    // The point of series `series`, index `index` clicked (as the plot's click does).
    void activatePoint(int series, int index);
    QCustomPlot *plot() const { return m_plot; }

signals:
    void runFinished(const QString &summary, const QStringList &recordedFiles);
    void runFailed(const QString &message);
    void frameRequested(const QString &path, const QString &episodeKey, qint64 frame);
    void message(const QString &text);

protected:
    // Redraws the plot at its new size: where the legend fits without hiding a point depends on it.
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void refreshSavedPlots();

    grids::Workspace *m_workspace = nullptr;
    QString m_checkpoint, m_episodesPath, m_episodeKey;
    QComboBox *m_mode, *m_suite, *m_kind;
    QListWidget *m_methods;
    QLineEdit *m_budgets;
    QSpinBox *m_episodes;
    QCheckBox *m_thisEpisode, *m_record, *m_force;
    QPushButton *m_run, *m_cancelButton;
    QProgressBar *m_progress;
    QLabel *m_status;
    QCustomPlot *m_plot;
    QComboBox *m_saved;
    grids::PlotData m_data;
    grids::PlotSpec m_shown;                     // the spec m_data was drawn from
    std::shared_ptr<std::atomic<bool>> m_cancel; // set while a run is going
    QThreadPool m_pool; // runs last minutes: not on the global pool that opens files
};
