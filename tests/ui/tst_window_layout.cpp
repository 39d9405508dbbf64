// The window's layout (issue 16): what the first launch looks like, the action plot's legend and
// toggles, annotations on the timeline, the dataset list's columns.

#include "fixtures.h"
#include "panels/annotation_panel.h"
#include "panels/dataset_panel.h"
#include "plots/action_plot.h"
#include "session/episode_library.h"
#include "session/session.h"
#include "views/episode_view.h"
#include "views/timeline_slider.h"
#include "window/main_window.h"

#include <QApplication>
#include <QFile>
#include <QFontMetrics>
#include <QHeaderView>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSplitter>
#include <QTabBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <QUndoStack>
#include <qcustomplot.h>

class TestWindowLayout : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QApplication::setOrganizationName("GridS-tests");
        QApplication::setApplicationName("tst_window_layout");
        QVERIFY(m_dir.isValid());
        m_file = m_dir.filePath("episodes.hdf5");
        fixtures::writeLiberoFile(m_file.toStdString(), {12, 3});
    }

    void init() { QSettings().clear(); }

    // With nothing remembered the window opens at 90 % of the screen (up to 1600×1000) with the
    // dataset list wide enough for episode names, every side tab's title whole and the Budgets
    // tab's Run button and progress in view; the sizes are remembered for the next window. The
    // offscreen screen is small, so the window is given the size a first launch picks on each
    // of the three screens.
    void firstLaunchGivesTheListRoomAndTheTabsTheirTitles_data()
    {
        QTest::addColumn<QSize>("size");
        for (const QSize screen : {QSize(1280, 800), QSize(1600, 1000), QSize(1920, 1080)})
            QTest::newRow(qPrintable(QString("%1x%2").arg(screen.width()).arg(screen.height())))
                << MainWindow::firstLaunchSize(screen);
    }

    void firstLaunchGivesTheListRoomAndTheTabsTheirTitles()
    {
        QFETCH(QSize, size);
        {
            MainWindow window;
            window.resize(size);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            QSignalSpy opened(window.library(), &EpisodeLibrary::opened);
            window.openPath(m_file);
            QVERIFY(opened.wait(10000));
            QTest::qWait(50);
            QCOMPARE(window.size(), size); // nothing inside asks for more
            auto *splitter = window.findChild<QSplitter *>("mainSplitter");
            QVERIFY(splitter);
            QVERIFY2(splitter->sizes()[0] >= 260,
                     qPrintable(QString("dataset list %1 px, the centre needs %2 px")
                                    .arg(splitter->sizes()[0])
                                    .arg(splitter->widget(1)->minimumSizeHint().width())));
            auto *tabs = window.findChild<QTabWidget *>("sideTabs");
            QVERIFY(tabs->tabBar()->sizeHint().width() <= tabs->width());
            for (int i = 0; i < tabs->count(); ++i)
                QVERIFY(tabs->tabBar()->tabRect(i).right() < tabs->width());
            // The Budgets tab: Run and the progress bar inside the visible tab.
            auto *bottom = window.findChild<QTabWidget *>("bottomTabs");
            bottom->setCurrentIndex(1);
            QTest::qWait(20);
            QWidget *page = bottom->currentWidget();
            for (QWidget *widget : {static_cast<QWidget *>(page->findChild<QPushButton *>("runButton")),
                                    static_cast<QWidget *>(page->findChild<QProgressBar *>())}) {
                QVERIFY(widget && widget->isVisible());
                const QRect rect(widget->mapTo(page, QPoint(0, 0)), widget->size());
                QVERIFY2(page->rect().contains(rect),
                         qPrintable(QString("%1 at %2,%3 %4×%5 in a %6×%7 tab")
                                        .arg(widget->metaObject()->className())
                                        .arg(rect.x()).arg(rect.y()).arg(rect.width())
                                        .arg(rect.height()).arg(page->width()).arg(page->height())));
            }
            window.close(); // remembers the layout
        }
        MainWindow next;
        next.show();
        QVERIFY(QTest::qWaitForWindowExposed(&next));
        QTest::qWait(50);
        QVERIFY(next.findChild<QSplitter *>("mainSplitter")->sizes()[0] >= 260);
    }

    // The legend names the dimensions (the episode's names, else indices); unticking one hides
    // its predicted, demonstrated and compared lines, also for the next episode's tracks.
    void theActionLegendNamesAndTogglesDimensions()
    {
        ActionPlot plot;
        plot.setDimensionNames({"x", "y"});
        const std::vector<std::vector<float>> predicted = {{0, 1, 2}, {0, 1, 3}, {1, 2, 3}};
        const std::vector<std::vector<float>> demo = {{0, 1, 2}, {0, 2, 2}, {1, 1, 3}};
        plot.setTracks(predicted, demo);
        QCOMPARE(plot.dimensionLabels(), QStringList({"x", "y", "2"}));
        plot.setCompareTrack(predicted, {});
        QCOMPARE(visibleLines(plot, "1"), 3); // predicted, demonstration, compared
        // Unticking the row in the legend, as a user does.
        auto *legend = plot.findChild<QListWidget *>("actionLegend");
        QVERIFY(legend);
        legend->item(1)->setCheckState(Qt::Unchecked);
        QVERIFY(!plot.dimensionShown(1));
        QCOMPARE(visibleLines(plot, "1"), 0);
        QCOMPARE(visibleLines(plot, "0"), 3);
        // The y axis fits what is shown: dimension 2 reaches 3, dimension 0 only 1.
        legend->item(2)->setCheckState(Qt::Unchecked);
        QVERIFY(plot.plot()->yAxis->range().upper < 2.5);
        // The next tracks keep the choice; the names follow the episode.
        plot.setDimensionNames({});
        plot.setTracks(predicted, demo);
        QCOMPARE(plot.dimensionLabels(), QStringList({"0", "1", "2"}));
        QCOMPARE(legend->item(1)->checkState(), Qt::Unchecked);
        QCOMPARE(visibleLines(plot, "1"), 0);
        plot.setDimensionShown(1, true);
        QCOMPARE(legend->item(1)->checkState(), Qt::Checked);
        QCOMPARE(visibleLines(plot, "1"), 2);
        // Nothing plotted: no legend rows.
        plot.clear();
        QVERIFY(plot.dimensionLabels().isEmpty());
    }

    // A tagged range, a tagged frame and a keypoint appear as marks on the timeline where their
    // frames are, with their description as the tool tip; undo takes the mark away again.
    void annotationsAppearOnTheTimeline()
    {
        MainWindow window;
        window.resize(1200, 700);
        window.show();
        window.openWorkspace(m_dir.filePath("timeline.sqlite"));
        QSignalSpy opened(window.library(), &EpisodeLibrary::opened);
        window.openPath(m_file);
        QVERIFY(opened.wait(10000));
        AnnotationPanel *panel = window.annotationPanel();
        TimelineSlider *timeline = window.episodeView()->timeline();
        QTRY_VERIFY_WITH_TIMEOUT(panel->hasEpisode() && window.session()->shownFrame() == 0, 10000);
        QVERIFY(timeline->marks().isEmpty());

        panel->markRangeStart();
        window.session()->setFrame(8);
        QTRY_COMPARE_WITH_TIMEOUT(window.session()->shownFrame(), qint64(8), 10000);
        panel->tagRange();
        window.session()->setFrame(11);
        QTRY_COMPARE_WITH_TIMEOUT(window.session()->shownFrame(), qint64(11), 10000);
        panel->addKeypoint("agentview_rgb", 0.5, 0.5);
        QCOMPARE(timeline->marks().size(), 2);
        const auto range = timeline->marks()[0], keypoint = timeline->marks()[1];
        QCOMPARE(range.start, qint64(0));
        QCOMPARE(range.end, qint64(8));
        QCOMPARE(keypoint.start, qint64(11));
        // Where they are drawn: the range from the handle at 0 to the handle at 8 of 11.
        const QRect rangeRect = timeline->markRect(range), pointRect = timeline->markRect(keypoint);
        QVERIFY(rangeRect.width() > 5 * pointRect.width());
        QVERIFY(pointRect.left() > rangeRect.right());
        QVERIFY(timeline->marksAt(rangeRect.center().x()).contains("frames 0–8"));
        QVERIFY(timeline->marksAt(pointRect.center().x()).contains("keypoint"));
        // The marks belong to their episode and leave with it.
        window.session()->setEpisode(window.session()->file(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(window.session()->episodeInfo()->key == "demo_1", 10000);
        QTRY_VERIFY_WITH_TIMEOUT(timeline->marks().isEmpty(), 10000);
        window.session()->setEpisode(window.session()->file(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(timeline->marks().size(), 2, 10000);
        window.undoStack()->undo(); // the keypoint
        QCOMPARE(timeline->marks().size(), 1);
    }

    // A long file name and a long list of views do not push the other columns out of the list:
    // fitted columns stop at a width and elide in the middle, with the whole text as tool tip;
    // columns hidden from the header stay hidden in the next window.
    void datasetColumnsElideAndHide()
    {
        const QString longName = m_dir.filePath(
            "libero_spatial_pick_up_the_black_bowl_between_the_plate_and_the_ramekin_demo.hdf5");
        QFile::copy(m_file, longName);
        {
            MainWindow window;
            window.resize(1152, 720);
            window.show();
            QSignalSpy opened(window.library(), &EpisodeLibrary::opened);
            window.openPath(longName);
            QVERIFY(opened.wait(10000));
            auto *panel = window.findChild<DatasetPanel *>();
            QTreeWidget *tree = panel->tree();
            QTreeWidgetItem *file = tree->topLevelItem(0);
            QCOMPARE(file->toolTip(0), longName);
            const QFontMetrics metrics(tree->font());
            QVERIFY(metrics.horizontalAdvance(file->text(0)) > tree->columnWidth(0));
            QVERIFY(tree->columnWidth(0) <= 170);
            QCOMPARE(tree->textElideMode(), Qt::ElideMiddle);
            QTreeWidgetItem *episode = file->child(0);
            QVERIFY(episode->toolTip(2).contains("agentview_rgb"));
            QVERIFY(tree->columnWidth(2) <= 130);
            // Name, frames and views fit the 260 px a first launch gives the list.
            QVERIFY(tree->columnWidth(0) + tree->columnWidth(1) < 260);
            QVERIFY(panel->columnShown(2));
            panel->setColumnShown(2, false);
            panel->setColumnShown(0, false); // the name always stays
            QVERIFY(panel->columnShown(0));
        }
        MainWindow next;
        auto *panel = next.findChild<DatasetPanel *>();
        QVERIFY(!panel->columnShown(2));
        QVERIFY(panel->columnShown(1));
        panel->setColumnShown(2, true);
    }

private:
    // Visible graphs of the action plot named "<kind> <dimension>" for any kind.
    static int visibleLines(ActionPlot &plot, const QString &dimension)
    {
        int count = 0;
        for (int i = 0; i < plot.plot()->graphCount(); ++i) {
            QCPGraph *graph = plot.plot()->graph(i);
            if (graph->name().endsWith(" " + dimension) && graph->visible())
                ++count;
        }
        return count;
    }

    QTemporaryDir m_dir;
    QString m_file;
};

QTEST_MAIN(TestWindowLayout)
#include "tst_window_layout.moc"
