// RunKindDocks shows the run docks that fit the kind of the run shown and hides the others, so the bottom
// dock area holds a few readable tabs instead of ten truncated ones: a supernet run shows Training and
// Routing, a search its Pareto front and the search analysis docks, a study its own view. Each kind has a
// first dock, raised. A hidden dock stays in the View menu; what the user shows there stays shown until the
// shown run's kind changes. A run whose kind is not known yet (its record not read) or fits no dock added
// (a latency or bench run) changes nothing.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <map>
#include <vector>

class QDockWidget;

namespace automoe::ui {

class RunDocument;

class RunKindDocks : public QObject {
    Q_OBJECT

public:
    // Follows `document` (not owned).
    explicit RunKindDocks(RunDocument* document, QObject* parent = nullptr);

    // `dock` fits runs of `kinds`; the first dock added for a kind is the one raised.
    void add(QDockWidget* dock, const QStringList& kinds);
    // The docks of `kind`, in the order added.
    std::vector<QDockWidget*> docksOf(const QString& kind) const;
    // Shows the docks of `kind`, hides the other ones added, raises the kind's first dock (nothing when no
    // dock fits `kind`).
    void arrange(const QString& kind);
    QString arrangedKind() const { return arranged_; }

private:
    void follow();

    RunDocument* document_;
    std::vector<std::pair<QDockWidget*, QStringList>> docks_;
    QString arranged_;
};

} // namespace automoe::ui
