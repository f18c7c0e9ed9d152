// AlphaView shows the architecture weights of a DARTS search run (kind "darts") as a heat map: one row per
// mixed edge ("enc L1 e1" ... "dec L3 e2"), one column per candidate operation (the decoder's list; an
// encoder row has no cell for a decoder-only candidate such as ende_attention, which stays blank), the
// softmax weight as colour on a colour scale, and a ring on the operation DARTS derives for each edge (the
// largest weight other than zero, by the core's deriveEdges). A timeline below scrubs through the weights
// after every update; while Follow is on it shows the newest update as it arrives, a scrub away from the
// newest turns Follow off. It follows a RunDocument's DARTS model (RunDocument::darts()), live and replayed
// alike, and computes nothing itself.
#pragma once

#include "ui/figure/FigurePalette.h"

#include <QStringList>
#include <QVector>
#include <QWidget>
#include <cstdint>

class QCPColorMap;
class QComboBox;
class QCPColorScale;
class QCPGraph;
class QCPItemText;
class QCustomPlot;
class QLabel;
class QMouseEvent;
class QSlider;
class QToolButton;

namespace automoe::ui {

class DartsModel;
class RunDocument;

class AlphaView : public QWidget {
    Q_OBJECT

public:
    explicit AlphaView(QWidget* parent = nullptr);
    ~AlphaView() override;

    // Shows the DARTS model of `document` and follows it (nullptr: none). Not owned.
    void setDocument(RunDocument* document);
    RunDocument* document() const { return document_; }

    // What is drawn, for tests and the export dialog.
    QCustomPlot* plot() const { return plot_; }
    QSlider* timeline() const { return slider_; }
    QToolButton* followButton() const { return followButton_; }
    // The index into the model's history() shown (-1: none), and its update (0: none).
    int shownIndex() const { return shown_; }
    std::int64_t shownUpdate() const;
    // Scrubs to history()[index] (clamped), as the timeline does: away from the newest update it stops
    // following, at the newest it follows again.
    void scrubTo(int index);
    bool follow() const { return follow_; }
    void setFollow(bool follow);
    // What the colour shows: the softmax weight (the default), or the weight times the number of candidates
    // of its stack (1 = uniform), which compares stacks whose candidate lists differ in length (the
    // decoder's has ende_attention too, so its uniform weight is lower).
    enum class Colour { Weight, Relative };
    Colour colour() const { return colour_; }
    void setColour(Colour colour);

    // The heat map as drawn: rows (edges, top to bottom), columns (candidates), the cell's softmax weight and
    // the value its colour shows (NaN: blank), and the column marked as the derived operation of each row
    // (-1: none).
    QStringList rowLabels() const { return rowLabels_; }
    QStringList columnLabels() const { return columnLabels_; }
    double cellValue(int row, int column) const;
    double colourValue(int row, int column) const;
    int markedColumn(int row) const;
    // The tooltip for a point of the plot (widget coordinates); empty off the heat map.
    QString toolTipAt(const QPointF& pos) const;
    // The line above the heat map (run, update, alpha loss, derived key); the empty state's text.
    QString statusText() const;
    QString emptyText() const;

public slots:
    void clear();

signals:
    // The shown update changed (index into history(); -1 when none).
    void shownStepChanged(int index);
    void followChanged(bool follow);

private:
    void buildPlot();
    void refresh();
    void drawStep();
    void updateStatus();
    void handleMouseMove(QMouseEvent* event);
    // The (row, column) of the cell under `pos` (plot widget coordinates), or (-1, -1).
    std::pair<int, int> cellAt(const QPointF& pos) const;
    const DartsModel* model() const;
    bool isCell(int row, int column) const;

    RunDocument* document_ = nullptr;
    FigurePalette palette_;
    QLabel* status_ = nullptr;
    QCustomPlot* plot_ = nullptr;
    QCPColorMap* map_ = nullptr;
    QCPColorScale* scale_ = nullptr;
    QCPGraph* marks_ = nullptr;
    QCPItemText* emptyLabel_ = nullptr;
    QSlider* slider_ = nullptr;
    QLabel* stepLabel_ = nullptr;
    QToolButton* followButton_ = nullptr;
    QComboBox* colourBox_ = nullptr;
    Colour colour_ = Colour::Weight;
    QVector<double> weights_; // row * columns + column, NaN where blank
    QStringList rowLabels_, columnLabels_;
    std::vector<int> marked_; // per row
    int shown_ = -1;
    bool follow_ = true;
    bool updating_ = false; // the view itself is moving the timeline: not the user's scrub
};

} // namespace automoe::ui
