#include "plots/plot_panel.h"

#include "dialogs/export_path.h"
#include "eval/report.h"
#include "jobs/job_runner.h"
#include "plots/plot_renderer.h"
#include "store/workspace.h"

#include <nlohmann/json.hpp>

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QResizeEvent>
#include <QVBoxLayout>
#include <qcustomplot.h>

namespace {

struct KindSpec
{
    const char *label;
    const char *x, *y;
    bool front;
};
const KindSpec kKinds[] = {
    {"Success against tokens (closed loop)", "tokens", "success", false},
    {"Action error against tokens (open loop)", "tokens", "error", false},
    {"Distance to dense against tokens (open loop)", "tokens", "fidelity", false},
    {"FLOPs against tokens", "tokens", "flops", false},
    {"Success against FLOPs, Pareto front", "flops", "success", true},
};

} // namespace

PlotPanel::PlotPanel(QWidget *parent)
    : QWidget(parent)
    , m_kind(new QComboBox(this))
    , m_saved(new QComboBox(this))
    , m_plot(new QCustomPlot(this))
    , m_reports(new JobRunner(this))
{
    for (const auto &kind : kKinds)
        m_kind->addItem(tr(kind.label));
    // The kinds' long names and saved plots' names are elided, not what sets the panel's width.
    for (QComboBox *box : {m_kind, m_saved}) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(8);
    }
    m_plot->setMinimumSize(300, 150);
    m_plot->setInteractions(QCP::iSelectPlottables);
    m_plot->installEventFilter(this);
    m_saved->setPlaceholderText(tr("Saved plots"));
    m_saved->setToolTip(tr("Reopen a saved plot"));

    auto *save = new QPushButton(tr("Save…"), this);
    save->setToolTip(tr("Keep this plot in the workspace"));
    auto *exportButton = new QPushButton(tr("Export…"), this);
    exportButton->setToolTip(tr("Write the plot as PNG, PDF or SVG"));
    // Two rows, so that the panel fits beside the Budgets form on a 1280-pixel screen.
    auto *bar = new QHBoxLayout;
    bar->addWidget(m_saved, 1);
    bar->addWidget(save);
    bar->addWidget(exportButton);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_kind);
    layout->addLayout(bar);
    layout->addWidget(m_plot, 1);

    connect(m_kind, &QComboBox::currentIndexChanged, this, &PlotPanel::refreshPlot);
    connect(save, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString title = QInputDialog::getText(this, tr("Save plot"), tr("Title"),
                                                    QLineEdit::Normal, m_kind->currentText(), &ok);
        if (ok && !title.trimmed().isEmpty())
            savePlot(title.trimmed());
    });
    connect(exportButton, &QPushButton::clicked, this, [this] {
        const QString path = askExportPath(
            this, tr("Export plot"),
            fileSafeName(m_data.title.empty() ? QStringLiteral("plot") : QString::fromStdString(m_data.title)) + ".png",
            tr("PNG (*.png);;PDF (*.pdf);;SVG (*.svg)"), QStringLiteral("png"),
            m_workspace ? QFileInfo(QString::fromStdString(m_workspace->path())).absolutePath()
                        : QString());
        if (!path.isEmpty())
            exportPlot(path);
    });
    connect(m_saved, &QComboBox::activated, this,
            [this](int index) { openPlot(m_saved->itemData(index).toLongLong()); });
    connect(m_plot, &QCustomPlot::plottableClick, this,
            [this](QCPAbstractPlottable *plottable, int index, QMouseEvent *) {
                for (int g = 0; g < m_plot->graphCount(); ++g)
                    if (m_plot->graph(g) == plottable)
                        activatePoint(g, index);
            });
}

PlotPanel::~PlotPanel() = default;

void PlotPanel::setWorkspace(grids::Workspace *workspace)
{
    m_workspace = workspace;
    refreshSavedPlots();
    refreshPlot();
}

void PlotPanel::setKind(Kind kind)
{
    m_kind->setCurrentIndex(int(kind)); // redraws when it changes
}

void PlotPanel::setMethods(const std::vector<std::string> &methods)
{
    m_methods = methods;
    refreshPlot();
}

grids::PlotSpec PlotPanel::spec() const
{
    const KindSpec &kind = kKinds[std::max(0, m_kind->currentIndex())];
    grids::PlotSpec spec;
    spec.x = kind.x;
    spec.y = kind.y;
    spec.paretoFront = kind.front;
    spec.methods = m_methods;
    spec.title = m_kind->currentText().toStdString();
    return spec;
}

void PlotPanel::refreshPlot()
{
    // Something else is shown now: the saved plot's name no longer describes it.
    m_saved->setCurrentIndex(-1);
    showSpec(spec());
}

bool PlotPanel::reportPending() const
{
    return m_reports->busy();
}

QString PlotPanel::savedPlotShown() const
{
    return m_saved->currentIndex() >= 0 ? m_saved->currentText() : QString();
}

void PlotPanel::showSpec(const grids::PlotSpec &spec)
{
    {
        const QSignalBlocker block(m_kind);
        for (int i = 0; i < int(std::size(kKinds)); ++i)
            if (spec.x == kKinds[i].x && spec.y == kKinds[i].y &&
                spec.paretoFront == kKinds[i].front)
                m_kind->setCurrentIndex(i);
    }
    m_methods = spec.methods;
    m_shown = spec;
    if (!m_workspace) {
        m_data = {};
        draw();
        return;
    }
    QPointer<PlotPanel> self(this);
    const std::string db = m_workspace->path();
    m_reports->submit(
        [self, db, spec](const JobControl &) -> JobRunner::Delivery {
            grids::PlotData data;
            QString error;
            try {
                grids::Workspace workspace(db); // a connection of this thread's own
                data = grids::plotData(spec, grids::buildReport(workspace));
            } catch (const std::exception &e) {
                error = QString::fromStdString(e.what());
            }
            return [self, data, error] {
                if (!error.isEmpty())
                    emit self->failed(error);
                self->m_data = data;
                self->draw();
                emit self->plotShown();
            };
        },
        QStringLiteral("report"), true);
}

void PlotPanel::draw()
{
    grids::ui::drawPlot(*m_plot, m_data);
}

bool PlotPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_plot && event->type() == QEvent::Resize) {
        // Before QCustomPlot's own handler, which sets the same viewport and replots.
        m_plot->setViewport(QRect(QPoint(), static_cast<QResizeEvent *>(event)->size()));
        draw();
    }
    return QWidget::eventFilter(watched, event);
}

std::int64_t PlotPanel::savePlot(const QString &title)
{
    if (!m_workspace)
        return 0;
    grids::PlotSpec spec = m_shown;
    spec.title = title.toStdString();
    try {
        const std::int64_t id = m_workspace->savePlot(spec.title, spec.toJson());
        refreshSavedPlots();
        m_saved->setCurrentIndex(m_saved->findData(QVariant::fromValue(id)));
        m_data.title = spec.title;
        draw();
        emit message(tr("Saved plot \"%1\" (id %2)").arg(title).arg(id));
        return id;
    } catch (const std::exception &e) {
        emit failed(QString::fromStdString(e.what()));
        return 0;
    }
}

bool PlotPanel::openPlot(std::int64_t id)
{
    if (!m_workspace)
        return false;
    try {
        const auto saved = m_workspace->plot(id);
        if (!saved)
            return false;
        grids::PlotSpec spec = grids::PlotSpec::fromJson(saved->spec);
        spec.title = saved->title;
        showSpec(spec);
        m_saved->setCurrentIndex(m_saved->findData(QVariant::fromValue(id)));
        emit methodsShown(spec.methods);
        return true;
    } catch (const std::exception &e) {
        emit failed(QString::fromStdString(e.what()));
        return false;
    }
}

void PlotPanel::exportPlot(const QString &path)
{
    try {
        grids::ui::exportPlot(m_data, path);
        emit message(tr("Exported the plot to %1").arg(path));
    } catch (const std::exception &e) {
        emit failed(QString::fromStdString(e.what()));
    }
}

void PlotPanel::activatePoint(int series, int index)
{
    if (!m_workspace || series < 0 || std::size_t(series) >= m_data.series.size())
        return;
    const grids::PlotSeries &line = m_data.series[std::size_t(series)];
    if (index < 0 || std::size_t(index) >= line.points.size())
        return;
    const grids::PlotPoint &point = line.points[std::size_t(index)];
    const QString method = QString::fromStdString(line.method);
    if (m_shown.effectiveRunKind() != "sweep") {
        // A closed-loop point: the failed episodes recorded with its run, when there are some.
        std::string failures;
        for (const auto &run : m_workspace->runs("rollout"))
            if (run.id == point.runId)
                failures = nlohmann::json::parse(run.config, nullptr, false)
                               .value("failures_file", std::string());
        if (failures.empty() || !QFileInfo::exists(QString::fromStdString(failures))) {
            emit message(tr("%1 @ %2: no failed episodes were recorded with this run; tick "
                            "\"Record failed episodes\" and \"Re-run stored configurations\", then Run")
                             .arg(method)
                             .arg(point.tokensPerView));
            return;
        }
        emit frameRequested(QString::fromStdString(failures), QString(), 0, method,
                            point.tokensPerView);
        return;
    }
    // The frame behind an open-loop point: the one with the largest action error.
    const auto rows = m_workspace->frameResults(point.runId);
    const grids::FrameResultRow *worst = nullptr;
    for (const auto &row : rows)
        if (row.hasReference && (!worst || row.l1 > worst->l1))
            worst = &row;
    if (!worst && !rows.empty())
        worst = &rows.front();
    if (worst)
        emit frameRequested(QString::fromStdString(worst->episode.path),
                            QString::fromStdString(worst->episode.demoKey), worst->frame, method,
                            point.tokensPerView);
}

void PlotPanel::refreshSavedPlots()
{
    m_saved->clear();
    if (!m_workspace)
        return;
    for (const auto &plot : m_workspace->plots())
        m_saved->addItem(QString::fromStdString(plot.title), QVariant::fromValue(plot.id));
    m_saved->setCurrentIndex(-1);
}
