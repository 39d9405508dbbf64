#include "session/episode_library.h"

#include "common/error.h"
#include "dialogs/view_map.h"

#include <QtConcurrent>

#include <algorithm>

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
    start(path, false);
}

void EpisodeLibrary::reopen(const QString &path)
{
    start(path, true);
}

void EpisodeLibrary::start(const QString &path, bool replace)
{
    if (m_watcher.isRunning()) {
        m_queue.push_back({path, replace});
        return;
    }
    const grids::ViewRenames renames = storedViewMap(path); // settings: read on the UI thread
    m_watcher.setFuture(QtConcurrent::run([path, replace, renames]() {
        OpenResult result;
        result.path = path;
        result.replace = replace;
        try {
            grids::OpenedEpisodes opened = grids::openEpisodes(path.toStdString());
            for (auto &file : opened.files) {
                try {
                    file = grids::renameViews(std::move(file), renames); // keeps `file` on an error
                } catch (const grids::Error &e) {
                    // A map that no longer fits (the dataset changed) is reported; the cameras
                    // keep their own names.
                    result.errors.append(QString::fromStdString(e.what()));
                }
                result.files.push_back(std::move(file));
            }
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
    int added = 0;
    std::vector<std::pair<std::shared_ptr<grids::EpisodeFile>, std::shared_ptr<grids::EpisodeFile>>> swaps;
    for (auto &file : result.files) {
        auto same = result.replace ? std::find_if(m_files.begin(), m_files.end(),
                                                  [&](const auto &open) { return open->path() == file->path(); })
                                   : m_files.end();
        if (same != m_files.end()) {
            swaps.push_back({*same, file});
            *same = std::move(file);
        } else {
            m_files.push_back(std::move(file));
            ++added;
        }
    }
    if (added > 0)
        emit opened(result.path, added);
    if (added > 0 || !swaps.empty())
        emit changed();
    for (const auto &[old, now] : swaps)
        emit replaced(old, now);
    if (!result.errors.isEmpty())
        emit failed(result.path, result.errors);
    if (!m_queue.empty()) {
        const auto [path, replace] = m_queue.front();
        m_queue.erase(m_queue.begin());
        start(path, replace);
    }
}
