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
    };
    return list;
}

} // namespace grids::schema
