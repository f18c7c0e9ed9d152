#include "ui/space/SpaceDocument.h"

#include "space/SpaceError.h"
#include "space/SpaceIO.h"
#include "util/Resources.h"

#include <QFileInfo>
#include <QUndoStack>
#include <exception>

namespace automoe::ui {

SpaceDocument::SpaceDocument(QObject* parent)
    : QObject(parent)
    , undoStack_(new QUndoStack(this)) {
    connect(undoStack_, &QUndoStack::cleanChanged, this,
            [this](bool clean) { emit modifiedChanged(!clean); });
}

bool SpaceDocument::isModified() const {
    return !undoStack_->isClean();
}

QString SpaceDocument::name() const {
    return QString::fromStdString(space_.name);
}

QStringList SpaceDocument::bundledSpaceNames() {
    return {QStringLiteral("tiny"), QStringLiteral("automoe-ref-small"), QStringLiteral("automoe-wmt")};
}

void SpaceDocument::setSpace(const SearchSpace& space, const QString& filePath, const QString& source) {
    space.validate();
    // Compute everything before touching the members so that a throw leaves the document as it was.
    SpaceSummary summary = SpaceSummary::of(space);
    space_ = space;
    summary_ = std::move(summary);
    filePath_ = filePath;
    source_ = source.isEmpty() ? filePath : source;
    loaded_ = true;
    // A new document: the edits of the previous one cannot be undone into it.
    undoStack_->clear();
    emit spaceChanged();
}

void SpaceDocument::replaceSpace(const SearchSpace& space) {
    space.validate();
    SpaceSummary summary = SpaceSummary::of(space);
    space_ = space;
    summary_ = std::move(summary);
    loaded_ = true;
    emit spaceChanged();
}

bool SpaceDocument::open(const QString& nameOrPath, QString* error) {
    try {
        const std::string key = nameOrPath.toStdString();
        const SearchSpace space = loadSpaceByNameOrPath(key);
        // The same rule as loadSpaceByNameOrPath: anything that is not an existing file or a path is a name.
        const bool bundled = !QFileInfo::exists(nameOrPath) && !nameOrPath.contains(QLatin1Char('/')) &&
                             !nameOrPath.endsWith(QLatin1String(".json"));
        const QString path = bundled ? QString::fromStdString(resourcePath("spaces/" + key + ".json"))
                                     : QFileInfo(nameOrPath).absoluteFilePath();
        const QString source = bundled ? nameOrPath : path;
        try {
            setSpace(space, path, source);
        } catch (const SpaceError& e) {
            throw e.inFile(path.toStdString());
        }
        return true;
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(e.what());
        return false;
    }
}

bool SpaceDocument::saveAs(const QString& path, QString* error) {
    // A space saved to a file of another name takes that name, unless it was given a name of its own (one
    // that is neither a bundled space's nor its old file's): an edited "tiny" saved as narrow.json becomes
    // "narrow", so that runs, the runs browser and messages can tell it from the "tiny" it came from.
    SearchSpace space = space_;
    const QString stem = QFileInfo(path).completeBaseName();
    const QString oldStem = filePath_.isEmpty() ? QString() : QFileInfo(filePath_).completeBaseName();
    const bool rename =
        !stem.isEmpty() && stem != name() && (name() == oldStem || bundledSpaceNames().contains(name()));
    if (rename) space.name = stem.toStdString();
    try {
        saveSpace(space, path.toStdString());
        space_ = std::move(space);
        filePath_ = QFileInfo(path).absoluteFilePath();
        source_ = filePath_;
        undoStack_->setClean();
        if (rename) emit spaceChanged();
        return true;
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(e.what());
        return false;
    }
}

} // namespace automoe::ui
