// MainWindow's budget panel: what it runs on, and where its results lead (the rest of the
// window is in main_window.cpp).

#include "window/main_window.h"

#include "panels/budget_panel.h"
#include "session/episode_library.h"
#include "views/episode_view.h"
#include "episodes/episode.h"
#include "jobs/inference_worker.h"

#include <QFileInfo>
#include <QStatusBar>
#include <QTabWidget>

void MainWindow::setupBudgets()
{
    connect(m_inference, &InferenceWorker::checkpointLoaded, m_budgetPanel,
            &BudgetPanel::setCheckpoint);
    connect(m_episodeView, &EpisodeView::frameShown, this, [this] {
        const auto file = m_episodeView->file();
        if (file)
            m_budgetPanel->setEpisodes(
                QString::fromStdString(file->path()),
                QString::fromStdString(
                    file->episodes().at(std::size_t(m_episodeView->episode())).key));
    });
    connect(m_budgetPanel, &BudgetPanel::frameRequested, this, &MainWindow::showEpisodeFrame);
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
    const QString wanted = QFileInfo(path).absoluteFilePath();
    for (const auto &file : m_library->files()) {
        if (QFileInfo(QString::fromStdString(file->path())).absoluteFilePath() != wanted)
            continue;
        const auto &episodes = file->episodes();
        for (std::size_t e = 0; e < episodes.size(); ++e)
            if (QString::fromStdString(episodes[e].key) == episodeKey) {
                if (m_episodeView->file() != file || m_episodeView->episode() != int(e))
                    m_episodeView->setEpisode(file, int(e));
                m_episodeView->setFrame(frame);
                return;
            }
        showErrors({tr("%1: no episode %2").arg(path, episodeKey)});
        return;
    }
    if (!QFileInfo::exists(path)) {
        showErrors({tr("%1: the file behind this result is gone").arg(path)});
        return;
    }
    m_pendingFrame = std::make_unique<PendingFrame>(PendingFrame{path, episodeKey, frame});
    openPath(path);
}
