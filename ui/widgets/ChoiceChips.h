// ChoiceChips edits a discrete set of integer choices as a row of toggle chips (embedding widths
// {128, 192, 256}, arbitrary attention {-1, 1, 2}, ...). At least one chip stays on; in exclusive mode
// exactly one is on. A "+" chip lets the user add a value of their own. Like RangeSlider it reports what
// the user asked for with selectionEdited() and its owner sets the selection back when it refuses.
#pragma once

#include <QList>
#include <QMap>
#include <QString>
#include <QWidget>
#include <functional>

class QSpinBox;
class QToolButton;

namespace automoe::ui {

class FlowLayout;

class ChoiceChips : public QWidget {
    Q_OBJECT

public:
    explicit ChoiceChips(QWidget* parent = nullptr);

    // The values offered as chips, plus the selected ones; sorted, one chip each. The selection is kept.
    void setCandidates(const QList<int>& values);
    QList<int> candidates() const { return chips_.keys(); }
    // Checks exactly `values` (adding chips for values not offered yet) without emitting selectionEdited().
    void setSelected(const QList<int>& values);
    QList<int> selected() const;
    // Both at once: offers `candidates` plus the `selected` values and checks exactly the latter.
    void setChoices(const QList<int>& candidates, const QList<int>& selected);

    // One value at a time (a radio group drawn as chips).
    void setExclusive(bool exclusive);
    // How a value reads on its chip and in its tooltip; the number by default.
    void setLabels(std::function<QString(int)> label, std::function<QString(int)> toolTip = {});
    // Shows a "+" chip that asks for a value in [minimum, maximum].
    void setCustomValues(bool allowed, int minimum = 1, int maximum = 1 << 20);
    // Values drawn dimmed with `reason` as their tooltip (e.g. beyond the pinned supernet). They can still
    // be toggled, so that the owner can say why it refuses them.
    void setDiscouraged(const QMap<int, QString>& reasons);
    // The unit for accessible descriptions ("heads").
    void setUnit(const QString& unit) { unit_ = unit; }

    QToolButton* chip(int value) const { return chips_.value(value); }
    QToolButton* addButton() const { return addButton_; }
    QSpinBox* addEditor() const { return addEditor_; }

signals:
    void selectionEdited(const QList<int>& values);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void rebuild(const QList<int>& values, const QList<int>& checked);
    void chipClicked(int value, bool checked);
    void beginAdding();
    void finishAdding(bool commit);
    void styleChip(QToolButton* chip, int value);
    void updateAccessibleDescription();

    FlowLayout* flow_ = nullptr;
    QMap<int, QToolButton*> chips_;
    QMap<int, QString> discouraged_;
    QToolButton* addButton_ = nullptr;
    QSpinBox* addEditor_ = nullptr;
    bool exclusive_ = false;
    bool customValues_ = false;
    QString unit_;
    std::function<QString(int)> label_;
    std::function<QString(int)> toolTip_;
};

} // namespace automoe::ui
