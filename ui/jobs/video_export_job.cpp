#include "jobs/video_export_job.h"

#include "common/error.h"
#include "model/policy.h"
#include "dialogs/policy_server_settings.h"

#include <QMetaObject>
#include <QPointer>
#include <QProgressDialog>
#include <QtConcurrent>

VideoExportJob::VideoExportJob(const QString &checkpoint,
                               grids::render::VideoExportOptions options,
                               QWidget *dialogParent,
                               const QString &compare)
    : QObject(dialogParent)
    , m_checkpoint(checkpoint)
    , m_compare(compare)
    , m_options(std::move(options))
    , m_dialog(new QProgressDialog(tr("Exporting %1…").arg(QString::fromStdString(m_options.out)),
                                   tr("Cancel"),
                                   0,
                                   100,
                                   dialogParent))
{
    m_dialog->setWindowTitle(tr("Export video"));
    m_dialog->setMinimumDuration(0);
    m_dialog->setAutoClose(false);
    m_dialog->setAutoReset(false);
    connect(m_dialog, &QProgressDialog::canceled, this, [this] { *m_cancel = true; });
}

VideoExportJob::~VideoExportJob()
{
    *m_cancel = true;
}

void VideoExportJob::start()
{
    m_dialog->show();
    QPointer<VideoExportJob> self(this);
    const auto cancel = m_cancel;
    const QString checkpoint = m_checkpoint, compare = m_compare;
    const grids::render::VideoExportOptions options = m_options;
    const grids::RemotePolicyOptions serverOptions = policyServerOptions();
    (void)QtConcurrent::run([self, cancel, checkpoint, compare, options, serverOptions]() {
        grids::Progress progress;
        progress.cancel = cancel.get();
        progress.report = [self](std::int64_t done, std::int64_t total, const std::string &) {
            QMetaObject::invokeMethod(
                self.data(),
                [self, done, total] {
                    if (self)
                        self->m_dialog->setValue(
                            int(100 * done / std::max<std::int64_t>(1, total)));
                },
                Qt::QueuedConnection);
        };
        int frames = 0;
        QString error;
        bool wasCancelled = false;
        try {
            // A Policy of its own: the GUI's inference worker keeps serving the screen.
            auto policy = grids::openPolicy(checkpoint.toStdString(), "cpu", serverOptions);
            std::unique_ptr<grids::Policy> second;
            if (!compare.isEmpty())
                second = grids::openPolicy(compare.toStdString(), "cpu", serverOptions);
            frames = grids::render::exportVideo(*policy, second.get(), options, progress).frames;
        } catch (const grids::Error &e) {
            wasCancelled = e.kind() == grids::Error::Kind::Cancelled;
            error = QString::fromStdString(e.what());
        } catch (const std::exception &e) {
            error = QString::fromStdString(e.what());
        }
        QMetaObject::invokeMethod(
            self.data(),
            [self, frames, error, wasCancelled, out = QString::fromStdString(options.out)] {
                if (!self)
                    return;
                self->m_dialog->hide();
                if (wasCancelled)
                    emit self->cancelled();
                else if (!error.isEmpty())
                    emit self->failed(error);
                else
                    emit self->finished(out, frames);
                self->deleteLater();
            },
            Qt::QueuedConnection);
    });
}
