#include "store/schema.h"

namespace grids::schema {

const std::vector<const char *> &migrations()
{
    static const std::vector<const char *> list = {
        // 1: episodes by content key, the file-hash cache, annotations.
        R"sql(
CREATE TABLE episodes (
    id          INTEGER PRIMARY KEY,
    file_sha256 TEXT NOT NULL,
    demo_key    TEXT NOT NULL,
    last_path   TEXT NOT NULL,
    UNIQUE (file_sha256, demo_key)
);
CREATE TABLE file_hashes (
    path     TEXT PRIMARY KEY,
    size     INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256   TEXT NOT NULL
);
CREATE TABLE annotations (
    id          INTEGER PRIMARY KEY,
    episode_id  INTEGER NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('tag', 'keypoint', 'note')),
    start_frame INTEGER NOT NULL,
    end_frame   INTEGER NOT NULL,
    view        TEXT NOT NULL DEFAULT '',
    x           REAL,
    y           REAL,
    label       TEXT NOT NULL DEFAULT '',
    text        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK (kind <> 'tag' OR (label <> '' AND start_frame >= 0 AND end_frame >= start_frame)),
    CHECK (kind <> 'keypoint' OR (view <> '' AND x BETWEEN 0 AND 1 AND y BETWEEN 0 AND 1)),
    CHECK (kind <> 'note' OR text <> '')
);
CREATE INDEX annotations_by_episode ON annotations (episode_id, start_frame);
)sql",
        // 2: training runs and their loss curves (grids train --db).
        R"sql(
CREATE TABLE training_runs (
    id                INTEGER PRIMARY KEY,
    checkpoint_sha256 TEXT NOT NULL,
    checkpoint_path   TEXT NOT NULL,
    kind              TEXT NOT NULL,
    config            TEXT NOT NULL,
    created_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE training_curve (
    run_id        INTEGER NOT NULL REFERENCES training_runs (id) ON DELETE CASCADE,
    step          INTEGER NOT NULL,
    loss          REAL NOT NULL,
    learning_rate REAL NOT NULL,
    PRIMARY KEY (run_id, step)
);
)sql",
        // 3: evaluation runs (open-loop sweeps, closed-loop rollouts), their per-frame and
        // per-episode results, and saved plots.
        R"sql(
CREATE TABLE runs (
    id                INTEGER PRIMARY KEY,
    kind              TEXT NOT NULL CHECK (kind IN ('sweep', 'rollout')),
    checkpoint_sha256 TEXT NOT NULL,
    checkpoint_path   TEXT NOT NULL,
    method            TEXT NOT NULL,
    budget            INTEGER NOT NULL,
    data_key          TEXT NOT NULL,
    shard             TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL CHECK (status IN ('complete', 'partial', 'not_applicable')),
    reason            TEXT NOT NULL DEFAULT '',
    shards_merged     TEXT NOT NULL DEFAULT '',
    config            TEXT NOT NULL DEFAULT '{}',
    created_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (kind, checkpoint_sha256, method, budget, data_key, shard)
);
CREATE TABLE frame_results (
    run_id         INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    episode_id     INTEGER NOT NULL REFERENCES episodes (id),
    frame          INTEGER NOT NULL,
    tokens         INTEGER NOT NULL,
    l1             REAL,
    mse            REAL,
    gripper_agrees INTEGER,
    fidelity_l1    REAL,
    action         TEXT NOT NULL,
    encode_ms      REAL NOT NULL,
    select_ms      REAL NOT NULL,
    act_ms         REAL NOT NULL,
    PRIMARY KEY (run_id, episode_id, frame)
);
CREATE TABLE rollout_results (
    run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    task        TEXT NOT NULL,
    episode     INTEGER NOT NULL,
    seed        INTEGER NOT NULL,
    success     INTEGER NOT NULL,
    steps       INTEGER NOT NULL,
    ms_per_call REAL NOT NULL,
    PRIMARY KEY (run_id, task, episode)
);
CREATE TABLE plots (
    id         INTEGER PRIMARY KEY,
    title      TEXT NOT NULL,
    spec       TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
)sql",
    };
    return list;
}

} // namespace grids::schema
