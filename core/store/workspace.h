#pragma once

#include "store/annotation.h"
#include "store/results.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace grids {

namespace sql {
class Database;
}

// The workspace database (SQLite): annotations now; runs, results and saved plots come as later
// schema migrations. Guarantees (DATA.md): versioned schema upgraded in place by migrations; WAL
// journal, foreign keys, one transaction per multi-row write, bound parameters only; episodes keyed
// by file SHA-256 + demo key so results survive moves; a file written by a newer version is opened
// read-only and never altered.
//
// One Workspace per thread: the SQLite connection is not shared between threads.
// One `grids train` run: the checkpoint it wrote and its loss curve.
struct TrainingRun
{
    std::int64_t id = 0;
    std::string checkpointSha256, checkpointPath, kind, config; // config: JSON
    struct Point
    {
        std::int64_t step = 0;
        double loss = 0, learningRate = 0;
    };
    std::vector<Point> curve;
    std::string createdAt;
};

class Workspace
{
public:
    static int schemaVersion(); // the newest version this build knows

    // Opens or creates `path` and brings its schema up to date. Throws Error{BadInput} naming the
    // file when it is not a SQLite database, is damaged, or is another application's database.
    explicit Workspace(const std::string &path);
    ~Workspace();
    Workspace(const Workspace &) = delete;
    Workspace &operator=(const Workspace &) = delete;

    const std::string &path() const;
    int fileSchemaVersion() const;
    // True when the file's schema is newer than this build's; every write then throws.
    bool readOnly() const;
    std::string readOnlyReason() const;

    // SHA-256 of an episode or checkpoint file, remembered per (path, size, mtime) so a large
    // file is hashed once. A dataset folder (LeRobot) is keyed by its meta/ files: the SHA-256
    // of their relative names and hashes.
    std::string contentKey(const std::string &filePath);

    // Annotations. add/update/remove validate, run in one transaction, and throw Error{Usage}
    // for invalid values (with the reason) or an unknown id.
    std::int64_t addAnnotation(const Annotation &annotation);
    void updateAnnotation(const Annotation &annotation);
    void removeAnnotation(std::int64_t id);
    std::optional<Annotation> annotation(std::int64_t id);
    // Every annotation matching the filter, ordered by episode, first frame, id.
    std::vector<Annotation> annotations(const AnnotationFilter &filter = {});

    // Training runs (one transaction per run, curve included); newest first.
    std::int64_t recordTrainingRun(const TrainingRun &run);
    std::vector<TrainingRun> trainingRuns(const std::string &checkpointSha256 = {});

    // Evaluation runs (store/results.h). recordRun replaces a run with the same key (a forced
    // re-run) and writes the run and its rows in one transaction. findRun returns a run with this
    // key that is complete or not applicable (one that need not run again).
    std::int64_t recordRun(const RunRecord &run,
                           const std::vector<FrameResultRow> &frames,
                           const std::vector<RolloutRow> &rollouts = {});
    std::optional<RunRecord> findRun(const RunKey &key);
    std::vector<RunRecord> runs(const std::string &kind = {}); // oldest first
    std::vector<FrameResultRow> frameResults(std::int64_t runId);
    std::vector<RolloutRow> rolloutResults(std::int64_t runId);
    // Merges another workspace's runs into this one: a shard's run joins the whole run of the
    // same configuration (rows already present are kept, so merging twice changes nothing); the
    // whole run is complete once all N shards are in. Returns the number of runs touched.
    int mergeRunsFrom(const std::string &otherPath);

    // Saved plots: a title and a JSON spec the plot is redrawn from.
    std::int64_t savePlot(const std::string &title, const std::string &spec);
    struct SavedPlot
    {
        std::int64_t id = 0;
        std::string title, spec, createdAt;
    };
    std::vector<SavedPlot> plots();
    std::optional<SavedPlot> plot(std::int64_t id);

    // Runs PRAGMA integrity_check; returns "ok" or the first problem.
    std::string integrityCheck();

private:
    void requireWritable() const;
    std::int64_t episodeId(const EpisodeRef &episode);
    std::int64_t insertRun(const RunRecord &run);
    void
    insertFrameRows(std::int64_t runId, const std::vector<FrameResultRow> &rows, bool orIgnore);
    void insertRolloutRows(std::int64_t runId, const std::vector<RolloutRow> &rows, bool orIgnore);

    std::unique_ptr<sql::Database> m_db;
    int m_fileVersion = 0;
    bool m_readOnly = false;
};

} // namespace grids
