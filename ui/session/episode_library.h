#pragma once

#include "episodes/episode.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

class JobRunner;

// The episode files the user has opened. Owns the core EpisodeFile readers; opening runs on a
// job runner (it touches the disk; one open at a time, in order) and the result arrives by
// signal on the UI thread.

class EpisodeLibrary : public QObject
{
    Q_OBJECT

public:
    explicit EpisodeLibrary(QObject *parent = nullptr);
    ~EpisodeLibrary() override;

    // Starts opening a file or folder; emits opened() or failed() when done. The cameras are
    // renamed as the stored view map for the path says (Model ▸ Map Views…).
    void open(const QString &path);
    // Opens an already open path again (after its view map changed): its files are replaced in
    // place and replaced() is emitted for each.
    void reopen(const QString &path);
    bool busy() const;

    const std::vector<std::shared_ptr<grids::EpisodeFile>> &files() const { return m_files; }

signals:
    void opened(const QString &path, int filesAdded);
    // One line per problem ("file: what is wrong"); the files that did open are still added.
    void failed(const QString &path, const QStringList &errors);
    void changed();
    void replaced(const std::shared_ptr<grids::EpisodeFile> &old,
                  const std::shared_ptr<grids::EpisodeFile> &now);

private:
    struct OpenResult
    {
        QString path;
        bool replace = false;
        std::vector<std::shared_ptr<grids::EpisodeFile>> files;
        QStringList errors;
    };
    void start(const QString &path, bool replace);
    void finishOpen(OpenResult result);

    std::vector<std::shared_ptr<grids::EpisodeFile>> m_files;
    JobRunner *m_opening; // opens run here, one at a time, in order
};
