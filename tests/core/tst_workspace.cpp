// The workspace database: schema and pragmas, annotation CRUD and validation, content keys,
// exports, and refusal of files that are not (or are newer) workspaces.

#include "common/error.h"
#include "common/hash.h"
#include "fixtures.h"
#include "store/annotation_export.h"
#include "store/workspace.h"

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <filesystem>

using namespace grids;

namespace {

std::int64_t rawPragma(const std::string &db, const char *pragma)
{
    sqlite3 *handle = nullptr;
    sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt *stmt = nullptr;
    sqlite3_prepare_v2(handle, (std::string("PRAGMA ") + pragma).c_str(), -1, &stmt, nullptr);
    std::int64_t value = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        value = sqlite3_column_type(stmt, 0) == SQLITE_TEXT
                    ? (std::string(reinterpret_cast<const char *>(sqlite3_column_text(stmt, 0))) ==
                               "wal"
                           ? 1
                           : 0)
                    : sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(handle);
    return value;
}

void rawExec(const std::string &db, const char *sql)
{
    sqlite3 *handle = nullptr;
    sqlite3_open(db.c_str(), &handle);
    sqlite3_exec(handle, sql, nullptr, nullptr, nullptr);
    sqlite3_close(handle);
}

Annotation tag(const std::string &sha,
               const std::string &demo,
               std::int64_t a,
               std::int64_t b,
               const std::string &label)
{
    Annotation x;
    x.kind = AnnotationKind::Tag;
    x.episode = {sha, demo, "/data/file.hdf5"};
    x.startFrame = a;
    x.endFrame = b;
    x.label = label;
    return x;
}

const std::string kShaA(64, 'a'), kShaB(64, 'b');

} // namespace

class TestWorkspace : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        m_db = m_dir.filePath("ws.sqlite").toStdString();
        for (const char *suffix : {"", "-wal", "-shm"})
            std::filesystem::remove(m_db + suffix);
    }

    void createsVersionedWalDatabase()
    {
        {
            Workspace ws(m_db);
            QCOMPARE(ws.fileSchemaVersion(), Workspace::schemaVersion());
            QVERIFY(!ws.readOnly());
            QCOMPARE(ws.integrityCheck(), std::string("ok"));
        }
        QCOMPARE(rawPragma(m_db, "user_version"), std::int64_t(Workspace::schemaVersion()));
        QCOMPARE(rawPragma(m_db, "journal_mode"), std::int64_t(1)); // wal
        QCOMPARE(rawPragma(m_db, "application_id"), std::int64_t(0x47524453));
        // Reopening an up-to-date file changes nothing.
        Workspace again(m_db);
        QCOMPARE(again.fileSchemaVersion(), Workspace::schemaVersion());
    }

    void annotationsCreateEditDeleteList()
    {
        Workspace ws(m_db);
        const auto t1 = ws.addAnnotation(tag(kShaA, "demo_0", 5, 9, "missed contact point"));
        Annotation point;
        point.kind = AnnotationKind::Keypoint;
        point.episode = {kShaA, "demo_0", "/data/file.hdf5"};
        point.startFrame = 7;
        point.view = "agentview_rgb";
        point.x = 0.25;
        point.y = 0.75;
        point.label = "contact";
        const auto k1 = ws.addAnnotation(point);
        Annotation note;
        note.kind = AnnotationKind::Note;
        note.episode = {kShaA, "demo_1", "/data/file.hdf5"};
        note.startFrame = -1;
        note.text = "gripper closes early, \"twice\"";
        const auto n1 = ws.addAnnotation(note);
        ws.addAnnotation(tag(kShaB, "demo_0", 0, 0, "wrong object"));

        QCOMPARE(int(ws.annotations().size()), 4);
        AnnotationFilter filter;
        filter.fileSha256 = kShaA;
        filter.demoKey = "demo_0";
        auto list = ws.annotations(filter);
        QCOMPARE(int(list.size()), 2);
        QCOMPARE(list[0].id, t1); // ordered by first frame
        QCOMPARE(list[1].id, k1);
        QCOMPARE(list[1].x, 0.25);
        QCOMPARE(list[1].endFrame, 7);
        QVERIFY(!list[0].createdAt.empty());
        filter = {};
        filter.kind = AnnotationKind::Note;
        QCOMPARE(ws.annotations(filter).front().text, note.text);

        Annotation edited = *ws.annotation(t1);
        edited.label = "sampler drift";
        edited.endFrame = 12;
        ws.updateAnnotation(edited);
        QCOMPARE(ws.annotation(t1)->label, std::string("sampler drift"));
        QCOMPARE(ws.annotation(t1)->endFrame, 12);

        ws.removeAnnotation(n1);
        QVERIFY(!ws.annotation(n1).has_value());
        QCOMPARE(int(ws.annotations().size()), 3);
        QVERIFY_THROWS_EXCEPTION(Error, ws.removeAnnotation(n1));
        edited.id = 999;
        QVERIFY_THROWS_EXCEPTION(Error, ws.updateAnnotation(edited));
    }

    void invalidAnnotationsAreRefusedAndNothingIsWritten_data()
    {
        QTest::addColumn<int>("which");
        QTest::newRow("tag end before start") << 0;
        QTest::newRow("tag without label") << 1;
        QTest::newRow("keypoint outside image") << 2;
        QTest::newRow("keypoint without view") << 3;
        QTest::newRow("empty note") << 4;
        QTest::newRow("no episode") << 5;
    }

    void invalidAnnotationsAreRefusedAndNothingIsWritten()
    {
        QFETCH(int, which);
        Workspace ws(m_db);
        Annotation a = tag(kShaA, "demo_0", 3, 4, "x");
        switch (which) {
        case 0:
            a.endFrame = 2;
            break;
        case 1:
            a.label.clear();
            break;
        case 2:
            a.kind = AnnotationKind::Keypoint;
            a.view = "agentview_rgb";
            a.x = 1.5;
            break;
        case 3:
            a.kind = AnnotationKind::Keypoint;
            break;
        case 4:
            a.kind = AnnotationKind::Note;
            break;
        case 5:
            a.episode.fileSha256.clear();
            break;
        }
        try {
            ws.addAnnotation(a);
            QFAIL("expected a refusal");
        } catch (const Error &e) {
            QVERIFY(e.kind() == Error::Kind::Usage);
        }
        QVERIFY(ws.annotations().empty());
    }

    void contentKeysFollowFilesWhenTheyMove()
    {
        const std::string file = m_dir.filePath("episode.bin").toStdString();
        fixtures::writeBytes(file, "abc");
        Workspace ws(m_db);
        // The SHA-256 of "abc" (FIPS 180-2 test vector).
        const std::string abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        QCOMPARE(ws.contentKey(file), abc);
        QCOMPARE(sha256OfFile(file), abc);
        ws.addAnnotation(tag(abc, "demo_0", 0, 1, "wrong object"));

        const std::string moved = m_dir.filePath("moved.bin").toStdString();
        std::filesystem::rename(file, moved);
        AnnotationFilter filter;
        filter.fileSha256 = ws.contentKey(moved);
        QCOMPARE(int(ws.annotations(filter).size()), 1);

        // A changed file gets a new key, even at the same path and size.
        fixtures::writeBytes(moved, "abd");
        std::filesystem::last_write_time(moved, std::filesystem::last_write_time(moved) +
                                                    std::chrono::seconds(5));
        QVERIFY(ws.contentKey(moved) != abc);
    }

    void exportsJsonAndCsv()
    {
        Workspace ws(m_db);
        ws.addAnnotation(tag(kShaA, "demo_0", 1, 2, "wrong object"));
        Annotation note;
        note.kind = AnnotationKind::Note;
        note.episode = {kShaA, "demo_0", "/data/file.hdf5"};
        note.startFrame = 3;
        note.text = "line one,\nline \"two\"";
        ws.addAnnotation(note);
        const auto list = ws.annotations();

        const std::string json = m_dir.filePath("out.json").toStdString();
        exportAnnotations(list, json);
        QFile jsonFile(QString::fromStdString(json));
        QVERIFY(jsonFile.open(QIODevice::ReadOnly));
        const auto doc = nlohmann::json::parse(jsonFile.readAll().toStdString());
        QCOMPARE(doc["format"].get<std::string>(), std::string("grids-annotations"));
        QCOMPARE(doc["annotations"].size(), std::size_t(2));
        QCOMPARE(doc["annotations"][1]["text"].get<std::string>(), note.text);
        QCOMPARE(doc["annotations"][0]["episode"]["file_sha256"].get<std::string>(), kShaA);

        const std::string csv = annotationsToCsv(list);
        QVERIFY(csv.rfind("id,kind,file_sha256,demo_key,", 0) == 0);
        QVERIFY(csv.find("\"line one,\nline \"\"two\"\"\"") != std::string::npos);
        const std::string csvPath = m_dir.filePath("out.csv").toStdString();
        exportAnnotations(list, csvPath);
        QVERIFY(std::filesystem::exists(csvPath));
        QVERIFY(!std::filesystem::exists(csvPath + ".partial"));
        QVERIFY_THROWS_EXCEPTION(Error,
                                 exportAnnotations(list, m_dir.filePath("out.txt").toStdString()));
    }

    void newerSchemaOpensReadOnlyAndUnaltered()
    {
        {
            Workspace ws(m_db);
            ws.addAnnotation(tag(kShaA, "demo_0", 1, 2, "wrong object"));
        }
        rawExec(m_db, "PRAGMA journal_mode = DELETE; PRAGMA user_version = 99;");
        const std::string before = sha256OfFile(m_db);
        {
            Workspace ws(m_db);
            QVERIFY(ws.readOnly());
            QVERIFY(ws.readOnlyReason().find("99") != std::string::npos);
            QCOMPARE(int(ws.annotations().size()), 1); // still readable
            try {
                ws.addAnnotation(tag(kShaA, "demo_0", 3, 4, "x"));
                QFAIL("a newer file must not be written");
            } catch (const Error &e) {
                QVERIFY(e.kind() == Error::Kind::BadInput);
            }
        }
        QCOMPARE(sha256OfFile(m_db), before);
        QCOMPARE(rawPragma(m_db, "user_version"), std::int64_t(99));
    }

    void refusesFilesThatAreNotWorkspaces_data()
    {
        QTest::addColumn<int>("which");
        QTest::newRow("random bytes") << 0;
        QTest::newRow("another application's database") << 1;
        QTest::newRow("truncated header") << 2;
    }

    void refusesFilesThatAreNotWorkspaces()
    {
        QFETCH(int, which);
        if (which == 0)
            fixtures::writeBytes(m_db, fixtures::randomBytes(8192, 11));
        else if (which == 1)
            rawExec(m_db, "CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('x');");
        else
            fixtures::writeBytes(m_db,
                                 std::string("SQLite format 3\0", 16) + std::string(50, '\x7f'));
        const std::string before = sha256OfFile(m_db);
        try {
            Workspace ws(m_db);
            QFAIL("expected a refusal");
        } catch (const Error &e) {
            QVERIFY(e.kind() == Error::Kind::BadInput);
            QVERIFY2(std::string(e.what()).find(m_db) != std::string::npos, e.what());
        }
        QCOMPARE(sha256OfFile(m_db), before);
    }

private:
    QTemporaryDir m_dir;
    std::string m_db;
};

QTEST_GUILESS_MAIN(TestWorkspace)
#include "tst_workspace.moc"
