#include "dataset_panel.h"

#include "episode_library.h"

#include <QFileInfo>
#include <QHeaderView>
#include <QLineEdit>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace {
enum Column { kName, kLength, kViews, kSuccess, kInstruction, kColumnCount };
constexpr int kFileRole = Qt::UserRole;
constexpr int kEpisodeRole = Qt::UserRole + 1;
} // namespace

DatasetPanel::DatasetPanel(EpisodeLibrary *library, QWidget *parent)
    : QWidget(parent)
    , m_library(library)
    , m_filter(new QLineEdit(this))
    , m_tree(new QTreeWidget(this))
{
    m_filter->setPlaceholderText(tr("Filter episodes by key or instruction"));
    m_filter->setClearButtonEnabled(true);
    m_tree->setColumnCount(kColumnCount);
    m_tree->setHeaderLabels(
        {tr("Episode"), tr("Frames"), tr("Views"), tr("Result"), tr("Instruction")});
    m_tree->header()->setSectionResizeMode(kInstruction, QHeaderView::Stretch);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_filter);
    layout->addWidget(m_tree);

    connect(m_library, &EpisodeLibrary::changed, this, &DatasetPanel::rebuild);
    connect(m_filter, &QLineEdit::textChanged, this, &DatasetPanel::applyFilter);
    connect(m_tree, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        const QVariant episode = item->data(kName, kEpisodeRole);
        if (episode.isValid())
            emit episodeActivated(item->data(kName, kFileRole).toInt(), episode.toInt());
    });
}

void DatasetPanel::setFilterText(const QString &text)
{
    m_filter->setText(text);
}

void DatasetPanel::rebuild()
{
    m_tree->clear();
    const auto &files = m_library->files();
    for (int f = 0; f < int(files.size()); ++f) {
        const auto &file = *files[std::size_t(f)];
        auto *fileItem = new QTreeWidgetItem(m_tree);
        fileItem->setText(kName, QFileInfo(QString::fromStdString(file.path())).fileName());
        fileItem->setToolTip(kName, QString::fromStdString(file.path()));
        fileItem->setText(kLength, tr("%n episode(s)", nullptr, int(file.episodes().size())));
        fileItem->setData(kName, kFileRole, f);
        for (int e = 0; e < int(file.episodes().size()); ++e) {
            const auto &info = file.episodes()[std::size_t(e)];
            auto *item = new QTreeWidgetItem(fileItem);
            item->setText(kName, QString::fromStdString(info.key));
            item->setText(kLength, QString::number(info.length));
            QStringList views;
            for (const auto &v : info.views)
                views << QStringLiteral("%1 %2×%3")
                             .arg(QString::fromStdString(v.name))
                             .arg(v.width)
                             .arg(v.height);
            item->setText(kViews, views.join(QStringLiteral(", ")));
            if (info.success)
                item->setText(kSuccess, *info.success ? tr("success") : tr("failure"));
            item->setText(kInstruction, QString::fromStdString(info.instruction));
            item->setData(kName, kFileRole, f);
            item->setData(kName, kEpisodeRole, e);
        }
        fileItem->setExpanded(true);
    }
    for (int c = 0; c < kInstruction; ++c)
        m_tree->resizeColumnToContents(c);
    applyFilter();
}

void DatasetPanel::applyFilter()
{
    const QString text = m_filter->text().trimmed();
    for (int f = 0; f < m_tree->topLevelItemCount(); ++f) {
        QTreeWidgetItem *fileItem = m_tree->topLevelItem(f);
        int visible = 0;
        for (int e = 0; e < fileItem->childCount(); ++e) {
            QTreeWidgetItem *item = fileItem->child(e);
            const bool match = text.isEmpty() ||
                               item->text(kName).contains(text, Qt::CaseInsensitive) ||
                               item->text(kInstruction).contains(text, Qt::CaseInsensitive);
            item->setHidden(!match);
            visible += match ? 1 : 0;
        }
        fileItem->setHidden(visible == 0 && !text.isEmpty());
    }
}
