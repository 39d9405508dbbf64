// Defects found by using the window as a new user would (issue 16), one test each: every test
// here failed before its fix.

#include "dialogs/export_path.h"
#include "fixtures.h"
#include "jobs/inference_worker.h"
#include "model/policy.h"
#include "panels/budget_panel.h"
#include "panels/compare_panel.h"
#include "panels/dataset_panel.h"
#include "panels/model_panel.h"
#include "panels/probe_panel.h"
#include "plots/action_plot.h"
#include "plots/plot_panel.h"
#include "session/episode_library.h"
#include "session/session.h"
#include "store/workspace.h"
#include "views/episode_view.h"
#include "window/main_window.h"

#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>
#include <qcustomplot.h>

class TestWindowDefects : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QApplication::setOrganizationName("GridS-tests");
        QApplication::setApplicationName("tst_window_defects");
        QSettings().clear();
        QVERIFY(m_dir.isValid());
        m_file = m_dir.filePath("episodes.hdf5");
        fixtures::writeLiberoFile(m_file.toStdString(), {3, 4});
        const auto &ckpt = fixtures::contractCheckpoints();
        QVERIFY2(ckpt.ok, ckpt.error.constData());
        m_checkpoint = ckpt.path("contract_grids.pt");
    }

    void init() { QSettings().clear(); }

    // 1. Compare on, then off: the second column's panes went with it (they stayed on screen as
    // a strip, because the columns were resized before the panes were taken down).
    void compareOffLeavesNoPanesBehind()
    {
        MainWindow window;
        QVERIFY(showWithCheckpoint(window));
        const int views = int(window.session()->episodeInfo()->views.size());
        QTRY_COMPARE(panes(window), views); // panes are shown once the event loop runs
        window.openComparison();
        QTRY_VERIFY_WITH_TIMEOUT(window.episodeView()->columnCount() == 2, 20000);
        QTRY_COMPARE(panes(window), 2 * views);
        window.comparePanel()->setActive(false);
        QTRY_COMPARE_WITH_TIMEOUT(window.episodeView()->columnCount(), 1, 5000);
        QTest::qWait(100);
        QCOMPARE(panes(window), views);
    }

    // 2 and 3. A closed-loop run of two methods records a failure file per method and opens
    // both; a closed-loop point of the plot opens its run's failures; an open-loop point shows
    // its frame under its own method and budget.
    void runsOpenEveryFailureFileAndPointsTheirSelection()
    {
        MainWindow window;
        window.openWorkspace(m_dir.filePath("points.sqlite"));
        QVERIFY(showWithCheckpoint(window));
        BudgetPanel *panel = window.budgetPanel();
        PlotPanel *plots = panel->plotPanel();
        panel->setMode(BudgetPanel::Mode::ClosedLoop);
        panel->setSuite("tabletop/lift_relative");
        panel->setMethods({"grids", "random"});
        panel->setBudgets("2");
        panel->setEpisodesPerTask(1);
        panel->setRecordFailures(true);
        QSignalSpy finished(panel, &BudgetPanel::runFinished);
        const std::size_t filesBefore = window.library()->files().size();
        bool statusMoved = false; // past "Loading the checkpoint…" while it runs (defect 10)
        QMetaObject::Connection watch =
            connect(window.budgetPanel()->findChild<QProgressBar *>(), &QProgressBar::valueChanged,
                    this, [&] { statusMoved = statusMoved || panel->statusText().startsWith("Running"); });
        panel->startRun();
        QVERIFY(finished.wait(120000));
        disconnect(watch);
        QVERIFY(statusMoved);
        const QStringList recorded = finished.at(0).at(1).toStringList();
        QCOMPARE(recorded.size(), 2); // untrained: both fail
        QTRY_VERIFY_WITH_TIMEOUT(window.library()->files().size() == filesBefore + 2, 20000);
        // After the run its kind of plot is shown (defect 10): success against tokens.
        QTRY_VERIFY_WITH_TIMEOUT(!plots->reportPending(), 10000);
        QCOMPARE(plots->spec().y, std::string("success"));
        const auto series = seriesOf(plots, "random");
        QVERIFY(series >= 0);
        plots->activatePoint(series, 0);
        QTRY_VERIFY_WITH_TIMEOUT(window.session()->file() &&
                                     QString::fromStdString(window.session()->file()->path()) ==
                                         recorded.filter("random").value(0),
                                 10000);
        QCOMPARE(window.session()->selection(Session::Main).method, QString("random"));
        QCOMPARE(window.session()->selection(Session::Main).budget, 2);

        // Open loop over the demonstrations: a point shows its worst frame under its selection.
        window.session()->setEpisode(window.library()->files().front(), 0);
        panel->setMode(BudgetPanel::Mode::OpenLoop);
        panel->setMethods({"grids", "random"});
        panel->setBudgets("4");
        finished.clear();
        panel->startRun();
        QVERIFY(finished.wait(60000));
        QTRY_VERIFY_WITH_TIMEOUT(!plots->reportPending(), 10000);
        QCOMPARE(plots->spec().y, std::string("error"));
        plots->activatePoint(seriesOf(plots, "random"), 0);
        QTRY_COMPARE_WITH_TIMEOUT(window.session()->selection(Session::Main).method,
                                  QString("random"), 10000);
        QCOMPARE(window.session()->selection(Session::Main).budget, 4);
        QCOMPARE(window.modelPanel()->method(), QString("random"));
        QCOMPARE(window.modelPanel()->budget(), 4);
        QVERIFY2(window.errorText().isEmpty(), qPrintable(window.errorText()));
    }

    // 4. The Compare tab offers the loaded checkpoint instead of saying "No checkpoint".
    void compareTabOffersTheLoadedCheckpoint()
    {
        MainWindow window;
        QVERIFY(showWithCheckpoint(window));
        ModelPanel *second = window.comparePanel()->model();
        QVERIFY2(!second->checkpointText().contains("No checkpoint"),
                 qPrintable(second->checkpointText()));
        QVERIFY(second->checkpointText().contains(
            QString::fromStdString(window.inference()->info().name)));
        QCOMPARE(second->method(), window.modelPanel()->method());
    }

    // Found in the screenshots: comparing a GridS checkpoint with a dense one kept the column's
    // method at grids, which the dense checkpoint cannot run ("method grids needs a GridS
    // checkpoint"); the column takes the dense checkpoint's own method instead.
    void comparingWithADenseCheckpointRunsAMethodItCan()
    {
        MainWindow window;
        QVERIFY(showWithCheckpoint(window));
        QCOMPARE(window.modelPanel()->method(), QString("grids"));
        window.openComparison(fixtures::contractCheckpoints().path("contract_dense.pt"));
        ModelPanel *second = window.comparePanel()->model();
        QTRY_VERIFY_WITH_TIMEOUT(window.episodeView()->overlay(1), 20000);
        QCOMPARE(second->method(), QString("dense"));
        QCOMPARE(window.session()->selection(Session::Compared).method, QString("dense"));
        second->setMethod("grids"); // not offered either
        QCOMPARE(second->method(), QString("dense"));
        QTest::qWait(200);
        QVERIFY2(window.errorText().isEmpty(), qPrintable(window.errorText()));
        QVERIFY2(!window.statusBar()->currentMessage().contains("needs a GridS"),
                 qPrintable(window.statusBar()->currentMessage()));
    }

    // 5. An empty action plot draws nothing (its cursor drew a diagonal across the empty
    // axes); an episode without demonstration actions shows no empty error axis or list.
    void actionPlotShowsOnlyWhatThereIs()
    {
        ActionPlot plot;
        plot.resize(600, 300);
        plot.show();
        QVERIFY(!plot.cursorShown());
        QCOMPARE(plot.plot()->graphCount(), 0);
        const std::vector<std::vector<float>> predicted = {{0.1f, 0.2f}, {0.3f, 0.1f}, {0.2f, 0.0f}};
        plot.setTracks(predicted, {});
        QVERIFY(plot.cursorShown());
        QVERIFY(!plot.errorTrackShown());
        QVERIFY(plot.worstFrames().empty());
        plot.setTracks(predicted, {{0.0f, 0.2f}, {0.3f, 0.5f}, {0.2f, 0.0f}});
        QVERIFY(plot.errorTrackShown());
        plot.clear();
        QVERIFY(!plot.cursorShown());
        QVERIFY(!plot.errorTrackShown());
    }

    // 6. Export Video with nothing loaded refuses before asking for a file name; once there is
    // something to export, the dialog offers a name (episode, method, budget) in a folder that
    // makes sense (the episode's, then the last one exported to).
    void exportRefusesBeforeAskingAndSuggestsAName()
    {
        MainWindow window;
        window.show();
        QAction *exportVideo = action(window, "&Export Video…");
        QVERIFY(exportVideo);
        bool dialogShown = false;
        QTimer::singleShot(500, this, [&] {
            if (QWidget *modal = QApplication::activeModalWidget()) {
                dialogShown = true;
                modal->close();
            }
        });
        exportVideo->trigger();
        QTest::qWait(700);
        QVERIFY(!dialogShown);
        QVERIFY(window.errorText().contains("open an episode and a checkpoint first"));

        QVERIFY(showWithCheckpoint(window));
        const Session::Selection main = window.session()->selection(Session::Main);
        QCOMPARE(window.suggestedVideoName(),
                 QString("demo_0-%1-%2.mp4").arg(main.method).arg(main.budget));
        QCOMPARE(exportFolder(m_dir.path()), m_dir.path());
        QSettings().setValue("export/lastFolder", QDir::tempPath());
        QCOMPARE(exportFolder(m_dir.path()), QDir::tempPath());
    }

    // 8. 1× plays at the episode's own rate: a 30 fps video every 33 ms (it played at 20 Hz).
    void playsAtTheEpisodesRate()
    {
        const QString video = m_dir.filePath("camera30.mp4");
        QVERIFY(fixtures::makeVideo(video, 64, 48, 6, /*audio=*/false));
        MainWindow window;
        window.show();
        QSignalSpy opened(window.library(), &EpisodeLibrary::opened);
        window.openPath(video);
        QVERIFY(opened.wait(10000));
        QTRY_VERIFY_WITH_TIMEOUT(window.session()->shownFrame() == 0, 10000);
        QCOMPARE(window.session()->fps(), 30.0);
        QCOMPARE(window.episodeView()->playbackInterval(), 33);
        window.episodeView()->setSpeed(2);
        QCOMPARE(window.episodeView()->playbackInterval(), 17);
        window.openPath(m_file); // LIBERO does not say: its 20 Hz
        QVERIFY(opened.wait(10000));
        window.session()->setEpisode(window.library()->files().back(), 0);
        window.episodeView()->setSpeed(1);
        QCOMPARE(window.episodeView()->playbackInterval(), 50);
    }

    // 9. While playback runs ahead of inference, the latest finished result stays drawn (marked
    // with its frame) instead of no overlay at all.
    void anEarlierFramesResultIsDrawnUntilTheFramesOwn()
    {
        MainWindow window;
        QVERIFY(showWithCheckpoint(window));
        Session *session = window.session();
        EpisodeView *view = window.episodeView();
        QTRY_VERIFY_WITH_TIMEOUT(view->overlay(0) != nullptr, 20000);
        const auto result = view->overlay(0);
        session->setFrame(2);
        QTRY_COMPARE_WITH_TIMEOUT(session->shownFrame(), qint64(2), 10000);
        // What frame 2 looks like with no result drawn, then frame 0's result arriving late.
        view->setOverlay(nullptr, window.modelPanel()->overlayStyle());
        const QImage bare = view->paneImage(0);
        emit window.inference()->resultReady(session->episode(), 0, result, nullptr);
        QCOMPARE(view->drawnOverlayFrame(0), qint64(0));
        QVERIFY(!view->overlay(0)); // not the frame's own
        QVERIFY(view->paneImage(0) != bare);
        // Another episode's result is never drawn.
        view->setOverlay(nullptr, window.modelPanel()->overlayStyle());
        emit window.inference()->resultReady(session->episode() + 1, 0, result, nullptr);
        QCOMPARE(view->drawnOverlayFrame(0), qint64(-1));
    }

    // 10. A saved plot's name goes when something else is shown.
    void aSavedPlotsNameGoesWithIt()
    {
        grids::Workspace workspace(m_dir.filePath("names.sqlite").toStdString());
        PlotPanel plots;
        plots.setWorkspace(&workspace);
        QTRY_VERIFY_WITH_TIMEOUT(!plots.reportPending(), 10000);
        const std::int64_t id = plots.savePlot("my plot");
        QVERIFY(id > 0);
        QCOMPARE(plots.savedPlotShown(), QString("my plot"));
        plots.setKind(PlotPanel::Kind::Flops);
        QCOMPARE(plots.savedPlotShown(), QString());
        QVERIFY(plots.openPlot(id));
        QCOMPARE(plots.savedPlotShown(), QString("my plot"));
        QTRY_VERIFY_WITH_TIMEOUT(!plots.reportPending(), 10000);
        plots.setMethods({"grids"});
        QCOMPARE(plots.savedPlotShown(), QString());
    }

    // 11. Letters typed into the probe's instruction are text, not shortcuts ('O' also toggled
    // the occlusion box, 'T' tagged a frame, 'K' the keypoint mode, '[' halved the budget).
    void typingInTextFieldsTriggersNoShortcut()
    {
        MainWindow window;
        QVERIFY(showWithCheckpoint(window));
        QLineEdit *instruction = window.probePanel()->findChild<QLineEdit *>();
        QVERIFY(instruction);
        window.probePanel()->show();
        QApplication::setActiveWindow(&window);
        instruction->setFocus();
        QTRY_VERIFY(instruction->hasFocus());
        const int budget = window.modelPanel()->budget();
        QTest::keyClicks(instruction, "Okt[");
        QCOMPARE(instruction->text(), QString("Okt["));
        QVERIFY(!window.probePanel()->occlusionButton()->isChecked());
        QCOMPARE(window.modelPanel()->budget(), budget);
        // On the episode view the same keys are shortcuts.
        window.episodeView()->setFocus();
        QTest::keyClick(window.episodeView(), Qt::Key_O);
        QVERIFY(window.probePanel()->occlusionButton()->isChecked());
    }

    // 12. The Budgets tab remembers its settings between sessions.
    void budgetSettingsAreRemembered()
    {
        {
            BudgetPanel panel;
            panel.setMode(BudgetPanel::Mode::ClosedLoop);
            panel.setMethods({"random", "fastv"});
            panel.setBudgets("8,32");
            panel.setSuite("tabletop/lift_relative");
            panel.setEpisodesPerTask(7);
            panel.setRecordFailures(true);
        }
        BudgetPanel again;
        QCOMPARE(again.mode(), BudgetPanel::Mode::ClosedLoop);
        QStringList methods = again.methods();
        methods.sort();
        QCOMPARE(methods, QStringList({"fastv", "random"}));
        QCOMPARE(again.budgets(), QString("8,32"));
        QCOMPARE(again.suite(), QString("tabletop/lift_relative"));
        QCOMPARE(again.episodesPerTask(), 7);
        QVERIFY(again.recordFailures());
    }

    // 13. A single click shows an episode (a double click was needed), and a filter says how
    // many of a file's episodes it shows (it kept saying the total).
    void aClickShowsAnEpisodeAndTheFilterCounts()
    {
        MainWindow window;
        window.show();
        QSignalSpy opened(window.library(), &EpisodeLibrary::opened);
        window.openPath(m_file);
        QVERIFY(opened.wait(10000));
        QTRY_VERIFY_WITH_TIMEOUT(window.session()->shownFrame() == 0, 10000);
        QTreeWidget *tree = window.datasetPanel()->tree();
        QTreeWidgetItem *second = tree->topLevelItem(0)->child(1);
        const QRect row = tree->visualItemRect(second);
        QTest::mouseClick(tree->viewport(), Qt::LeftButton, {},
                          QPoint(row.left() + 10, row.center().y()));
        QTRY_COMPARE_WITH_TIMEOUT(window.session()->episode(), 1, 5000);
        QVERIFY(tree->topLevelItem(0)->text(0).endsWith(" · 2 episodes"));
        window.datasetPanel()->setFilterText("demo_1");
        QVERIFY(tree->topLevelItem(0)->text(0).endsWith(" · 1 of 2 episodes"));
        // The list follows the episode on screen when something else changes it.
        window.datasetPanel()->setFilterText({});
        window.session()->setEpisode(window.library()->files().front(), 0);
        QCOMPARE(tree->currentItem(), tree->topLevelItem(0)->child(0));
    }

private:
    bool showWithCheckpoint(MainWindow &window)
    {
        window.resize(1100, 700);
        window.show();
        if (window.library()->files().empty()) {
            QSignalSpy opened(window.library(), &EpisodeLibrary::opened);
            window.openPath(m_file);
            if (!opened.wait(10000))
                return false;
        }
        window.openCheckpoint(m_checkpoint);
        return QTest::qWaitFor(
            [&] {
                return window.session()->shownFrame() == 0 && window.inference()->hasCheckpoint() &&
                       window.episodeView()->overlay(0);
            },
            20000);
    }

    // The camera panes on screen: labels showing a view (their tool tip is the view's name).
    static int panes(MainWindow &window)
    {
        QStringList names;
        for (const auto &view : window.session()->episodeInfo()->views)
            names << QString::fromStdString(view.name);
        int count = 0;
        for (QLabel *label : window.episodeView()->findChildren<QLabel *>())
            if (names.contains(label->toolTip()) && label->isVisible())
                ++count;
        return count;
    }

    static int seriesOf(PlotPanel *plots, const std::string &method)
    {
        for (std::size_t i = 0; i < plots->plotData().series.size(); ++i)
            if (plots->plotData().series[i].method == method)
                return int(i);
        return -1;
    }

    static QAction *action(MainWindow &window, const QString &text)
    {
        for (QAction *a : window.findChildren<QAction *>())
            if (a->text() == text)
                return a;
        return nullptr;
    }

    QTemporaryDir m_dir;
    QString m_file, m_checkpoint;
};

QTEST_MAIN(TestWindowDefects)
#include "tst_window_defects.moc"
