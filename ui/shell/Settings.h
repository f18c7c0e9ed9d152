// Settings is the one place the application reads and writes its QSettings: window geometry, dock
// layout, the last opened space, the run database, the Run dock's training and search settings and the
// folders of the last file dialogs.
#pragma once

#include <QByteArray>
#include <QSettings>
#include <QString>
#include <QVariantMap>
#include <memory>

namespace automoe::ui {

class Settings {
public:
    // The user's settings (organisation "AutoMoE", application "AutoMoE Studio", set by main()).
    Settings();
    // Settings kept in an INI file; tests use this to stay away from the user's settings.
    explicit Settings(const QString& iniFile);

    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray& geometry);
    QByteArray windowState() const;
    void setWindowState(const QByteArray& state);

    // A bundled space name or an absolute path; empty when nothing was opened yet.
    QString lastSpace() const;
    void setLastSpace(const QString& nameOrPath);

    // The run database the runs browser lists and new runs write to; RunStore::defaultPath() by default.
    QString runDatabase() const;
    void setRunDatabase(const QString& path);

    // The Run dock's settings of its last start (a key-value map each: corpus, budget, kind of supernet and
    // subnet sampling of a training; budgets, evolution settings, seed of a search; corpus, budget and shape
    // of a DARTS search; corpus, space, stage budget, FLOPs budgets and seed of a MoE-vs-dense study); empty
    // before the first.
    QVariantMap trainSettings() const;
    void setTrainSettings(const QVariantMap& values);
    QVariantMap searchSettings() const;
    void setSearchSettings(const QVariantMap& values);
    QVariantMap dartsSettings() const;
    void setDartsSettings(const QVariantMap& values);
    QVariantMap moeStudySettings() const;
    void setMoeStudySettings(const QVariantMap& values);

    // The folder the last file dialog of `kind` ("space", "architecture", "figure") used.
    QString lastDirectory(const QString& kind) const;
    void setLastDirectory(const QString& kind, const QString& directory);

    void sync();

private:
    std::unique_ptr<QSettings> settings_;
};

} // namespace automoe::ui
