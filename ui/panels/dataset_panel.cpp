#include "panels/dataset_panel.h"

#include "session/episode_library.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenu>
#include <QSettings>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace {
enum Column { kName, kLength, kViews, kSuccess, kNotes, kInstruction, kColumnCount };
constexpr int kFileRole = Qt::UserRole;
constexpr int kEpisodeRole = Qt::UserRole + 1;
constexpr int kTagsRole = Qt::UserRole + 2; // the episode's tag labels
constexpr int kFileNameRole = Qt::UserRole + 3; // a file row's name without its count
// The widest a column fitted to its contents may get: a long file name or a list of views
// is elided in the middle (both ends tell names apart) rather than pushing the other columns
// out of a narrow list; the tool tip has it whole.
constexpr int kMaxColumnWidth[] = {170, 60, 130, 70, 50};
constexpr char kHeaderKey[] = "datasetPanel/header";

QString episodeIdentity(const std::string &path, const std::string &key)
{
    return QFileInfo(QString::fromStdString(path)).absoluteFilePath() + '|' +
           QString::fromStdString(key);
}
} // namespace

DatasetPanel::DatasetPanel(EpisodeLibrary *library, QWidget *parent)
    : QWidget(parent)
    , m_library(library)
    , m_filter(new QLineEdit(this))
    , m_tag(new QComboBox(this))
    , m_tree(new QTreeWidget(this))
{
    m_filter->setPlaceholderText(tr("Filter episodes by key or instruction"));
    m_filter->setClearButtonEnabled(true);
    m_tree->setColumnCount(kColumnCount);
    m_tree->setHeaderLabels(
        {tr("Episode"), tr("Frames"), tr("Views"), tr("Result"), tr("Notes"), tr("Instruction")});
    m_tree->headerItem()->setToolTip(kNotes, tr("Annotations on the episode"));
    m_tag->setToolTip(tr("Only episodes with this tag"));
    m_tag->addItem(tr("Any tag"), QString());
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setTextElideMode(Qt::ElideMiddle);
    // Columns shown or hidden from the header's context menu, remembered between runs.
    QHeaderView *header = m_tree->header();
    header->restoreState(QSettings().value(kHeaderKey).toByteArray());
    header->setSectionResizeMode(kInstruction, QHeaderView::Stretch);
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(header, &QWidget::customContextMenuRequested, this, [this](const QPoint &at) {
        QMenu menu(this);
        for (int c = kLength; c < kColumnCount; ++c)
            menu.addAction(columnAction(c, &menu));
        menu.exec(m_tree->header()->mapToGlobal(at));
    });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_filter);
    layout->addWidget(m_tag);
    layout->addWidget(m_tree);

    connect(m_library, &EpisodeLibrary::changed, this, &DatasetPanel::rebuild);
    connect(m_filter, &QLineEdit::textChanged, this, &DatasetPanel::applyFilter);
    connect(m_tag, &QComboBox::currentIndexChanged, this, &DatasetPanel::applyFilter);
    // A click (or the arrow keys) shows an episode: no double click needed.
    connect(m_tree, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        const QVariant episode = item ? item->data(kName, kEpisodeRole) : QVariant();
        if (episode.isValid())
            emit episodeActivated(item->data(kName, kFileRole).toInt(), episode.toInt());
    });
    // Enter or a double click: on to the episode (its keys step and play it).
    connect(m_tree, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        if (item->data(kName, kEpisodeRole).isValid())
            emit episodeEntered();
    });
}

QAction *DatasetPanel::columnAction(int column, QObject *parent)
{
    auto *action = new QAction(m_tree->headerItem()->text(column), parent);
    action->setCheckable(true);
    action->setChecked(!m_tree->isColumnHidden(column));
    connect(action, &QAction::toggled, this, [this, column](bool shown) { setColumnShown(column, shown); });
    return action;
}

void DatasetPanel::setColumnShown(int column, bool shown)
{
    if (column <= kName || column >= kColumnCount) // the episode's name is always there
        return;
    m_tree->setColumnHidden(column, !shown);
    QSettings().setValue(kHeaderKey, m_tree->header()->saveState());
}

bool DatasetPanel::columnShown(int column) const
{
    return !m_tree->isColumnHidden(column);
}

void DatasetPanel::setCurrentEpisode(int file, int episode)
{
    if (file < 0 || file >= m_tree->topLevelItemCount())
        return;
    QTreeWidgetItem *item = m_tree->topLevelItem(file)->child(episode);
    if (!item || item == m_tree->currentItem())
        return;
    const QSignalBlocker block(m_tree); // it is on screen already
    m_tree->setCurrentItem(item);
    m_tree->scrollToItem(item);
}

void DatasetPanel::setFilterText(const QString &text)
{
    m_filter->setText(text);
}

void DatasetPanel::setAnnotations(const std::vector<grids::Annotation> &annotations)
{
    m_annotations = annotations;
    const QString current = m_tag->currentData().toString();
    QStringList labels;
    for (const auto &a : annotations)
        if (a.kind == grids::AnnotationKind::Tag && !a.label.empty())
            labels << QString::fromStdString(a.label);
    labels.removeDuplicates();
    labels.sort();
    {
        const QSignalBlocker block(m_tag);
        m_tag->clear();
        m_tag->addItem(tr("Any tag"), QString());
        for (const QString &label : labels)
            m_tag->addItem(label, label);
        m_tag->setCurrentIndex(std::max(0, m_tag->findData(current)));
    }
    showAnnotations(); // in place: selection and scroll position stay
    applyFilter();
}

void DatasetPanel::setTagFilter(const QString &tag)
{
    m_tag->setCurrentIndex(std::max(0, m_tag->findData(tag)));
}

QStringList DatasetPanel::tags() const
{
    QStringList tags;
    for (int i = 1; i < m_tag->count(); ++i)
        tags << m_tag->itemData(i).toString();
    return tags;
}

void DatasetPanel::showAnnotations()
{
    QHash<QString, int> counts;
    QHash<QString, QStringList> labels;
    for (const auto &a : m_annotations) {
        const QString id = episodeIdentity(a.episode.path, a.episode.demoKey);
        ++counts[id];
        if (a.kind == grids::AnnotationKind::Tag)
            labels[id] << QString::fromStdString(a.label);
    }
    const auto &files = m_library->files();
    for (int f = 0; f < m_tree->topLevelItemCount(); ++f) {
        QTreeWidgetItem *fileItem = m_tree->topLevelItem(f);
        const auto &file = *files[std::size_t(fileItem->data(kName, kFileRole).toInt())];
        for (int e = 0; e < fileItem->childCount(); ++e) {
            QTreeWidgetItem *item = fileItem->child(e);
            const QString id = episodeIdentity(file.path(), file.episodes()[std::size_t(e)].key);
            item->setText(kNotes,
                          counts.value(id) > 0 ? QString::number(counts.value(id)) : QString());
            item->setData(kName, kTagsRole, labels.value(id));
        }
    }
}

void DatasetPanel::rebuild()
{
    m_tree->clear();
    const auto &files = m_library->files();
    for (int f = 0; f < int(files.size()); ++f) {
        const auto &file = *files[std::size_t(f)];
        auto *fileItem = new QTreeWidgetItem(m_tree);
        fileItem->setData(kName, kFileNameRole,
                          QFileInfo(QString::fromStdString(file.path())).fileName());
        fileItem->setFirstColumnSpanned(true);
        fileItem->setToolTip(kName, QString::fromStdString(file.path()));
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
            item->setToolTip(kViews, views.join(QStringLiteral("\n")));
            if (info.success)
                item->setText(kSuccess, *info.success ? tr("success") : tr("failure"));
            item->setText(kInstruction, QString::fromStdString(info.instruction));
            item->setToolTip(kInstruction, item->text(kInstruction));
            item->setToolTip(kName, item->text(kName));
            item->setData(kName, kFileRole, f);
            item->setData(kName, kEpisodeRole, e);
        }
        fileItem->setExpanded(true);
    }
    showAnnotations();
    for (int c = 0; c < kInstruction; ++c) {
        m_tree->resizeColumnToContents(c);
        m_tree->setColumnWidth(c, std::min(m_tree->columnWidth(c), kMaxColumnWidth[c]));
    }
    applyFilter();
}

void DatasetPanel::applyFilter()
{
    const QString text = m_filter->text().trimmed();
    const QString tag = m_tag->currentData().toString();
    for (int f = 0; f < m_tree->topLevelItemCount(); ++f) {
        QTreeWidgetItem *fileItem = m_tree->topLevelItem(f);
        int visible = 0;
        for (int e = 0; e < fileItem->childCount(); ++e) {
            QTreeWidgetItem *item = fileItem->child(e);
            const bool match =
                (text.isEmpty() || item->text(kName).contains(text, Qt::CaseInsensitive) ||
                 item->text(kInstruction).contains(text, Qt::CaseInsensitive)) &&
                (tag.isEmpty() || item->data(kName, kTagsRole).toStringList().contains(tag));
            item->setHidden(!match);
            visible += match ? 1 : 0;
        }
        const bool filtered = !text.isEmpty() || !tag.isEmpty();
        fileItem->setHidden(visible == 0 && filtered);
        const int total = fileItem->childCount();
        const QString episodes = total == 1 ? tr("1 episode") : tr("%1 episodes").arg(total);
        // One line across the whole row: the name and the count (elided in the middle, so the
        // count stays in view however long the name).
        fileItem->setText(kName, tr("%1 · %2")
                                     .arg(fileItem->data(kName, kFileNameRole).toString(),
                                          filtered ? tr("%1 of %2").arg(visible).arg(episodes)
                                                   : episodes));
    }
}
