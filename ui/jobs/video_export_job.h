#pragma once

#include "render/video_export.h"

#include <QObject>
#include <QString>

class JobRunner;
class QProgressDialog;
class QWidget;

// File ▸ Export Video: exports the episode on screen with the current method, budget and overlay
// layers (core/render/video_export) on a job runner, with a progress dialog whose Cancel stops
// it; the file appears only when complete (temp file + rename).
class VideoExportJob : public QObject
{
    Q_OBJECT

public:
    // `compare` (empty: none) is a second checkpoint drawn in a second row, under the options'
    // compareMethod and compareBudget.
    VideoExportJob(const QString &checkpoint,
                   grids::render::VideoExportOptions options,
                   QWidget *dialogParent,
                   const QString &compare = {});
    ~VideoExportJob() override;
    void start();

signals:
    void finished(const QString &out, int frames);
    void failed(const QString &message); // not emitted for a cancelled export
    void cancelled();

private:
    QString m_checkpoint, m_compare;
    grids::render::VideoExportOptions m_options;
    QProgressDialog *m_dialog;
    JobRunner *m_runner;
};
