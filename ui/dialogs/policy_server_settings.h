#pragma once

#include "remote/remote_policy.h"

#include <QString>

class QWidget;

// How the GUI reaches policy servers (Model ▸ Connect to Policy Server…): the last URL, the key
// map and the timeout, kept in the settings and read on the UI thread by everything that opens a
// policy (the inference workers, sweeps, video export).
grids::RemotePolicyOptions policyServerOptions();
QString lastPolicyServerUrl();
void storePolicyServerSettings(const QString &url, const grids::RemotePolicyOptions &options);

// The dialog: URL, observation keys, timeout. Returns the URL, or empty when cancelled (the
// settings are stored when accepted).
QString askForPolicyServer(QWidget *parent);
