#pragma once

#include "episodes/view_renames.h"

#include <QDialog>
#include <QString>
#include <QStringList>

#include <vector>

class QComboBox;

// Which of a dataset's cameras feeds which checkpoint view, for datasets whose cameras are named
// otherwise (LeRobot's "observation.images.image" is LIBERO's "agentview_rgb"). Kept per dataset
// path in the settings, read on the UI thread by everything that opens the dataset (the library,
// the action-plot pass, sweeps, video export), so that all of them see the same views.
grids::ViewRenames storedViewMap(const QString &path);
void storeViewMap(const QString &path, const grids::ViewRenames &renames);

// Model ▸ Map Views…: one row per camera of the dataset, each with the checkpoint view it feeds
// (or none: the camera keeps its name).
class ViewMapDialog : public QDialog
{
    Q_OBJECT

public:
    // `cameras`: the dataset's own camera names; `checkpointViews`: the loaded checkpoint's.
    ViewMapDialog(const QString &path,
                  const QStringList &cameras,
                  const QStringList &checkpointViews,
                  const grids::ViewRenames &current,
                  QWidget *parent = nullptr);
    grids::ViewRenames renames() const;

private:
    QStringList m_cameras;
    std::vector<QComboBox *> m_choices;
};
