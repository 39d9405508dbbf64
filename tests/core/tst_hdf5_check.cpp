// HDF5 files are read first by a separate process (episodes/hdf5_check.h): files on which
// Debian 12's libhdf5 crashes or spins (tests/fuzz/upstream/libero_hdf5, found by fuzzing) are
// refused with a one-line error naming them, and this process goes on; a folder's good files
// still open, and its damaged ones are reported one by one, in order.

#include "common/error.h"
#include "episodes/episode.h"
#include "episodes/hdf5_check.h"
#include "fixtures.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <filesystem>

using namespace grids;

namespace {

const QString kUpstream = QStringLiteral(GRIDS_TESTS_DIR "/fuzz/upstream/libero_hdf5");

QStringList upstreamInputs()
{
    return QDir(kUpstream).entryList({"*.hdf5"}, QDir::Files, QDir::Name);
}

} // namespace

class TestHdf5Check : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        // The input that makes libhdf5 spin is stopped after this long (default 60 s).
        qputenv("GRIDS_HDF5_CHECK_SECONDS", "3");
        QVERIFY2(!hdf5CheckHelperPath().empty(), "grids-hdf5-check is not built");
        QVERIFY(upstreamInputs().size() >= 5);
    }

    void filesThatCrashOrHangLibhdf5AreRefusedInOneLine()
    {
        for (const QString &name : upstreamInputs()) {
            QTemporaryDir dir;
            const QString path = dir.filePath(name);
            QVERIFY(QFile::copy(kUpstream + "/" + name, path));
            Error::Kind kind = Error::Kind::Other;
            const QString message = fixtures::errorOf([&] { openEpisodeFile(path.toStdString()); },
                                                      &kind);
            QVERIFY2(kind == Error::Kind::BadInput, qPrintable(name + ": " + message));
            QVERIFY2(message.contains(name) && !message.contains('\n'),
                     qPrintable(name + ": " + message));
        }
    }

    // What Debian 12's libhdf5 1.10.8 does with these two, as the helper reports it: a crash
    // (segmentation fault reading a variable-length string attribute) and a hang.
    void theHelpersCrashAndHangBecomeMessages()
    {
        const auto messageFor = [](const QString &name) {
            QTemporaryDir dir;
            const QString path = dir.filePath(name);
            QFile::copy(kUpstream + "/" + name, path);
            return fixtures::errorOf([&] { openEpisodeFile(path.toStdString()); });
        };
        const QString crashed = messageFor("vlen_attribute_global_heap_overflow.hdf5");
        QVERIFY2(crashed.contains("crashed") && crashed.contains("Segmentation fault"),
                 qPrintable(crashed));
        const QString hung = messageFor("global_heap_hangs.hdf5");
        QVERIFY2(hung.contains("did not finish reading this file in 3 s"), qPrintable(hung));
    }

    void aFolderOpensItsGoodFilesAndReportsEachDamagedOne()
    {
        QTemporaryDir dir;
        fixtures::writeLiberoFile(dir.filePath("a.hdf5").toStdString(), {3});
        fixtures::writeLiberoFile(dir.filePath("z.hdf5").toStdString(), {2, 2});
        QStringList damaged;
        for (const QString &name : upstreamInputs()) {
            const QString copy = "m_" + name; // between a.hdf5 and z.hdf5
            QVERIFY(QFile::copy(kUpstream + "/" + name, dir.filePath(copy)));
            damaged << copy;
        }
        const OpenedEpisodes opened = openEpisodes(dir.path().toStdString());
        QCOMPARE(int(opened.files.size()), 2);
        QCOMPARE(int(opened.files[1]->episodes().size()), 2);
        QCOMPARE(int(opened.errors.size()), int(damaged.size()));
        for (int i = 0; i < damaged.size(); ++i)
            QVERIFY2(QString::fromStdString(opened.errors[std::size_t(i)]).contains(damaged[i]),
                     opened.errors[std::size_t(i)].c_str());
    }

    // The helper reads good files whole and says so; the file opened afterwards is the same.
    void goodFilesPassTheCheck()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("good.hdf5").toStdString();
        fixtures::writeLiberoFile(path, {4, 5});
        QCOMPARE(checkHdf5FilesInHelper({path, path}), (std::vector<std::string>{"", ""}));
        QCOMPARE(int(openEpisodeFile(path)->episodes().size()), 2);
    }
};

QTEST_GUILESS_MAIN(TestHdf5Check)
#include "tst_hdf5_check.moc"
