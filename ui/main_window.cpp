#include "main_window.h"

#include "dataset_panel.h"
#include "episode_library.h"
#include "episode_view.h"

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
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
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
    , m_library(new EpisodeLibrary(this))
    , m_datasetPanel(new DatasetPanel(m_library, this))
    , m_episodeView(new EpisodeView(this))
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
    splitter->addWidget(m_episodeView);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);
    setCentralWidget(central);
    connect(m_datasetPanel, &DatasetPanel::episodeActivated, this, [this](int file, int episode) {
        m_episodeView->setEpisode(m_library->files().at(std::size_t(file)), episode);
        m_episodeView->setFocus();
    });

    createMenus();
    statusBar()->showMessage(tr("Open an episode file or folder (Ctrl+O), or drop one here"));

    connect(m_library, &EpisodeLibrary::opened, this, [this](const QString &path, int files) {
        rememberRecent(path);
        hideErrors();
        statusBar()->showMessage(tr("Opened %1 (%n file(s))", nullptr, files).arg(path), 5000);
    });
    connect(m_library, &EpisodeLibrary::failed, this,
            [this](const QString &, const QStringList &errors) { showErrors(errors); });

    QSettings settings;
    m_recent = settings.value(kRecentKey).toStringList();
    rebuildRecentMenu();
    restoreGeometry(settings.value("mainWindow/geometry").toByteArray());
    restoreState(settings.value("mainWindow/state").toByteArray());
    if (!settings.contains("mainWindow/geometry"))
        resize(1100, 700);
}

MainWindow::~MainWindow() = default;

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
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

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
    m_library->open(path);
}

QString MainWindow::errorText() const
{
    return m_errorText;
}

void MainWindow::showErrors(const QStringList &errors)
{
    m_errorText = errors.join(QLatin1Char('\n'));
    m_errorBanner->setText(m_errorText.toHtmlEscaped().replace(QLatin1Char('\n'), "<br>") +
                           QStringLiteral(" &nbsp;<a href=\"dismiss\">Dismiss</a>"));
    m_errorBanner->show();
    statusBar()->showMessage(tr("Could not open everything: see the message above"), 5000);
}

void MainWindow::hideErrors()
{
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
