// SpaceDocument holds the search space the workbench is editing, where it came from, and a cached summary
// of it; views listen to spaceChanged(). Loading and saving go through the core's SpaceIO, and a failed
// load leaves the current space untouched. Edits are QUndoCommands on the document's undo stack; the
// document is modified while the stack is away from its clean index (set on open and save).
#pragma once

#include "space/SearchSpace.h"
#include "ui/space/SpaceSummary.h"

#include <QObject>
#include <QString>

class QUndoStack;

namespace automoe::ui {

class SpaceDocument : public QObject {
    Q_OBJECT

public:
    explicit SpaceDocument(QObject* parent = nullptr);

    const SearchSpace& space() const { return space_; }
    const SpaceSummary& summary() const { return summary_; }
    bool isLoaded() const { return loaded_; }
    // The file the space was read from or last saved to; for a bundled space, its file in the resources.
    QString filePath() const { return filePath_; }
    // How the space was opened: a bundled name ("tiny") or a path. This is what Settings remembers.
    QString source() const { return source_; }
    QString name() const;

    // Validates and installs `space` as a new document: the undo history is cleared and the document is
    // unmodified. Throws automoe::SpaceError (naming the field) when it is invalid; the document is then
    // unchanged.
    void setSpace(const SearchSpace& space, const QString& filePath = QString(),
                  const QString& source = QString());
    // Validates and installs an edited `space`, keeping the file, source and undo history. Undo commands
    // call this; user edits go through undoStack()->push() instead. Throws like setSpace().
    void replaceSpace(const SearchSpace& space);

    QUndoStack* undoStack() const { return undoStack_; }
    // True when the space differs from what was opened or last saved (as far as the undo stack knows).
    bool isModified() const;

    // Opens a bundled space by name ("tiny", "automoe-ref-small", "automoe-wmt") or a JSON file. On failure
    // returns false, sets `error` to a message naming the file and the field, and keeps the current space.
    bool open(const QString& nameOrPath, QString* error = nullptr);
    // Writes the space as JSON; on failure returns false with a message naming the file. A space still named
    // after a bundled space or its old file takes the new file's name (see the definition).
    bool saveAs(const QString& path, QString* error = nullptr);

    // Names of the spaces shipped with the application.
    static QStringList bundledSpaceNames();

signals:
    void spaceChanged();
    void modifiedChanged(bool modified);

private:
    SearchSpace space_;
    SpaceSummary summary_;
    QUndoStack* undoStack_ = nullptr;
    QString filePath_;
    QString source_;
    bool loaded_ = false;
};

} // namespace automoe::ui
