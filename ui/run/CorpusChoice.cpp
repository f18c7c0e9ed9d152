#include "ui/run/CorpusChoice.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <algorithm>

namespace automoe::ui {

namespace {

void chooseCorpusFile(QComboBox* box) {
    const QString path =
        QFileDialog::getOpenFileName(box, QComboBox::tr("Choose a Parallel Corpus"), QDir::homePath(),
                                     QComboBox::tr("Parallel corpora (*.tsv *.de *.en);;All files (*)"));
    if (path.isEmpty()) {
        box->setCurrentIndex(0);
        return;
    }
    // A fairseq-style pair P.de + P.en is given to the CLI as its prefix P.
    const QFileInfo info(path);
    const QString suffix = info.suffix();
    selectCorpus(box, suffix == QLatin1String("de") || suffix == QLatin1String("en")
                          ? info.absolutePath() + QLatin1Char('/') + info.completeBaseName()
                          : path);
}

} // namespace

void setUpCorpusBox(QComboBox* box, const QString& toolTip) {
    box->addItem(QComboBox::tr("Ding de→en dictionary"), QStringLiteral("ding"));
    box->addItem(QComboBox::tr("Bundled sample"), QStringLiteral("sample"));
    box->addItem(QComboBox::tr("File…"), QString());
    box->setToolTip(toolTip);
    QObject::connect(box, qOverload<int>(&QComboBox::activated), box, [box](int i) {
        if (box->itemData(i).toString().isEmpty()) chooseCorpusFile(box);
    });
}

void selectCorpus(QComboBox* box, const QString& corpus) {
    int i = box->findData(corpus);
    if (i < 0 && !corpus.isEmpty()) {
        box->insertItem(2, QFileInfo(corpus).fileName(), corpus);
        box->setItemData(2, QDir::toNativeSeparators(corpus), Qt::ToolTipRole);
        i = 2;
    }
    box->setCurrentIndex(std::max(0, i));
}

} // namespace automoe::ui
