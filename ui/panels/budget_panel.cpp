#include "panels/budget_panel.h"

#include "dialogs/policy_server_settings.h"
#include "dialogs/view_map.h"
#include "jobs/evaluation_job.h"
#include "plots/plot_panel.h"

#include "selectors/selector.h"
#include "sim/tasks.h"
#include "store/workspace.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QStyle>
#include <QVBoxLayout>

#include <algorithm>

namespace {
const char *kSettings = "budgets/";
}

BudgetPanel::BudgetPanel(QWidget *parent)
    : QWidget(parent)
    , m_mode(new QComboBox(this))
    , m_suite(new QComboBox(this))
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
    , m_job(new EvaluationJob(this))
    , m_plots(new PlotPanel(this))
{
    setObjectName(QStringLiteral("budgetPanel"));
    m_mode->addItem(tr("Open loop: episodes on screen"));
    m_mode->addItem(tr("Closed loop: tabletop suite"));
    m_suite->addItem(QStringLiteral("tabletop"));
    for (const auto task : grids::sim::parseSuite("tabletop"))
        m_suite->addItem(QStringLiteral("tabletop/") +
                         QString::fromStdString(grids::sim::taskName(task)));
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
    m_run->setObjectName(QStringLiteral("runButton"));
    m_thisEpisode->setChecked(true);
    m_record->setToolTip(tr("Failed closed-loop episodes are written next to the workspace and "
                            "opened, like any demonstration"));
    m_run->setToolTip(tr("Run the methods ticked at every budget (Ctrl+R)"));
    m_run->setShortcut(QKeySequence(tr("Ctrl+R")));
    m_cancelButton->setEnabled(false);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    // Run, Cancel and the progress first: never scrolled away below the settings.
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_run);
    buttons->addWidget(m_cancelButton);
    buttons->addWidget(m_progress, 1);
    auto *form = new QFormLayout;
    form->setRowWrapPolicy(QFormLayout::WrapLongRows); // narrow: the label above its field
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
    auto *settingsBox = new QWidget(this);
    auto *settingsLayout = new QVBoxLayout(settingsBox);
    settingsLayout->setContentsMargins(0, 0, 0, 0);
    settingsLayout->addLayout(form);
    settingsLayout->addStretch(1);
    // The settings scroll rather than holding the bottom tabs tall: the views keep the height.
    auto *settingsScroll = new QScrollArea(this);
    settingsScroll->setWidget(settingsBox);
    settingsScroll->setWidgetResizable(true);
    settingsScroll->setFrameShape(QFrame::NoFrame);
    settingsScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto *controls = new QWidget(this);
    auto *controlsLayout = new QVBoxLayout(controls);
    controlsLayout->setContentsMargins(0, 0, 0, 0);
    controlsLayout->addLayout(buttons);
    controlsLayout->addWidget(m_status);
    controlsLayout->addWidget(settingsScroll, 1);
    // As wide as the settings want, plus room for the scroll bar: never clipped sideways.
    controls->setFixedWidth(std::max(250, settingsBox->minimumSizeHint().width()) +
                            style()->pixelMetric(QStyle::PM_ScrollBarExtent) + 4);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(controls);
    layout->addWidget(m_plots, 1);

    restoreSettings();
    connect(m_run, &QPushButton::clicked, this, &BudgetPanel::startRun);
    connect(m_cancelButton, &QPushButton::clicked, this, &BudgetPanel::cancelRun);
    connect(m_methods, &QListWidget::itemChanged, this, [this] {
        m_plots->setMethods(tickedMethods());
        saveSettings();
    });
    connect(m_plots, &PlotPanel::methodsShown, this,
            [this](const std::vector<std::string> &methods) {
                const QSignalBlocker block(m_methods);
                for (int i = 0; i < m_methods->count(); ++i) {
                    const std::string name = m_methods->item(i)->text().toStdString();
                    const bool on = methods.empty() ||
                                    std::find(methods.begin(), methods.end(), name) != methods.end();
                    m_methods->item(i)->setCheckState(on ? Qt::Checked : Qt::Unchecked);
                }
            });
    connect(m_mode, &QComboBox::currentIndexChanged, this, [this](int mode) {
        const bool closed = mode == int(Mode::ClosedLoop);
        m_suite->setEnabled(closed);
        m_episodes->setEnabled(closed);
        m_record->setEnabled(closed);
        m_thisEpisode->setEnabled(!closed);
        saveSettings();
    });
    emit m_mode->currentIndexChanged(m_mode->currentIndex());
    connect(m_budgets, &QLineEdit::editingFinished, this, &BudgetPanel::saveSettings);
    connect(m_suite, &QComboBox::currentIndexChanged, this, &BudgetPanel::saveSettings);
    connect(m_episodes, &QSpinBox::valueChanged, this, &BudgetPanel::saveSettings);
    for (QCheckBox *box : {m_thisEpisode, m_record, m_force})
        connect(box, &QCheckBox::toggled, this, &BudgetPanel::saveSettings);
    connect(m_plots, &PlotPanel::message, this, &BudgetPanel::message);
    connect(m_plots, &PlotPanel::failed, this, &BudgetPanel::runFailed);

    connect(m_job, &EvaluationJob::progress, this, [this](qint64 done, qint64 total) {
        m_progress->setRange(0, int(std::max<qint64>(total, 1)));
        m_progress->setValue(int(done));
        m_status->setText(Mode(m_mode->currentIndex()) == Mode::ClosedLoop
                              ? tr("Running: %1 of %2 episodes").arg(done).arg(total)
                              : tr("Running: %1 of %2 frames").arg(done).arg(total));
    });
    connect(m_job, &EvaluationJob::cancelled, this, [this] {
        runEnded();
        m_status->setText(tr("Cancelled: configurations finished before are stored"));
        emit message(m_status->text());
    });
    connect(m_job, &EvaluationJob::failed, this, [this](const QString &error) {
        runEnded();
        m_status->setText(error);
        emit runFailed(error);
    });
    connect(m_job, &EvaluationJob::finished, this,
            [this](const QString &summary, const QStringList &recorded) {
                runEnded();
                m_progress->setValue(m_progress->maximum());
                m_status->setText(summary);
                // Show what the run made: its kind of plot.
                m_plots->setKind(Mode(m_mode->currentIndex()) == Mode::ClosedLoop
                                     ? PlotPanel::Kind::Success
                                     : PlotPanel::Kind::ActionError);
                emit runFinished(summary, recorded);
            });
    m_plots->setMethods(tickedMethods());
}

BudgetPanel::~BudgetPanel() = default; // the job cancels its run; nothing is half-stored

void BudgetPanel::setWorkspace(grids::Workspace *workspace)
{
    m_workspace = workspace;
    m_plots->setWorkspace(workspace);
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
    {
        const QSignalBlocker block(m_methods);
        for (int i = 0; i < m_methods->count(); ++i)
            m_methods->item(i)->setCheckState(
                methods.contains(m_methods->item(i)->text()) ? Qt::Checked : Qt::Unchecked);
    }
    m_plots->setMethods(tickedMethods());
    saveSettings();
}

void BudgetPanel::setBudgets(const QString &budgets)
{
    m_budgets->setText(budgets);
    saveSettings();
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

BudgetPanel::Mode BudgetPanel::mode() const
{
    return Mode(m_mode->currentIndex());
}

QStringList BudgetPanel::methods() const
{
    QStringList names;
    for (const std::string &method : tickedMethods())
        names << QString::fromStdString(method);
    return names;
}

QString BudgetPanel::budgets() const
{
    return m_budgets->text();
}

QString BudgetPanel::suite() const
{
    return m_suite->currentText();
}

int BudgetPanel::episodesPerTask() const
{
    return m_episodes->value();
}

bool BudgetPanel::recordFailures() const
{
    return m_record->isChecked();
}

bool BudgetPanel::running() const
{
    return m_job->running();
}

QString BudgetPanel::statusText() const
{
    return m_status->text();
}

std::vector<std::string> BudgetPanel::tickedMethods() const
{
    std::vector<std::string> methods;
    for (int i = 0; i < m_methods->count(); ++i)
        if (m_methods->item(i)->checkState() == Qt::Checked)
            methods.push_back(m_methods->item(i)->text().toStdString());
    return methods;
}

void BudgetPanel::startRun()
{
    if (running())
        return;
    QString problem;
    std::vector<int> budgets;
    for (const QString &part : m_budgets->text().split(',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const int budget = part.trimmed().toInt(&ok);
        if (!ok || budget < 1)
            problem = tr("Tokens/view: \"%1\" is not a positive whole number").arg(part.trimmed());
        budgets.push_back(budget);
    }
    EvaluationJob::Settings settings;
    settings.closedLoop = Mode(m_mode->currentIndex()) == Mode::ClosedLoop;
    settings.methods = tickedMethods();
    if (m_checkpoint.isEmpty())
        problem = tr("Open a checkpoint first");
    else if (!m_workspace)
        problem = tr("No workspace database is open");
    else if (settings.methods.empty())
        problem = tr("Tick at least one method");
    else if (budgets.empty())
        problem = tr("Give at least one budget (tokens per view)");
    else if (!settings.closedLoop && m_episodesPath.isEmpty())
        problem = tr("Open an episode to sweep");
    if (!problem.isEmpty()) {
        m_status->setText(problem);
        emit runFailed(problem);
        return;
    }
    saveSettings();
    settings.checkpoint = m_checkpoint;
    settings.workspace = QString::fromStdString(m_workspace->path());
    settings.serverOptions = policyServerOptions();
    settings.budgets = budgets;
    settings.force = m_force->isChecked();
    settings.episodes = m_episodesPath.toStdString();
    settings.episodeKey = m_thisEpisode->isChecked() ? m_episodeKey.toStdString() : "";
    settings.viewRenames = storedViewMap(m_episodesPath);
    settings.suite = m_suite->currentText().toStdString();
    settings.episodesPerTask = m_episodes->value();
    if (m_record->isChecked())
        settings.recordDir = QFileInfo(settings.workspace).absolutePath() + "/failures";

    m_run->setEnabled(false);
    m_cancelButton->setEnabled(true);
    m_progress->setRange(0, 0); // busy until the first report
    m_status->setText(tr("Loading the checkpoint…"));
    m_job->start(settings);
}

void BudgetPanel::cancelRun()
{
    if (running()) {
        m_job->cancel();
        m_status->setText(tr("Cancelling…"));
    }
}

void BudgetPanel::runEnded()
{
    m_run->setEnabled(true);
    m_cancelButton->setEnabled(false);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_plots->refreshPlot();
}

void BudgetPanel::saveSettings() const
{
    QSettings settings;
    const QString prefix = QLatin1String(kSettings);
    settings.setValue(prefix + "mode", m_mode->currentIndex());
    settings.setValue(prefix + "methods", methods());
    settings.setValue(prefix + "budgets", m_budgets->text());
    settings.setValue(prefix + "suite", m_suite->currentText());
    settings.setValue(prefix + "episodesPerTask", m_episodes->value());
    settings.setValue(prefix + "thisEpisodeOnly", m_thisEpisode->isChecked());
    settings.setValue(prefix + "recordFailures", m_record->isChecked());
    settings.setValue(prefix + "force", m_force->isChecked());
}

void BudgetPanel::restoreSettings()
{
    const QSettings settings;
    const QString prefix = QLatin1String(kSettings);
    if (!settings.contains(prefix + "mode"))
        return; // first run: the defaults
    const QSignalBlocker blockMode(m_mode), blockMethods(m_methods), blockSuite(m_suite),
        blockEpisodes(m_episodes), blockThis(m_thisEpisode), blockRecord(m_record),
        blockForce(m_force);
    m_mode->setCurrentIndex(std::clamp(settings.value(prefix + "mode").toInt(), 0, 1));
    const QStringList methods = settings.value(prefix + "methods").toStringList();
    for (int i = 0; i < m_methods->count(); ++i)
        m_methods->item(i)->setCheckState(
            methods.contains(m_methods->item(i)->text()) ? Qt::Checked : Qt::Unchecked);
    m_budgets->setText(settings.value(prefix + "budgets", m_budgets->text()).toString());
    m_suite->setCurrentText(settings.value(prefix + "suite", m_suite->currentText()).toString());
    m_episodes->setValue(settings.value(prefix + "episodesPerTask", m_episodes->value()).toInt());
    m_thisEpisode->setChecked(settings.value(prefix + "thisEpisodeOnly", true).toBool());
    m_record->setChecked(settings.value(prefix + "recordFailures", false).toBool());
    m_force->setChecked(settings.value(prefix + "force", false).toBool());
}
