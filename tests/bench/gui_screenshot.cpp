// Tool (run on request): a screenshot of the main window for the README, made offscreen.
//
//   QT_QPA_PLATFORM=offscreen ./build/tests/bench/gui_screenshot OUT.png [CHECKPOINT] [EPISODE]
//   [FRAME] [--heatmap]
//
// Opens the bundled demo episodes (and the bundled checkpoint unless one is named), shows
// EPISODE (index, default 0) at FRAME (default 20), waits for the model's overlay and saves the
// window as it is drawn.

#include "action_plot.h"
#include "bundled_data.h"
#include "episode_library.h"
#include "episode_view.h"
#include "inference_worker.h"
#include "main_window.h"
#include "model_panel.h"

#include <QApplication>
#include <QCheckBox>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>
#include <qcustomplot.h>

#include <cstdio>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName("GridS-screenshots"); // leaves the user's settings alone
    const QStringList args = app.arguments();
    if (args.size() < 2) {
        std::fprintf(stderr,
                     "usage: gui_screenshot OUT.png [CHECKPOINT] [EPISODE] [FRAME] [--heatmap]\n");
        return 2;
    }
    const QString checkpoint = args.size() > 2 ? args[2] : bundledCheckpoint();
    const int episode = args.size() > 3 ? args[3].toInt() : 0;
    const int frame = args.size() > 4 ? args[4].toInt() : 20;
    MainWindow window;
    window.resize(1400, 760);
    window.show();
    QSignalSpy opened(window.library(), &EpisodeLibrary::opened);
    window.openPath(bundledDemoEpisodes());
    if (!opened.wait(20000))
        return 1;
    window.openCheckpoint(checkpoint);
    QSignalSpy loaded(window.inference(), &InferenceWorker::checkpointLoaded);
    if (!loaded.wait(60000))
        return 1;
    if (args.contains("--heatmap"))
        window.modelPanel()->findChildren<QCheckBox *>().at(1)->setChecked(true);
    window.episodeView()->setEpisode(window.library()->files().front(), episode);
    window.episodeView()->setFrame(frame);
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 30000) {
        const auto overlay = window.episodeView()->overlay();
        if (overlay && window.episodeView()->shownFrame() == frame &&
            window.actionPlot()->plot()->graphCount() > 0)
            break;
        QTest::qWait(50);
    }
    QTest::qWait(200);
    return window.grab().save(args[1]) ? 0 : 1;
}
