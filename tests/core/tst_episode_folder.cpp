// A folder opens as every episode file directly inside it; bad files are reported, not fatal.

#include "common/error.h"
#include "episodes/episode.h"
#include "fixtures.h"

#include <QTemporaryDir>
#include <QTest>

#include <filesystem>

using namespace grids;

class TestEpisodeFolder : public QObject
{
    Q_OBJECT

private slots:
    void opensEveryEpisodeFileSortedAndReportsBadOnes()
    {
        QTemporaryDir dir;
        fixtures::writeLiberoFile(dir.filePath("b.hdf5").toStdString(), {2, 3});
        fixtures::writeLiberoFile(dir.filePath("a.h5").toStdString(), {4});
        fixtures::writeBytes(dir.filePath("c.hdf5").toStdString(), "not hdf5 at all");
        fixtures::writeBytes(dir.filePath("notes.txt").toStdString(), "ignored");
        std::filesystem::create_directory(dir.filePath("sub.hdf5").toStdString());

        OpenedEpisodes opened = openEpisodes(dir.path().toStdString());
        QCOMPARE(int(opened.files.size()), 2);
        QVERIFY(opened.files[0]->path().find("a.h5") != std::string::npos);
        QVERIFY(opened.files[1]->path().find("b.hdf5") != std::string::npos);
        QCOMPARE(int(opened.files[1]->episodes().size()), 2);
        QCOMPARE(int(opened.errors.size()), 1);
        QVERIFY(opened.errors[0].find("c.hdf5") != std::string::npos);
    }

    void emptyFolderAndMissingPathAreErrors()
    {
        QTemporaryDir dir;
        for (const std::string &path :
             {dir.path().toStdString(), dir.filePath("missing").toStdString()}) {
            try {
                openEpisodes(path);
                QFAIL("expected an error");
            } catch (const Error &e) {
                QVERIFY(e.kind() == Error::Kind::BadInput);
                QVERIFY(std::string(e.what()).find(path) != std::string::npos);
            }
        }
    }

    void unknownExtensionIsRefused()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("data.bin").toStdString();
        fixtures::writeBytes(path, "xyz");
        QVERIFY_THROWS_EXCEPTION(Error, openEpisodeFile(path));
    }
};

QTEST_GUILESS_MAIN(TestEpisodeFolder)
#include "tst_episode_folder.moc"
