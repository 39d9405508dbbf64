// A policy server in the GUI: connected in place of a checkpoint (Model ▸ Connect to Policy
// Server…), its selection is drawn and its round trip shown; a plain openpi server without the
// GridS extensions still shows actions, and the window says what is missing.

#include "session/episode_library.h"
#include "session/session.h"
#include "views/episode_view.h"
#include "fixtures.h"
#include "jobs/inference_worker.h"
#include "window/main_window.h"
#include "model/policy.h"
#include "panels/model_panel.h"
#include "dialogs/policy_server_settings.h"

#include <QApplication>
#include <QDialog>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <cmath>

class TestRemoteGui : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QApplication::setOrganizationName("GridS-tests");
        QApplication::setApplicationName("tst_remote_gui");
        QVERIFY(m_dir.isValid());
        QVERIFY2(fixtures::contractCheckpoints().ok, fixtures::contractCheckpoints().error.constData());
        m_checkpoint = fixtures::contractCheckpoints().path("contract_grids.pt");
        m_episodes = m_dir.filePath("episodes.hdf5");
        fixtures::writeLiberoFile(m_episodes.toStdString(), {4, 3});
        storePolicyServerSettings("ws://127.0.0.1:8000", {});
    }

    void aServerRunsLikeACheckpoint()
    {
        fixtures::PolicyServer server(m_checkpoint);
        QVERIFY2(server.ok(), server.errors().constData());
        MainWindow window;
        QVERIFY(showEpisodes(window));
        // Model ▸ Connect to Policy Server…, typed into its dialog.
        QSignalSpy loaded(window.inference(), &InferenceWorker::checkpointLoaded);
        QTimer::singleShot(0, this, [&server] {
            auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget());
            QVERIFY(dialog);
            dialog->findChild<QLineEdit *>("policyServerUrl")->setText(server.url());
            dialog->accept();
        });
        const QString url = askForPolicyServer(&window);
        QCOMPARE(url, server.url());
        window.openCheckpoint(url);
        QVERIFY(loaded.wait(20000));
        QVERIFY(window.inference()->info().remote);
        QCOMPARE(window.inference()->info().views.size(), std::size_t(2));
        EpisodeView *view = window.episodeView();
        QTRY_VERIFY_WITH_TIMEOUT(view->overlay() && view->overlay()->views.size() == 2, 20000);
        QCOMPARE(int(view->overlay()->views[0].coords.size()), window.modelPanel()->budget());
        QVERIFY(window.modelPanel()->actionText().contains("round trip to the policy server"));
        // What the window shows is what the checkpoint gives locally on the same frame.
        {
            auto local = grids::Policy::load(m_checkpoint.toStdString());
            auto file = grids::openEpisodeFile(m_episodes.toStdString());
            const grids::FrameResult expected = local->run(file->frame(0, window.session()->shownFrame()), file->episodes()[0].views,
                                                           "grids", window.modelPanel()->budget());
            const auto shown = view->overlay();
            QCOMPARE(shown->views.size(), expected.views.size());
            for (std::size_t v = 0; v < expected.views.size(); ++v)
                for (std::size_t k = 0; k < expected.views[v].coords.size(); ++k)
                    for (int d = 0; d < 2; ++d)
                        QVERIFY(std::abs(shown->views[v].coords[k][std::size_t(d)] -
                                         expected.views[v].coords[k][std::size_t(d)]) < 1e-5);
            for (std::size_t i = 0; i < expected.actions.values.size(); ++i)
                QVERIFY(std::abs(shown->actions.values[i] - expected.actions.values[i]) < 1e-4);
        }
        QVERIFY(window.errorText().isEmpty());
        // The budget slider asks the server for another budget.
        window.modelPanel()->halveBudget();
        const int halved = window.modelPanel()->budget();
        QTRY_VERIFY_WITH_TIMEOUT(view->overlay() && int(view->overlay()->views[0].coords.size()) == halved, 20000);
        QCOMPARE(lastPolicyServerUrl(), server.url()); // remembered for next time
    }

    void aPlainOpenpiServerShowsActionsAndSaysWhatIsMissing()
    {
        fixtures::PolicyServer server(m_checkpoint, "none", {"--openpi-only"});
        QVERIFY2(server.ok(), server.errors().constData());
        MainWindow window;
        QVERIFY(showEpisodes(window));
        QSignalSpy loaded(window.inference(), &InferenceWorker::checkpointLoaded);
        window.openCheckpoint(server.url());
        QVERIFY(loaded.wait(20000));
        QVERIFY2(window.errorText().contains("no GridS extensions"), qPrintable(window.errorText()));
        QTRY_VERIFY_WITH_TIMEOUT(window.modelPanel()->actionText().contains("Predicted action"), 20000);
        QVERIFY(window.episodeView()->overlay());
        QVERIFY(window.episodeView()->overlay()->views.empty());
    }

private:
    bool showEpisodes(MainWindow &window)
    {
        window.show();
        QSignalSpy opened(window.library(), &EpisodeLibrary::opened);
        window.openPath(m_episodes);
        return opened.wait(20000);
    }

    QTemporaryDir m_dir;
    QString m_checkpoint, m_episodes;
};

QTEST_MAIN(TestRemoteGui)
#include "tst_remote_gui.moc"
