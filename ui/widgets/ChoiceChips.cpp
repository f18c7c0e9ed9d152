#include "ui/widgets/ChoiceChips.h"

#include "ui/widgets/FlowLayout.h"

#include <QEvent>
#include <QKeyEvent>
#include <QSpinBox>
#include <QStyle>
#include <QTimer>
#include <QToolButton>
#include <QToolTip>
#include <algorithm>

namespace automoe::ui {

namespace {

const char* const kChipStyle =
    "QToolButton[chip=\"true\"] { border: 1px solid palette(mid); border-radius: 10px; padding: 1px 7px;"
    " background: palette(base); color: palette(window-text); min-height: 16px; }"
    "QToolButton[chip=\"true\"]:hover { border-color: palette(highlight); }"
    "QToolButton[chip=\"true\"]:focus { border: 1px solid palette(highlight); background: "
    "palette(alternate-base); }"
    "QToolButton[chip=\"true\"]:checked { background: palette(highlight); color: palette(highlighted-text);"
    " border-color: palette(highlight); }"
    "QToolButton[chip=\"true\"]:checked:focus { border-color: palette(window-text); }"
    "QToolButton[chip=\"true\"][discouraged=\"true\"] { color: palette(mid); border-style: dashed; }"
    "QToolButton[chip=\"true\"][discouraged=\"true\"]:checked { color: palette(highlighted-text);"
    " border-style: solid; }"
    "QToolButton#addValue { border: 1px dashed palette(mid); border-radius: 10px; padding: 1px 8px;"
    " color: palette(placeholder-text); min-height: 16px; }"
    "QToolButton#addValue:hover, QToolButton#addValue:focus { border-color: palette(highlight);"
    " color: palette(highlight); }";

} // namespace

ChoiceChips::ChoiceChips(QWidget* parent)
    : QWidget(parent) {
    flow_ = new FlowLayout(this, 5, 5);
    setStyleSheet(QString::fromLatin1(kChipStyle));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);

    addButton_ = new QToolButton(this);
    addButton_->setObjectName("addValue");
    addButton_->setText(QStringLiteral("+"));
    addButton_->setToolTip(tr("Add a value"));
    addButton_->setAccessibleName(tr("Add a value"));
    addButton_->setVisible(false);
    connect(addButton_, &QToolButton::clicked, this, &ChoiceChips::beginAdding);

    addEditor_ = new QSpinBox(this);
    addEditor_->setObjectName("addEditor");
    addEditor_->setAccessibleName(tr("New value"));
    addEditor_->setButtonSymbols(QAbstractSpinBox::NoButtons);
    addEditor_->setToolTip(tr("Type a value and press Enter; Escape cancels"));
    addEditor_->setFixedWidth(70);
    addEditor_->setVisible(false);
    addEditor_->installEventFilter(this);
    flow_->addWidget(addButton_);
    flow_->addWidget(addEditor_);
}

QList<int> ChoiceChips::selected() const {
    QList<int> values;
    for (auto it = chips_.begin(); it != chips_.end(); ++it)
        if (it.value()->isChecked()) values.append(it.key());
    return values;
}

void ChoiceChips::setCandidates(const QList<int>& values) {
    rebuild(values, selected());
}

void ChoiceChips::setSelected(const QList<int>& values) {
    rebuild(chips_.keys(), values);
}

void ChoiceChips::setChoices(const QList<int>& candidates, const QList<int>& checked) {
    rebuild(candidates, checked);
}

void ChoiceChips::setExclusive(bool exclusive) {
    exclusive_ = exclusive;
}

void ChoiceChips::setLabels(std::function<QString(int)> label, std::function<QString(int)> toolTip) {
    label_ = std::move(label);
    toolTip_ = std::move(toolTip);
    for (auto it = chips_.begin(); it != chips_.end(); ++it)
        styleChip(it.value(), it.key());
}

void ChoiceChips::setCustomValues(bool allowed, int minimum, int maximum) {
    customValues_ = allowed;
    addEditor_->setRange(minimum, maximum);
    addButton_->setVisible(allowed && !addEditor_->isVisible());
}

void ChoiceChips::setDiscouraged(const QMap<int, QString>& reasons) {
    if (reasons == discouraged_) return;
    discouraged_ = reasons;
    for (auto it = chips_.begin(); it != chips_.end(); ++it)
        styleChip(it.value(), it.key());
}

void ChoiceChips::styleChip(QToolButton* chip, int value) {
    chip->setText(label_ ? label_(value) : QString::number(value));
    QString tip = toolTip_ ? toolTip_(value) : QString();
    const bool discouraged = discouraged_.contains(value);
    if (discouraged) tip = tip.isEmpty() ? discouraged_.value(value) : tip + '\n' + discouraged_.value(value);
    chip->setToolTip(tip);
    chip->setAccessibleName(unit_.isEmpty() ? chip->text() : chip->text() + ' ' + unit_);
    if (chip->property("discouraged").toBool() != discouraged) {
        chip->setProperty("discouraged", discouraged);
        chip->style()->unpolish(chip);
        chip->style()->polish(chip);
    }
}

void ChoiceChips::rebuild(const QList<int>& values, const QList<int>& checked) {
    QList<int> all = values;
    for (int v : checked)
        if (!all.contains(v)) all.append(v);
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());

    bool same = all == chips_.keys();
    // Chips that go away are deleted later: this may run inside one of their clicked() signals.
    for (auto it = chips_.begin(); it != chips_.end();) {
        if (!all.contains(it.key())) {
            it.value()->hide();
            it.value()->deleteLater();
            it = chips_.erase(it);
        } else {
            ++it;
        }
    }
    for (int v : all) {
        if (chips_.contains(v)) continue;
        auto* chip = new QToolButton(this);
        chip->setObjectName(QStringLiteral("chip%1").arg(v));
        chip->setProperty("chip", true);
        chip->setCheckable(true);
        chip->setFocusPolicy(Qt::StrongFocus);
        chip->setToolButtonStyle(Qt::ToolButtonTextOnly);
        connect(chip, &QToolButton::clicked, this, [this, v](bool on) { chipClicked(v, on); });
        chips_.insert(v, chip);
        styleChip(chip, v);
    }
    for (auto it = chips_.begin(); it != chips_.end(); ++it)
        it.value()->setChecked(checked.contains(it.key()));
    if (!same) {
        // Re-insert in value order, the "+" chip and its editor last.
        while (flow_->count() > 0)
            delete flow_->takeAt(0);
        QWidget* previous = nullptr;
        for (QToolButton* chip : chips_) {
            flow_->addWidget(chip);
            if (previous) setTabOrder(previous, chip);
            previous = chip;
        }
        flow_->addWidget(addButton_);
        flow_->addWidget(addEditor_);
        if (previous) {
            setTabOrder(previous, addButton_);
            setTabOrder(addButton_, addEditor_);
        }
        flow_->invalidate();
        updateGeometry();
    }
    updateAccessibleDescription();
}

void ChoiceChips::updateAccessibleDescription() {
    QStringList on;
    for (int v : selected())
        on.append(label_ ? label_(v) : QString::number(v));
    setAccessibleDescription(tr("Selected: %1").arg(on.join(QStringLiteral(", "))));
}

void ChoiceChips::chipClicked(int value, bool checked) {
    QList<int> values = selected();
    if (exclusive_) {
        // A radio group: clicking the chosen chip keeps it chosen.
        for (auto it = chips_.begin(); it != chips_.end(); ++it)
            it.value()->setChecked(it.key() == value);
        if (!checked) return;
        values = {value};
    } else if (values.isEmpty()) {
        chips_.value(value)->setChecked(true);
        QToolTip::showText(chips_.value(value)->mapToGlobal(QPoint(0, chips_.value(value)->height())),
                           tr("At least one value must stay selected"), chips_.value(value));
        return;
    }
    updateAccessibleDescription();
    emit selectionEdited(values);
}

void ChoiceChips::beginAdding() {
    const QList<int> values = selected();
    addEditor_->setValue(values.isEmpty() ? addEditor_->minimum() : values.back());
    addButton_->hide();
    addEditor_->show();
    addEditor_->setFocus(Qt::OtherFocusReason);
    addEditor_->selectAll();
}

void ChoiceChips::finishAdding(bool commit) {
    if (!addEditor_->isVisible()) return;
    addEditor_->interpretText();
    const int value = addEditor_->value();
    addEditor_->hide();
    addButton_->setVisible(customValues_);
    if (!commit) return;
    QList<int> values = exclusive_ ? QList<int>{} : selected();
    if (values.contains(value)) return;
    values.append(value);
    std::sort(values.begin(), values.end());
    rebuild(chips_.keys(), values);
    if (QToolButton* chip = chips_.value(value)) chip->setFocus(Qt::OtherFocusReason);
    emit selectionEdited(values);
}

bool ChoiceChips::eventFilter(QObject* watched, QEvent* event) {
    if (watched == addEditor_) {
        if (event->type() == QEvent::KeyPress) {
            const int key = static_cast<QKeyEvent*>(event)->key();
            if (key == Qt::Key_Return || key == Qt::Key_Enter) {
                finishAdding(true);
                return true;
            }
            if (key == Qt::Key_Escape) {
                finishAdding(false);
                return true;
            }
        } else if (event->type() == QEvent::FocusOut) {
            // Clicking elsewhere cancels; deferred so that the focus change completes first.
            QTimer::singleShot(0, this, [this] { finishAdding(false); });
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace automoe::ui
