#include "store/workspace.h"

#include "common/error.h"
#include "common/hash.h"
#include "store/schema.h"
#include "store/sqlite.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

namespace fs = std::filesystem;

namespace grids {
namespace {

std::int64_t pragmaInteger(sql::Database &db, const std::string &name)
{
    sql::Statement query(db, "PRAGMA " + name);
    return query.step() ? query.integer(0) : 0;
}

const char *kSelectAnnotation = R"sql(
SELECT a.id, a.kind, e.file_sha256, e.demo_key, e.last_path, a.start_frame, a.end_frame, a.view,
       a.x, a.y, a.label, a.text, a.created_at, a.updated_at
FROM annotations a JOIN episodes e ON e.id = a.episode_id
)sql";

Annotation readAnnotation(const sql::Statement &row)
{
    Annotation a;
    a.id = row.integer(0);
    a.kind = annotationKindFromString(row.text(1)).value_or(AnnotationKind::Tag);
    a.episode = {row.text(2), row.text(3), row.text(4)};
    a.startFrame = row.integer(5);
    a.endFrame = row.integer(6);
    a.view = row.text(7);
    a.x = row.isNull(8) ? 0.0 : row.real(8);
    a.y = row.isNull(9) ? 0.0 : row.real(9);
    a.label = row.text(10);
    a.text = row.text(11);
    a.createdAt = row.text(12);
    a.updatedAt = row.text(13);
    return a;
}

// Keypoints store coordinates; the other kinds store NULL there.
void bindCoordinates(sql::Statement &statement, int first, const Annotation &a)
{
    if (a.kind == AnnotationKind::Keypoint)
        statement.bind(first, a.x).bind(first + 1, a.y);
    else
        statement.bindNull(first).bindNull(first + 1);
}

std::int64_t storedEndFrame(const Annotation &a)
{
    return a.kind == AnnotationKind::Tag ? a.endFrame : a.startFrame;
}

} // namespace

int Workspace::schemaVersion()
{
    return int(schema::migrations().size());
}

Workspace::Workspace(const std::string &path)
{
    std::error_code ec;
    if (fs::is_directory(path, ec))
        throw badInput(path + ": is a folder, not a workspace database");
    m_db = std::make_unique<sql::Database>(path, /*readOnly=*/false, /*create=*/true);

    // Reading the header is the first touch of the file: a file that is not SQLite fails here.
    const auto applicationId = pragmaInteger(*m_db, "application_id");
    m_fileVersion = int(pragmaInteger(*m_db, "user_version"));
    if (applicationId != schema::kApplicationId) {
        sql::Statement tables(*m_db, "SELECT count(*) FROM sqlite_master");
        const bool empty = tables.step() && tables.integer(0) == 0;
        if (applicationId != 0 || !empty)
            throw badInput(path + ": a SQLite database, but not a GridS Studio workspace");
    }

    if (m_fileVersion < 0) // SQLite's user_version is any 32-bit integer; ours never is negative
        throw badInput(path + ": a damaged workspace (schema version " + std::to_string(m_fileVersion) + ")");
    if (m_fileVersion > schemaVersion()) {
        // Written by a newer version: read it, never alter it.
        m_db = std::make_unique<sql::Database>(path, /*readOnly=*/true, /*create=*/false);
        m_db->exec("PRAGMA foreign_keys = ON");
        m_readOnly = true;
        return;
    }

    m_db->exec("PRAGMA journal_mode = WAL");
    m_db->exec("PRAGMA synchronous = NORMAL");
    m_db->exec("PRAGMA foreign_keys = ON");
    const auto &steps = schema::migrations();
    for (int version = m_fileVersion; version < int(steps.size()); ++version) {
        sql::Transaction transaction(*m_db);
        m_db->exec(steps[std::size_t(version)]);
        m_db->exec("PRAGMA application_id = " + std::to_string(schema::kApplicationId));
        m_db->exec("PRAGMA user_version = " + std::to_string(version + 1));
        transaction.commit();
    }
    m_fileVersion = schemaVersion();
}

Workspace::~Workspace() = default;

const std::string &Workspace::path() const
{
    return m_db->path();
}

int Workspace::fileSchemaVersion() const
{
    return m_fileVersion;
}

bool Workspace::readOnly() const
{
    return m_readOnly;
}

std::string Workspace::readOnlyReason() const
{
    if (!m_readOnly)
        return {};
    return path() + ": written by a newer GridS Studio (schema " + std::to_string(m_fileVersion) +
           ", this build knows " + std::to_string(schemaVersion()) + "); opened read-only";
}

void Workspace::requireWritable() const
{
    if (m_readOnly)
        throw badInput(readOnlyReason());
}

std::string Workspace::contentKey(const std::string &filePath)
{
    std::error_code ec;
    const std::string absolute = fs::weakly_canonical(filePath, ec).string();
    auto mtimeOf = [&](const fs::path &path) {
        return std::int64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                fs::last_write_time(path, ec).time_since_epoch())
                                .count());
    };
    // A dataset folder (LeRobot) is keyed by its meta/ files, which name every episode, its
    // length and its files: hashing the folder's gigabytes of data would take minutes.
    std::vector<fs::path> metaFiles;
    std::int64_t size = 0, mtime = 0;
    if (fs::is_directory(filePath, ec)) {
        const fs::path meta = fs::path(filePath) / "meta";
        for (fs::recursive_directory_iterator it(meta, ec), end; !ec && it != end; it.increment(ec))
            if (it->is_regular_file())
                metaFiles.push_back(it->path());
        if (ec || metaFiles.empty())
            throw badInput(filePath + ": a folder without meta/ files has no content key");
        std::sort(metaFiles.begin(), metaFiles.end());
        for (const auto &file : metaFiles) {
            size += std::int64_t(fs::file_size(file, ec));
            mtime = std::max(mtime, mtimeOf(file));
        }
    } else {
        size = std::int64_t(fs::file_size(filePath, ec));
        mtime = mtimeOf(filePath);
    }
    if (ec)
        throw badInput(filePath + ": cannot read (" + ec.message() + ")");
    {
        sql::Statement cached(*m_db, "SELECT sha256 FROM file_hashes "
                                     "WHERE path = ? AND size = ? AND mtime_ns = ?");
        cached.bind(1, absolute).bind(2, size).bind(3, mtime);
        if (cached.step())
            return cached.text(0);
    }
    std::string sha;
    if (metaFiles.empty()) {
        sha = sha256OfFile(filePath);
    } else {
        std::string listing;
        for (const auto &file : metaFiles)
            listing += fs::relative(file, filePath).generic_string() + '\n' + sha256OfFile(file.string()) + '\n';
        sha = sha256OfBytes(listing);
    }
    if (!m_readOnly) {
        sql::Statement remember(*m_db, "INSERT OR REPLACE INTO file_hashes "
                                       "(path, size, mtime_ns, sha256) VALUES (?, ?, ?, ?)");
        remember.bind(1, absolute).bind(2, size).bind(3, mtime).bind(4, sha).run();
    }
    return sha;
}

std::int64_t Workspace::episodeId(const EpisodeRef &episode)
{
    sql::Statement upsert(*m_db, R"sql(
INSERT INTO episodes (file_sha256, demo_key, last_path) VALUES (?, ?, ?)
ON CONFLICT (file_sha256, demo_key) DO UPDATE SET
    last_path = CASE WHEN excluded.last_path <> '' THEN excluded.last_path ELSE last_path END
)sql");
    upsert.bind(1, episode.fileSha256).bind(2, episode.demoKey).bind(3, episode.path).run();
    sql::Statement query(*m_db, "SELECT id FROM episodes WHERE file_sha256 = ? AND demo_key = ?");
    query.bind(1, episode.fileSha256).bind(2, episode.demoKey);
    if (!query.step())
        m_db->fail("recording the episode");
    return query.integer(0);
}

std::int64_t Workspace::addAnnotation(const Annotation &a)
{
    requireWritable();
    if (const std::string problem = validateAnnotation(a); !problem.empty())
        throw usageError(problem);
    sql::Transaction transaction(*m_db);
    const std::int64_t episode = episodeId(a.episode);
    sql::Statement insert(*m_db, R"sql(
INSERT INTO annotations (episode_id, kind, start_frame, end_frame, view, x, y, label, text)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
)sql");
    insert.bind(1, episode).bind(2, std::string(toString(a.kind))).bind(3, a.startFrame);
    insert.bind(4, storedEndFrame(a)).bind(5, a.view);
    bindCoordinates(insert, 6, a);
    insert.bind(8, a.label).bind(9, a.text).run();
    const std::int64_t id = m_db->lastInsertId();
    transaction.commit();
    return id;
}

void Workspace::updateAnnotation(const Annotation &a)
{
    requireWritable();
    if (const std::string problem = validateAnnotation(a); !problem.empty())
        throw usageError(problem);
    sql::Transaction transaction(*m_db);
    const std::int64_t episode = episodeId(a.episode);
    sql::Statement update(*m_db, R"sql(
UPDATE annotations SET episode_id = ?, kind = ?, start_frame = ?, end_frame = ?, view = ?, x = ?,
    y = ?, label = ?, text = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
WHERE id = ?
)sql");
    update.bind(1, episode).bind(2, std::string(toString(a.kind))).bind(3, a.startFrame);
    update.bind(4, storedEndFrame(a)).bind(5, a.view);
    bindCoordinates(update, 6, a);
    update.bind(8, a.label).bind(9, a.text).bind(10, a.id).run();
    if (m_db->changes() != 1)
        throw usageError(path() + ": no annotation with id " + std::to_string(a.id));
    transaction.commit();
}

void Workspace::removeAnnotation(std::int64_t id)
{
    requireWritable();
    sql::Transaction transaction(*m_db);
    sql::Statement remove(*m_db, "DELETE FROM annotations WHERE id = ?");
    remove.bind(1, id).run();
    if (m_db->changes() != 1)
        throw usageError(path() + ": no annotation with id " + std::to_string(id));
    transaction.commit();
}

std::optional<Annotation> Workspace::annotation(std::int64_t id)
{
    sql::Statement query(*m_db, std::string(kSelectAnnotation) + "WHERE a.id = ?");
    query.bind(1, id);
    if (!query.step())
        return std::nullopt;
    return readAnnotation(query);
}

std::vector<Annotation> Workspace::annotations(const AnnotationFilter &filter)
{
    sql::Statement query(*m_db, std::string(kSelectAnnotation) + R"sql(
WHERE (?1 = '' OR e.file_sha256 = ?1) AND (?2 = '' OR e.demo_key = ?2) AND (?3 = '' OR a.kind = ?3)
ORDER BY e.last_path, e.demo_key, a.start_frame, a.id
)sql");
    query.bind(1, filter.fileSha256).bind(2, filter.demoKey);
    query.bind(3, filter.kind ? std::string(toString(*filter.kind)) : std::string());
    std::vector<Annotation> out;
    while (query.step())
        out.push_back(readAnnotation(query));
    return out;
}

std::int64_t Workspace::recordTrainingRun(const TrainingRun &run)
{
    requireWritable();
    sql::Transaction transaction(*m_db);
    sql::Statement insert(*m_db, "INSERT INTO training_runs (checkpoint_sha256, checkpoint_path, "
                                 "kind, config) VALUES (?, ?, ?, ?)");
    insert.bind(1, run.checkpointSha256).bind(2, run.checkpointPath).bind(3, run.kind);
    insert.bind(4, run.config).run();
    const std::int64_t id = m_db->lastInsertId();
    sql::Statement point(*m_db, "INSERT INTO training_curve (run_id, step, loss, learning_rate) "
                                "VALUES (?, ?, ?, ?)");
    for (const auto &p : run.curve) {
        point.reset();
        point.bind(1, id).bind(2, p.step).bind(3, p.loss).bind(4, p.learningRate).run();
    }
    transaction.commit();
    return id;
}

std::vector<TrainingRun> Workspace::trainingRuns(const std::string &checkpointSha256)
{
    std::vector<TrainingRun> runs;
    sql::Statement query(*m_db, "SELECT id, checkpoint_sha256, checkpoint_path, kind, config, "
                                "created_at FROM training_runs WHERE ?1 = '' OR "
                                "checkpoint_sha256 = ?1 ORDER BY id DESC");
    query.bind(1, checkpointSha256);
    while (query.step()) {
        TrainingRun run;
        run.id = query.integer(0);
        run.checkpointSha256 = query.text(1);
        run.checkpointPath = query.text(2);
        run.kind = query.text(3);
        run.config = query.text(4);
        run.createdAt = query.text(5);
        runs.push_back(std::move(run));
    }
    for (auto &run : runs) {
        sql::Statement curve(*m_db, "SELECT step, loss, learning_rate FROM training_curve "
                                    "WHERE run_id = ? ORDER BY step");
        curve.bind(1, run.id);
        while (curve.step())
            run.curve.push_back({curve.integer(0), curve.real(1), curve.real(2)});
    }
    return runs;
}

std::string Workspace::integrityCheck()
{
    sql::Statement check(*m_db, "PRAGMA integrity_check");
    return check.step() ? check.text(0) : std::string("no answer");
}

} // namespace grids
