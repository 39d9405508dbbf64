#include "dialogs/view_map.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QSettings>
#include <QVBoxLayout>

namespace {

// Settings keys cannot hold a path's slashes: the absolute path, base64-encoded.
QString settingsKey(const QString &path)
{
    const QByteArray absolute = QFileInfo(path).absoluteFilePath().toUtf8();
    return QStringLiteral("viewMaps/") +
           QString::fromLatin1(absolute.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

} // namespace

grids::ViewRenames storedViewMap(const QString &path)
{
    const QString text = QSettings().value(settingsKey(path)).toString();
    try {
        return grids::parseViewRenames(text.toStdString());
    } catch (const std::exception &) {
        return {}; // a setting spoiled by hand is ignored rather than blocking the dataset
    }
}

void storeViewMap(const QString &path, const grids::ViewRenames &renames)
{
    QSettings settings;
    if (renames.empty())
        settings.remove(settingsKey(path));
    else
        settings.setValue(settingsKey(path), QString::fromStdString(grids::formatViewRenames(renames)));
}

ViewMapDialog::ViewMapDialog(const QString &path,
                             const QStringList &cameras,
                             const QStringList &checkpointViews,
                             const grids::ViewRenames &current,
                             QWidget *parent)
    : QDialog(parent)
    , m_cameras(cameras)
{
    setWindowTitle(tr("Map Views"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Which checkpoint view does each camera of %1 feed? A checkpoint "
                                "reads views by name; a camera left unmapped keeps its own name.")
                                 .arg(QFileInfo(path).fileName()),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto *form = new QFormLayout;
    for (const QString &camera : cameras) {
        auto *choice = new QComboBox(this);
        choice->setObjectName(QStringLiteral("viewMap_") + camera);
        choice->setEditable(true); // any name, for a checkpoint not loaded yet
        choice->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("eye_in_hand_rgb_wide")));
        choice->addItem(QString());
        choice->addItems(checkpointViews);
        for (const auto &[from, to] : current)
            if (QString::fromStdString(from) == camera)
                choice->setCurrentText(QString::fromStdString(to));
        form->addRow(camera, choice);
        m_choices.push_back(choice);
    }
    layout->addLayout(form);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

grids::ViewRenames ViewMapDialog::renames() const
{
    grids::ViewRenames renames;
    for (std::size_t i = 0; i < m_choices.size(); ++i) {
        const QString to = m_choices[i]->currentText().trimmed();
        if (!to.isEmpty() && to != m_cameras[int(i)])
            renames.push_back({m_cameras[int(i)].toStdString(), to.toStdString()});
    }
    return renames;
}
