// RangeSlider edits an inclusive range on a painted axis: two handles, dragged with the mouse or moved
// with the keyboard, snap to the axis values (one tick each). It reports what the user asked for with
// spanEdited() and leaves the decision to its owner, which sets the span back when it refuses the edit.
#pragma once

#include <QList>
#include <QString>
#include <QWidget>
#include <optional>

namespace automoe::ui {

class RangeSlider : public QWidget {
    Q_OBJECT

public:
    enum class Handle { None, Lower, Upper };

    explicit RangeSlider(QWidget* parent = nullptr);

    // The values the handles can take, sorted ascending and distinct; at least one.
    void setAxis(const QList<int>& values);
    const QList<int>& axis() const { return axis_; }
    // Moves the handles (to the nearest axis values) without emitting spanEdited().
    void setSpan(int lower, int upper);
    int lower() const;
    int upper() const;
    // Values above `limit` lie outside the pinned supernet and are drawn hatched; nullopt for none.
    void setLimit(std::optional<int> limit);
    // The unit for tooltips and the accessible description ("layers", "experts").
    void setUnit(const QString& unit);

    bool isDragging() const { return dragging_ != Handle::None; }
    Handle activeHandle() const { return active_; }
    // Widget coordinates of a handle's centre and of a value on the axis (for tests and tooltips).
    QPoint handlePosition(Handle handle) const;
    QPoint valuePosition(int value) const;
    // "2–3 layers", or "3 layers" when both handles sit on one value.
    QString spanText() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    // The user moved a handle (mouse or keyboard); the slider already shows the new span.
    void spanEdited(int lower, int upper);
    void dragStarted();
    void dragFinished();

protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void focusInEvent(QFocusEvent* event) override;
    bool focusNextPrevChild(bool next) override;

private:
    double left() const;
    double right() const;
    double trackY() const;
    double xAt(int index) const;
    int indexAt(double x) const;
    int nearestIndex(int value) const;
    int labelStep() const;
    Handle handleAt(const QPoint& pos) const;
    // Moves `handle` to axis index `index` (not past the other handle) and reports it when the span changed.
    void moveHandle(Handle handle, int index);
    void showValueToolTip(Handle handle);
    void updateAccessibleDescription();
    QString valueText(int value) const;

    QList<int> axis_{0};
    int lowerIndex_ = 0;
    int upperIndex_ = 0;
    std::optional<int> limit_;
    QString unit_;
    Handle active_ = Handle::Upper;
    Handle dragging_ = Handle::None;
    bool pressedOnOverlap_ = false; // both handles under the press: the first move decides which one
    int pressIndex_ = 0;
    // The last span reported during this gesture, so that a refused value is not reported again.
    int attemptedLower_ = -1;
    int attemptedUpper_ = -1;
};

} // namespace automoe::ui
