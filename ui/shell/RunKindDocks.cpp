#include "ui/shell/RunKindDocks.h"

#include "ui/run/RunDocument.h"

#include <QDockWidget>
#include <algorithm>

namespace automoe::ui {

RunKindDocks::RunKindDocks(RunDocument* document, QObject* parent)
    : QObject(parent)
    , document_(document) {
    connect(document_, &RunDocument::infoChanged, this, &RunKindDocks::follow);
    connect(document_, &RunDocument::cleared, this, &RunKindDocks::follow);
}

void RunKindDocks::add(QDockWidget* dock, const QStringList& kinds) {
    docks_.emplace_back(dock, kinds);
}

std::vector<QDockWidget*> RunKindDocks::docksOf(const QString& kind) const {
    std::vector<QDockWidget*> out;
    for (const auto& [dock, kinds] : docks_)
        if (kinds.contains(kind)) out.push_back(dock);
    return out;
}

void RunKindDocks::follow() {
    const QString kind = document_->isOpen() ? document_->kind() : QString();
    if (kind.isEmpty() || kind == arranged_) return;
    arrange(kind);
}

void RunKindDocks::arrange(const QString& kind) {
    const std::vector<QDockWidget*> shown = docksOf(kind);
    if (shown.empty()) return;
    arranged_ = kind;
    // Shown before the others are hidden, so a tab group never empties and loses its place.
    for (QDockWidget* dock : shown)
        dock->show();
    for (const auto& [dock, kinds] : docks_)
        if (std::find(shown.begin(), shown.end(), dock) == shown.end()) dock->hide();
    shown.front()->raise();
}

} // namespace automoe::ui
