// MainWindow's budget panel: what it runs on, and where its results lead (the rest of the
// window is in main_window.cpp).

#include "window/main_window.h"

#include "panels/budget_panel.h"
#include "plots/plot_panel.h"
#include "session/episode_library.h"
#include "views/episode_view.h"
#include "episodes/episode.h"
#include "session/session.h"
#include "jobs/inference_worker.h"

#include <QFileInfo>
#include <QStatusBar>
#include <QTabWidget>

void MainWindow::setupBudgets()
{
    connect(m_session, &Session::checkpointLoaded, this,
            [this](Session::Column column, const QString &path) {
                if (column == Session::Main)
                    m_budgetPanel->setCheckpoint(path);
            });
    connect(m_session, &Session::episodeChanged, this, [this] {
        m_budgetPanel->setEpisodes(QString::fromStdString(m_session->file()->path()),
                                   QString::fromStdString(m_session->episodeInfo()->key));
    });
    // A point of the plot: its frame (or its recorded failures) under its method and budget.
    connect(m_budgetPanel->plotPanel(), &PlotPanel::frameRequested, this,
            [this](const QString &path, const QString &episodeKey, qint64 frame,
                   const QString &method, int budget) {
                m_session->setSelection(Session::Main, {method, budget});
                showEpisodeFrame(path, episodeKey, frame);
            });
    connect(m_budgetPanel, &BudgetPanel::message, this,
            [this](const QString &text) { statusBar()->showMessage(text, 8000); });
    connect(m_budgetPanel, &BudgetPanel::runFailed, this,
            [this](const QString &message) { showErrors({message}); });
    connect(m_budgetPanel, &BudgetPanel::runFinished, this,
            [this](const QString &summary, const QStringList &recorded) {
                statusBar()->showMessage(summary.section('\n', 0, 0), 8000);
                // Failed rollouts open like any demonstration.
                for (const QString &path : recorded)
                    openPath(path);
            });
}

void MainWindow::showEpisodeFrame(const QString &path, const QString &episodeKey, qint64 frame)
{
    m_session->showEpisodeFrame(path, episodeKey, frame);
}
