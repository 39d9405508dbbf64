#include "episode_library.h"

#include "common/error.h"

#include <QtConcurrent>

EpisodeLibrary::EpisodeLibrary(QObject *parent)
    : QObject(parent)
{
    connect(&m_watcher, &QFutureWatcher<OpenResult>::finished, this, &EpisodeLibrary::finishOpen);
}

EpisodeLibrary::~EpisodeLibrary()
{
    m_watcher.waitForFinished();
}

bool EpisodeLibrary::busy() const
{
    return m_watcher.isRunning();
}

void EpisodeLibrary::open(const QString &path)
{
    if (m_watcher.isRunning()) {
        m_queue.append(path);
        return;
    }
    m_watcher.setFuture(QtConcurrent::run([path]() {
        OpenResult result;
        result.path = path;
        try {
            grids::OpenedEpisodes opened = grids::openEpisodes(path.toStdString());
            for (auto &file : opened.files)
                result.files.push_back(std::move(file));
            for (const auto &error : opened.errors)
                result.errors.append(QString::fromStdString(error));
        } catch (const std::exception &e) {
            result.errors.append(QString::fromStdString(e.what()));
        }
        return result;
    }));
}

void EpisodeLibrary::finishOpen()
{
    OpenResult result = m_watcher.result();
    const int added = int(result.files.size());
    for (auto &file : result.files)
        m_files.push_back(std::move(file));
    if (added > 0) {
        emit opened(result.path, added);
        emit changed();
    }
    if (!result.errors.isEmpty())
        emit failed(result.path, result.errors);
    if (!m_queue.isEmpty())
        open(m_queue.takeFirst());
}
