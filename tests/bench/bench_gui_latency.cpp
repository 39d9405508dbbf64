// Benchmark (run on request): the UI thread stays responsive while the bundled episode plays with
// inference. Measures the event loop's latency (how late a 5 ms timer fires, p50 and p99) during
// playback, and the time from a budget-slider move to the updated overlay on screen.
//
//   QT_QPA_PLATFORM=offscreen ./build/tests/bench/bench_gui_latency [CHECKPOINT [COMPARE]]
//
// Then the same playback with a comparison column (COMPARE, default the bundled dense
// checkpoint): two checkpoints' inference per frame.

#include "window/bundled_data.h"
#include "panels/compare_panel.h"
#include "session/episode_library.h"
#include "session/session.h"
#include "views/episode_view.h"
#include "jobs/inference_worker.h"
#include "window/main_window.h"
#include "model/policy.h"
#include "panels/model_panel.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace {

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    return values[std::size_t(p * double(values.size() - 1))];
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName("GridS-bench");
    const QString checkpoint = argc > 1 ? QString(argv[1]) : bundledCheckpoint();
    MainWindow window;
    window.resize(1400, 760);
    window.show();
    QSignalSpy opened(window.library(), &EpisodeLibrary::opened);
    window.openPath(bundledDemoEpisodes());
    QSignalSpy loaded(window.inference(), &InferenceWorker::checkpointLoaded);
    window.openCheckpoint(checkpoint);
    if (!opened.wait(20000) || (loaded.isEmpty() && !loaded.wait(60000)))
        return 1;
    EpisodeView *view = window.episodeView();
    window.session()->setEpisode(window.library()->files().front(), 0);
    QTest::qWait(1500); // first frame, overlay and action plots settle

    // Event-loop latency while playing: a 5 ms timer, how late each tick arrives.
    std::vector<double> lateness;
    QElapsedTimer clock;
    clock.start();
    qint64 last = clock.nsecsElapsed();
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(5);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        lateness.push_back(std::max(0.0, (now - last) / 1e6 - 5.0));
        last = now;
    });
    // The same probe with nothing playing: the floor that playback is compared with.
    last = clock.nsecsElapsed();
    probe.start();
    QTest::qWait(2000);
    probe.stop();
    const std::vector<double> idle = lateness;
    lateness.clear();
    std::printf("idle 2 s: event-loop latency p50 %.2f ms, p99 %.2f ms\n", percentile(idle, 0.5),
                percentile(idle, 0.99));
    int overlays = 0;
    QObject::connect(window.inference(), &InferenceWorker::resultReady, [&] { ++overlays; });
    // Plays for 5 s with the probe running; `lateness` holds its ticks.
    const auto play = [&] {
        lateness.clear();
        view->setPlaying(true);
        last = clock.nsecsElapsed();
        probe.start();
        QTest::qWait(5000);
        probe.stop();
        view->setPlaying(false);
    };
    play();
    std::printf("playback 5 s: %lld frames shown, %d overlays; event-loop latency p50 %.2f ms, "
                "p99 %.2f ms, max %.2f ms\n",
                static_cast<long long>(window.session()->frame()), overlays, percentile(lateness, 0.5),
                percentile(lateness, 0.99), percentile(lateness, 1.0));

    // Slider move → overlay on screen with the new budget.
    ModelPanel *panel = window.modelPanel();
    std::vector<double> times;
    const int maximum = panel->maximumBudget();
    for (int repeat = 0; repeat < 3; ++repeat)
        for (int budget = 1; budget <= maximum; budget *= 2) {
            if (budget == panel->budget())
                continue;
            QElapsedTimer t;
            t.start();
            panel->setBudget(budget);
            while (t.elapsed() < 5000) {
                const auto r = view->overlay();
                if (r && r->budget == budget)
                    break;
                QCoreApplication::processEvents(QEventLoop::AllEvents, 1);
            }
            times.push_back(t.nsecsElapsed() / 1e6);
        }
    std::printf("slider move to updated overlay (%zu moves): p50 %.1f ms, p99 %.1f ms\n",
                times.size(), percentile(times, 0.5), percentile(times, 0.99));

    // Playback with a second column.
    const QString compare =
        argc > 2 ? QString(argv[2])
                 : QFileInfo(bundledCheckpoint()).absolutePath() + "/tabletop-dense.pt";
    QSignalSpy compareLoaded(window.compareInference(), &InferenceWorker::checkpointLoaded);
    window.openComparison(compare);
    if (compareLoaded.isEmpty() && !compareLoaded.wait(60000))
        return 1;
    window.session()->setFrame(0);
    QTest::qWait(1500);
    int compared = 0;
    QObject::connect(window.compareInference(), &InferenceWorker::resultReady, [&] { ++compared; });
    overlays = 0;
    play();
    std::printf("playback 5 s, two columns: %lld frames shown, %d + %d overlays; event-loop "
                "latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
                static_cast<long long>(window.session()->frame()), overlays, compared,
                percentile(lateness, 0.5), percentile(lateness, 0.99), percentile(lateness, 1.0));
    return 0;
}
