#include "panels/annotation_panel.h"

#include "store/workspace.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QUndoCommand>
#include <QUndoStack>
#include <QVBoxLayout>

namespace {

const QStringList kDefaultTags = {"missed contact point", "wrong object", "sampler drift",
                                  "grasp failure", "good example"};

// Adding is undone by removing the stored row, and redone by storing it again (under a new id:
// the command keeps track of it).
class AddAnnotation : public QUndoCommand
{
public:
    AddAnnotation(grids::Workspace *ws,
                  grids::Annotation annotation,
                  const QString &text,
                  AnnotationPanel *panel)
        : QUndoCommand(text)
        , m_ws(ws)
        , m_annotation(std::move(annotation))
        , m_panel(panel)
    {}
    void redo() override
    {
        m_annotation.id = 0;
        m_annotation.id = m_ws->addAnnotation(m_annotation);
        m_panel->refresh();
    }
    void undo() override
    {
        m_ws->removeAnnotation(m_annotation.id);
        m_panel->refresh();
    }

private:
    grids::Workspace *m_ws;
    grids::Annotation m_annotation;
    AnnotationPanel *m_panel;
};

class RemoveAnnotation : public QUndoCommand
{
public:
    RemoveAnnotation(grids::Workspace *ws, grids::Annotation annotation, AnnotationPanel *panel)
        : QUndoCommand(QObject::tr("delete annotation"))
        , m_ws(ws)
        , m_annotation(std::move(annotation))
        , m_panel(panel)
    {}
    void redo() override
    {
        m_ws->removeAnnotation(m_annotation.id);
        m_panel->refresh();
    }
    void undo() override
    {
        m_annotation.id = m_ws->addAnnotation(m_annotation);
        m_panel->refresh();
    }

private:
    grids::Workspace *m_ws;
    grids::Annotation m_annotation;
    AnnotationPanel *m_panel;
};

} // namespace

QString AnnotationPanel::describe(const grids::Annotation &a)
{
    switch (a.kind) {
    case grids::AnnotationKind::Tag:
        return a.startFrame == a.endFrame ? QObject::tr("frame %1: %2")
                                                .arg(a.startFrame)
                                                .arg(QString::fromStdString(a.label))
                                          : QObject::tr("frames %1–%2: %3")
                                                .arg(a.startFrame)
                                                .arg(a.endFrame)
                                                .arg(QString::fromStdString(a.label));
    case grids::AnnotationKind::Keypoint:
        return QObject::tr("frame %1: keypoint %2 (%3, %4) on %5")
            .arg(a.startFrame)
            .arg(QString::fromStdString(a.label))
            .arg(a.x, 0, 'f', 3)
            .arg(a.y, 0, 'f', 3)
            .arg(QString::fromStdString(a.view));
    case grids::AnnotationKind::Note:
        return QObject::tr("frame %1: note \"%2\"")
            .arg(a.startFrame)
            .arg(QString::fromStdString(a.text));
    }
    return {};
}

AnnotationPanel::AnnotationPanel(grids::Workspace *workspace, QUndoStack *undo, QWidget *parent)
    : QWidget(parent)
    , m_workspace(workspace)
    , m_undo(undo)
    , m_label(new QComboBox(this))
    , m_note(new QLineEdit(this))
    , m_keypoints(new QPushButton(tr("Keypoint mode (K)"), this))
    , m_list(new QListWidget(this))
{
    setObjectName(QStringLiteral("annotationPanel"));
    m_label->setEditable(true); // a new label typed here joins the list
    m_label->addItems(QSettings().value("annotation/tags", kDefaultTags).toStringList());
    m_note->setPlaceholderText(tr("Note on this frame, Enter to add"));
    m_keypoints->setCheckable(true);
    m_keypoints->setToolTip(tr("Click a camera view to place a keypoint (e.g. the true contact "
                               "point) with the chosen label"));
    auto *tagFrameButton = new QPushButton(tr("Tag frame (T)"), this);
    auto *markButton = new QPushButton(tr("Mark start"), this);
    auto *tagRangeButton = new QPushButton(tr("Tag range"), this);
    auto *deleteButton = new QPushButton(tr("Delete"), this);
    auto *tags = new QHBoxLayout;
    tags->addWidget(tagFrameButton);
    tags->addWidget(markButton);
    tags->addWidget(tagRangeButton);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Label"), this));
    layout->addWidget(m_label);
    layout->addLayout(tags);
    layout->addWidget(m_keypoints);
    layout->addWidget(m_note);
    layout->addWidget(m_list, 1);
    layout->addWidget(deleteButton);
    connect(tagFrameButton, &QPushButton::clicked, this, &AnnotationPanel::tagFrame);
    connect(markButton, &QPushButton::clicked, this, &AnnotationPanel::markRangeStart);
    connect(tagRangeButton, &QPushButton::clicked, this, &AnnotationPanel::tagRange);
    connect(deleteButton, &QPushButton::clicked, this, &AnnotationPanel::removeSelected);
    connect(m_note, &QLineEdit::returnPressed, this, [this] {
        addNote(m_note->text());
        m_note->clear();
    });
    setEnabled(false);
}

void AnnotationPanel::setWorkspace(grids::Workspace *workspace)
{
    m_workspace = workspace;
    setEnabled(hasEpisode() && m_workspace);
    refresh();
}

void AnnotationPanel::setEpisode(const grids::EpisodeRef &episode)
{
    m_episode = episode;
    m_rangeStart = -1;
    setEnabled(hasEpisode() && m_workspace);
    refresh();
}

QStringList AnnotationPanel::tagLabels() const
{
    QStringList labels;
    for (int i = 0; i < m_label->count(); ++i)
        labels << m_label->itemText(i);
    return labels;
}

void AnnotationPanel::add(grids::Annotation annotation, const QString &what)
{
    if (!hasEpisode() || !m_workspace)
        return;
    annotation.episode = m_episode;
    if (!grids::validateAnnotation(annotation).empty())
        return;
    // A new label becomes part of the configurable list.
    const QString label = QString::fromStdString(annotation.label);
    if (!label.isEmpty() && !tagLabels().contains(label)) {
        m_label->addItem(label);
        QSettings().setValue("annotation/tags", tagLabels());
    }
    m_undo->push(new AddAnnotation(m_workspace, std::move(annotation), what, this));
    emit annotationsChanged();
}

void AnnotationPanel::tagFrame()
{
    grids::Annotation a;
    a.kind = grids::AnnotationKind::Tag;
    a.startFrame = a.endFrame = m_frame;
    a.label = m_label->currentText().toStdString();
    add(a, tr("tag frame %1").arg(m_frame));
}

void AnnotationPanel::markRangeStart()
{
    m_rangeStart = m_frame;
}

void AnnotationPanel::tagRange()
{
    grids::Annotation a;
    a.kind = grids::AnnotationKind::Tag;
    const qint64 from = m_rangeStart < 0 ? m_frame : m_rangeStart;
    a.startFrame = std::min(from, m_frame);
    a.endFrame = std::max(from, m_frame);
    a.label = m_label->currentText().toStdString();
    add(a, tr("tag frames %1–%2").arg(a.startFrame).arg(a.endFrame));
}

void AnnotationPanel::addNote(const QString &text)
{
    if (text.trimmed().isEmpty())
        return;
    grids::Annotation a;
    a.kind = grids::AnnotationKind::Note;
    a.startFrame = a.endFrame = m_frame;
    a.text = text.trimmed().toStdString();
    add(a, tr("note on frame %1").arg(m_frame));
}

void AnnotationPanel::addKeypoint(const QString &view, double x, double y)
{
    grids::Annotation a;
    a.kind = grids::AnnotationKind::Keypoint;
    a.startFrame = a.endFrame = m_frame;
    a.view = view.toStdString();
    a.x = std::clamp(x, 0.0, 1.0);
    a.y = std::clamp(y, 0.0, 1.0);
    a.label = m_label->currentText().toStdString();
    add(a, tr("keypoint on frame %1").arg(m_frame));
}

void AnnotationPanel::removeSelected()
{
    QListWidgetItem *item = m_list->currentItem();
    if (!item || !m_workspace)
        return;
    const auto annotation = m_workspace->annotation(item->data(Qt::UserRole).toLongLong());
    if (!annotation)
        return;
    m_undo->push(new RemoveAnnotation(m_workspace, *annotation, this));
    emit annotationsChanged();
}

bool AnnotationPanel::keypointMode() const
{
    return m_keypoints->isChecked();
}

void AnnotationPanel::setKeypointMode(bool on)
{
    m_keypoints->setChecked(on);
}

const std::vector<grids::Annotation> &AnnotationPanel::annotations() const
{
    return m_annotations;
}

void AnnotationPanel::refresh()
{
    m_annotations.clear();
    if (hasEpisode() && m_workspace) {
        grids::AnnotationFilter filter;
        filter.fileSha256 = m_episode.fileSha256;
        filter.demoKey = m_episode.demoKey;
        m_annotations = m_workspace->annotations(filter);
    }
    m_list->clear();
    for (const auto &a : m_annotations) {
        auto *item = new QListWidgetItem(describe(a), m_list);
        item->setData(Qt::UserRole, qint64(a.id));
    }
    emit annotationsChanged();
}
