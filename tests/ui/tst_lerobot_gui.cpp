// LeRobot datasets in the GUI: a dataset folder dropped on the window opens with its episodes and
// cameras; a checkpoint whose views are named otherwise says so, Model ▸ Map Views… maps the
// cameras (remembered for the next window), and the checkpoint's selection is then drawn; a
// broken dataset shows its message and the window keeps working.

#include "panels/dataset_panel.h"
#include "session/episode_library.h"
#include "session/session.h"
#include "views/episode_view.h"
#include "fixtures.h"
#include "jobs/inference_worker.h"
#include "plots/action_plot.h"
#include "window/main_window.h"
#include "dialogs/view_map.h"

#include <QApplication>
#include <QComboBox>
#include <QDialog>
#include <QDropEvent>
#include <QMimeData>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>
#include <qcustomplot.h>

#include <filesystem>
#include <fstream>

namespace lr = fixtures::lerobot;

class TestLeRobotGui : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QApplication::setOrganizationName("GridS-tests");
        QApplication::setApplicationName("tst_lerobot_gui");
        QVERIFY(m_dir.isValid());
        QVERIFY(lr::datasets().ok);
        m_dataset = lr::datasets().v21;
        storeViewMap(m_dataset, {}); // nothing left from an earlier run
        QVERIFY2(fixtures::contractCheckpoints().ok, fixtures::contractCheckpoints().error.constData());
    }

    void aDroppedDatasetOpensAndItsViewsAreMapped()
    {
        MainWindow window;
        window.show();
        QSignalSpy opened(window.library(), &EpisodeLibrary::opened);
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(m_dataset)});
        // As a drag from a file manager: enter, then drop.
        QDragEnterEvent enter(QPoint(20, 20), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&window, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(20, 20), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&window, &drop);
        QVERIFY(opened.wait(20000));
        QTreeWidgetItem *file = window.datasetPanel()->tree()->topLevelItem(0);
        QCOMPARE(file->childCount(), 3);
        QCOMPARE(file->child(2)->text(0), QString("episode_000002"));
        QCOMPARE(file->child(2)->text(1), QString::number(lr::kLengths[2]));
        EpisodeView *view = window.episodeView();
        QTRY_VERIFY_WITH_TIMEOUT(window.session()->shownFrame() == 0, 10000);
        QCOMPARE(view->paneImage(2).width() > 0, true); // the PNG camera, shown like the videos

        // The contract checkpoint knows agentview_rgb and eye_in_hand_rgb: nothing matches.
        QSignalSpy loaded(window.inference(), &InferenceWorker::checkpointLoaded);
        window.openCheckpoint(fixtures::contractCheckpoints().path("contract_grids.pt"));
        QVERIFY(loaded.wait(20000));
        QTRY_VERIFY_WITH_TIMEOUT(window.errorText().contains("Map Views"), 20000);
        QVERIFY(!view->overlay());
        // Let the action plots' whole-episode pass (started 300 ms after the checkpoint loaded)
        // fail on the unmapped views too, so that mapping must start it again.
        QTest::qWait(1500);
        QCOMPARE(window.actionPlot()->plot()->graphCount(), 0);

        // Model ▸ Map Views…: the top camera feeds agentview_rgb, the wrist camera eye_in_hand_rgb.
        QSignalSpy replaced(window.library(), &EpisodeLibrary::replaced);
        QTimer::singleShot(0, this, [] {
            auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget());
            QVERIFY(dialog);
            dialog->findChild<QComboBox *>(QString("viewMap_") + lr::kTop)->setCurrentText("agentview_rgb");
            dialog->findChild<QComboBox *>(QString("viewMap_") + lr::kWrist)->setCurrentText("eye_in_hand_rgb");
            dialog->accept();
        });
        window.mapViews();
        QVERIFY(replaced.wait(20000));
        QCOMPARE(window.session()->file()->episodes()[0].views[0].name, std::string("agentview_rgb"));
        QCOMPARE(window.session()->file()->episodes()[0].views[2].name, std::string(lr::kSide));
        QTRY_VERIFY_WITH_TIMEOUT(view->overlay() != nullptr, 20000);
        QCOMPARE(int(view->overlay()->views.size()), 2);
        // The action plots' whole-episode pass runs again on the mapped views.
        QTRY_VERIFY_WITH_TIMEOUT(window.actionPlot()->plot()->graphCount() > 0 &&
                                     window.actionPlot()->plot()->graph(0)->dataCount() == lr::kLengths[0],
                                 20000);
        // The legend names each action dimension as the dataset's meta/info.json does.
        QCOMPARE(window.actionPlot()->dimensionLabels(),
                 QStringList({"x", "y", "z", "roll", "pitch", "yaw", "gripper"}));

        // The next window opens the dataset with the same map.
        MainWindow next;
        QSignalSpy nextOpened(next.library(), &EpisodeLibrary::opened);
        next.openPath(m_dataset);
        QVERIFY(nextOpened.wait(20000));
        QCOMPARE(next.library()->files()[0]->episodes()[1].views[1].name, std::string("eye_in_hand_rgb"));
        storeViewMap(m_dataset, {});
    }

    // v3.0: the episode picked in the dataset panel shows its own frames of the shared AV1 files.
    void aV30DatasetShowsEachEpisodesFrames()
    {
        MainWindow window;
        window.show();
        QSignalSpy opened(window.library(), &EpisodeLibrary::opened);
        window.openPath(lr::datasets().v30);
        QVERIFY(opened.wait(20000));
        QTreeWidgetItem *file = window.datasetPanel()->tree()->topLevelItem(0);
        QCOMPARE(file->childCount(), 3);
        EpisodeView *view = window.episodeView();
        window.session()->setEpisode(window.library()->files()[0], 1);
        window.session()->setFrame(4);
        auto near = [](QRgb got, const cv::Vec3b &want) {
            return std::abs(qRed(got) - want[0]) <= 7 && std::abs(qGreen(got) - want[1]) <= 7 &&
                   std::abs(qBlue(got) - want[2]) <= 7;
        };
        QTRY_VERIFY_WITH_TIMEOUT(window.session()->shownFrame() == 4 && window.session()->episode() == 1, 10000);
        const QImage top = view->paneImage(0);
        QVERIFY(!top.isNull());
        QVERIFY(near(top.pixel(top.width() / 4, top.height() / 2), lr::videoColour(0, 1, 4, true)));
        QVERIFY(near(top.pixel(3 * top.width() / 4, top.height() / 2), lr::videoColour(0, 1, 4, false)));
    }

    void aBrokenDatasetShowsItsMessageAndTheWindowKeepsWorking()
    {
        const QString broken = m_dir.filePath("broken");
        std::filesystem::copy(m_dataset.toStdString(), broken.toStdString(),
                              std::filesystem::copy_options::recursive);
        const std::string parquet = (broken + "/data/chunk-000/episode_000000.parquet").toStdString();
        std::filesystem::resize_file(parquet, std::filesystem::file_size(parquet) / 3);
        MainWindow window;
        window.show();
        QSignalSpy failed(window.library(), &EpisodeLibrary::failed);
        window.openPath(broken);
        QVERIFY(failed.wait(20000));
        QVERIFY2(window.errorText().contains("episode_000000.parquet"), qPrintable(window.errorText()));

        QSignalSpy opened(window.library(), &EpisodeLibrary::opened);
        window.openPath(m_dataset);
        QVERIFY(opened.wait(20000));
        QCOMPARE(window.datasetPanel()->tree()->topLevelItemCount(), 1);
        QVERIFY(window.errorText().isEmpty());
    }

private:
    QTemporaryDir m_dir;
    QString m_dataset;
};

QTEST_MAIN(TestLeRobotGui)
#include "tst_lerobot_gui.moc"
