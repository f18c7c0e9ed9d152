// ArchitectureView is the workbench's central view: it shows one architecture as a figure (see
// ArchitectureFigure), scaled to fit, with tooltips that explain each layer and expert under the mouse.
// It is fed an architecture (or two, as a diff); it does not know whether it came from a space, a search, or
// a replay.
#pragma once

#include "ui/figure/ArchitectureFigure.h"

#include <QWidget>

namespace automoe::ui {

class ArchitectureView : public QWidget {
    Q_OBJECT

public:
    explicit ArchitectureView(QWidget* parent = nullptr);

    void setArchitecture(const Architecture& arch, const QString& title, const QString& subtitle = QString());
    void setDartsArchitecture(const DartsArchitecture& arch, const QString& title,
                              const QString& subtitle = QString());
    // Two architectures side by side with what differs highlighted (ArchitectureFigure::setDiff).
    void setDiff(const Architecture& a, const Architecture& b, const QString& title,
                 const ArchitectureFigure::DiffSide& sideA, const ArchitectureFigure::DiffSide& sideB);
    bool isDiff() const { return figure_.isDiff(); }
    void setSupernet(const std::optional<SupernetDims>& supernet);
    void clear();

    const ArchitectureFigure& figure() const { return figure_; }
    bool hasArchitecture() const { return figure_.hasArchitecture(); }
    const Architecture& architecture() const { return figure_.architecture(); }
    bool isDarts() const { return figure_.isDarts(); }
    const DartsArchitecture& dartsArchitecture() const { return figure_.dartsArchitecture(); }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void architectureChanged();

protected:
    void paintEvent(QPaintEvent* event) override;
    bool event(QEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    QTransform figureTransform() const;

    ArchitectureFigure figure_;
};

} // namespace automoe::ui
