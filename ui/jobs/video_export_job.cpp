#include "jobs/video_export_job.h"

#include "common/error.h"
#include "model/policy.h"
#include "dialogs/policy_server_settings.h"
#include "jobs/job_runner.h"

#include <QPointer>
#include <QProgressDialog>

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
    , m_runner(new JobRunner(this))
{
    m_dialog->setWindowTitle(tr("Export video"));
    m_dialog->setMinimumDuration(0);
    m_dialog->setAutoClose(false);
    m_dialog->setAutoReset(false);
    connect(m_dialog, &QProgressDialog::canceled, m_runner, &JobRunner::cancel);
    connect(m_runner, &JobRunner::progress, this, [this](qint64 done, qint64 total) {
        m_dialog->setValue(int(100 * done / std::max<qint64>(1, total)));
    });
}

VideoExportJob::~VideoExportJob() = default; // the runner cancels the export and waits

void VideoExportJob::start()
{
    m_dialog->show();
    QPointer<VideoExportJob> self(this);
    const QString checkpoint = m_checkpoint, compare = m_compare;
    const grids::render::VideoExportOptions options = m_options;
    const grids::RemotePolicyOptions serverOptions = policyServerOptions();
    m_runner->submit([self, checkpoint, compare, options,
                      serverOptions](const JobControl &control) -> JobRunner::Delivery {
        int frames = 0;
        QString error;
        bool wasCancelled = false;
        try {
            // A Policy of its own: the GUI's inference worker keeps serving the screen.
            auto policy = grids::openPolicy(checkpoint.toStdString(), "cpu", serverOptions);
            std::unique_ptr<grids::Policy> second;
            if (!compare.isEmpty())
                second = grids::openPolicy(compare.toStdString(), "cpu", serverOptions);
            frames = grids::render::exportVideo(*policy, second.get(), options, control.progress())
                         .frames;
        } catch (const grids::Error &e) {
            wasCancelled = e.kind() == grids::Error::Kind::Cancelled;
            error = QString::fromStdString(e.what());
        } catch (const std::exception &e) {
            error = QString::fromStdString(e.what());
        }
        return [self, frames, error, wasCancelled, out = QString::fromStdString(options.out)] {
            self->m_dialog->hide();
            if (wasCancelled)
                emit self->cancelled();
            else if (!error.isEmpty())
                emit self->failed(error);
            else
                emit self->finished(out, frames);
            self->deleteLater();
        };
    });
}
