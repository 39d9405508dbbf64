#include "panels/budget_panel.h"

#include "dialogs/policy_server_settings.h"
#include "dialogs/view_map.h"

#include "common/error.h"
#include "eval/closed_loop.h"
#include "eval/report.h"
#include "eval/sweep.h"
#include "model/policy.h"
#include "plots/plot_renderer.h"
#include "selectors/selector.h"
#include "sim/tasks.h"
#include "store/workspace.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QResizeEvent>
#include <QScrollArea>
#include <QSpinBox>
#include <QStyle>
#include <QVBoxLayout>
#include <QtConcurrent>
#include <qcustomplot.h>

namespace {

struct PlotKind
{
    const char *label;
    const char *x, *y;
    bool front;
};
const PlotKind kKinds[] = {
    {"Success against tokens (closed loop)", "tokens", "success", false},
    {"Action error against tokens (open loop)", "tokens", "error", false},
    {"Distance to dense against tokens (open loop)", "tokens", "fidelity", false},
    {"FLOPs against tokens", "tokens", "flops", false},
    {"Success against FLOPs, Pareto front", "flops", "success", true},
};

QString fileSafe(QString text)
{
    return text.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.-]")), QStringLiteral("_"));
}

} // namespace

BudgetPanel::BudgetPanel(QWidget *parent)
    : QWidget(parent)
    , m_mode(new QComboBox(this))
    , m_suite(new QComboBox(this))
    , m_kind(new QComboBox(this))
    , m_methods(new QListWidget(this))
    , m_budgets(new QLineEdit(QStringLiteral("4,16,64"), this))
    , m_episodes(new QSpinBox(this))
    , m_thisEpisode(new QCheckBox(tr("This episode only"), this))
    , m_record(new QCheckBox(tr("Record failed episodes"), this))
    , m_force(new QCheckBox(tr("Re-run stored configurations"), this))
    , m_run(new QPushButton(tr("Run"), this))
    , m_cancelButton(new QPushButton(tr("Cancel"), this))
    , m_progress(new QProgressBar(this))
    , m_status(new QLabel(this))
    , m_plot(new QCustomPlot(this))
    , m_saved(new QComboBox(this))
{
    setObjectName(QStringLiteral("budgetPanel"));
    m_pool.setMaxThreadCount(1);
    m_mode->addItem(tr("Open loop: episodes on screen"));
    m_mode->addItem(tr("Closed loop: tabletop suite"));
    m_suite->addItem(QStringLiteral("tabletop"));
    for (const auto task : grids::sim::parseSuite("tabletop"))
        m_suite->addItem(QStringLiteral("tabletop/") +
                         QString::fromStdString(grids::sim::taskName(task)));
    for (const auto &kind : kKinds)
        m_kind->addItem(tr(kind.label));
    for (const auto &name : grids::selectors::methodNames()) {
        auto *item = new QListWidgetItem(QString::fromStdString(name), m_methods);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(Qt::Checked);
    }
    m_methods->setMaximumHeight(120);
    m_methods->setToolTip(tr("Methods to run and to plot"));
    m_budgets->setToolTip(tr("Tokens per view, comma-separated"));
    m_episodes->setRange(1, 1000);
    m_episodes->setValue(5);
    m_episodes->setToolTip(tr("Closed loop: episodes per task family"));
    m_thisEpisode->setObjectName(QStringLiteral("thisEpisodeOnly"));
    m_thisEpisode->setChecked(true);
    m_record->setToolTip(tr("Failed closed-loop episodes are written next to the workspace and "
                            "opened, like any demonstration"));
    m_cancelButton->setEnabled(false);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_status->setWordWrap(true);
    m_plot->setMinimumSize(300, 150);
    m_plot->setInteractions(QCP::iSelectPlottables);
    m_plot->installEventFilter(this);
    m_saved->setPlaceholderText(tr("Saved plots"));

    auto *form = new QFormLayout;
    form->addRow(tr("Run"), m_mode);
    form->addRow(tr("Methods"), m_methods);
    form->addRow(tr("Tokens/view"), m_budgets);
    form->addRow(tr("Suite"), m_suite);
    form->addRow(tr("Episodes/task"), m_episodes);
    auto *flags = new QVBoxLayout;
    flags->addWidget(m_thisEpisode);
    flags->addWidget(m_record);
    flags->addWidget(m_force);
    form->addRow(QString(), flags);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_run);
    buttons->addWidget(m_cancelButton);
    auto *controls = new QVBoxLayout;
    controls->addLayout(form);
    controls->addLayout(buttons);
    controls->addWidget(m_progress);
    controls->addWidget(m_status);
    controls->addStretch(1);
    auto *controlsBox = new QWidget(this);
    controlsBox->setLayout(controls);
    // Scrolls rather than holding the bottom tabs tall: the camera views keep the height.
    auto *controlsScroll = new QScrollArea(this);
    controlsScroll->setWidget(controlsBox);
    controlsScroll->setWidgetResizable(true);
    controlsScroll->setFrameShape(QFrame::NoFrame);
    // As wide as the controls want, plus room for the scroll bar: never clipped sideways.
    controlsScroll->setFixedWidth(controlsBox->sizeHint().width() +
                                  style()->pixelMetric(QStyle::PM_ScrollBarExtent));
    controlsScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    auto *save = new QPushButton(tr("Save…"), this);
    auto *exportButton = new QPushButton(tr("Export…"), this);
    auto *plotBar = new QHBoxLayout;
    plotBar->addWidget(m_kind, 1);
    plotBar->addWidget(m_saved, 1);
    plotBar->addWidget(save);
    plotBar->addWidget(exportButton);
    auto *plotSide = new QVBoxLayout;
    plotSide->addLayout(plotBar);
    plotSide->addWidget(m_plot, 1);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(controlsScroll);
    layout->addLayout(plotSide, 1);

    connect(m_run, &QPushButton::clicked, this, &BudgetPanel::startRun);
    connect(m_cancelButton, &QPushButton::clicked, this, &BudgetPanel::cancelRun);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &BudgetPanel::refreshPlot);
    connect(m_methods, &QListWidget::itemChanged, this, &BudgetPanel::refreshPlot);
    connect(m_mode, &QComboBox::currentIndexChanged, this, [this](int mode) {
        const bool closed = mode == int(Mode::ClosedLoop);
        m_suite->setEnabled(closed);
        m_episodes->setEnabled(closed);
        m_record->setEnabled(closed);
        m_thisEpisode->setEnabled(!closed);
    });
    emit m_mode->currentIndexChanged(0);
    connect(save, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString title = QInputDialog::getText(this, tr("Save plot"), tr("Title"),
                                                    QLineEdit::Normal, m_kind->currentText(), &ok);
        if (ok && !title.trimmed().isEmpty())
            savePlot(title.trimmed());
    });
    connect(exportButton, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export plot"), QString(), tr("PNG (*.png);;PDF (*.pdf);;SVG (*.svg)"));
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

BudgetPanel::~BudgetPanel()
{
    if (m_cancel)
        *m_cancel = true; // the run stops at its next frame or episode; nothing half-stored
    m_pool.waitForDone();
}

void BudgetPanel::setWorkspace(grids::Workspace *workspace)
{
    m_workspace = workspace;
    refreshSavedPlots();
    refreshPlot();
}

void BudgetPanel::setCheckpoint(const QString &path)
{
    m_checkpoint = path;
}

void BudgetPanel::setEpisodes(const QString &path, const QString &episodeKey)
{
    m_episodesPath = path;
    m_episodeKey = episodeKey;
}

void BudgetPanel::setMode(Mode mode)
{
    m_mode->setCurrentIndex(int(mode));
}

void BudgetPanel::setMethods(const QStringList &methods)
{
    const QSignalBlocker block(m_methods);
    for (int i = 0; i < m_methods->count(); ++i)
        m_methods->item(i)->setCheckState(
            methods.contains(m_methods->item(i)->text()) ? Qt::Checked : Qt::Unchecked);
    refreshPlot();
}

void BudgetPanel::setBudgets(const QString &budgets)
{
    m_budgets->setText(budgets);
}

void BudgetPanel::setSuite(const QString &suite)
{
    m_suite->setCurrentText(suite);
}

void BudgetPanel::setEpisodesPerTask(int episodes)
{
    m_episodes->setValue(episodes);
}

void BudgetPanel::setRecordFailures(bool record)
{
    m_record->setChecked(record);
}

void BudgetPanel::startRun()
{
    if (running())
        return;
    QString problem;
    std::vector<std::string> methods;
    for (int i = 0; i < m_methods->count(); ++i)
        if (m_methods->item(i)->checkState() == Qt::Checked)
            methods.push_back(m_methods->item(i)->text().toStdString());
    std::vector<int> budgets;
    for (const QString &part : m_budgets->text().split(',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const int budget = part.trimmed().toInt(&ok);
        if (!ok || budget < 1)
            problem = tr("Tokens/view: \"%1\" is not a positive whole number").arg(part.trimmed());
        budgets.push_back(budget);
    }
    const Mode mode = Mode(m_mode->currentIndex());
    if (m_checkpoint.isEmpty())
        problem = tr("Open a checkpoint first");
    else if (!m_workspace)
        problem = tr("No workspace database is open");
    else if (methods.empty())
        problem = tr("Tick at least one method");
    else if (budgets.empty())
        problem = tr("Give at least one budget (tokens per view)");
    else if (mode == Mode::OpenLoop && m_episodesPath.isEmpty())
        problem = tr("Open an episode to sweep");
    if (!problem.isEmpty()) {
        m_status->setText(problem);
        emit runFailed(problem);
        return;
    }

    auto cancel = std::make_shared<std::atomic<bool>>(false);
    m_cancel = cancel;
    m_run->setEnabled(false);
    m_cancelButton->setEnabled(true);
    m_progress->setRange(0, 0); // busy until the first report
    m_status->setText(tr("Loading the checkpoint…"));
    const std::string checkpoint = m_checkpoint.toStdString(), db = m_workspace->path();
    const std::string episodes = m_episodesPath.toStdString();
    const std::string episodeKey = m_thisEpisode->isChecked() ? m_episodeKey.toStdString() : "";
    const grids::ViewRenames viewRenames = storedViewMap(m_episodesPath);
    const grids::RemotePolicyOptions serverOptions = policyServerOptions();
    const std::string suite = m_suite->currentText().toStdString();
    const int perTask = m_episodes->value();
    const bool force = m_force->isChecked(), record = m_record->isChecked();
    const QString recordDir = QFileInfo(QString::fromStdString(db)).absolutePath() + "/failures";
    QPointer<BudgetPanel> self(this);
    // Failure files are named by the run's start, so that a re-run never overwrites a file the
    // window may hold open.
    const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    (void)QtConcurrent::run(&m_pool, [=]() {
        QString summary, error;
        QStringList recorded;
        bool cancelled = false;
        try {
            auto policy = grids::openPolicy(checkpoint, "cpu", serverOptions);
            grids::Workspace workspace(db); // a connection of this thread's own
            grids::Progress progress;
            progress.cancel = cancel.get();
            progress.report = [self](std::int64_t done, std::int64_t total, const std::string &) {
                QMetaObject::invokeMethod(self.data(), [self, done, total] {
                    if (self && self->m_cancel) {
                        self->m_progress->setRange(0, int(std::max<std::int64_t>(total, 1)));
                        self->m_progress->setValue(int(done));
                    }
                });
            };
            if (mode == Mode::OpenLoop) {
                grids::SweepOptions options;
                options.episodesPath = episodes;
                options.episodeKey = episodeKey;
                options.viewRenames = viewRenames;
                options.methods = methods;
                options.budgets = budgets;
                options.force = force;
                const grids::SweepResult result = runSweep(*policy, workspace, options, progress);
                int ran = 0, found = 0, skipped = 0;
                for (const auto &config : result.configs)
                    (config.status == "ran" ? ran : config.status == "found" ? found : skipped)++;
                summary = tr("Open loop: %1 configurations run, %2 found in the workspace, %3 not "
                             "applicable; %4 frames")
                              .arg(ran)
                              .arg(found)
                              .arg(skipped)
                              .arg(result.framesRun);
            } else {
                grids::ClosedLoopOptions base;
                base.tasks = grids::sim::parseSuite(suite);
                base.episodesPerTask = perTask;
                QStringList lines;
                for (const auto &config : grids::sweepConfigs(*policy, methods, budgets)) {
                    grids::ClosedLoopOptions options = base;
                    if (record && config.notApplicable.empty()) {
                        QDir().mkpath(recordDir);
                        options.recordFailures = (recordDir + "/" +
                                                  fileSafe(QString::fromStdString(
                                                      policy->info().name + "-" + config.method +
                                                      "-" + std::to_string(config.budget))) +
                                                  "-" + stamp + ".hdf5")
                                                     .toStdString();
                    }
                    const grids::EvaluationOutcome outcome = grids::evaluateConfig(
                        *policy, &workspace, options, config, suite, force, progress);
                    if (outcome.result.interrupted) {
                        cancelled = true;
                        break;
                    }
                    if (outcome.result.failuresRecorded > 0)
                        recorded << QString::fromStdString(options.recordFailures);
                    lines << (outcome.status == "not_applicable"
                                  ? tr("%1 @ %2: not applicable")
                                        .arg(QString::fromStdString(config.method))
                                        .arg(config.budget)
                                  : tr("%1 @ %2: %3% success")
                                        .arg(QString::fromStdString(config.method))
                                        .arg(config.budget)
                                        .arg(100 * outcome.result.overall.rate, 0, 'f', 1));
                }
                summary = lines.join('\n');
            }
        } catch (const grids::Error &e) {
            cancelled = e.kind() == grids::Error::Kind::Cancelled;
            error = cancelled ? QString() : QString::fromStdString(e.what());
        } catch (const std::exception &e) {
            error = QString::fromStdString(e.what());
        }
        QMetaObject::invokeMethod(self.data(), [self, summary, error, recorded, cancelled] {
            if (!self)
                return;
            self->m_cancel.reset();
            self->m_run->setEnabled(true);
            self->m_cancelButton->setEnabled(false);
            self->m_progress->setRange(0, 1);
            self->m_progress->setValue(cancelled || !error.isEmpty() ? 0 : 1);
            self->refreshPlot();
            if (cancelled) {
                self->m_status->setText(tr("Cancelled: configurations finished before are stored"));
                emit self->message(self->m_status->text());
            } else if (!error.isEmpty()) {
                self->m_status->setText(error);
                emit self->runFailed(error);
            } else {
                self->m_status->setText(summary);
                emit self->runFinished(summary, recorded);
            }
        });
    });
}

void BudgetPanel::cancelRun()
{
    if (m_cancel) {
        *m_cancel = true;
        m_status->setText(tr("Cancelling…"));
    }
}

grids::PlotSpec BudgetPanel::spec() const
{
    const PlotKind &kind = kKinds[std::max(0, m_kind->currentIndex())];
    grids::PlotSpec spec;
    spec.x = kind.x;
    spec.y = kind.y;
    spec.paretoFront = kind.front;
    for (int i = 0; i < m_methods->count(); ++i)
        if (m_methods->item(i)->checkState() == Qt::Checked)
            spec.methods.push_back(m_methods->item(i)->text().toStdString());
    spec.title = m_kind->currentText().toStdString();
    return spec;
}

void BudgetPanel::showSpec(const grids::PlotSpec &spec)
{
    {
        const QSignalBlocker blockKind(m_kind);
        for (int i = 0; i < int(std::size(kKinds)); ++i)
            if (spec.x == kKinds[i].x && spec.y == kKinds[i].y &&
                spec.paretoFront == kKinds[i].front)
                m_kind->setCurrentIndex(i);
        const QSignalBlocker blockMethods(m_methods);
        for (int i = 0; i < m_methods->count(); ++i) {
            const std::string name = m_methods->item(i)->text().toStdString();
            const bool on =
                spec.methods.empty() ||
                std::find(spec.methods.begin(), spec.methods.end(), name) != spec.methods.end();
            m_methods->item(i)->setCheckState(on ? Qt::Checked : Qt::Unchecked);
        }
    }
    m_shown = spec;
    m_data = {};
    if (m_workspace) {
        try {
            m_data = grids::plotData(spec, grids::buildReport(*m_workspace));
        } catch (const std::exception &e) {
            m_status->setText(QString::fromStdString(e.what()));
        }
    }
    grids::ui::drawPlot(*m_plot, m_data);
}

bool BudgetPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_plot && event->type() == QEvent::Resize) {
        // Before QCustomPlot's own handler, which sets the same viewport and replots.
        m_plot->setViewport(QRect(QPoint(), static_cast<QResizeEvent *>(event)->size()));
        grids::ui::drawPlot(*m_plot, m_data);
    }
    return QWidget::eventFilter(watched, event);
}

void BudgetPanel::refreshPlot()
{
    showSpec(spec());
}

std::int64_t BudgetPanel::savePlot(const QString &title)
{
    if (!m_workspace)
        return 0;
    grids::PlotSpec spec = m_shown;
    spec.title = title.toStdString();
    try {
        const std::int64_t id = m_workspace->savePlot(spec.title, spec.toJson());
        refreshSavedPlots();
        emit message(tr("Saved plot \"%1\" (id %2)").arg(title).arg(id));
        return id;
    } catch (const std::exception &e) {
        emit runFailed(QString::fromStdString(e.what()));
        return 0;
    }
}

bool BudgetPanel::openPlot(std::int64_t id)
{
    if (!m_workspace)
        return false;
    try {
        const auto saved = m_workspace->plot(id);
        if (!saved)
            return false;
        showSpec(grids::PlotSpec::fromJson(saved->spec));
        m_data.title = saved->title;
        grids::ui::drawPlot(*m_plot, m_data);
        return true;
    } catch (const std::exception &e) {
        emit runFailed(QString::fromStdString(e.what()));
        return false;
    }
}

void BudgetPanel::exportPlot(const QString &path)
{
    try {
        grids::ui::exportPlot(m_data, path);
        emit message(tr("Exported the plot to %1").arg(path));
    } catch (const std::exception &e) {
        emit runFailed(QString::fromStdString(e.what()));
    }
}

void BudgetPanel::activatePoint(int series, int index)
{
    if (!m_workspace || series < 0 || std::size_t(series) >= m_data.series.size())
        return;
    const auto &points = m_data.series[std::size_t(series)].points;
    if (index < 0 || std::size_t(index) >= points.size())
        return;
    const grids::PlotPoint &point = points[std::size_t(index)];
    if (m_shown.effectiveRunKind() != "sweep") {
        emit message(tr("A closed-loop point has no frames behind it: tick \"Record failed "
                        "episodes\" to open its failures"));
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
                            QString::fromStdString(worst->episode.demoKey), worst->frame);
}

void BudgetPanel::refreshSavedPlots()
{
    m_saved->clear();
    if (!m_workspace)
        return;
    for (const auto &plot : m_workspace->plots())
        m_saved->addItem(QString::fromStdString(plot.title), QVariant::fromValue(plot.id));
    m_saved->setCurrentIndex(-1);
}
