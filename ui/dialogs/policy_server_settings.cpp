#include "dialogs/policy_server_settings.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QVBoxLayout>

grids::RemotePolicyOptions policyServerOptions()
{
    QSettings settings;
    grids::RemotePolicyOptions options;
    options.keys = settings.value("policyServer/keys").toString().toStdString();
    options.timeoutSeconds = settings.value("policyServer/timeout", options.timeoutSeconds).toDouble();
    return options;
}

QString lastPolicyServerUrl()
{
    return QSettings().value("policyServer/url", QStringLiteral("ws://127.0.0.1:8000")).toString();
}

void storePolicyServerSettings(const QString &url, const grids::RemotePolicyOptions &options)
{
    QSettings settings;
    settings.setValue("policyServer/url", url);
    settings.setValue("policyServer/keys", QString::fromStdString(options.keys));
    settings.setValue("policyServer/timeout", options.timeoutSeconds);
}

QString askForPolicyServer(QWidget *parent)
{
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("Connect to Policy Server"));
    auto *layout = new QVBoxLayout(&dialog);
    auto *intro = new QLabel(QObject::tr("A policy server speaking openpi's websocket protocol (serve_policy.py, or "
                                         "app/policy_server/grids_policy_server.py). It runs in place of a "
                                         "checkpoint; overlays and budgets need its GridS extensions."),
                             &dialog);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    const grids::RemotePolicyOptions current = policyServerOptions();
    auto *url = new QLineEdit(lastPolicyServerUrl(), &dialog);
    url->setObjectName("policyServerUrl");
    auto *keys = new QLineEdit(QString::fromStdString(current.keys), &dialog);
    keys->setObjectName("policyServerKeys");
    keys->setPlaceholderText("view0=observation/image,view1=observation/wrist_image,state=observation/state,prompt=prompt");
    auto *timeout = new QDoubleSpinBox(&dialog);
    timeout->setRange(1, 3600);
    timeout->setSuffix(QObject::tr(" s"));
    timeout->setValue(current.timeoutSeconds);
    auto *form = new QFormLayout;
    form->addRow(QObject::tr("Server"), url);
    form->addRow(QObject::tr("Observation keys"), keys);
    form->addRow(QObject::tr("Timeout"), timeout);
    layout->addLayout(form);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    layout->addWidget(buttons);
    dialog.resize(560, dialog.sizeHint().height());
    if (dialog.exec() != QDialog::Accepted || url->text().trimmed().isEmpty())
        return {};
    grids::RemotePolicyOptions options;
    options.keys = keys->text().trimmed().toStdString();
    options.timeoutSeconds = timeout->value();
    storePolicyServerSettings(url->text().trimmed(), options);
    return url->text().trimmed();
}
