#include "dialogs/export_path.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSettings>

namespace {
const char *kLastFolder = "export/lastFolder";
}

QString fileSafeName(QString text)
{
    return text.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.-]")), QStringLiteral("_"));
}

QString exportFolder(const QString &fallbackFolder)
{
    const QString last = QSettings().value(kLastFolder).toString();
    if (!last.isEmpty() && QFileInfo(last).isDir())
        return last;
    if (!fallbackFolder.isEmpty() && QFileInfo(fallbackFolder).isDir())
        return fallbackFolder;
    return QDir::homePath();
}

QString askExportPath(QWidget *parent,
                      const QString &title,
                      const QString &suggestedName,
                      const QString &filter,
                      const QString &extension,
                      const QString &fallbackFolder)
{
    const QString start = QDir(exportFolder(fallbackFolder)).filePath(suggestedName);
    QString path = QFileDialog::getSaveFileName(parent, title, start, filter);
    if (path.isEmpty())
        return {};
    if (QFileInfo(path).suffix().isEmpty())
        path += QLatin1Char('.') + extension;
    QSettings().setValue(kLastFolder, QFileInfo(path).absolutePath());
    return path;
}
