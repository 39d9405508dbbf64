#include "window/bundled_data.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

QString bundledDatasetsDir()
{
    const QString fromEnvironment = qEnvironmentVariable("GRIDS_DATASETS_DIR");
    const QStringList candidates = {
        fromEnvironment,
        QCoreApplication::applicationDirPath() + QStringLiteral("/../share/grids-studio/datasets"),
        QStringLiteral(GRIDS_SOURCE_DATASETS_DIR),
    };
    for (const QString &dir : candidates)
        if (!dir.isEmpty() && QFileInfo(dir + QStringLiteral("/tabletop")).isDir())
            return QDir(dir).absolutePath();
    return {};
}

QString bundledDemoEpisodes()
{
    const QString dir = bundledDatasetsDir();
    return dir.isEmpty() ? QString() : dir + QStringLiteral("/tabletop");
}

QString bundledCheckpoint()
{
    const QString dir = bundledDatasetsDir();
    const QString path = dir + QStringLiteral("/checkpoints/tabletop-grids-nested.pt");
    return !dir.isEmpty() && QFileInfo::exists(path) ? path : QString();
}
