#include "ui/run/RunsBrowser.h"

#include "run/RunStages.h"
#include "ui/run/RunDocument.h"
#include "ui/run/RunListModel.h"

#include <QDir>
#include <QEvent>
#include <QFileInfo>
#include <QFontMetrics>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>

namespace automoe::ui {

namespace {
constexpr int kRefreshMs = 2000;
// The room a run's name keeps before the Supernet column gives way, in average characters ("tiny (edited)").
constexpr int kNameChars = 13;
} // namespace

RunsBrowser::RunsBrowser(QWidget* parent)
    : QWidget(parent)
    , model_(new RunListModel(this))
    , proxy_(new QSortFilterProxyModel(this))
    , filter_(new QLineEdit(this))
    , table_(new QTableView(this))
    , pathLabel_(new QLabel(this))
    , timer_(new QTimer(this)) {
    proxy_->setSourceModel(model_);
    proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
    proxy_->setFilterKeyColumn(-1);
    proxy_->setSortRole(Qt::EditRole);

    filter_->setObjectName("runFilter");
    filter_->setPlaceholderText(tr("Filter runs by name, kind, supernet, status…"));
    filter_->setClearButtonEnabled(true);
    connect(filter_, &QLineEdit::textChanged, proxy_, &QSortFilterProxyModel::setFilterFixedString);

    table_->setObjectName("runTable");
    table_->setModel(proxy_);
    table_->setSortingEnabled(true);
    table_->sortByColumn(RunListModel::IdColumn, Qt::DescendingOrder);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    // Several runs at once for "Compare Training Curves"; the current row is the one opened or compared.
    table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setAlternatingRowColors(true);
    table_->setShowGrid(false);
    table_->setWordWrap(false);
    table_->verticalHeader()->hide();
    table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 8);
    table_->horizontalHeader()->setHighlightSections(false);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setSectionResizeMode(RunListModel::NameColumn, QHeaderView::Stretch);
    table_->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(table_, &QTableView::activated, this, [this](const QModelIndex& i) {
        if (const qint64 id = runAt(i)) emit runActivated(id);
    });
    connect(table_, &QTableView::customContextMenuRequested, this, &RunsBrowser::showContextMenu);
    connect(model_, &RunListModel::refreshed, this, [this] {
        if (document_ && document_->runId() > 0 && currentRunId() != document_->runId())
            selectRun(document_->runId());
        fitColumns();
    });
    table_->viewport()->installEventFilter(this);
    fitColumns();

    pathLabel_->setObjectName("runDatabaseLabel");
    pathLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    pathLabel_->setStyleSheet(QStringLiteral("color: palette(mid);"));
    pathLabel_->setWordWrap(true);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->setSpacing(6);
    layout->addWidget(filter_);
    layout->addWidget(table_, 1);
    layout->addWidget(pathLabel_);

    timer_->setInterval(kRefreshMs);
    connect(timer_, &QTimer::timeout, model_, &RunListModel::refresh);
    timer_->start();
}

bool RunsBrowser::eventFilter(QObject* watched, QEvent* event) {
    if (watched == table_->viewport() && event->type() == QEvent::Resize) fitColumns();
    return QWidget::eventFilter(watched, event);
}

void RunsBrowser::fitColumns() {
    // In the default dock the columns other than the name leave it about 90 px; a Supernet column there
    // would squeeze the names to nothing, so it waits for a wider dock. A hidden section has no size hint:
    // the Supernet header's width is its text's plus what the Kind header adds to its own.
    const QHeaderView* header = table_->horizontalHeader();
    auto headerText = [this](int c) { return model_->headerData(c, Qt::Horizontal).toString(); };
    auto headerWidth = [&](int c) {
        if (c != RunListModel::SupernetColumn) return header->sectionSizeHint(c);
        const QFontMetrics fm = header->fontMetrics();
        return fm.horizontalAdvance(headerText(c)) + header->sectionSizeHint(RunListModel::KindColumn) -
               fm.horizontalAdvance(headerText(RunListModel::KindColumn));
    };
    const QAbstractItemView* view = table_; // QTableView makes sizeHintForColumn() protected
    int needed = table_->fontMetrics().averageCharWidth() * kNameChars;
    for (int c = 0; c < RunListModel::ColumnCount; ++c)
        if (c != RunListModel::NameColumn) needed += std::max(view->sizeHintForColumn(c), headerWidth(c));
    table_->setColumnHidden(RunListModel::SupernetColumn, table_->viewport()->width() < needed);
}

void RunsBrowser::setDocument(RunDocument* document) {
    if (document_) disconnect(document_, nullptr, this, nullptr);
    document_ = document;
    if (!document_) return;
    connect(document_, &RunDocument::cleared, this, &RunsBrowser::followDocument);
    connect(document_, &RunDocument::infoChanged, this, &RunsBrowser::followDocument);
    followDocument();
}

void RunsBrowser::followDocument() {
    const qint64 shown =
        document_ && document_->databasePath() == model_->databasePath() ? document_->runId() : 0;
    model_->setShownRun(shown);
    // A run that is not listed yet (just created) is selected when a refresh brings it.
    if (shown > 0 && currentRunId() != shown) {
        if (model_->rowOfRun(shown) >= 0)
            selectRun(shown);
        else
            model_->refresh();
    }
}

void RunsBrowser::setDatabasePath(const QString& path) {
    model_->setDatabasePath(path);
    pathLabel_->setText(tr("Database: %1").arg(QDir::toNativeSeparators(path)));
    pathLabel_->setToolTip(QDir::toNativeSeparators(QFileInfo(path).absoluteFilePath()));
}

QString RunsBrowser::databasePath() const {
    return model_->databasePath();
}

qint64 RunsBrowser::runAt(const QModelIndex& proxyIndex) const {
    if (!proxyIndex.isValid()) return 0;
    return proxyIndex.data(RunListModel::RunIdRole).toLongLong();
}

qint64 RunsBrowser::currentRunId() const {
    return runAt(table_->currentIndex());
}

QList<qint64> RunsBrowser::selectedRunIds() const {
    QModelIndexList rows = table_->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(),
              [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
    QList<qint64> ids;
    for (const QModelIndex& index : rows)
        if (const qint64 id = runAt(index); id > 0 && !ids.contains(id)) ids.append(id);
    if (ids.isEmpty())
        if (const qint64 id = currentRunId()) ids.append(id);
    return ids;
}

void RunsBrowser::selectRun(qint64 runId) {
    const int row = model_->rowOfRun(runId);
    if (row < 0) return;
    table_->setCurrentIndex(proxy_->mapFromSource(model_->index(row, 0)));
}

void RunsBrowser::showContextMenu(const QPoint& pos) {
    const qint64 id = runAt(table_->indexAt(pos));
    QMenu menu(this);
    if (id > 0) {
        menu.addAction(tr("&Replay Run %1").arg(id), this, [this, id] { emit runActivated(id); });
        menu.addAction(tr("&Compare Pareto Front with Run %1").arg(id), this,
                       [this, id] { emit compareRequested(id); });
        // The selected runs when the clicked one is among them, else the clicked one.
        QList<qint64> training = selectedRunIds();
        if (!training.contains(id)) training = {id};
        menu.addAction(training.size() == 1
                           ? tr("Compare &Training Curves with Run %1").arg(id)
                           : tr("Compare &Training Curves of %n Runs", nullptr, int(training.size())),
                       this, [this, training] { emit compareTrainingRequested(training); });
        const int row = model_->rowOfRun(id);
        const RunSummary& run = model_->runs()[std::size_t(row)];
        if (!resumeCommand(run.kind, id).empty() &&
            (run.status == RunStatus::Cancelled || run.status == RunStatus::Interrupted))
            menu.addAction(
                tr("Re&sume Run %1").arg(id), this,
                [this, id, kind = QString::fromStdString(run.kind)] { emit resumeRequested(id, kind); });
        menu.addSeparator();
    }
    menu.addAction(tr("Re&fresh"), model_, &RunListModel::refresh);
    menu.exec(table_->viewport()->mapToGlobal(pos));
}

} // namespace automoe::ui
