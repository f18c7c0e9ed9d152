#include "ui/widgets/TableCopy.h"

#include <QApplication>
#include <QClipboard>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QKeyEvent>
#include <QTableView>
#include <algorithm>

namespace automoe::ui {

namespace {

// A cell's text on one line, without the tabs that would split it.
QString cellText(const QVariant& value) {
    QString s = value.toString();
    s.replace(QLatin1Char('\t'), QLatin1Char(' '));
    s.replace(QLatin1Char('\n'), QLatin1Char(' '));
    return s;
}

} // namespace

TableCopy::TableCopy(QTableView* view)
    : QObject(view)
    , view_(view) {}

TableCopy* TableCopy::install(QTableView* view) {
    auto* copier = new TableCopy(view);
    view->installEventFilter(copier);
    return copier;
}

QString TableCopy::selectedRowsAsTsv(const QTableView& view) {
    const QAbstractItemModel* model = view.model();
    if (!model) return {};
    const QHeaderView* header = view.horizontalHeader();
    // Columns as shown: visual order, hidden ones left out.
    QList<int> columns;
    for (int visual = 0; visual < header->count(); ++visual) {
        const int logical = header->logicalIndex(visual);
        if (!header->isSectionHidden(logical)) columns.append(logical);
    }
    QList<int> rows;
    if (view.selectionModel())
        for (const QModelIndex& i : view.selectionModel()->selectedRows())
            rows.append(i.row());
    if (rows.isEmpty())
        for (int r = 0; r < model->rowCount(); ++r)
            rows.append(r);
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());

    QStringList lines;
    QStringList cells;
    for (int c : columns)
        cells << cellText(model->headerData(c, Qt::Horizontal));
    lines << cells.join(QLatin1Char('\t'));
    for (int r : rows) {
        cells.clear();
        for (int c : columns)
            cells << cellText(model->index(r, c).data());
        lines << cells.join(QLatin1Char('\t'));
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

bool TableCopy::eventFilter(QObject* watched, QEvent* event) {
    if (watched == view_ &&
        (event->type() == QEvent::ShortcutOverride || event->type() == QEvent::KeyPress)) {
        auto* key = static_cast<QKeyEvent*>(event);
        if (key->matches(QKeySequence::Copy)) {
            if (event->type() == QEvent::ShortcutOverride) {
                event->accept(); // ours, not the window's shortcut: a KeyPress follows
                return true;
            }
            QApplication::clipboard()->setText(selectedRowsAsTsv(*view_));
            return true;
        }
    }
    return QObject::eventFilter(watched, event);
}

} // namespace automoe::ui
