// The main window under QT_QPA_PLATFORM=offscreen: opening episodes off the UI thread, the
// dataset panel's contents and filter, and errors shown in the window without a crash.

#include "plots/action_plot.h"
#include "panels/annotation_panel.h"
#include "panels/budget_panel.h"
#include "window/bundled_data.h"
#include "panels/compare_panel.h"
#include "panels/dataset_panel.h"
#include "session/episode_library.h"
#include "session/session.h"
#include "views/episode_view.h"
#include "fixtures.h"
#include "jobs/inference_worker.h"
#include "window/main_window.h"
#include "model/policy.h"
#include "panels/model_panel.h"
#include "plots/plot_panel.h"
#include "plots/plot_renderer.h"
#include "panels/probe_panel.h"
#include "store/workspace.h"
#include "jobs/video_export_job.h"

#include <opencv2/videoio.hpp>

#include <QApplication>
#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QMouseEvent>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <qcustomplot.h>

class TestMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QApplication::setOrganizationName("GridS-tests");
        QApplication::setApplicationName("tst_main_window");
        QSettings().clear(); // what an earlier run remembered (budgets, overlays) starts over
        QVERIFY(m_dir.isValid());
        m_file = m_dir.filePath("episodes.hdf5");
        fixtures::writeLiberoFile(m_file.toStdString(), {3, 4});
    }

    void opensAFileIntoTheDatasetPanel()
    {
        MainWindow window;
        window.show();
        QVERIFY(QFile::exists(QStringLiteral(":/icons/grids-studio.png"))); // resources linked
        QSignalSpy opened(window.library(), &EpisodeLibrary::opened);
        window.openPath(m_file);
        QVERIFY(opened.wait(10000));
        QTreeWidget *tree = window.datasetPanel()->tree();
        QCOMPARE(tree->topLevelItemCount(), 1);
        QTreeWidgetItem *file = tree->topLevelItem(0);
        QCOMPARE(file->childCount(), 2);
        QCOMPARE(file->child(1)->text(0), QString("demo_1"));
        QCOMPARE(file->child(1)->text(1), QString("4"));
        QVERIFY(file->child(1)->text(5).contains("red cube"));
        QVERIFY(window.errorText().isEmpty());

        window.datasetPanel()->setFilterText("demo_1");
        QVERIFY(file->child(0)->isHidden());
        QVERIFY(!file->child(1)->isHidden());
        window.datasetPanel()->setFilterText("no such episode");
        QVERIFY(file->isHidden());
    }

    void opensTheBundledDemo()
    {
        const QString demo = bundledDemoEpisodes();
        QVERIFY2(!demo.isEmpty(), "bundled datasets/tabletop not found");
        MainWindow window;
        QSignalSpy opened(window.library(), &EpisodeLibrary::opened);
        window.openPath(demo);
        QVERIFY(opened.wait(10000));
        QTreeWidgetItem *file = window.datasetPanel()->tree()->topLevelItem(0);
        QCOMPARE(file->childCount(), 16);
        QCOMPARE(file->child(0)->text(3), QString("success"));
        window.datasetPanel()->setFilterText("push the");
        int visible = 0;
        for (int i = 0; i < file->childCount(); ++i)
            visible += file->child(i)->isHidden() ? 0 : 1;
        QCOMPARE(visible, 4);
    }

    void activatingAnEpisodeShowsItsFramesAndSteps()
    {
        MainWindow window;
        window.resize(900, 500);
        window.show();
        QSignalSpy opened(window.library(), &EpisodeLibrary::opened);
        window.openPath(m_file);
        QVERIFY(opened.wait(10000));
        EpisodeView *view = window.episodeView();
        // The first episode opened is shown at once.
        QTRY_VERIFY_WITH_TIMEOUT(window.session()->shownFrame() == 0 && window.session()->episode() == 0, 10000);
        QSignalSpy shown(window.session(), &Session::frameShown);
        QTreeWidgetItem *demo1 = window.datasetPanel()->tree()->topLevelItem(0)->child(1);
        window.datasetPanel()->tree()->setCurrentItem(demo1); // a click or the arrow keys
        QVERIFY(shown.wait(10000));
        QCOMPARE(window.session()->episode(), 1);
        QCOMPARE(window.session()->length(), qint64(4));
        QCOMPARE(window.session()->shownFrame(), qint64(0));
        QCOMPARE(view->counterText(), QString("0 / 3"));
        QTest::keyClick(view, Qt::Key_Right);
        QVERIFY(shown.wait(10000));
        QCOMPARE(window.session()->shownFrame(), qint64(1));
        QTest::keyClick(view, Qt::Key_End);
        QVERIFY(shown.wait(10000));
        QCOMPARE(window.session()->shownFrame(), qint64(3));
        // Playing from the last frame starts over and stops at the end.
        view->setPlaying(true);
        QTRY_VERIFY_WITH_TIMEOUT(!view->playing(), 10000);
        QCOMPARE(window.session()->frame(), qint64(3));
    }

    // A checkpoint's selection drawn over the frame follows the budget slider, `[`, and the
    // method picker; the predicted action changes with them.
    void overlaysFollowTheBudgetAndTheMethod()
    {
        const auto &ckpt = fixtures::contractCheckpoints();
        QVERIFY2(ckpt.ok, ckpt.error.constData());
        MainWindow window;
        window.resize(1000, 600);
        QVERIFY(showTestFile(window));
        EpisodeView *view = window.episodeView();
        QSignalSpy loaded(window.inference(), &InferenceWorker::checkpointLoaded);
        window.openCheckpoint(ckpt.path("contract_grids.pt"));
        QVERIFY(loaded.wait(20000));
        ModelPanel *panel = window.modelPanel();
        QCOMPARE(panel->method(), QString("grids"));
        QCOMPARE(panel->maximumBudget(), 6);
        auto budgetShown = [view](int budget, const char *method) {
            const auto r = view->overlay();
            return r && r->method == method && r->budget == budget &&
                   int(r->views[0].coords.size()) == budget &&
                   int(r->views[1].coords.size()) == budget;
        };
        QTRY_VERIFY_WITH_TIMEOUT(budgetShown(4, "grids"), 10000);
        const std::vector<float> at4 = view->overlay()->actions.row(0);
        // Hovering a marker names the token, its coordinate, attention and cell.
        const auto first = view->overlay()->views[0].coords[0];
        const QString tip = view->tokenTip(0, first[0], first[1]);
        QVERIFY2(tip.startsWith("token 0 at") && tip.contains("attention") && tip.contains("cell"),
                 qPrintable(tip));
        QVERIFY(view->tokenTip(0, first[0] + 0.3 > 1 ? first[0] - 0.3 : first[0] + 0.3, first[1]) !=
                tip);
        const QImage plain = view->paneImage(0);
        QVERIFY(panel->actionText().contains("Predicted action"));
        // The action plots: predicted and demonstrated tracks of all 7 dimensions plus the error
        // track and its spikes; a worst frame jumps the view there.
        ActionPlot *plot = window.actionPlot();
        QTRY_VERIFY_WITH_TIMEOUT(plot->plot()->graphCount() == 7 * 2 + 2, 20000);
        QCOMPARE(plot->plot()->graph(0)->dataCount(), 3); // demo_0 has 3 frames
        QVERIFY(!plot->worstFrames().empty());
        const qint64 worst = plot->worstFrames().front();
        emit plot->frameRequested(worst);
        QTRY_VERIFY_WITH_TIMEOUT(window.session()->shownFrame() == worst, 10000);
        window.session()->setFrame(0);
        QTRY_VERIFY_WITH_TIMEOUT(window.session()->shownFrame() == 0 && budgetShown(4, "grids"), 10000);

        panel->setBudget(2);
        QTRY_VERIFY_WITH_TIMEOUT(budgetShown(2, "grids"), 10000);
        QVERIFY(view->overlay()->actions.row(0) != at4);
        QTest::keyClick(&window, Qt::Key_BracketLeft); // halve
        QTRY_VERIFY_WITH_TIMEOUT(budgetShown(1, "grids"), 10000);
        QTest::keyClick(&window, Qt::Key_BracketRight); // double
        QTRY_VERIFY_WITH_TIMEOUT(budgetShown(2, "grids"), 10000);

        panel->setMethod("tome");
        QTRY_VERIFY_WITH_TIMEOUT(budgetShown(2, "tome"), 10000);
        QCOMPARE(int(view->overlay()->views[0].groups.size()), 2); // two merged tokens
        panel->setMethod("dense");
        QTRY_VERIFY_WITH_TIMEOUT(view->overlay() && view->overlay()->method == "dense", 10000);
        QCOMPARE(int(view->overlay()->views[0].coords.size()), 16);
        QVERIFY(view->paneImage(0) != plain); // the markers moved

        // Export the episode as shown (dense, markers), read it back with OpenCV.
        const QString video = m_dir.filePath("exported.mp4");
        VideoExportJob *job = window.exportEpisodeVideo(video);
        QVERIFY(job);
        QSignalSpy exported(job, &VideoExportJob::finished);
        QVERIFY(exported.wait(60000));
        cv::VideoCapture back(video.toStdString());
        QVERIFY(back.isOpened());
        int frames = 0;
        for (cv::Mat image; back.read(image);)
            ++frames;
        QCOMPARE(frames, 3);
        QCOMPARE(int(back.get(cv::CAP_PROP_FRAME_WIDTH)), 2 * 384);

        // Stepping runs the new frame with the same selection.
        QSignalSpy shown(window.session(), &Session::frameShown);
        QTest::keyClick(view, Qt::Key_Right);
        QVERIFY(shown.wait(10000));
        QTRY_VERIFY_WITH_TIMEOUT(view->overlay() && view->overlay()->method == "dense", 10000);
        QVERIFY(window.errorText().isEmpty());
    }

    // Two checkpoints side by side on the same frame, their action tracks overlaid with the
    // frames where they part ways; probes (occlusion drawn with the mouse, another instruction)
    // against the unmodified result; zoom and playback speed.
    void comparisonProbesAndZoom()
    {
        const auto &ckpt = fixtures::contractCheckpoints();
        QVERIFY2(ckpt.ok, ckpt.error.constData());
        MainWindow window;
        window.resize(1100, 700);
        QVERIFY(showTestFile(window));
        EpisodeView *view = window.episodeView();
        window.openCheckpoint(ckpt.path("contract_grids.pt"));
        QTRY_VERIFY_WITH_TIMEOUT(view->overlay() && view->overlay()->method == "grids", 20000);
        QCOMPARE(view->columnCount(), 1);

        window.openComparison(ckpt.path("contract_dense.pt"));
        QTRY_VERIFY_WITH_TIMEOUT(view->columnCount() == 2, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(view->overlay(1) && view->overlay(1)->method == "dense", 20000);
        QCOMPARE(int(view->overlay(1)->views[0].coords.size()), 16);
        QCOMPARE(view->overlay(0)->method, std::string("grids"));
        QVERIFY(view->columnTitle(1).contains("dense"));
        QVERIFY(!view->paneImage(0, 1).isNull());
        QVERIFY(view->paneImage(0, 1) != view->paneImage(0, 0)); // other markers
        // The second column's method and budget are its own.
        ComparePanel *compare = window.comparePanel();
        compare->model()->setMethod("random");
        compare->model()->setBudget(3);
        QTRY_VERIFY_WITH_TIMEOUT(view->overlay(1) && view->overlay(1)->method == "random" &&
                                     view->overlay(1)->budget == 3,
                                 20000);
        QVERIFY(view->columnTitle(1).contains("random @ 3"));
        window.modelPanel()->setBudget(2); // the main column's title follows its own budget
        QTRY_VERIFY(view->columnTitle(0).contains("grids @ 2"));
        QCOMPARE(view->overlay(0)->method, std::string("grids"));
        // Both action tracks, and the frames where they part ways at a small threshold only.
        ActionPlot *plot = window.actionPlot();
        QTRY_VERIFY_WITH_TIMEOUT(plot->compareGraphs() == 7 + 1, 20000);
        QCOMPARE(plot->plot()->graphCount(), 7 * 2 + 2 + 7 + 1);
        auto *threshold = compare->findChild<QDoubleSpinBox *>();
        threshold->setValue(0.001);
        QVERIFY(!compare->divergences().empty());
        threshold->setValue(10);
        QVERIFY(compare->divergences().empty());
        // Ctrl+D toggles the comparison off: one column again, compared tracks gone.
        QTest::keyClick(&window, Qt::Key_D, Qt::ControlModifier);
        QTRY_COMPARE(view->columnCount(), 1);
        QCOMPARE(plot->compareGraphs(), 0);
        // The comparison exports as a second row of the video.
        auto exportedHeight = [&](const QString &name) {
            VideoExportJob *job = window.exportEpisodeVideo(m_dir.filePath(name));
            QSignalSpy done(job, &VideoExportJob::finished);
            if (!done.wait(60000))
                return -1;
            cv::VideoCapture back(m_dir.filePath(name).toStdString());
            return int(back.get(cv::CAP_PROP_FRAME_HEIGHT));
        };
        const int oneRow = exportedHeight("single.mp4");
        compare->setActive(true);
        QTRY_COMPARE(view->columnCount(), 2);
        const int twoRows = exportedHeight("compared.mp4");
        QVERIFY2(oneRow > 0 && twoRows > oneRow + 300,
                 qPrintable(QString("%1 vs %2").arg(twoRows).arg(oneRow)));
        compare->setActive(false);
        QTRY_COMPARE(view->columnCount(), 1);
        // The offscreen platform gives activation back to no one when the export's progress
        // dialog hides (a window manager gives it to the main window): give it back here.
        QApplication::setActiveWindow(&window);

        // Occlusion probe drawn with the mouse on the first view: the model is re-run on the
        // occluded frame and shown against the unmodified one.
        QTest::keyClick(&window, Qt::Key_O);
        QVERIFY(view->occlusionMode());
        QLabel *pane = nullptr;
        for (QLabel *label : view->findChildren<QLabel *>())
            if (label->toolTip() == "agentview_rgb")
                pane = label;
        QVERIFY(pane);
        const QImage before = view->paneImage(0);
        const QRect shown(
            QPoint((pane->width() - before.width()) / 2, (pane->height() - before.height()) / 2),
            before.size());
        auto send = [pane](QEvent::Type type, QPoint at, Qt::MouseButtons buttons) {
            QMouseEvent event(type, at, pane->mapToGlobal(at), Qt::LeftButton, buttons, {});
            QApplication::sendEvent(pane, &event);
        };
        send(QEvent::MouseButtonPress, shown.topLeft() + QPoint(2, 2), Qt::LeftButton);
        send(QEvent::MouseMove, shown.center(), Qt::LeftButton);
        send(QEvent::MouseButtonRelease, shown.bottomRight() - QPoint(2, 2), Qt::NoButton);
        ProbePanel *probes = window.probePanel();
        QCOMPARE(probes->probe().occludedView, 0);
        QVERIFY(probes->probe().box[2] > 0.9f && probes->probe().box[0] < 0.1f);
        QVERIFY(!view->occlusionMode()); // one box per press of O
        QTRY_VERIFY_WITH_TIMEOUT(view->baseline(0) != nullptr, 20000);
        QVERIFY(view->overlay(0)->actions.row(0) != view->baseline(0)->actions.row(0));
        QVERIFY(probes->effectText().contains("action changed"));
        // What the model saw is what the pane shows: mostly the probe's grey.
        const QImage occluded = view->paneImage(0).convertToFormat(QImage::Format_RGB888);
        int grey = 0;
        for (int y = 0; y < occluded.height(); ++y)
            for (int x = 0; x < occluded.width(); ++x)
                grey += occluded.pixelColor(x, y) == QColor(128, 128, 128);
        QVERIFY2(grey > occluded.width() * occluded.height() / 2,
                 qPrintable(QString::number(grey)));
        probes->clear();
        QTRY_VERIFY_WITH_TIMEOUT(view->overlay(0) && !view->baseline(0), 20000);
        probes->setInstruction("pick up the blue cube");
        QTRY_VERIFY_WITH_TIMEOUT(view->baseline(0) != nullptr, 20000);
        QCOMPARE(*probes->probe().instruction, std::string("pick up the blue cube"));
        // Another episode on screen ends the probe (its box belonged to other views).
        window.session()->setEpisode(window.library()->files().front(), 1);
        QVERIFY(!probes->probe().active());
        QTRY_VERIFY_WITH_TIMEOUT(window.session()->shownFrame() == 0 && view->overlay(0) && !view->baseline(0),
                                 20000);

        // Zoom about a point keeps it under the mouse; every pane follows; `0` resets.
        QTRY_VERIFY_WITH_TIMEOUT(view->overlay(0) && !view->baseline(0), 20000);
        const QImage whole = view->paneImage(0);
        view->zoom(2.0, {0.25, 0.25});
        QCOMPARE(view->zoomWindow(), QRectF(0.125, 0.125, 0.5, 0.5));
        QVERIFY(view->paneImage(0) != whole);
        view->zoom(100.0, {0.5, 0.5});
        QCOMPARE(view->zoomWindow().width(), 1.0 / 8); // at most 8×
        const auto token = view->overlay(0)->views[0].coords[0];
        view->resetZoom();
        view->zoom(2.0, {token[0], token[1]});
        QVERIFY(view->tokenTip(0, token[0], token[1]).startsWith("token 0 at"));
        QTest::keyClick(view, Qt::Key_0);
        QCOMPARE(view->zoomWindow(), QRectF(0, 0, 1, 1));
        QCOMPARE(view->paneImage(0), whole);
        // At the deepest zoom on a large pane the painted image is capped; what is shown is
        // still the zoom window, so the token under the pointer is still found.
        window.resize(1800, 1100);
        view->zoom(100.0, {token[0], token[1]});
        QTRY_VERIFY(view->paneImage(0).width() > 0);
        QVERIFY(view->tokenTip(0, token[0], token[1]).startsWith("token 0 at"));

        view->setSpeed(2.0);
        QCOMPARE(view->speed(), 2.0);

        // The sampling-density layer: every frame's tokens of the episode, drawn when ticked.
        QTRY_VERIFY_WITH_TIMEOUT(view->hasDensity(), 20000);
        const QImage withoutDensity = view->paneImage(0);
        QCheckBox *density = nullptr;
        for (QCheckBox *box : window.modelPanel()->findChildren<QCheckBox *>())
            if (box->text().startsWith("Sampling density"))
                density = box;
        QVERIFY(density);
        density->setChecked(true);
        QVERIFY(view->paneImage(0) != withoutDensity);
        density->setChecked(false);
        QCOMPARE(view->paneImage(0), withoutDensity);
        QVERIFY(window.errorText().isEmpty());
    }

    // The budget panel: an open-loop sweep and a closed-loop evaluation run from the window into
    // the workspace (progress, Cancel), plotted, saved, reopened and exported; a point opens the
    // frame behind it; failed rollouts open like demonstrations.
    void budgetPanelRunsPlotsAndLeadsToFrames()
    {
        const auto &ckpt = fixtures::contractCheckpoints();
        QVERIFY2(ckpt.ok, ckpt.error.constData());
        const QString db = m_dir.filePath("budgets.sqlite");
        MainWindow window;
        window.resize(1100, 700);
        window.openWorkspace(db);
        QVERIFY(showTestFile(window));
        EpisodeView *view = window.episodeView();
        BudgetPanel *panel = window.budgetPanel();
        PlotPanel *plots = panel->plotPanel();
        QSignalSpy failed(panel, &BudgetPanel::runFailed);
        panel->startRun(); // no checkpoint yet: refused with a message, nothing runs
        QCOMPARE(failed.count(), 1);
        QVERIFY(!panel->running());
        window.openCheckpoint(ckpt.path("contract_grids.pt"));
        QTRY_VERIFY_WITH_TIMEOUT(view->overlay() != nullptr, 20000);

        // Open loop over the whole file (both episodes).
        panel->findChild<QCheckBox *>("thisEpisodeOnly")->setChecked(false);
        panel->setMode(BudgetPanel::Mode::OpenLoop);
        panel->setMethods({"dense", "grids", "random"});
        panel->setBudgets("2,4");
        QSignalSpy finished(panel, &BudgetPanel::runFinished);
        panel->startRun();
        QVERIFY(panel->running());
        QVERIFY(finished.wait(60000));
        QVERIFY2(finished.at(0).at(0).toString().contains("5 configurations run"),
                 qPrintable(finished.at(0).at(0).toString()));
        {
            grids::Workspace workspace(db.toStdString());
            QCOMPARE(int(workspace.runs("sweep").size()), 5);
        }
        grids::PlotSpec errors;
        errors.y = "error";
        errors.methods = {"dense", "grids", "random"};
        plots->showSpec(errors);
        QTRY_VERIFY_WITH_TIMEOUT(!plots->reportPending(), 10000); // built off the UI thread
        QCOMPARE(int(plots->plotData().series.size()), 3);
        int points = 0;
        for (const auto &series : plots->plotData().series)
            points += int(series.points.size());
        QCOMPARE(points, 5);
        QCOMPARE(plots->plot()->graphCount(), 3);
        // Saved, then reopened after showing something else: the same plot.
        const std::int64_t id = plots->savePlot("errors by budget");
        QVERIFY(id > 0);
        const auto saved = plots->plotData();
        plots->refreshPlot();
        grids::PlotSpec flops;
        flops.y = "flops";
        plots->showSpec(flops);
        QVERIFY(plots->openPlot(id));
        QTRY_VERIFY_WITH_TIMEOUT(!plots->reportPending(), 10000);
        QCOMPARE(plots->plotData().series.size(), saved.series.size());
        QCOMPARE(plots->plotData().title, std::string("errors by budget"));
        // Resized, the plot is drawn again at its new size: the legend sits where drawing at that
        // size puts it (in a free corner when there is one, under the plot when not).
        window.findChild<QTabWidget *>("bottomTabs")->setCurrentWidget(panel);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSet<int> rows;
        for (const QSize size : {QSize(1800, 1100), QSize(700, 450)}) {
            window.resize(size);
            QTRY_COMPARE_WITH_TIMEOUT(plots->plot()->viewport().size(), plots->plot()->size(),
                                      5000);
            QCustomPlot reference;
            reference.setViewport(QRect(QPoint(), plots->plot()->size()));
            grids::ui::drawPlot(reference, plots->plotData());
            QCOMPARE(plots->plot()->plotLayout()->rowCount(), reference.plotLayout()->rowCount());
            rows.insert(reference.plotLayout()->rowCount());
        }
        QCOMPARE(rows.size(), 2); // the two sizes place it differently
        window.hide();
        for (const QString ext : {"png", "svg"}) {
            const QString out = m_dir.filePath("budgets." + ext);
            plots->exportPlot(out);
            QVERIFY(QFileInfo(out).size() > 1000);
        }
        // A point opens the frame with the largest error in its run.
        int randomSeries = -1;
        for (std::size_t i = 0; i < plots->plotData().series.size(); ++i)
            if (plots->plotData().series[i].method == "random")
                randomSeries = int(i);
        QVERIFY(randomSeries >= 0);
        const grids::PlotPoint point =
            plots->plotData().series[std::size_t(randomSeries)].points[0];
        std::string worstKey;
        qint64 worstFrame = -1;
        double worst = -1;
        {
            grids::Workspace workspace(db.toStdString());
            for (const auto &row : workspace.frameResults(point.runId))
                if (row.l1 > worst)
                    worst = row.l1, worstKey = row.episode.demoKey, worstFrame = row.frame;
        }
        plots->activatePoint(randomSeries, 0);
        const int worstEpisode = worstKey == "demo_0" ? 0 : 1;
        QTRY_VERIFY_WITH_TIMEOUT(
            window.session()->episode() == worstEpisode && window.session()->shownFrame() == worstFrame, 10000);

        // Closed loop, cancelled at once: nothing stored for it.
        panel->setMode(BudgetPanel::Mode::ClosedLoop);
        panel->setSuite("tabletop/lift_relative");
        panel->setMethods({"grids"});
        panel->setBudgets("2");
        panel->setEpisodesPerTask(3);
        panel->startRun();
        panel->cancelRun();
        QTRY_VERIFY_WITH_TIMEOUT(!panel->running(), 60000);
        {
            grids::Workspace workspace(db.toStdString());
            QCOMPARE(int(workspace.runs("rollout").size()), 0);
        }
        // Run to the end, failures recorded and opened in the window.
        panel->setEpisodesPerTask(1);
        panel->setRecordFailures(true);
        const std::size_t filesBefore = window.library()->files().size();
        finished.clear();
        panel->startRun();
        QVERIFY(finished.wait(120000));
        QVERIFY2(finished.at(0).at(0).toString().contains("grids @ 2:"),
                 qPrintable(finished.at(0).at(0).toString()));
        {
            grids::Workspace workspace(db.toStdString());
            QCOMPARE(int(workspace.runs("rollout").size()), 1);
        }
        const QStringList recorded = finished.at(0).at(1).toStringList();
        QCOMPARE(recorded.size(), 1); // an untrained model fails
        QTRY_VERIFY_WITH_TIMEOUT(window.library()->files().size() == filesBefore + 1, 20000);
        QCOMPARE(QString::fromStdString(window.library()->files().back()->path()), recorded[0]);
        QVERIFY(window.errorText().isEmpty());
    }

    // Annotating: tag a frame and a range, a keypoint by clicking a view, a note; undo and
    // redo; everything is in the workspace as it is made.
    void annotationsAreSavedAndUndoable()
    {
        const QString db = m_dir.filePath("annotations.sqlite");
        MainWindow window;
        window.resize(1000, 600);
        window.show();
        window.openWorkspace(db);
        QSignalSpy opened(window.library(), &EpisodeLibrary::opened);
        window.openPath(m_file);
        QVERIFY(opened.wait(10000));
        EpisodeView *view = window.episodeView();
        AnnotationPanel *panel = window.annotationPanel();
        QTRY_VERIFY_WITH_TIMEOUT(panel->hasEpisode() && window.session()->shownFrame() == 0, 10000);

        panel->tagFrame();
        panel->markRangeStart();
        window.session()->setFrame(2);
        QTRY_VERIFY_WITH_TIMEOUT(window.session()->shownFrame() == 2, 10000);
        panel->tagRange();
        emit view->paneClicked("eye_in_hand_rgb", 0.25, 0.75); // not in keypoint mode: ignored
        panel->setKeypointMode(true);
        emit view->paneClicked("eye_in_hand_rgb", 0.25, 0.75);
        panel->addNote("gripper closes early");
        auto list = panel->annotations();
        QCOMPARE(int(list.size()), 4);
        QCOMPARE(list[0].startFrame, std::int64_t(0));
        QCOMPARE(list[1].endFrame, std::int64_t(2)); // the range 0–2
        bool keypoint = false;
        for (const auto &a : list)
            keypoint =
                keypoint || (a.kind == grids::AnnotationKind::Keypoint &&
                             a.view == "eye_in_hand_rgb" && a.x == 0.25 && a.startFrame == 2);
        QVERIFY(keypoint);

        window.undoStack()->undo(); // the note
        window.undoStack()->undo(); // the keypoint
        QCOMPARE(int(panel->annotations().size()), 2);
        window.undoStack()->redo();
        QCOMPARE(int(panel->annotations().size()), 3);
        // In the database, as another connection sees it.
        grids::Workspace other(db.toStdString());
        QCOMPARE(int(other.annotations().size()), 3);

        // The dataset panel counts them on the episode and filters by their tag.
        QTreeWidgetItem *fileItem = window.datasetPanel()->tree()->topLevelItem(0);
        QCOMPARE(fileItem->child(0)->text(4), QString("3"));
        QCOMPARE(fileItem->child(1)->text(4), QString());
        const QString label = QString::fromStdString(panel->annotations()[0].label);
        QCOMPARE(window.datasetPanel()->tags(), QStringList{label});
        window.datasetPanel()->setTagFilter(label);
        QVERIFY(!fileItem->child(0)->isHidden());
        QVERIFY(fileItem->child(1)->isHidden());
        window.datasetPanel()->setTagFilter({});
        QVERIFY(!fileItem->child(1)->isHidden());
    }

    void aBrokenCheckpointShowsAnError()
    {
        MainWindow window;
        QSignalSpy failed(window.inference(), &InferenceWorker::checkpointFailed);
        window.openCheckpoint(m_dir.filePath("no-such.pt"));
        QVERIFY(failed.wait(10000));
        QVERIFY2(window.errorText().contains("no-such.pt"), qPrintable(window.errorText()));
        QVERIFY(!window.inference()->hasCheckpoint());
    }

    void brokenFileShowsAnErrorAndTheWindowKeepsWorking()
    {
        const QString broken = m_dir.filePath("broken.hdf5");
        fixtures::writeBytes(broken.toStdString(), fixtures::randomBytes(2048, 1));
        MainWindow window;
        window.show();
        QSignalSpy failed(window.library(), &EpisodeLibrary::failed);
        window.openPath(broken);
        QVERIFY(failed.wait(10000));
        QVERIFY(window.errorText().contains("broken.hdf5"));

        QSignalSpy opened(window.library(), &EpisodeLibrary::opened);
        window.openPath(m_file);
        QVERIFY(opened.wait(10000));
        QCOMPARE(window.datasetPanel()->tree()->topLevelItemCount(), 1);
        QVERIFY(window.errorText().isEmpty());
    }

private:
    // Shows `window` with the test file open and its first frame on screen.
    bool showTestFile(MainWindow &window)
    {
        window.show();
        QSignalSpy opened(window.library(), &EpisodeLibrary::opened);
        window.openPath(m_file);
        if (!opened.wait(10000))
            return false;
        return QTest::qWaitFor([&] { return window.session()->shownFrame() == 0; }, 10000);
    }

    QTemporaryDir m_dir;
    QString m_file;
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
