#include "ui/shell/Settings.h"

#include "store/RunStore.h"

#include <QDir>

namespace automoe::ui {

namespace {
// Bump when the dock layout changes incompatibly, so that an old saved state is not restored.
constexpr int kWindowStateVersion = 2; // 2: runs, run, training and Pareto docks
} // namespace

Settings::Settings()
    : settings_(std::make_unique<QSettings>()) {}

Settings::Settings(const QString& iniFile)
    : settings_(std::make_unique<QSettings>(iniFile, QSettings::IniFormat)) {}

QByteArray Settings::windowGeometry() const {
    return settings_->value("window/geometry").toByteArray();
}

void Settings::setWindowGeometry(const QByteArray& geometry) {
    settings_->setValue("window/geometry", geometry);
}

QByteArray Settings::windowState() const {
    if (settings_->value("window/stateVersion").toInt() != kWindowStateVersion) return {};
    return settings_->value("window/state").toByteArray();
}

void Settings::setWindowState(const QByteArray& state) {
    settings_->setValue("window/state", state);
    settings_->setValue("window/stateVersion", kWindowStateVersion);
}

QString Settings::lastSpace() const {
    return settings_->value("space/last").toString();
}

void Settings::setLastSpace(const QString& nameOrPath) {
    settings_->setValue("space/last", nameOrPath);
}

QString Settings::runDatabase() const {
    const QString path = settings_->value("runs/database").toString();
    return path.isEmpty() ? QString::fromStdString(RunStore::defaultPath()) : path;
}

void Settings::setRunDatabase(const QString& path) {
    settings_->setValue("runs/database", path);
}

QVariantMap Settings::trainSettings() const {
    return settings_->value("run/train").toMap();
}

void Settings::setTrainSettings(const QVariantMap& values) {
    settings_->setValue("run/train", values);
}

QVariantMap Settings::searchSettings() const {
    return settings_->value("run/search").toMap();
}

void Settings::setSearchSettings(const QVariantMap& values) {
    settings_->setValue("run/search", values);
}

QVariantMap Settings::dartsSettings() const {
    return settings_->value("run/darts").toMap();
}

void Settings::setDartsSettings(const QVariantMap& values) {
    settings_->setValue("run/darts", values);
}

QVariantMap Settings::moeStudySettings() const {
    return settings_->value("run/moeStudy").toMap();
}

void Settings::setMoeStudySettings(const QVariantMap& values) {
    settings_->setValue("run/moeStudy", values);
}

QString Settings::lastDirectory(const QString& kind) const {
    return settings_->value("directories/" + kind, QDir::homePath()).toString();
}

void Settings::setLastDirectory(const QString& kind, const QString& directory) {
    settings_->setValue("directories/" + kind, directory);
}

void Settings::sync() {
    settings_->sync();
}

} // namespace automoe::ui
