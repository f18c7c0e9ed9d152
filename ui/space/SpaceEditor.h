// SpaceEditor edits the bounds of the document's search space: per stack a range slider or a row of
// choice chips for every dimension, the expert-width mode, qkv_dim, and the supernet pin. Every change is a
// SpaceEditCommand on the document's undo stack (one per mouse drag). A change the core refuses
// (SearchSpace::validate, or a space that leaves the pinned supernet) is not applied: the control snaps
// back and a red message under it names the field. The summary above the form follows the space live.
#pragma once

#include "space/Architecture.h"
#include "space/SearchSpace.h"

#include <QMap>
#include <QPointer>
#include <QWidget>
#include <optional>

class QCheckBox;
class QGridLayout;
class QLabel;
class QPushButton;

namespace automoe::ui {

class ChoiceChips;
class RangeSlider;
class SpaceDocument;
class SpaceSummaryWidget;

class SpaceEditor : public QWidget {
    Q_OBJECT

public:
    explicit SpaceEditor(SpaceDocument* document, QWidget* parent = nullptr);

    SpaceSummaryWidget* summaryWidget() const { return summary_; }

    // Fields are named as in the space's JSON: "encoder.layers", "decoder.arbitrary_ende", "qkv_dim", ...
    QStringList fields() const { return rows_.keys(); }
    // The control of a field: a RangeSlider, ChoiceChips or (fractional experts) a QCheckBox.
    QWidget* control(const QString& field) const;
    RangeSlider* rangeSlider(const QString& field) const;
    ChoiceChips* choiceChips(const QString& field) const;
    QCheckBox* checkBox(const QString& field) const;
    QPushButton* pinButton() const { return pinButton_; }
    // The inline error shown under `field`, empty when there is none.
    QString errorText(const QString& field) const;

public slots:
    // Pins the supernet at the current maxima (the space may then only narrow) or releases it; undoable.
    void setSupernetPinned(bool pinned);

private:
    enum class Dim { EmbedDim, Layers, FfnDim, SelfHeads, EndeHeads, ArbitraryEnde, Experts, TopK };

    struct Row {
        QString field;
        std::optional<Stack> stack; // none for qkv_dim
        Dim dim = Dim::EmbedDim;
        QString caption;
        QWidget* control = nullptr;
        RangeSlider* slider = nullptr;
        ChoiceChips* chips = nullptr;
        QCheckBox* check = nullptr;
        QLabel* value = nullptr; // a slider's span as text
        QLabel* error = nullptr;
        // Where the control sits and what it needs to be rebuilt as the other kind.
        QGridLayout* grid = nullptr;
        int gridRow = -1;
        QString unit;
        QString toolTip;
    };

    QWidget* buildForm();
    void addSection(QGridLayout* grid, Stack stack);
    Row& addRow(QGridLayout* grid, const QString& field, const QString& caption, const QString& toolTip);
    void addDimensionRow(QGridLayout* grid, Stack stack, Dim dim, const QString& caption, const QString& unit,
                         const QString& toolTip);
    void buildControl(const QString& field, Row& row, bool range);
    void addFractionalRow(QGridLayout* grid, Stack stack);
    void addQkvRow(QGridLayout* grid);
    void addSupernetRow(QGridLayout* grid);

    static Dimension& dimension(StackSpace& stack, Dim dim);
    static const Dimension& dimension(const StackSpace& stack, Dim dim);
    static QList<int> ladder(Dim dim);
    static QList<int> sliderAxis(Dim dim, const Dimension& current, std::optional<int> limit);
    std::optional<int> pinnedLimit(Stack stack, Dim dim) const;

    // Applies `candidate` as one undoable step when the core accepts it; otherwise shows the error under
    // `field` and returns false. `drag` > 0 merges the steps of one mouse drag.
    bool tryEdit(const QString& field, const SearchSpace& candidate, const QString& what, int drag = 0);
    void editRange(const QString& field, int lower, int upper);
    void editChoices(const QString& field, const QList<int>& values);
    void editFractional(const QString& field, bool on);
    void editQkv(const QList<int>& values);
    void showError(const QString& field, const QString& message);
    void clearErrors();
    // Puts every control back on the document's space.
    void sync();
    void syncRow(Row& row);

    QPointer<SpaceDocument> document_;
    SpaceSummaryWidget* summary_ = nullptr;
    QMap<QString, Row> rows_;
    QLabel* supernetText_ = nullptr;
    QPushButton* pinButton_ = nullptr;
    int dragCounter_ = 0;
    int currentDrag_ = 0;
};

} // namespace automoe::ui
