#pragma once

#include <QString>

class QWidget;

// Where an export goes: a save dialog that starts in the folder the user last exported to (else
// `fallbackFolder`, else the home folder) with a file name already filled in. Returns the path
// chosen, with `extension` added when the user typed none, or empty when cancelled.
QString askExportPath(QWidget *parent,
                      const QString &title,
                      const QString &suggestedName,
                      const QString &filter,
                      const QString &extension,
                      const QString &fallbackFolder = {});

// The folder a save dialog starts in (the last one exported to, else `fallbackFolder`, else home).
QString exportFolder(const QString &fallbackFolder = {});

// `text` usable as a file name on every platform: anything but letters, digits, '_', '.', '-'
// becomes '_'.
QString fileSafeName(QString text);
