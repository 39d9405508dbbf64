// Tool (run on request): a screenshot of the main window for the README, made offscreen.
//
//   QT_QPA_PLATFORM=offscreen ./build/tests/bench/gui_screenshot OUT.png [CHECKPOINT] [EPISODE]
//   [FRAME] [--heatmap] [--density] [--compare C2 [--compare-method M] [--compare-budget K]]
//   [--screen WxH]
//
// With --screen, the window has the size and layout a first launch gives it on a WxH screen
// (otherwise 1400×760).
// With --compare, the second checkpoint runs in a second column and the Compare tab is shown.
// With --db DB --budgets, the Budgets tab shows DB's success against tokens per method.
// Opens the bundled demo episodes (and the bundled checkpoint unless one is named), shows
// EPISODE (index, default 0) at FRAME (default 20), waits for the model's overlay and saves the
// window as it is drawn.

#include "plots/action_plot.h"
#include "panels/budget_panel.h"
#include "plots/plot_panel.h"
#include "window/bundled_data.h"
#include "panels/compare_panel.h"
#include "session/episode_library.h"
#include "session/session.h"
#include "views/episode_view.h"
#include "jobs/inference_worker.h"
#include "window/main_window.h"
#include "panels/model_panel.h"

#include <QApplication>
#include <QCheckBox>
#include <QElapsedTimer>
#include <QSettings>
#include <QSignalSpy>
#include <QSplitter>
#include <QTabWidget>
#include <QTest>
#include <qcustomplot.h>

#include <cstdio>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName("GridS-screenshots"); // leaves the user's settings alone
    QSettings().clear(); // and each screenshot starts from the default layout, not the last one's
    const QStringList args = app.arguments();
    if (args.size() < 2) {
        std::fprintf(stderr,
                     "usage: gui_screenshot OUT.png [CHECKPOINT] [EPISODE] [FRAME] [--heatmap] "
                     "[--density] [--compare C2 [--compare-method M] [--compare-budget K]] "
                     "[--db DB --budgets] [--screen WxH]\n");
        return 2;
    }
    QStringList positional;
    QString compare, compareMethod, database;
    QSize size(1400, 760);
    int compareBudget = 0;
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == "--compare" && i + 1 < args.size())
            compare = args[++i];
        else if (args[i] == "--compare-method" && i + 1 < args.size())
            compareMethod = args[++i];
        else if (args[i] == "--db" && i + 1 < args.size())
            database = args[++i];
        else if (args[i] == "--screen" && i + 1 < args.size()) {
            const QStringList wh = args[++i].split('x');
            if (wh.size() != 2 || wh[0].toInt() <= 0 || wh[1].toInt() <= 0) {
                std::fprintf(stderr, "gui_screenshot: --screen takes WIDTHxHEIGHT, e.g. 1280x800\n");
                return 2;
            }
            size = MainWindow::firstLaunchSize({wh[0].toInt(), wh[1].toInt()});
        } else if (args[i] == "--compare-budget" && i + 1 < args.size())
            compareBudget = args[++i].toInt();
        else if (!args[i].startsWith("--"))
            positional << args[i];
    }
    if (positional.isEmpty()) {
        std::fprintf(stderr, "gui_screenshot: the first argument is the PNG to write\n");
        return 2;
    }
    const QString checkpoint = positional.size() > 1 ? positional[1] : bundledCheckpoint();
    const int episode = positional.size() > 2 ? positional[2].toInt() : 0;
    const int frame = positional.size() > 3 ? positional[3].toInt() : 20;
    MainWindow window;
    window.resize(size);
    window.show();
    if (!database.isEmpty())
        window.openWorkspace(database);
    QSignalSpy opened(window.library(), &EpisodeLibrary::opened);
    window.openPath(bundledDemoEpisodes());
    if (!opened.wait(20000))
        return 1;
    window.openCheckpoint(checkpoint);
    QSignalSpy loaded(window.inference(), &InferenceWorker::checkpointLoaded);
    if (!loaded.wait(60000))
        return 1;
    for (QCheckBox *box : window.modelPanel()->findChildren<QCheckBox *>())
        if ((args.contains("--heatmap") && box->text().startsWith("Attention heatmap")) ||
            (args.contains("--density") && box->text().startsWith("Sampling density")))
            box->setChecked(true);
    window.session()->setEpisode(window.library()->files().front(), episode);
    window.session()->setFrame(frame);
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 30000) {
        const auto overlay = window.episodeView()->overlay();
        if (overlay && window.session()->shownFrame() == frame &&
            window.actionPlot()->plot()->graphCount() > 0 &&
            (!args.contains("--density") || window.episodeView()->hasDensity()))
            break;
        QTest::qWait(50);
    }
    if (args.contains("--budgets")) {
        window.findChild<QTabWidget *>("bottomTabs")->setCurrentWidget(window.budgetPanel());
        window.findChild<QSplitter *>("viewSplitter")->setSizes({300, 460});
        QSignalSpy shown(window.budgetPanel()->plotPanel(), &PlotPanel::plotShown);
        window.budgetPanel()->plotPanel()->refreshPlot(); // the report is built off the UI thread
        shown.wait(30000);
    }
    if (!compare.isEmpty()) {
        window.findChild<QTabWidget *>("sideTabs")->setCurrentWidget(window.comparePanel());
        window.openComparison(compare);
        while (timer.elapsed() < 60000 && window.episodeView()->columnCount() < 2)
            QTest::qWait(50);
        QTest::qWait(300);
        if (!compareMethod.isEmpty())
            window.comparePanel()->model()->setMethod(compareMethod);
        if (compareBudget > 0)
            window.comparePanel()->model()->setBudget(compareBudget);
        while (timer.elapsed() < 90000 &&
               !(window.episodeView()->overlay(1) && window.actionPlot()->compareGraphs() > 0))
            QTest::qWait(50);
    }
    QTest::qWait(300);
    return window.grab().save(positional[0]) ? 0 : 1;
}
