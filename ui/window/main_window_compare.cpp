// MainWindow's comparison column and probes (the rest of the window is in main_window.cpp).

#include "window/main_window.h"

#include "plots/action_plot.h"
#include "panels/compare_panel.h"
#include "views/episode_view.h"
#include "episodes/episode.h"
#include "session/session.h"
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
    connect(m_comparePanel, &ComparePanel::toggled, m_session, &Session::setComparing);
    connect(m_session, &Session::comparingChanged, this, [this] {
        m_comparePanel->setActive(m_session->comparingAsked());
        updateColumns();
    });
    connect(m_comparePanel, &ComparePanel::sameCheckpointRequested, this, [this] {
        if (inference()->hasCheckpoint())
            openComparison(inference()->checkpointPath());
    });
    connect(m_comparePanel, &ComparePanel::otherCheckpointRequested, this, [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, tr("Compare with a checkpoint"), QString(),
                                         tr("Checkpoints (*.pt);;All files (*)"));
        if (!path.isEmpty())
            openComparison(path);
    });
    connect(m_comparePanel, &ComparePanel::thresholdChanged, this, [this] { showTracks(); });
    connect(m_comparePanel, &ComparePanel::frameRequested, m_session, &Session::setFrame);
    connect(second, &ModelPanel::selectionChanged, this, [this, second] {
        m_session->setSelection(Session::Compared, selectionOf(second));
    });
    connect(m_session, &Session::checkpointLoaded, this,
            [this, second](Session::Column column, const QString &path) {
                if (column != Session::Compared)
                    return;
                // The method and budget already chosen stay when the checkpoint offers them.
                const QString method = second->method();
                const int budget = second->budget();
                second->setCheckpoint(compareInference()->info());
                if (!method.isEmpty()) {
                    second->setMethod(method);
                    if (budget > 0)
                        second->setBudget(budget);
                }
                m_comparePanel->setCheckpointPath(path);
                m_session->setSelection(Session::Compared, selectionOf(second));
                updateColumns();
            });
}

void MainWindow::openComparison(const QString &path)
{
    m_session->compareWith(path);
}

grids::render::OverlayStyle MainWindow::compareStyle() const
{
    // The main panel's layers, on the compared checkpoint's own grid.
    grids::render::OverlayStyle style = m_modelPanel->overlayStyle();
    if (compareInference()->hasCheckpoint()) {
        style.gridWidth = compareInference()->info().gridWidth;
        style.gridHeight = compareInference()->info().gridHeight;
    }
    return style;
}

void MainWindow::updateColumns()
{
    if (m_session->comparing() && inference()->hasCheckpoint())
        m_episodeView->setColumns({columnTitle(inference(), m_modelPanel),
                                   columnTitle(compareInference(), m_comparePanel->model())});
    else
        m_episodeView->setColumns({});
    showTracks();
}

void MainWindow::setupProbes()
{
    connect(m_probePanel, &ProbePanel::probeChanged, this,
            [this] { m_session->setProbe(m_probePanel->probe()); });
    connect(m_session, &Session::probeChanged, this, [this] {
        const grids::Probe &probe = m_session->probe();
        if (!probe.active() && m_probePanel->probe().active())
            m_probePanel->clear(); // the session dropped it (another episode)
        m_episodeView->setOcclusion(
            probe.occludedView,
            QRectF(QPointF(probe.box[0], probe.box[1]), QPointF(probe.box[2], probe.box[3])));
    });
    connect(m_probePanel->occlusionButton(), &QPushButton::toggled, m_episodeView,
            &EpisodeView::setOcclusionMode);
    connect(m_episodeView, &EpisodeView::occlusionDrawn, this, [this](int view, const QRectF &box) {
        m_probePanel->setOcclusion(view, float(box.left()), float(box.top()), float(box.right()),
                                   float(box.bottom()));
    });
    connect(m_session, &Session::frameShown, this, [this] {
        if (const auto pixels = m_session->shownPixels())
            m_probePanel->setOriginalInstruction(QString::fromStdString(pixels->instruction));
    });
}
