#include "plots/action_plot.h"

#include "eval/metrics.h"
#include "plots/plot_renderer.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPixmap>
#include <QSignalBlocker>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace {

// Frame indices 0 … frames-1, the x of every action graph.
QVector<double> frameAxis(std::size_t frames)
{
    QVector<double> t(static_cast<int>(frames));
    std::iota(t.begin(), t.end(), 0.0);
    return t;
}

// Dimension `d` of row-0 actions frame by frame (0 where a frame's action is shorter).
QVector<double> dimension(const std::vector<std::vector<float>> &actions, std::size_t d)
{
    QVector<double> values(static_cast<int>(actions.size()));
    for (std::size_t i = 0; i < actions.size(); ++i)
        values[int(i)] = d < actions[i].size() ? actions[i][d] : 0.0;
    return values;
}

} // namespace

ActionPlot::ActionPlot(QWidget *parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
    , m_worstList(new QListWidget(this))
    , m_legend(new QListWidget(this))
{
    setObjectName(QStringLiteral("actionPlot"));
    m_plot->setMinimumHeight(150);
    m_plot->xAxis->setLabel(tr("frame"));
    m_plot->yAxis->setLabel(tr("action"));
    m_plot->yAxis2->setLabel(tr("L1 error"));
    m_plot->yAxis2->setVisible(true);
    m_plot->legend->setVisible(false);
    m_cursor = new QCPItemStraightLine(m_plot);
    m_cursor->setPen(QPen(Qt::red, 1));
    m_placeholder = new QCPItemText(m_plot);
    m_placeholder->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_placeholder->position->setCoords(0.5, 0.5);
    m_placeholder->setText(tr("Open an episode and a checkpoint: the predicted actions appear here"));
    m_placeholder->setColor(Qt::gray);
    m_worstList->setMaximumWidth(150);
    m_worstList->setToolTip(tr("Frames with the largest action error: click to jump"));
    m_worstBox = titledColumn(tr("Worst frames"), m_worstList);
    m_legend->setObjectName(QStringLiteral("actionLegend"));
    m_legend->setMaximumWidth(140);
    m_legend->setToolTip(tr("Action dimensions: untick one to hide its lines"));
    m_legendBox = titledColumn(tr("Dimensions"), m_legend);
    auto *key = new QLabel(tr("── predicted\n- - demonstration\n··· compared"), m_legendBox);
    key->setStyleSheet(QStringLiteral("color: gray"));
    m_legendBox->layout()->addWidget(key);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot, 1);
    layout->addWidget(m_legendBox);
    layout->addWidget(m_worstBox);

    connect(m_plot, &QCustomPlot::mousePress, this, [this](QMouseEvent *event) {
        const double x = m_plot->xAxis->pixelToCoord(event->position().x());
        if (m_plot->graphCount() > 0)
            emit frameRequested(qint64(std::lround(std::max(0.0, x))));
    });
    connect(m_worstList, &QListWidget::itemClicked, this, [this](QListWidgetItem *item) {
        emit frameRequested(item->data(Qt::UserRole).toLongLong());
    });
    connect(m_legend, &QListWidget::itemChanged, this, [this](QListWidgetItem *item) {
        setDimensionShown(item->data(Qt::UserRole).toInt(), item->checkState() == Qt::Checked);
    });
    clear();
}

QWidget *ActionPlot::titledColumn(const QString &title, QWidget *content)
{
    auto *box = new QWidget(this);
    auto *column = new QVBoxLayout(box);
    column->setContentsMargins(0, 0, 0, 0);
    column->addWidget(new QLabel(title, box));
    column->addWidget(content, 1);
    return box;
}

void ActionPlot::clear()
{
    m_plot->clearGraphs();
    m_compareGraphs.clear();
    m_dimensionGraphs.clear();
    rebuildLegend(0);
    m_worstList->clear();
    m_worst.clear();
    m_spikes.clear();
    // Nothing to point at: the cursor's two points would draw a stray line across the empty axes.
    m_cursor->setVisible(false);
    m_placeholder->setVisible(true);
    showErrorTrack(false);
    m_plot->replot();
}

void ActionPlot::showErrorTrack(bool shown)
{
    // Without the demonstration's actions there is no error: no empty axis, no empty list.
    m_plot->yAxis2->setVisible(shown);
    m_worstBox->setVisible(shown);
}

void ActionPlot::setTracks(const std::vector<std::vector<float>> &predicted,
                           const std::vector<std::vector<float>> &demo)
{
    clear();
    const std::size_t frames = predicted.size();
    if (frames == 0)
        return;
    m_placeholder->setVisible(false);
    m_cursor->setVisible(true);
    const std::size_t dims = predicted.front().size();
    const QVector<double> t = frameAxis(frames);
    m_dimensionGraphs.assign(dims, {});
    for (std::size_t d = 0; d < dims; ++d) {
        const QColor colour = grids::ui::seriesColour(int(d));
        QCPGraph *graph = m_plot->addGraph();
        graph->setName(tr("predicted %1").arg(d));
        graph->setPen(QPen(colour, 1.4));
        graph->setData(t, dimension(predicted, d), true);
        m_dimensionGraphs[d].push_back(graph);
        QVector<double> demoT, q;
        for (std::size_t i = 0; i < frames && i < demo.size(); ++i)
            if (d < demo[i].size())
                demoT.push_back(double(i)), q.push_back(demo[i][d]);
        if (!q.isEmpty()) {
            QCPGraph *reference = m_plot->addGraph();
            reference->setName(tr("demonstration %1").arg(d));
            reference->setPen(QPen(colour, 1, Qt::DashLine));
            reference->setData(demoT, q, true);
            m_dimensionGraphs[d].push_back(reference);
        }
    }
    // The error track, its spikes and the worst frames.
    QVector<double> errorT, error;
    for (std::size_t i = 0; i < frames && i < demo.size(); ++i) {
        const grids::ActionError e = grids::actionError(predicted[i], demo[i]);
        if (e.valid)
            errorT.push_back(double(i)), error.push_back(e.l1);
    }
    if (!error.isEmpty()) {
        QCPGraph *track = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2);
        track->setName(tr("L1 error"));
        track->setPen(QPen(QColor(200, 30, 30), 2));
        track->setBrush(QColor(200, 30, 30, 40));
        track->setData(errorT, error, true);
        const double mean = std::accumulate(error.begin(), error.end(), 0.0) / error.size();
        double variance = 0;
        for (double e : error)
            variance += (e - mean) * (e - mean) / error.size();
        const double threshold = mean + 2 * std::sqrt(variance);
        QVector<double> spikeT, spikeY;
        for (int i = 0; i < error.size(); ++i)
            if (error[i] > threshold) {
                m_spikes.push_back(qint64(errorT[i]));
                spikeT.push_back(errorT[i]);
                spikeY.push_back(error[i]);
            }
        QCPGraph *spikes = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2);
        spikes->setName(tr("error spikes"));
        spikes->setLineStyle(QCPGraph::lsNone);
        spikes->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssTriangleInverted,
                                                QColor(200, 30, 30), QColor(200, 30, 30), 9));
        spikes->setData(spikeT, spikeY, true);
        std::vector<int> order(static_cast<std::size_t>(error.size()));
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(),
                         [&](int a, int b) { return error[a] > error[b]; });
        for (std::size_t k = 0; k < order.size() && k < 10; ++k) {
            const qint64 frame = qint64(errorT[order[k]]);
            m_worst.push_back(frame);
            auto *item = new QListWidgetItem(
                tr("frame %1  L1 %2").arg(frame).arg(error[order[k]], 0, 'f', 3), m_worstList);
            item->setData(Qt::UserRole, frame);
        }
        m_plot->yAxis2->setRange(0, *std::max_element(error.begin(), error.end()) * 1.1 + 1e-6);
    }
    showErrorTrack(!error.isEmpty());
    m_plot->xAxis->setRange(0, std::max<double>(1, frames - 1));
    rebuildLegend(dims);
    applyDimensionVisibility();
}

QStringList ActionPlot::dimensionLabels() const
{
    QStringList labels;
    for (int i = 0; i < m_legend->count(); ++i)
        labels << m_legend->item(i)->text();
    return labels;
}

void ActionPlot::setDimensionNames(const QStringList &names)
{
    m_names = names;
    rebuildLegend(m_dimensionGraphs.size());
}

void ActionPlot::rebuildLegend(std::size_t dimensions)
{
    const QSignalBlocker block(m_legend);
    m_legend->clear();
    for (std::size_t d = 0; d < dimensions; ++d) {
        const bool named = int(d) < m_names.size() && !m_names[int(d)].isEmpty();
        QPixmap swatch(12, 12);
        swatch.fill(grids::ui::seriesColour(int(d)));
        auto *item = new QListWidgetItem(QIcon(swatch), named ? m_names[int(d)] : QString::number(d),
                                         m_legend);
        item->setToolTip(tr("action dimension %1").arg(d));
        item->setData(Qt::UserRole, int(d));
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        item->setCheckState(dimensionShown(int(d)) ? Qt::Checked : Qt::Unchecked);
    }
    m_legendBox->setVisible(dimensions > 0);
}

bool ActionPlot::dimensionShown(int dimension) const
{
    return dimension < 0 || std::size_t(dimension) >= m_hidden.size() || !m_hidden[std::size_t(dimension)];
}

void ActionPlot::setDimensionShown(int dimension, bool shown)
{
    if (dimension < 0)
        return;
    if (std::size_t(dimension) >= m_hidden.size())
        m_hidden.resize(std::size_t(dimension) + 1, false);
    m_hidden[std::size_t(dimension)] = !shown;
    if (dimension < m_legend->count()) {
        const QSignalBlocker block(m_legend);
        m_legend->item(dimension)->setCheckState(shown ? Qt::Checked : Qt::Unchecked);
    }
    applyDimensionVisibility();
}

void ActionPlot::applyDimensionVisibility()
{
    bool any = false;
    for (std::size_t d = 0; d < m_dimensionGraphs.size(); ++d)
        for (QCPGraph *graph : m_dimensionGraphs[d]) {
            graph->setVisible(dimensionShown(int(d)));
            any = any || graph->visible();
        }
    if (any)
        m_plot->yAxis->rescale(/*onlyVisiblePlottables=*/true);
    m_plot->replot();
}

void ActionPlot::setCurrentFrame(qint64 frame)
{
    m_cursor->point1->setCoords(double(frame), 0);
    m_cursor->point2->setCoords(double(frame), 1);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void ActionPlot::setCompareTrack(const std::vector<std::vector<float>> &predicted,
                                 const std::vector<qint64> &divergences)
{
    for (QCPAbstractPlottable *graph : m_compareGraphs) {
        for (auto &lines : m_dimensionGraphs)
            lines.erase(std::remove(lines.begin(), lines.end(), graph), lines.end());
        m_plot->removePlottable(graph);
    }
    m_compareGraphs.clear();
    if (!predicted.empty()) {
        const std::size_t frames = predicted.size(), dims = predicted.front().size();
        const QVector<double> t = frameAxis(frames);
        for (std::size_t d = 0; d < dims; ++d) {
            QCPGraph *graph = m_plot->addGraph();
            graph->setName(tr("compared %1").arg(d));
            graph->setPen(QPen(grids::ui::seriesColour(int(d)), 1.4, Qt::DotLine));
            graph->setData(t, dimension(predicted, d), true);
            m_compareGraphs.push_back(graph);
            if (d < m_dimensionGraphs.size())
                m_dimensionGraphs[d].push_back(graph);
        }
        // Divergence onsets: diamonds on the bottom of the error axis.
        QVector<double> onsetT, onsetY;
        for (qint64 frame : divergences)
            onsetT.push_back(double(frame)), onsetY.push_back(0);
        QCPGraph *onsets = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2);
        onsets->setName(tr("divergence"));
        onsets->setLineStyle(QCPGraph::lsNone);
        onsets->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, QColor(120, 40, 160),
                                                QColor(120, 40, 160), 11));
        onsets->setData(onsetT, onsetY, true);
        m_compareGraphs.push_back(onsets);
        if (m_plot->xAxis->range().upper < 1)
            m_plot->xAxis->setRange(0, std::max<double>(1, double(frames) - 1));
    }
    applyDimensionVisibility();
}

bool ActionPlot::errorTrackShown() const
{
    return m_plot->yAxis2->visible() && !m_worstBox->isHidden();
}

bool ActionPlot::cursorShown() const
{
    return m_cursor->visible();
}
