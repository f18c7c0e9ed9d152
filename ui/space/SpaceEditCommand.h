// SpaceEditCommand is one user edit of the document's search space, as an undoable step: it holds the
// space before and after. Edits made in one mouse drag share a drag number and merge into one command, so
// that a single undo restores the space from before the drag.
#pragma once

#include "space/SearchSpace.h"

#include <QString>
#include <QUndoCommand>

namespace automoe::ui {

class SpaceDocument;

class SpaceEditCommand : public QUndoCommand {
public:
    // `field` names what changed ("encoder.layers"); `drag` is 0 for a one-off edit (never merged) or the
    // number of the drag the edit belongs to. Both spaces must be valid.
    SpaceEditCommand(SpaceDocument* document, SearchSpace before, SearchSpace after, const QString& field,
                     const QString& text, int drag = 0);

    void undo() override;
    void redo() override;
    int id() const override;
    bool mergeWith(const QUndoCommand* other) override;

    const QString& field() const { return field_; }
    const SearchSpace& before() const { return before_; }
    const SearchSpace& after() const { return after_; }

private:
    SpaceDocument* document_;
    SearchSpace before_;
    SearchSpace after_;
    QString field_;
    int drag_;
};

} // namespace automoe::ui
