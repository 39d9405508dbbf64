// MainWindow's comparison column and probes (the rest of the window is in main_window.cpp).

#include "window/main_window.h"

#include "plots/action_plot.h"
#include "panels/compare_panel.h"
#include "views/episode_view.h"
#include "episodes/episode.h"
#include "eval/metrics.h"
#include "jobs/inference_worker.h"
#include "panels/model_panel.h"
#include "panels/probe_panel.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QPushButton>
#include <QStatusBar>

namespace {
QString columnTitle(const InferenceWorker *worker, const ModelPanel *panel)
{
    const QString method = panel->method();
    return QStringLiteral("%1 · %2%3")
        .arg(QString::fromStdString(worker->info().name), method,
             method == QLatin1String("dense") ? QString()
                                              : QStringLiteral(" @ %1").arg(panel->budget()));
}
} // namespace

void MainWindow::setupComparison()
{
    ModelPanel *second = m_comparePanel->model();
    connect(m_comparePanel, &ComparePanel::toggled, this, [this](bool on) {
        if (on && !m_compare->hasCheckpoint() && m_inference->hasCheckpoint())
            m_compare->loadCheckpoint(m_inference->checkpointPath()); // updates when loaded
        updateColumns();
        requestInference();
        scheduleTrack();
    });
    connect(m_comparePanel, &ComparePanel::sameCheckpointRequested, this, [this] {
        if (m_inference->hasCheckpoint())
            openComparison(m_inference->checkpointPath());
    });
    connect(m_comparePanel, &ComparePanel::otherCheckpointRequested, this, [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, tr("Compare with a checkpoint"), QString(),
                                         tr("Checkpoints (*.pt);;All files (*)"));
        if (!path.isEmpty())
            openComparison(path);
    });
    connect(m_comparePanel, &ComparePanel::thresholdChanged, this,
            [this] { refreshCompareTrack(); });
    connect(m_comparePanel, &ComparePanel::frameRequested, m_episodeView, &EpisodeView::setFrame);
    connect(second, &ModelPanel::selectionChanged, this, [this] {
        updateColumns();
        requestInference();
        scheduleTrack();
    });
    connect(m_compare, &InferenceWorker::checkpointLoaded, this,
            [this, second](const QString &path) {
                second->setCheckpoint(m_compare->info());
                m_comparePanel->setCheckpointPath(path);
                updateColumns();
                m_trackKey.clear();
                scheduleTrack();
                requestInference();
            });
    connect(m_compare, &InferenceWorker::checkpointFailed, this,
            [this](const QString &message) { showErrors({message}); });
    connect(m_compare, &InferenceWorker::failed, this,
            [this](const QString &message) { statusBar()->showMessage(message, 8000); });
    connect(m_compare, &InferenceWorker::resultReady, this,
            [this, second](int episode, qint64 frame,
                           std::shared_ptr<const grids::FrameResult> result,
                           std::shared_ptr<const grids::FrameResult> baseline) {
                if (!comparing() || !resultIsCurrent(episode, frame, bool(baseline)))
                    return;
                m_episodeView->setOverlay(result, compareStyle(), 1, baseline);
                const auto pixels = m_episodeView->shownPixels();
                second->showResult(*result, pixels ? pixels->action : std::vector<float>{});
            });
    connect(m_compare, &InferenceWorker::trackReady, this,
            [this, second](int episode, const QString &method, int budget,
                           const std::vector<std::vector<float>> &predicted,
                           const std::vector<std::vector<float>> &) {
                if (!comparing() || !passIsCurrent(episode, method, budget, second))
                    return;
                m_compareTrack = predicted;
                refreshCompareTrack();
            });
}

void MainWindow::openComparison(const QString &path)
{
    const bool wasLoaded = m_compare->hasCheckpoint();
    // Turning the comparison on may queue the main checkpoint; loads run in order, so the one
    // asked for here, queued after it, is the one that stays.
    m_comparePanel->setActive(true);
    const QString source = path.isEmpty() ? m_inference->checkpointPath() : path;
    if (!source.isEmpty() && (!path.isEmpty() || wasLoaded))
        m_compare->loadCheckpoint(source);
}

grids::render::OverlayStyle MainWindow::compareStyle() const
{
    // The main panel's layers, on the compared checkpoint's own grid.
    grids::render::OverlayStyle style = m_modelPanel->overlayStyle();
    if (m_compare->hasCheckpoint()) {
        style.gridWidth = m_compare->info().gridWidth;
        style.gridHeight = m_compare->info().gridHeight;
    }
    return style;
}

bool MainWindow::comparing() const
{
    return m_comparePanel->active() && m_compare->hasCheckpoint();
}

void MainWindow::updateColumns()
{
    if (comparing() && m_inference->hasCheckpoint())
        m_episodeView->setColumns({columnTitle(m_inference, m_modelPanel),
                                   columnTitle(m_compare, m_comparePanel->model())});
    else
        m_episodeView->setColumns({});
    if (!comparing()) {
        m_compareTrack.clear();
        refreshCompareTrack();
    }
}

void MainWindow::requestCompareTrack()
{
    const auto file = m_episodeView->file();
    if (!comparing() || !file)
        return;
    m_compare->requestTrack(QString::fromStdString(file->path()), m_episodeView->episode(),
                            m_comparePanel->model()->method(), m_comparePanel->model()->budget());
}

void MainWindow::refreshCompareTrack()
{
    if (m_compareTrack.empty() || m_mainTrack.empty()) {
        m_actionPlot->setCompareTrack({}, {});
        m_comparePanel->setDivergences({});
        return;
    }
    std::vector<qint64> onsets;
    for (std::int64_t frame :
         grids::divergenceOnsets(m_mainTrack, m_compareTrack, m_comparePanel->threshold()))
        onsets.push_back(qint64(frame));
    m_actionPlot->setCompareTrack(m_compareTrack, onsets);
    m_comparePanel->setDivergences(onsets);
}

void MainWindow::setupProbes()
{
    // A box drawn on another episode's views means nothing here.
    connect(m_episodeView, &EpisodeView::episodeChanged, m_probePanel, &ProbePanel::clear);
    connect(m_probePanel, &ProbePanel::probeChanged, this, [this] {
        const grids::Probe &probe = m_probePanel->probe();
        m_episodeView->setOcclusion(
            probe.occludedView,
            QRectF(QPointF(probe.box[0], probe.box[1]), QPointF(probe.box[2], probe.box[3])));
        requestInference();
    });
    connect(m_probePanel->occlusionButton(), &QPushButton::toggled, m_episodeView,
            &EpisodeView::setOcclusionMode);
    connect(m_episodeView, &EpisodeView::occlusionDrawn, this, [this](int view, const QRectF &box) {
        m_probePanel->setOcclusion(view, float(box.left()), float(box.top()), float(box.right()),
                                   float(box.bottom()));
    });
    connect(m_episodeView, &EpisodeView::frameShown, this, [this] {
        if (const auto pixels = m_episodeView->shownPixels())
            m_probePanel->setOriginalInstruction(QString::fromStdString(pixels->instruction));
    });
}
