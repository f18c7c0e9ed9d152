// TableCopy gives a table view Ctrl+C (QKeySequence::Copy): its selected rows (every row when none is
// selected), in the order shown, the header first, as tab-separated display texts of the visible columns —
// what a spreadsheet pastes as a table. The key goes to the table while it has the focus, ahead of a
// window-wide Copy shortcut (the main window's Copy Figure).
#pragma once

#include <QObject>
#include <QString>

class QTableView;

namespace automoe::ui {

class TableCopy : public QObject {
    Q_OBJECT

public:
    // Installs on `view` (the copier is its child).
    static TableCopy* install(QTableView* view);
    // The text Ctrl+C puts on the clipboard.
    static QString selectedRowsAsTsv(const QTableView& view);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    explicit TableCopy(QTableView* view);
    QTableView* view_;
};

} // namespace automoe::ui
