// Workspace: evaluation runs, their results, merging shard databases, saved plots.

#include "common/error.h"
#include "store/sqlite.h"
#include "store/workspace.h"

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

namespace grids {
namespace {

const char *kSelectRun = "SELECT id, kind, checkpoint_sha256, checkpoint_path, method, budget, "
                         "data_key, shard, status, reason, shards_merged, config, created_at "
                         "FROM runs ";

RunRecord readRun(const sql::Statement &row)
{
    RunRecord r;
    r.id = row.integer(0);
    r.key = {row.text(1), row.text(2), row.text(4), int(row.integer(5)), row.text(6), row.text(7)};
    r.checkpointPath = row.text(3);
    r.status = row.text(8);
    r.reason = row.text(9);
    r.shardsMerged = row.text(10);
    r.config = row.text(11);
    r.createdAt = row.text(12);
    return r;
}

std::string joinFloats(const std::vector<float> &values)
{
    std::ostringstream out;
    out.precision(9);
    out << "[";
    for (std::size_t i = 0; i < values.size(); ++i)
        out << (i ? "," : "") << values[i];
    out << "]";
    return out.str();
}

std::vector<float> parseFloats(const std::string &text)
{
    std::vector<float> values;
    std::string cleaned = text;
    for (char &c : cleaned)
        if (c == '[' || c == ']' || c == ',')
            c = ' ';
    std::istringstream in(cleaned);
    for (float v; in >> v;)
        values.push_back(v);
    return values;
}

// "I/N" → N (0 when not a shard).
int shardCount(const std::string &shard)
{
    const auto slash = shard.find('/');
    return slash == std::string::npos ? 0 : std::atoi(shard.c_str() + slash + 1);
}

} // namespace

std::int64_t Workspace::insertRun(const RunRecord &run)
{
    sql::Statement insert(*m_db, R"sql(
INSERT INTO runs (kind, checkpoint_sha256, checkpoint_path, method, budget, data_key, shard,
                  status, reason, shards_merged, config)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
)sql");
    insert.bind(1, run.key.kind).bind(2, run.key.checkpointSha256).bind(3, run.checkpointPath);
    insert.bind(4, run.key.method).bind(5, run.key.budget).bind(6, run.key.dataKey);
    insert.bind(7, run.key.shard).bind(8, run.status).bind(9, run.reason);
    insert.bind(10, run.shardsMerged).bind(11, run.config).run();
    return m_db->lastInsertId();
}

void Workspace::insertFrameRows(std::int64_t runId,
                                const std::vector<FrameResultRow> &rows,
                                bool orIgnore)
{
    sql::Statement insert(*m_db, std::string(orIgnore ? "INSERT OR IGNORE" : "INSERT") + R"sql(
 INTO frame_results (run_id, episode_id, frame, tokens, l1, mse, gripper_agrees, fidelity_l1,
                     action, encode_ms, select_ms, act_ms)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
)sql");
    std::map<std::pair<std::string, std::string>, std::int64_t> episodes;
    for (const auto &row : rows) {
        const auto key = std::make_pair(row.episode.fileSha256, row.episode.demoKey);
        auto it = episodes.find(key);
        if (it == episodes.end())
            it = episodes.emplace(key, episodeId(row.episode)).first;
        insert.reset();
        insert.bind(1, runId).bind(2, it->second).bind(3, row.frame).bind(4, row.tokens);
        if (row.hasReference)
            insert.bind(5, row.l1).bind(6, row.mse).bind(7, std::int64_t(row.gripperAgrees));
        else
            insert.bindNull(5).bindNull(6).bindNull(7);
        if (row.hasFidelity)
            insert.bind(8, row.fidelityL1);
        else
            insert.bindNull(8);
        insert.bind(9, joinFloats(row.action)).bind(10, row.encodeMs).bind(11, row.selectMs);
        insert.bind(12, row.actMs).run();
    }
}

void Workspace::insertRolloutRows(std::int64_t runId,
                                  const std::vector<RolloutRow> &rows,
                                  bool orIgnore)
{
    sql::Statement insert(*m_db, std::string(orIgnore ? "INSERT OR IGNORE" : "INSERT") + R"sql(
 INTO rollout_results (run_id, task, episode, seed, success, steps, ms_per_call)
VALUES (?, ?, ?, ?, ?, ?, ?)
)sql");
    for (const auto &row : rows) {
        insert.reset();
        insert.bind(1, runId).bind(2, row.task).bind(3, row.episode);
        // SQLite integers are signed 64-bit: seeds are stored bit for bit.
        insert.bind(4, static_cast<std::int64_t>(row.seed)).bind(5, std::int64_t(row.success));
        insert.bind(6, row.steps).bind(7, row.msPerCall).run();
    }
}

std::int64_t Workspace::recordRun(const RunRecord &run,
                                  const std::vector<FrameResultRow> &frames,
                                  const std::vector<RolloutRow> &rollouts)
{
    requireWritable();
    sql::Transaction transaction(*m_db);
    sql::Statement remove(*m_db, "DELETE FROM runs WHERE kind = ? AND checkpoint_sha256 = ? AND "
                                 "method = ? AND budget = ? AND data_key = ? AND shard = ?");
    remove.bind(1, run.key.kind).bind(2, run.key.checkpointSha256).bind(3, run.key.method);
    remove.bind(4, run.key.budget).bind(5, run.key.dataKey).bind(6, run.key.shard).run();
    const std::int64_t id = insertRun(run);
    insertFrameRows(id, frames, false);
    insertRolloutRows(id, rollouts, false);
    transaction.commit();
    return id;
}

std::optional<RunRecord> Workspace::findRun(const RunKey &key)
{
    sql::Statement query(*m_db, std::string(kSelectRun) +
                                    "WHERE kind = ? AND checkpoint_sha256 = ? AND method = ? AND "
                                    "budget = ? AND data_key = ? AND shard = ? AND status <> "
                                    "'partial'");
    query.bind(1, key.kind).bind(2, key.checkpointSha256).bind(3, key.method);
    query.bind(4, key.budget).bind(5, key.dataKey).bind(6, key.shard);
    if (!query.step())
        return std::nullopt;
    return readRun(query);
}

std::vector<RunRecord> Workspace::runs(const std::string &kind)
{
    sql::Statement query(*m_db, std::string(kSelectRun) + "WHERE ?1 = '' OR kind = ?1 ORDER BY id");
    query.bind(1, kind);
    std::vector<RunRecord> out;
    while (query.step())
        out.push_back(readRun(query));
    return out;
}

std::vector<FrameResultRow> Workspace::frameResults(std::int64_t runId)
{
    sql::Statement query(*m_db, R"sql(
SELECT e.file_sha256, e.demo_key, e.last_path, f.frame, f.tokens, f.l1, f.mse, f.gripper_agrees,
       f.fidelity_l1, f.action, f.encode_ms, f.select_ms, f.act_ms
FROM frame_results f JOIN episodes e ON e.id = f.episode_id
WHERE f.run_id = ? ORDER BY e.file_sha256, e.demo_key, f.frame
)sql");
    query.bind(1, runId);
    std::vector<FrameResultRow> rows;
    while (query.step()) {
        FrameResultRow r;
        r.episode = {query.text(0), query.text(1), query.text(2)};
        r.frame = query.integer(3);
        r.tokens = int(query.integer(4));
        r.hasReference = !query.isNull(5);
        if (r.hasReference) {
            r.l1 = query.real(5);
            r.mse = query.real(6);
            r.gripperAgrees = query.integer(7) != 0;
        }
        r.hasFidelity = !query.isNull(8);
        if (r.hasFidelity)
            r.fidelityL1 = query.real(8);
        r.action = parseFloats(query.text(9));
        r.encodeMs = query.real(10);
        r.selectMs = query.real(11);
        r.actMs = query.real(12);
        rows.push_back(std::move(r));
    }
    return rows;
}

std::vector<RolloutRow> Workspace::rolloutResults(std::int64_t runId)
{
    sql::Statement query(*m_db, "SELECT task, episode, seed, success, steps, ms_per_call FROM "
                                "rollout_results WHERE run_id = ? ORDER BY task, episode");
    query.bind(1, runId);
    std::vector<RolloutRow> rows;
    while (query.step())
        rows.push_back({query.text(0), int(query.integer(1)),
                        static_cast<std::uint64_t>(query.integer(2)), query.integer(3) != 0,
                        int(query.integer(4)), query.real(5)});
    return rows;
}

int Workspace::mergeRunsFrom(const std::string &otherPath)
{
    requireWritable();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(otherPath, ec))
        throw badInput(otherPath + ": no such workspace database to merge");
    Workspace other(otherPath);
    if (other.path() == path())
        throw usageError(otherPath + ": cannot merge a workspace into itself");
    int touched = 0;
    sql::Transaction transaction(*m_db);
    for (const RunRecord &source : other.runs()) {
        RunRecord whole = source;
        whole.key.shard.clear();
        std::optional<RunRecord> target;
        {
            sql::Statement query(*m_db, std::string(kSelectRun) +
                                            "WHERE kind = ? AND checkpoint_sha256 = ? AND "
                                            "method = ? AND budget = ? AND data_key = ? AND "
                                            "shard = ''");
            query.bind(1, whole.key.kind).bind(2, whole.key.checkpointSha256);
            query.bind(3, whole.key.method).bind(4, whole.key.budget).bind(5, whole.key.dataKey);
            if (query.step())
                target = readRun(query);
        }
        // Which shards the whole run holds after this merge.
        std::set<std::string> shards;
        if (target) {
            std::istringstream list(target->shardsMerged);
            for (std::string s; std::getline(list, s, ',');)
                if (!s.empty())
                    shards.insert(s);
        }
        if (!source.key.shard.empty())
            shards.insert(source.key.shard);
        std::string merged;
        for (const auto &s : shards)
            merged += (merged.empty() ? "" : ",") + s;
        std::string status = source.status;
        if (source.status != "not_applicable") {
            const bool sourceWhole = source.key.shard.empty() && source.status == "complete";
            const bool targetWhole = target && target->status == "complete";
            const int n = shardCount(source.key.shard);
            status = sourceWhole || targetWhole || (n > 0 && int(shards.size()) >= n) ? "complete"
                                                                                      : "partial";
        }
        std::int64_t id;
        if (target) {
            id = target->id;
            sql::Statement update(*m_db,
                                  "UPDATE runs SET status = ?, shards_merged = ? WHERE id = ?");
            update.bind(1, status).bind(2, merged).bind(3, id).run();
        } else {
            whole.status = status;
            whole.shardsMerged = merged;
            id = insertRun(whole);
        }
        insertFrameRows(id, other.frameResults(source.id), true);
        insertRolloutRows(id, other.rolloutResults(source.id), true);
        ++touched;
    }
    transaction.commit();
    return touched;
}

std::int64_t Workspace::savePlot(const std::string &title, const std::string &spec)
{
    requireWritable();
    sql::Statement insert(*m_db, "INSERT INTO plots (title, spec) VALUES (?, ?)");
    insert.bind(1, title).bind(2, spec).run();
    return m_db->lastInsertId();
}

std::vector<Workspace::SavedPlot> Workspace::plots()
{
    sql::Statement query(*m_db, "SELECT id, title, spec, created_at FROM plots ORDER BY id");
    std::vector<SavedPlot> out;
    while (query.step())
        out.push_back({query.integer(0), query.text(1), query.text(2), query.text(3)});
    return out;
}

std::optional<Workspace::SavedPlot> Workspace::plot(std::int64_t id)
{
    for (auto &p : plots())
        if (p.id == id)
            return p;
    return std::nullopt;
}

} // namespace grids
