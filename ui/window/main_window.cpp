#include "window/main_window.h"

#include "plots/action_plot.h"
#include "plots/plot_renderer.h"
#include "panels/annotation_panel.h"
#include "panels/budget_panel.h"
#include "panels/compare_panel.h"
#include "panels/dataset_panel.h"
#include "session/episode_library.h"
#include "views/episode_view.h"
#include "episodes/episode.h"
#include "eval/metrics.h"
#include "jobs/inference_worker.h"
#include "panels/model_panel.h"
#include "panels/probe_panel.h"
#include "store/annotation_export.h"
#include "session/session.h"
#include "store/workspace.h"
#include "dialogs/export_path.h"
#include "dialogs/policy_server_settings.h"
#include "jobs/video_export_job.h"
#include "dialogs/view_map.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QIcon>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>

// The .qrc is compiled into the static grids_ui library; this reference keeps the linker from
// dropping it. Outside any namespace, as Q_INIT_RESOURCE requires.
static void initGridsResources()
{
    Q_INIT_RESOURCE(resources);
}

namespace {
constexpr int kMaxRecent = 10;
const char *kRecentKey = "recentFiles";
} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_session(new Session(this))
    , m_datasetPanel(new DatasetPanel(m_session->library(), this))
    , m_episodeView(new EpisodeView(m_session, this))
    , m_modelPanel(new ModelPanel(this))
    , m_actionPlot(new ActionPlot(this))
    , m_undo(new QUndoStack(this))
    , m_annotationPanel(new AnnotationPanel(nullptr, m_undo, this))
    , m_comparePanel(new ComparePanel(this))
    , m_probePanel(new ProbePanel(this))
    , m_budgetPanel(new BudgetPanel(this))
    , m_errorBanner(new QLabel(this))
{
    initGridsResources();
    setWindowTitle(tr("GridS Studio"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/grids-studio.png")));
    setAcceptDrops(true);

    m_errorBanner->setObjectName(QStringLiteral("errorBanner"));
    m_errorBanner->setWordWrap(true);
    m_errorBanner->setStyleSheet(
        QStringLiteral("QLabel { background: #fde2e1; color: #7a1712; padding: 6px; }"));
    m_errorBanner->setTextFormat(Qt::RichText);
    m_errorBanner->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::LinksAccessibleByMouse);
    m_errorBanner->hide();
    connect(m_errorBanner, &QLabel::linkActivated, this, [this] { hideErrors(); });

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_errorBanner);
    auto *splitter = new QSplitter(Qt::Horizontal, central);
    splitter->setObjectName(QStringLiteral("mainSplitter"));
    splitter->addWidget(m_datasetPanel);
    auto *centre = new QSplitter(Qt::Vertical, splitter);
    centre->setObjectName(QStringLiteral("viewSplitter"));
    centre->addWidget(m_episodeView);
    auto *bottom = new QTabWidget(centre);
    bottom->setObjectName(QStringLiteral("bottomTabs"));
    bottom->addTab(m_actionPlot, tr("Actions"));
    bottom->addTab(m_budgetPanel, tr("Budgets"));
    centre->addWidget(bottom);
    centre->setStretchFactor(0, 3);
    centre->setStretchFactor(1, 1);
    centre->setSizes({480, 200});
    splitter->addWidget(centre);
    auto *tabs = new QTabWidget(splitter);
    tabs->setObjectName(QStringLiteral("sideTabs"));
    tabs->addTab(m_modelPanel, tr("Model"));
    tabs->addTab(m_comparePanel, tr("Compare"));
    tabs->addTab(m_probePanel, tr("Probe"));
    tabs->addTab(m_annotationPanel, tr("Annotations"));
    // Every tab's title whole, whatever the window's width: the panel is as wide as its tabs.
    tabs->setUsesScrollButtons(false);
    tabs->setElideMode(Qt::ElideNone);
    splitter->addWidget(tabs);
    splitter->setCollapsible(0, false);
    splitter->setCollapsible(2, false);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);
    setCentralWidget(central);

    connect(m_datasetPanel, &DatasetPanel::episodeActivated, this, [this](int file, int episode) {
        m_session->setEpisode(m_session->library()->files().at(std::size_t(file)), episode);
    });
    connect(m_datasetPanel, &DatasetPanel::episodeEntered, m_episodeView,
            qOverload<>(&QWidget::setFocus));
    connect(m_session, &Session::episodeChanged, this, [this] {
        const auto &files = m_session->library()->files();
        const auto at = std::find(files.begin(), files.end(), m_session->file());
        if (at != files.end())
            m_datasetPanel->setCurrentEpisode(int(at - files.begin()), m_session->episode());
    });
    connect(m_session, &Session::frameRequested, this, [this](qint64 frame) {
        m_annotationPanel->setFrame(frame);
        m_actionPlot->setCurrentFrame(frame);
    });
    connect(m_session, &Session::frameShown, this, [this] { showKeypoints(); });
    connect(m_session, &Session::frameFailed, this,
            [this](const QString &message) { showErrors({message}); });
    connect(m_session, &Session::episodeIdentified, m_annotationPanel,
            &AnnotationPanel::setEpisode);

    // The main column: the model panel picks what the session runs and shows what it gave.
    connect(m_modelPanel, &ModelPanel::selectionChanged, this, [this] {
        m_session->setSelection(Session::Main, selectionOf(m_modelPanel));
    });
    connect(m_session, &Session::selectionChanged, this, [this](Session::Column column) {
        ModelPanel *panel = column == Session::Main ? m_modelPanel : m_comparePanel->model();
        const Session::Selection chosen = m_session->selection(column);
        {
            const QSignalBlocker block(panel); // the panel follows; it does not ask again
            panel->setMethod(chosen.method);
            panel->setBudget(chosen.budget);
        }
        // What the panel can show is what runs (dense has no budget; a budget is clamped).
        if (const Session::Selection shown = selectionOf(panel); !(shown == chosen))
            m_session->setSelection(column, shown);
        updateColumns();
    });
    connect(m_session, &Session::episodeChanged, this, [this] {
        QStringList names;
        for (const std::string &name : m_session->episodeInfo()->actionNames)
            names << QString::fromStdString(name);
        m_actionPlot->setDimensionNames(names);
    });
    connect(m_session, &Session::trackCleared, this, [this] {
        m_actionPlot->clear();
        m_episodeView->setSamples({});
        m_comparePanel->setDivergences({});
    });
    connect(m_session, &Session::trackReady, this, [this] { showTracks(); });
    connect(m_session, &Session::samplesReady, this,
            [this](const std::vector<grids::ViewSelection> &samples) {
                // Dense keeps every cell on every frame: its density is flat and says nothing.
                if (m_session->selection(Session::Main).method != QLatin1String("dense"))
                    m_episodeView->setSamples(samples);
            });
    connect(m_actionPlot, &ActionPlot::frameRequested, m_session, &Session::setFrame);
    connect(m_modelPanel, &ModelPanel::overlayChanged, this, [this] {
        m_episodeView->setOverlayStyle(m_modelPanel->overlayStyle(), 0);
        if (m_session->comparing())
            m_episodeView->setOverlayStyle(compareStyle(), 1);
    });
    connect(m_session, &Session::checkpointLoaded, this,
            [this](Session::Column column, const QString &path) {
                if (column != Session::Main)
                    return;
                const grids::CheckpointInfo &info = inference()->info();
                m_modelPanel->setCheckpoint(info);
                // Until the comparison runs one of its own, its column would run this one: its
                // panel offers this checkpoint's methods and budgets rather than "No checkpoint".
                if (!compareInference()->hasCheckpoint()) {
                    m_comparePanel->model()->setCheckpoint(info);
                    m_comparePanel->setCheckpointPath(path);
                }
                m_session->setSelection(Session::Main, selectionOf(m_modelPanel));
                updateColumns();
                statusBar()->showMessage(tr("Loaded checkpoint %1").arg(path), 5000);
                if (info.remote && info.json.empty())
                    showErrors({tr("%1 sends no GridS extensions (grids/checkpoint in its metadata): its actions are "
                                   "shown and scored, but overlays, budgets and the method choice are unavailable "
                                   "(docs/POLICY-SERVER.md)")
                                    .arg(path)},
                               tr("Connected to a policy server without GridS extensions"));
            });
    connect(m_session, &Session::checkpointFailed, this,
            [this](Session::Column, const QString &message) { showErrors({message}); });
    connect(m_session, &Session::inferenceFailed, this,
            [this](Session::Column column, const QString &message) {
                if (column == Session::Compared) {
                    statusBar()->showMessage(message, 8000);
                    return;
                }
                // Said in the banner, once: the same failure comes back on every frame (a
                // checkpoint that cannot read this dataset's cameras), and it goes when a frame
                // runs again.
                if (message != m_errorText) {
                    showErrors({message},
                               tr("The checkpoint could not run this frame: see the message above"));
                    m_bannerFromInference = true;
                }
            });
    connect(m_session, &Session::resultReady, this,
            [this](Session::Column column, qint64 frame,
                   std::shared_ptr<const grids::FrameResult> result,
                   std::shared_ptr<const grids::FrameResult> baseline) {
                const grids::render::OverlayStyle style =
                    column == Session::Main ? m_modelPanel->overlayStyle() : compareStyle();
                m_episodeView->setOverlay(result, style, column, baseline, frame);
                // An earlier frame's result is only drawn until the frame's own arrives: the
                // panels describe the frame on screen.
                if (frame != m_session->shownFrame())
                    return;
                const auto pixels = m_session->shownPixels();
                const std::vector<float> demo = pixels ? pixels->action : std::vector<float>{};
                if (column == Session::Compared) {
                    m_comparePanel->model()->showResult(*result, demo);
                    return;
                }
                if (m_bannerFromInference)
                    hideErrors();
                if (baseline)
                    m_probePanel->showEffect(*result, *baseline);
                m_modelPanel->showResult(*result, demo);
                showKeypoints(); // coverage follows the selection
            });

    connect(m_annotationPanel, &AnnotationPanel::annotationsChanged, this, [this] {
        showKeypoints();
        showAnnotationsOnTimeline();
        listAnnotations();
    });
    connect(m_episodeView, &EpisodeView::paneClicked, this,
            [this](const QString &view, double x, double y) {
                if (m_annotationPanel->keypointMode())
                    m_annotationPanel->addKeypoint(view, x, y);
            });
    connect(m_session, &Session::workspaceFailed, this,
            [this](const QString &message) { showErrors({message}); });
    connect(m_session, &Session::workspaceChanged, this, [this] {
        m_undo->clear(); // the commands refer to the previous workspace
        m_annotationPanel->setWorkspace(m_session->workspace());
        m_budgetPanel->setWorkspace(m_session->workspace());
        listAnnotations();
        m_annotationPanel->setFrame(m_session->frame());
    });

    setupComparison();
    setupProbes();
    setupBudgets();
    createMenus();
    statusBar()->showMessage(tr("Open an episode file or folder (Ctrl+O), or drop one here"));

    EpisodeLibrary *library = m_session->library();
    connect(library, &EpisodeLibrary::opened, this, [this](const QString &path, int files) {
        rememberRecent(path);
        hideErrors();
        statusBar()->showMessage(tr("Opened %1 (%n file(s))", nullptr, files).arg(path), 5000);
    });
    connect(library, &EpisodeLibrary::failed, this,
            [this](const QString &, const QStringList &errors) { showErrors(errors); });

    QSettings settings;
    m_recent = settings.value(kRecentKey).toStringList();
    rebuildRecentMenu();
    restoreGeometry(settings.value("mainWindow/geometry").toByteArray());
    restoreState(settings.value("mainWindow/state").toByteArray());
    for (const char *name : {"mainSplitter", "viewSplitter"})
        if (auto *splitter = findChild<QSplitter *>(QLatin1String(name)))
            splitter->restoreState(
                settings.value(QStringLiteral("mainWindow/") + name).toByteArray());
    if (!settings.contains("mainWindow/geometry"))
        setFirstLaunchLayout();
}

QSize MainWindow::firstLaunchSize(const QSize &screen)
{
    return {std::min(1600, int(screen.width() * 0.9)), std::min(1000, int(screen.height() * 0.9))};
}

void MainWindow::setFirstLaunchLayout()
{
    // Most of the screen (up to 1600×1000); the splitter's shares come with the first show,
    // when the window has that size (a splitter not laid out yet keeps its children's hints).
    resize(firstLaunchSize(screen() ? screen()->availableGeometry().size() : QSize(1280, 800)));
    m_firstLaunch = true;
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (!m_firstLaunch)
        return;
    m_firstLaunch = false;
    // The dataset list wide enough for episode names, the side panels for their forms; the
    // camera views get the rest. Once the shown window is laid out: before, the splitter has
    // its hinted width and would squeeze the list to its minimum.
    QTimer::singleShot(0, this, [this] {
        auto *splitter = findChild<QSplitter *>(QStringLiteral("mainSplitter"));
        if (!splitter)
            return;
        const int width = splitter->width();
        const int side = std::max(splitter->widget(2)->minimumSizeHint().width(), width / 4);
        const int list = std::max(260, width / 5);
        splitter->setSizes({list, std::max(1, width - list - side), side});
    });
}

MainWindow::~MainWindow() = default;

Session::Selection MainWindow::selectionOf(const ModelPanel *panel)
{
    return {panel->method(), panel->budget()};
}

grids::Workspace *MainWindow::workspace() const
{
    return m_session->workspace();
}

EpisodeLibrary *MainWindow::library() const
{
    return m_session->library();
}

InferenceWorker *MainWindow::inference() const
{
    return m_session->inference(Session::Main);
}

InferenceWorker *MainWindow::compareInference() const
{
    return m_session->inference(Session::Compared);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *openFile = file->addAction(tr("&Open File…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open episodes"), QString(),
            tr("Episodes (*.hdf5 *.h5 *.mp4 *.mov *.avi *.mkv *.webm);;All files (*)"));
        if (!path.isEmpty())
            openPath(path);
    });
    openFile->setShortcut(QKeySequence::Open);
    QAction *openFolder = file->addAction(tr("Open &Folder…"), this, [this] {
        const QString path =
            QFileDialog::getExistingDirectory(this, tr("Open a folder of episodes"));
        if (!path.isEmpty())
            openPath(path);
    });
    openFolder->setShortcut(QKeySequence(tr("Ctrl+Shift+O")));
    QAction *openModel = file->addAction(tr("Open &Checkpoint…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open a checkpoint"), QString(),
                                                          tr("Checkpoints (*.pt);;All files (*)"));
        if (!path.isEmpty())
            openCheckpoint(path);
    });
    openModel->setShortcut(QKeySequence(tr("Ctrl+K")));
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    QAction *exportVideo = file->addAction(tr("&Export Video…"), this, [this] {
        // Refused before a file name is asked for: nothing to export yet.
        if (!canExportVideo())
            return;
        const QString out = askExportPath(
            this, tr("Export annotated video"), suggestedVideoName(), tr("MP4 video (*.mp4)"),
            QStringLiteral("mp4"), QFileInfo(QString::fromStdString(m_session->file()->path())).absolutePath());
        if (!out.isEmpty())
            exportEpisodeVideo(out);
    });
    exportVideo->setShortcut(QKeySequence(tr("Ctrl+E")));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    QAction *undo = m_undo->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    edit->addAction(undo);
    QAction *redo = m_undo->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence(tr("Ctrl+Shift+Z")));
    edit->addAction(redo);
    edit->addSeparator();
    QAction *tag =
        edit->addAction(tr("&Tag This Frame"), m_annotationPanel, &AnnotationPanel::tagFrame);
    tag->setShortcut(QKeySequence(Qt::Key_T));
    QAction *keypoints = edit->addAction(tr("&Keypoint Mode"), this, [this] {
        m_annotationPanel->setKeypointMode(!m_annotationPanel->keypointMode());
    });
    keypoints->setShortcut(QKeySequence(Qt::Key_K));
    edit->addAction(tr("&Export Annotations…"), this, [this] {
        if (!workspace()) {
            showErrors({tr("Export annotations: no workspace is open")});
            return;
        }
        const QString out = askExportPath(
            this, tr("Export annotations"),
            QFileInfo(QString::fromStdString(workspace()->path())).completeBaseName() +
                QStringLiteral("-annotations.json"),
            tr("JSON (*.json);;CSV (*.csv)"), QStringLiteral("json"),
            QFileInfo(QString::fromStdString(workspace()->path())).absolutePath());
        if (out.isEmpty())
            return;
        try {
            grids::exportAnnotations(workspace()->annotations(), out.toStdString());
            statusBar()->showMessage(tr("Exported annotations to %1").arg(out), 5000);
        } catch (const std::exception &e) {
            showErrors({QString::fromStdString(e.what())});
        }
    });

    QMenu *model = menuBar()->addMenu(tr("&Model"));
    QAction *halve =
        model->addAction(tr("&Halve the budget"), m_modelPanel, &ModelPanel::halveBudget);
    halve->setShortcut(QKeySequence(Qt::Key_BracketLeft));
    QAction *twice =
        model->addAction(tr("&Double the budget"), m_modelPanel, &ModelPanel::doubleBudget);
    twice->setShortcut(QKeySequence(Qt::Key_BracketRight));
    model->addSeparator();
    QAction *compare = model->addAction(tr("&Compare Side by Side"));
    compare->setCheckable(true);
    compare->setShortcut(QKeySequence(tr("Ctrl+D")));
    connect(compare, &QAction::toggled, m_comparePanel, &ComparePanel::setActive);
    connect(m_comparePanel, &ComparePanel::toggled, compare, &QAction::setChecked);
    QAction *occlude = model->addAction(tr("Draw &Occlusion Box"), this,
                                        [this] { m_probePanel->occlusionButton()->toggle(); });
    occlude->setShortcut(QKeySequence(Qt::Key_O));
    model->addAction(tr("C&lear Probes"), m_probePanel, &ProbePanel::clear);
    model->addSeparator();
    model->addAction(tr("Connect to &Policy Server…"), this, [this] {
        if (const QString url = askForPolicyServer(this); !url.isEmpty())
            openCheckpoint(url);
    });
    model->addAction(tr("&Map Views…"), this, [this] { mapViews(); });

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About GridS Studio"), this, [this] {
        QMessageBox::about(this, tr("About GridS Studio"),
                           tr("GridS Studio %1\nInspect GridS token sampling and pruning "
                              "baselines for vision-language-action policies.")
                               .arg(QApplication::applicationVersion()));
    });
}

void MainWindow::openPath(const QString &path)
{
    statusBar()->showMessage(tr("Opening %1…").arg(path));
    m_session->library()->open(path);
}

void MainWindow::mapViews()
{
    const auto file = m_session->file();
    if (!file) {
        showErrors({tr("Map views: open an episode first")});
        return;
    }
    const QString path = QString::fromStdString(file->path());
    const grids::ViewRenames current = storedViewMap(path);
    QStringList cameras; // the dataset's own names, as before any mapping
    for (const auto &view : m_session->episodeInfo()->views) {
        QString name = QString::fromStdString(view.name);
        for (const auto &[from, to] : current)
            if (QString::fromStdString(to) == name)
                name = QString::fromStdString(from);
        cameras << name;
    }
    QStringList checkpointViews;
    if (inference()->hasCheckpoint())
        for (const auto &view : inference()->info().views)
            checkpointViews << QString::fromStdString(view);
    ViewMapDialog dialog(path, cameras, checkpointViews, current, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    storeViewMap(path, dialog.renames());
    library()->reopen(path);
}

void MainWindow::openCheckpoint(const QString &path)
{
    statusBar()->showMessage(tr("Loading checkpoint %1…").arg(path));
    m_session->loadCheckpoint(Session::Main, path);
}

bool MainWindow::canExportVideo()
{
    if (m_session->file() && inference()->hasCheckpoint())
        return true;
    showErrors({tr("Export video: open an episode and a checkpoint first")});
    return false;
}

QString MainWindow::suggestedVideoName() const
{
    const Session::Selection main = m_session->selection(Session::Main);
    QString name = QString::fromStdString(m_session->episodeInfo()->key) + "-" + main.method;
    if (main.method != QLatin1String("dense"))
        name += "-" + QString::number(main.budget);
    return fileSafeName(name) + QStringLiteral(".mp4");
}

VideoExportJob *MainWindow::exportEpisodeVideo(const QString &out)
{
    if (!canExportVideo())
        return nullptr;
    const auto file = m_session->file();
    grids::render::VideoExportOptions options;
    options.episodesPath = file->path();
    options.episodeKey = m_session->episodeInfo()->key;
    options.viewRenames = storedViewMap(QString::fromStdString(options.episodesPath));
    options.method = m_modelPanel->method().toStdString();
    options.budget = m_modelPanel->budget();
    options.style = m_modelPanel->overlayStyle();
    options.out = out.toStdString();
    QString compare; // the comparison on screen is exported as a second row
    if (m_session->comparing()) {
        compare = compareInference()->checkpointPath();
        options.compareMethod = m_comparePanel->model()->method().toStdString();
        options.compareBudget = m_comparePanel->model()->budget();
    }
    auto *job = new VideoExportJob(QString::fromStdString(inference()->info().path), options, this,
                                   compare);
    connect(job, &VideoExportJob::finished, this, [this](const QString &path, int frames) {
        statusBar()->showMessage(tr("Exported %1 (%2 frames)").arg(path).arg(frames), 8000);
    });
    connect(job, &VideoExportJob::failed, this,
            [this](const QString &message) { showErrors({message}); });
    connect(job, &VideoExportJob::cancelled, this,
            [this] { statusBar()->showMessage(tr("Export cancelled; nothing written"), 5000); });
    job->start();
    return job;
}

void MainWindow::openWorkspace(const QString &path)
{
    m_session->openWorkspace(path);
}

void MainWindow::listAnnotations()
{
    if (!workspace())
        return;
    try {
        m_datasetPanel->setAnnotations(workspace()->annotations());
    } catch (const std::exception &e) {
        statusBar()->showMessage(QString::fromStdString(e.what()), 8000);
    }
}

void MainWindow::showAnnotationsOnTimeline()
{
    // Tags in their label's colour over their range, keypoints orange, notes blue; a note on the
    // whole episode (frame -1) has no place on the timeline.
    const QStringList labels = m_annotationPanel->tagLabels();
    QVector<TimelineSlider::Mark> marks;
    for (const auto &a : m_annotationPanel->annotations()) {
        if (a.startFrame < 0)
            continue;
        QColor colour(60, 90, 220);
        if (a.kind == grids::AnnotationKind::Tag)
            colour = grids::ui::seriesColour(
                std::max<qsizetype>(0, labels.indexOf(QString::fromStdString(a.label))));
        else if (a.kind == grids::AnnotationKind::Keypoint)
            colour = QColor(240, 140, 0);
        marks.push_back({a.startFrame, std::max(a.startFrame, a.endFrame), colour,
                         AnnotationPanel::describe(a)});
    }
    m_episodeView->timeline()->setMarks(marks);
}

void MainWindow::showKeypoints()
{
    QList<EpisodeView::Keypoint> keypoints;
    for (const auto &a : m_annotationPanel->annotations())
        if (a.kind == grids::AnnotationKind::Keypoint && a.startFrame == m_session->frame())
            keypoints.append({QString::fromStdString(a.view), a.x, a.y});
    m_episodeView->setKeypoints(keypoints);
    // Coverage: how many of this frame's keypoints have a kept token within half a cell.
    const auto result = m_episodeView->overlay();
    if (!result || keypoints.isEmpty())
        return;
    std::vector<grids::ViewKeypoint> points;
    for (const auto &keypoint : keypoints)
        points.push_back({keypoint.view.toStdString(), float(keypoint.x), float(keypoint.y)});
    const auto count = grids::frameKeypointCoverage(m_session->episodeInfo()->views, result->views,
                                                    points, inference()->info().gridWidth);
    statusBar()->showMessage(
        tr("Keypoint coverage: %1 of %2 keypoints have a kept token within half a cell")
            .arg(count.covered)
            .arg(count.total),
        8000);
    m_keypointCoverage = double(count.covered) / double(count.total);
}

void MainWindow::showTracks()
{
    const auto &main = m_session->track(Session::Main);
    if (!main.empty())
        m_actionPlot->setTracks(main, m_session->demoTrack());
    const auto &compared = m_session->track(Session::Compared);
    if (compared.empty() || main.empty()) {
        m_actionPlot->setCompareTrack({}, {});
        m_comparePanel->setDivergences({});
    } else {
        std::vector<qint64> onsets;
        for (std::int64_t frame :
             grids::divergenceOnsets(main, compared, m_comparePanel->threshold()))
            onsets.push_back(qint64(frame));
        m_actionPlot->setCompareTrack(compared, onsets);
        m_comparePanel->setDivergences(onsets);
    }
    m_actionPlot->setCurrentFrame(m_session->frame());
}

QString MainWindow::errorText() const
{
    return m_errorText;
}

void MainWindow::showErrors(const QStringList &errors, const QString &status)
{
    m_bannerFromInference = false;
    m_errorText = errors.join(QLatin1Char('\n'));
    m_errorBanner->setText(m_errorText.toHtmlEscaped().replace(QLatin1Char('\n'), "<br>") +
                           QStringLiteral(" &nbsp;<a href=\"dismiss\">Dismiss</a>"));
    m_errorBanner->show();
    statusBar()->showMessage(
        status.isEmpty() ? tr("Could not open everything: see the message above") : status, 5000);
}

void MainWindow::hideErrors()
{
    m_bannerFromInference = false;
    m_errorText.clear();
    m_errorBanner->hide();
}

void MainWindow::rememberRecent(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    m_recent.removeAll(absolute);
    m_recent.prepend(absolute);
    while (m_recent.size() > kMaxRecent)
        m_recent.removeLast();
    QSettings().setValue(kRecentKey, m_recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    for (const QString &path : m_recent)
        m_recentMenu->addAction(path, this, [this, path] { openPath(path); });
    m_recentMenu->setEnabled(!m_recent.isEmpty());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue("mainWindow/geometry", saveGeometry());
    settings.setValue("mainWindow/state", saveState());
    for (const char *name : {"mainSplitter", "viewSplitter"})
        if (auto *splitter = findChild<QSplitter *>(QLatin1String(name)))
            settings.setValue(QStringLiteral("mainWindow/") + name, splitter->saveState());
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    for (const QUrl &url : event->mimeData()->urls())
        if (url.isLocalFile())
            openPath(url.toLocalFile());
    event->acceptProposedAction();
}
