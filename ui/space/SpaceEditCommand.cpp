#include "ui/space/SpaceEditCommand.h"

#include "ui/space/SpaceDocument.h"

namespace automoe::ui {

namespace {
constexpr int kSpaceEditId = 0x5ace;
} // namespace

SpaceEditCommand::SpaceEditCommand(SpaceDocument* document, SearchSpace before, SearchSpace after,
                                   const QString& field, const QString& text, int drag)
    : QUndoCommand(text)
    , document_(document)
    , before_(std::move(before))
    , after_(std::move(after))
    , field_(field)
    , drag_(drag) {}

void SpaceEditCommand::undo() {
    document_->replaceSpace(before_);
}

void SpaceEditCommand::redo() {
    document_->replaceSpace(after_);
}

int SpaceEditCommand::id() const {
    return drag_ > 0 ? kSpaceEditId : -1;
}

bool SpaceEditCommand::mergeWith(const QUndoCommand* other) {
    const auto* next = static_cast<const SpaceEditCommand*>(other);
    if (next->drag_ != drag_ || next->field_ != field_ || next->document_ != document_) return false;
    after_ = next->after_;
    // A drag that ends where it started changed nothing; the stack then drops the command.
    setObsolete(after_ == before_);
    return true;
}

} // namespace automoe::ui
