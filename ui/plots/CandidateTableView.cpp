#include "ui/plots/CandidateTableView.h"

#include "search/CandidateCsv.h"
#include "ui/plots/CandidateFilterModel.h"
#include "ui/plots/CandidateTableModel.h"
#include "ui/run/RunDocument.h"
#include "ui/widgets/TableCopy.h"

#include <QDir>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMouseEvent>
#include <QSaveFile>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>
#include <sstream>

namespace automoe::ui {

CandidateTableView::CandidateTableView(QWidget* parent)
    : QWidget(parent) {
    setAccessibleName(tr("Candidates"));
    model_ = new CandidateTableModel(this);
    proxy_ = new CandidateFilterModel(model_, this);

    filterEdit_ = new QLineEdit(this);
    filterEdit_->setObjectName("candidateFilter");
    filterEdit_->setClearButtonEnabled(true);
    filterEdit_->setPlaceholderText(tr("Filter, e.g. fitness<4.9 dec_layers=2..3 front=yes key~E512"));
    filterEdit_->setToolTip(
        tr("Terms a row must all meet: a column (the header's name), an operator (< <= > >= = != ~) and a "
           "value; a=lo..hi is a range, ~ a substring, yes/no are 1/0, values take k / M / G. A word alone "
           "matches the key."));
    countLabel_ = new QLabel(this);
    errorLabel_ = new QLabel(this);
    errorLabel_->setObjectName("candidateFilterError");
    errorLabel_->setStyleSheet(QStringLiteral("color: #b3261e"));
    errorLabel_->hide();
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(8, 6, 8, 0);
    bar->addWidget(filterEdit_, 1);
    bar->addWidget(countLabel_);

    table_ = new QTableView(this);
    table_->setObjectName("candidateTable");
    table_->setModel(proxy_);
    table_->setSortingEnabled(true);
    table_->sortByColumn(CandidateTableModel::FitnessColumn, Qt::AscendingOrder);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    table_->setAlternatingRowColors(true);
    table_->setWordWrap(false);
    table_->verticalHeader()->hide();
    table_->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    // Fixed row heights: the (hidden) row header does no per-row size bookkeeping for 100k rows.
    table_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    table_->horizontalHeader()->setDefaultSectionSize(64);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->horizontalHeader()->setSectionsMovable(true);
    // Columns as wide as their names (sizing to the contents would read every row).
    for (int c = 0; c < model_->columnCount(); ++c)
        table_->setColumnWidth(c, std::max(56, fontMetrics().horizontalAdvance(model_->columnName(c)) + 28));
    // The run column is the model's last but shown first, and only while searches are compared.
    table_->horizontalHeader()->moveSection(model_->runColumn(), 0);
    connect(model_, &CandidateTableModel::comparedRunsChanged, this, &CandidateTableView::updateRunColumn);
    updateRunColumn();
    TableCopy::install(table_);
    // The context menu diffs the row under the mouse with the selected architecture. A right press does not
    // select the row (it would replace the selection the diff is with).
    table_->setContextMenuPolicy(Qt::CustomContextMenu);
    table_->viewport()->installEventFilter(this);
    connect(table_, &QWidget::customContextMenuRequested, this, &CandidateTableView::showContextMenu);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addLayout(bar);
    layout->addWidget(errorLabel_);
    layout->addWidget(table_, 1);

    connect(filterEdit_, &QLineEdit::textChanged, this, [this](const QString& text) { setFilterText(text); });
    connect(proxy_, &QAbstractItemModel::rowsInserted, this, &CandidateTableView::updateCount);
    connect(proxy_, &QAbstractItemModel::rowsRemoved, this, &CandidateTableView::updateCount);
    connect(proxy_, &QAbstractItemModel::modelReset, this, &CandidateTableView::updateCount);
    connect(proxy_, &QAbstractItemModel::layoutChanged, this, &CandidateTableView::updateCount);
    // The current row is the document's selection, a compared search's row too: the Pareto view and the
    // figure follow it.
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (syncing_ || !current.isValid()) return;
                const QString key = current.data(CandidateTableModel::KeyRole).toString();
                const int row = proxy_->mapToSource(current).row();
                emit comparedCandidateSelected(model_->comparisonNameAt(row),
                                               model_->isCompared(row) ? key : QString());
                if (document_) document_->selectCandidate(searchOf(row), key);
            });
    updateCount();
}

void CandidateTableView::setDocument(RunDocument* document) {
    if (document_) disconnect(document_, nullptr, this, nullptr);
    document_ = document;
    model_->setDocument(document);
    if (!document_) return;
    connect(document_, &RunDocument::selectionChanged, this, &CandidateTableView::showDocumentSelection);
    // A candidate selected before its row arrived is selected once it does (a compared search's row
    // selected stays).
    connect(document_, &RunDocument::candidatesAdded, this, [this] {
        if (!document_->selectedKey().isEmpty()) showDocumentSelection();
    });
    showDocumentSelection();
}

qint64 CandidateTableView::searchOf(int row) const {
    return model_->isCompared(row) ? model_->runAt(row) : 0;
}

void CandidateTableView::setCostMetric(CostMetric metric) {
    model_->setCostMetric(metric);
}

void CandidateTableView::showDocumentSelection() {
    // The row of the selected candidate in its own search (a compared search's row of the same key is
    // another candidate).
    const int row = document_ ? model_->rowOfRunKey(document_->selectedRun(), document_->selectedKey()) : -1;
    if (row == currentModelRow()) return;
    const QSignalBlocker block(table_->selectionModel());
    syncing_ = true;
    const QModelIndex shown = row >= 0 ? proxy_->mapFromSource(model_->index(row, 0)) : QModelIndex();
    table_->selectionModel()->clearSelection();
    if (shown.isValid()) {
        table_->selectionModel()->setCurrentIndex(shown, QItemSelectionModel::ClearAndSelect |
                                                             QItemSelectionModel::Rows);
        table_->scrollTo(shown);
    } else {
        table_->selectionModel()->setCurrentIndex(QModelIndex(), QItemSelectionModel::Clear);
    }
    syncing_ = false;
    table_->viewport()->update();
}

bool CandidateTableView::eventFilter(QObject* watched, QEvent* event) {
    if (watched == table_->viewport() &&
        (event->type() == QEvent::MouseButtonPress || event->type() == QEvent::MouseButtonDblClick) &&
        static_cast<QMouseEvent*>(event)->button() == Qt::RightButton)
        return true; // the context menu still comes (it is its own event)
    return QWidget::eventFilter(watched, event);
}

void CandidateTableView::updateRunColumn() {
    table_->setColumnHidden(model_->runColumn(), model_->comparedRuns().isEmpty());
}

int CandidateTableView::currentModelRow() const {
    const QModelIndex current = table_->selectionModel()->currentIndex();
    if (!current.isValid() || !table_->selectionModel()->isRowSelected(current.row(), QModelIndex()))
        return -1;
    return proxy_->mapToSource(current).row();
}

bool CandidateTableView::selectComparedCandidate(const QString& name, const QString& key) {
    const int row = model_->rowOfComparedKey(name, key);
    const QModelIndex shown = row >= 0 ? proxy_->mapFromSource(model_->index(row, 0)) : QModelIndex();
    if (!shown.isValid()) return false; // none, or filtered out
    table_->selectionModel()->setCurrentIndex(shown, QItemSelectionModel::ClearAndSelect |
                                                         QItemSelectionModel::Rows);
    table_->scrollTo(shown);
    return true;
}

QString CandidateTableView::keyAt(const QPoint& viewportPos) const {
    const QModelIndex index = table_->indexAt(viewportPos);
    return index.isValid() ? index.data(CandidateTableModel::KeyRole).toString() : QString();
}

void CandidateTableView::showContextMenu(const QPoint& viewportPos) {
    const QString key = keyAt(viewportPos);
    const QModelIndex under = table_->indexAt(viewportPos);
    // A compared search's row is a candidate of its own search: diffed or selected as one.
    const qint64 run = under.isValid() ? searchOf(proxy_->mapToSource(under).row()) : 0;
    QMenu menu(this);
    QAction* diff = menu.addAction(tr("Diff with the Selected Architecture"));
    diff->setEnabled(document_ && !key.isEmpty() && !document_->selectedKey().isEmpty() &&
                     (key != document_->selectedKey() || run != document_->selectedRun()));
    QAction* select = menu.addAction(tr("Select"));
    select->setEnabled(document_ && !key.isEmpty());
    QAction* chosen = menu.exec(table_->viewport()->mapToGlobal(viewportPos));
    if (chosen == diff)
        document_->diffWithSelected(run, key);
    else if (chosen == select)
        document_->selectCandidate(run, key);
}

QString CandidateTableView::selectedKey() const {
    const QModelIndex current = table_->selectionModel()->currentIndex();
    if (!current.isValid() || !table_->selectionModel()->isRowSelected(current.row(), QModelIndex()))
        return QString();
    return current.data(CandidateTableModel::KeyRole).toString();
}

bool CandidateTableView::setFilterText(const QString& text, QString* error) {
    QString message;
    const bool ok = proxy_->setFilterText(text, &message);
    filterError_ = ok ? QString() : message;
    errorLabel_->setText(filterError_);
    errorLabel_->setVisible(!ok);
    if (error) *error = message;
    if (filterEdit_->text() != text) {
        const QSignalBlocker block(filterEdit_);
        filterEdit_->setText(text);
    }
    updateCount();
    return ok;
}

QString CandidateTableView::filterError() const {
    return filterError_;
}

void CandidateTableView::updateCount() {
    const int shown = proxy_->rowCount(), total = model_->rowCount();
    countLabel_->setText(shown == total ? tr("%n candidate(s)", nullptr, total)
                                        : tr("%1 of %n candidate(s)", nullptr, total).arg(shown));
}

bool CandidateTableView::exportCsv(const QString& path, bool shownOnly, QString* error) const {
    std::ostringstream out;
    writeCandidatesCsv(out, shownOnly ? model_->records(proxy_->shownSourceRows()) : model_->records());
    QSaveFile file(path);
    const std::string text = out.str();
    if (!file.open(QIODevice::WriteOnly) ||
        file.write(text.data(), qint64(text.size())) != qint64(text.size()) || !file.commit()) {
        if (error)
            *error = tr("Could not write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    return true;
}

} // namespace automoe::ui
