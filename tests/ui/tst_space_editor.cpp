// Pins the search-space editor: dragging a handle edits the document's space and the live summary (one undo
// step per drag), a refused edit (heads that do not divide qkv_dim, leaving the pinned supernet) shows the
// core's message under the dimension and changes nothing, undo and redo restore the space and the labels,
// chips toggle values and keep one on, custom values can be added, the keyboard moves handles, and a space
// edited in the main window saves to JSON that reads back equal and reopens in the editor.
#include "cost/CostModel.h"
#include "space/SpaceError.h"
#include "space/SpaceIO.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/Settings.h"
#include "ui/space/SpaceDocument.h"
#include "ui/space/SpaceEditor.h"
#include "ui/space/SpaceSummaryWidget.h"
#include "ui/widgets/ChoiceChips.h"
#include "ui/widgets/RangeSlider.h"

#include "TestMain.h"
#include <QCheckBox>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QToolButton>
#include <QUndoStack>
#include <QtTest/QtTest>

using namespace automoe;
using namespace automoe::ui;

namespace {

const QString kDot = QStringLiteral(" \u00B7 ");

// The summary's texts for `space`, computed from the core the way SpaceSummaryWidget formats them.
QString sizeText(const SearchSpace& space) {
    return SpaceSummaryWidget::sizeRichText(space.log10Size());
}

QString cheapestText(const SearchSpace& space) {
    const ArchitectureCost c = CostModel::evaluate(space.smallest());
    return SpaceSummaryWidget::flopsText(c.flopsHat) + kDot +
           SpaceSummaryWidget::paramsText(static_cast<double>(c.paramsHat));
}

QString mostExpensivePrefix(const SearchSpace& space) {
    const ArchitectureCost c = CostModel::evaluate(space.largest());
    return SpaceSummaryWidget::flopsText(c.flopsHat) + kDot +
           SpaceSummaryWidget::paramsText(static_cast<double>(c.paramsHat));
}

// The message SearchSpace::validate gives for `space`, or an empty string when it is valid.
QString coreError(const SearchSpace& space) {
    try {
        space.validate();
    } catch (const SpaceError& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

// Drags `handle` of `slider` to each value of `path` in turn, with the mouse, and releases it there.
void drag(RangeSlider* slider, RangeSlider::Handle handle, const QList<int>& path) {
    QTest::mousePress(slider, Qt::LeftButton, Qt::NoModifier, slider->handlePosition(handle));
    for (int v : path)
        QTest::mouseMove(slider, slider->valuePosition(v));
    QTest::mouseRelease(slider, Qt::LeftButton, Qt::NoModifier, slider->valuePosition(path.back()));
}

} // namespace

class TestSpaceEditor : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<SpaceDocument> document_;
    std::unique_ptr<SpaceEditor> editor_;

    void openEditor(const QString& space) {
        editor_.reset();
        document_ = std::make_unique<SpaceDocument>();
        QVERIFY(document_->open(space));
        editor_ = std::make_unique<SpaceEditor>(document_.get());
        editor_->resize(520, 1600);
        editor_->show();
        QVERIFY(QTest::qWaitForWindowExposed(editor_.get()));
    }

    QString summary(const QString& key) const { return editor_->summaryWidget()->valueText(key); }

private slots:
    void init() { openEditor("tiny"); }

    void cleanup() {
        editor_.reset();
        document_.reset();
    }

    void offersASliderForRangesAndChipsForLists() {
        for (const char* field : {"encoder.layers", "encoder.experts", "decoder.layers", "decoder.experts"})
            QVERIFY2(editor_->rangeSlider(field), field);
        for (const char* field : {"encoder.embed_dim", "encoder.ffn_dim", "encoder.heads", "encoder.top_k",
                                  "decoder.ende_heads", "decoder.arbitrary_ende", "qkv_dim"})
            QVERIFY2(editor_->choiceChips(field), field);
        QVERIFY(editor_->checkBox("decoder.fractional_experts"));
        QVERIFY(!editor_->control("encoder.ende_heads")); // the encoder has no cross-attention
        const RangeSlider* layers = editor_->rangeSlider("decoder.layers");
        QCOMPARE(layers->lower(), 1);
        QCOMPARE(layers->upper(), 3);
        QCOMPARE(layers->accessibleName(), QString("Decoder layers"));
        QCOMPARE(layers->accessibleDescription(), QString("from 1 to 3 layers"));
        QCOMPARE(layers->spanText(), QString("1") + QChar(0x2013) + "3 layers");
        QCOMPARE(editor_->choiceChips("encoder.embed_dim")->selected(), QList<int>({128, 192, 256}));
        QCOMPARE(editor_->choiceChips("decoder.arbitrary_ende")->selected(), QList<int>({-1, 1, 2}));
        QCOMPARE(editor_->choiceChips("qkv_dim")->selected(), QList<int>({192}));
        QCOMPARE(summary("size"), sizeText(document_->space()));
    }

    void aDimensionGetsChipsOrASliderAsTheOpenedSpaceGivesIt() {
        QVERIFY(editor_->rangeSlider("encoder.layers"));
        QVERIFY(document_->open("automoe-wmt")); // encoder.layers is the list [6] there
        QVERIFY(!editor_->rangeSlider("encoder.layers"));
        ChoiceChips* layers = editor_->choiceChips("encoder.layers");
        QVERIFY(layers);
        QTRY_VERIFY(layers->isVisible());
        QCOMPARE(layers->selected(), QList<int>({6}));
        QTest::mouseClick(layers->chip(4), Qt::LeftButton);
        QCOMPARE(document_->space().encoder.layers, Dimension::of({4, 6}));
        QVERIFY(document_->open("tiny"));
        QVERIFY(!editor_->choiceChips("encoder.layers"));
        QTRY_VERIFY(editor_->rangeSlider("encoder.layers") &&
                    editor_->rangeSlider("encoder.layers")->isVisible());
        QCOMPARE(editor_->rangeSlider("encoder.layers")->upper(), 3);
    }

    void draggingTheMaxHandleEditsTheSpaceAndTheSummary() {
        const SearchSpace before = document_->space();
        SearchSpace expected = before;
        expected.encoder.layers = Dimension::range(2, 5);
        QVERIFY(sizeText(expected) != sizeText(before));

        RangeSlider* layers = editor_->rangeSlider("encoder.layers");
        drag(layers, RangeSlider::Handle::Upper, {4, 5});
        QVERIFY(document_->space() == expected);
        QCOMPARE(layers->upper(), 5);
        QCOMPARE(summary("size"), sizeText(expected));
        QCOMPARE(summary("cheapest"), cheapestText(expected));
        QVERIFY(summary("mostExpensive").startsWith(mostExpensivePrefix(expected)));
        // One drag through 4 and 5 is one undo step.
        QCOMPARE(document_->undoStack()->count(), 1);
        QVERIFY(document_->isModified());
        QVERIFY(editor_->errorText("encoder.layers").isEmpty());
    }

    void theSummaryFollowsEveryStepOfADrag() {
        RangeSlider* experts = editor_->rangeSlider("decoder.experts");
        QTest::mousePress(experts, Qt::LeftButton, Qt::NoModifier,
                          experts->handlePosition(RangeSlider::Handle::Upper));
        QTest::mouseMove(experts, experts->valuePosition(6));
        SearchSpace mid = document_->space();
        QCOMPARE(mid.decoder.experts, Dimension::range(1, 6));
        QCOMPARE(summary("size"), sizeText(mid));
        QTest::mouseMove(experts, experts->valuePosition(2));
        QTest::mouseRelease(experts, Qt::LeftButton, Qt::NoModifier, experts->valuePosition(2));
        QCOMPARE(document_->space().decoder.experts, Dimension::range(1, 2));
        QCOMPARE(summary("size"), sizeText(document_->space()));
        QCOMPARE(document_->undoStack()->count(), 1);
    }

    void aDragBackToItsStartLeavesNoUndoStep() {
        const SearchSpace before = document_->space();
        drag(editor_->rangeSlider("encoder.layers"), RangeSlider::Handle::Upper, {5, 3});
        QVERIFY(document_->space() == before);
        QCOMPARE(document_->undoStack()->count(), 0);
        QVERIFY(!document_->isModified());
    }

    void draggingTheMinHandleNarrowsFromBelow() {
        drag(editor_->rangeSlider("encoder.experts"), RangeSlider::Handle::Lower, {2, 3});
        QCOMPARE(document_->space().encoder.experts, Dimension::range(3, 4));
    }

    void leavingThePinnedSupernetIsRefused() {
        editor_->pinButton()->click();
        QVERIFY(document_->space().pinnedSupernet.has_value());
        QCOMPARE(document_->space().pinnedSupernet->encoderLayers, 3);
        const SearchSpace pinned = document_->space();
        const int steps = document_->undoStack()->count();

        SearchSpace outside = pinned;
        outside.encoder.layers = Dimension::range(2, 5);
        const QString expectedError = coreError(outside);
        QVERIFY(expectedError.contains("encoder.layers"));

        RangeSlider* layers = editor_->rangeSlider("encoder.layers");
        drag(layers, RangeSlider::Handle::Upper, {4, 5});
        QVERIFY(document_->space() == pinned);
        QCOMPARE(document_->undoStack()->count(), steps);
        QCOMPARE(layers->upper(), 3);                                  // snapped back
        QCOMPARE(editor_->errorText("encoder.layers"), expectedError); // names the last value tried
        QCOMPARE(summary("size"), sizeText(pinned));

        // Narrowing inside the supernet is fine and clears the error.
        drag(layers, RangeSlider::Handle::Upper, {2});
        QCOMPARE(document_->space().encoder.layers, Dimension::range(2, 2));
        QVERIFY(editor_->errorText("encoder.layers").isEmpty());
        QCOMPARE(summary("size"), sizeText(document_->space()));
    }

    void headsThatDoNotDivideQkvAreRefused() {
        openEditor("automoe-wmt");
        const SearchSpace before = document_->space();
        SearchSpace bad = before;
        bad.decoder.selfHeads = Dimension::of({3, 4, 8});
        const QString expected = coreError(bad);
        QCOMPARE(expected, QString("decoder.heads: 3 heads do not divide qkv_dim 512"));

        ChoiceChips* heads = editor_->choiceChips("decoder.heads");
        QTest::mouseClick(heads->chip(3), Qt::LeftButton);
        QCOMPARE(editor_->errorText("decoder.heads"), expected);
        QVERIFY(!heads->chip(3)->isChecked());
        QCOMPARE(heads->selected(), QList<int>({4, 8}));
        QVERIFY(document_->space() == before);
        QCOMPARE(document_->undoStack()->count(), 0);

        // A valid change clears the error.
        QTest::mouseClick(heads->chip(16), Qt::LeftButton);
        QCOMPARE(document_->space().decoder.selfHeads, Dimension::of({4, 8, 16}));
        QVERIFY(editor_->errorText("decoder.heads").isEmpty());
    }

    void aQkvDimTheHeadsDoNotDivideIsRefused() {
        ChoiceChips* qkv = editor_->choiceChips("qkv_dim");
        const SearchSpace before = document_->space();
        QTest::mouseClick(qkv->chip(384), Qt::LeftButton); // 2 and 4 heads divide 384
        QCOMPARE(document_->space().qkvDim, 384);
        QTest::mouseClick(qkv->chip(64), Qt::LeftButton); // so do they 64
        QCOMPARE(document_->space().qkvDim, 64);
        editor_->choiceChips("encoder.heads")->chip(3)->click(); // 3 heads do not divide 64
        QVERIFY(editor_->errorText("encoder.heads").contains("encoder.heads"));
        QCOMPARE(document_->space().encoder.selfHeads, before.encoder.selfHeads);
    }

    void undoRestoresTheSpaceAndTheLabelsAndRedoReappliesThem() {
        const SearchSpace before = document_->space();
        const QString sizeBefore = summary("size");
        RangeSlider* layers = editor_->rangeSlider("decoder.layers");
        drag(layers, RangeSlider::Handle::Upper, {4, 5, 6});
        const SearchSpace after = document_->space();
        QCOMPARE(after.decoder.layers, Dimension::range(1, 6));
        const QString sizeAfter = summary("size");
        QCOMPARE(sizeAfter, sizeText(after));

        document_->undoStack()->undo();
        QVERIFY(document_->space() == before);
        QCOMPARE(summary("size"), sizeBefore);
        QCOMPARE(layers->upper(), 3);
        QVERIFY(!document_->isModified());

        document_->undoStack()->redo();
        QVERIFY(document_->space() == after);
        QCOMPARE(summary("size"), sizeAfter);
        QCOMPARE(layers->upper(), 6);
        QVERIFY(document_->isModified());
    }

    void chipsToggleValues() {
        ChoiceChips* embed = editor_->choiceChips("encoder.embed_dim");
        QTest::mouseClick(embed->chip(320), Qt::LeftButton);
        QCOMPARE(document_->space().encoder.embedDim, Dimension::of({128, 192, 256, 320}));
        QCOMPARE(summary("size"), sizeText(document_->space()));
        QTest::mouseClick(embed->chip(128), Qt::LeftButton);
        QCOMPARE(document_->space().encoder.embedDim, Dimension::of({192, 256, 320}));
        QCOMPARE(summary("cheapest"), cheapestText(document_->space()));
        QCOMPARE(embed->selected(), QList<int>({192, 256, 320}));
        QCOMPARE(document_->undoStack()->count(), 2); // chips are one step per click

        ChoiceChips* arbitrary = editor_->choiceChips("decoder.arbitrary_ende");
        QTest::mouseClick(arbitrary->chip(2), Qt::LeftButton);
        QCOMPARE(document_->space().decoder.arbitraryEnde, Dimension::of({-1, 1}));
        document_->undoStack()->undo();
        QCOMPARE(document_->space().decoder.arbitraryEnde, Dimension::of({-1, 1, 2}));
        QVERIFY(arbitrary->chip(2)->isChecked());
    }

    void atLeastOneChipStaysOn() {
        ChoiceChips* topK = editor_->choiceChips("encoder.top_k");
        QCOMPARE(topK->selected(), QList<int>({1}));
        QTest::mouseClick(topK->chip(1), Qt::LeftButton);
        QVERIFY(topK->chip(1)->isChecked());
        QCOMPARE(document_->space().encoder.topK, Dimension::of({1}));
        QCOMPARE(document_->undoStack()->count(), 0);

        // qkv_dim is one value: clicking the chosen chip keeps it.
        ChoiceChips* qkv = editor_->choiceChips("qkv_dim");
        QTest::mouseClick(qkv->chip(192), Qt::LeftButton);
        QCOMPARE(qkv->selected(), QList<int>({192}));
        QCOMPARE(document_->undoStack()->count(), 0);
    }

    void addsAValueOfTheUsersOwn() {
        ChoiceChips* widths = editor_->choiceChips("encoder.ffn_dim");
        QVERIFY(!widths->candidates().contains(640));
        QTest::mouseClick(widths->addButton(), Qt::LeftButton);
        QSpinBox* editor = widths->addEditor();
        QVERIFY(editor->isVisible());
        editor->clear();
        QTest::keyClicks(editor, "640");
        QTest::keyClick(editor, Qt::Key_Return);
        QCOMPARE(document_->space().encoder.ffnDim, Dimension::of({256, 512, 640, 768}));
        QVERIFY(widths->chip(640) && widths->chip(640)->isChecked());
        QVERIFY(!editor->isVisible());
    }

    void theKeyboardMovesTheActiveHandle() {
        RangeSlider* experts = editor_->rangeSlider("encoder.experts");
        experts->setFocus(Qt::TabFocusReason); // Tab enters at the lower handle
        QCOMPARE(experts->activeHandle(), RangeSlider::Handle::Lower);
        QTest::keyClick(experts, Qt::Key_Right);
        QCOMPARE(document_->space().encoder.experts, Dimension::range(2, 4));
        QTest::keyClick(experts, Qt::Key_Tab); // to the upper handle
        QCOMPARE(experts->activeHandle(), RangeSlider::Handle::Upper);
        QTest::keyClick(experts, Qt::Key_End);
        QCOMPARE(document_->space().encoder.experts, Dimension::range(2, experts->axis().back()));
        QTest::keyClick(experts, Qt::Key_Home); // the upper handle stops at the lower one
        QCOMPARE(document_->space().encoder.experts, Dimension::range(2, 2));
        QCOMPARE(document_->undoStack()->count(), 3);
    }

    void togglesFractionalExperts() {
        QCheckBox* fractional = editor_->checkBox("encoder.fractional_experts");
        QVERIFY(fractional->isChecked());
        fractional->click();
        QVERIFY(!document_->space().encoder.fractionalExperts);
        QCOMPARE(summary("size"), sizeText(document_->space()));
        document_->undoStack()->undo();
        QVERIFY(document_->space().encoder.fractionalExperts);
        QVERIFY(fractional->isChecked());
    }

    void savesEditsAsJsonThatReopensInTheEditor() {
        QTemporaryDir dir;
        Settings settings(dir.filePath("settings.ini"));
        MainWindow window(document_.get(), &settings);
        QStringList errors;
        window.setErrorPresenter([&errors](const QString&, const QString& m) { errors.append(m); });
        SpaceEditor* editor = window.spaceEditor();
        QVERIFY(editor);
        QVERIFY(!window.isWindowModified());

        drag(editor->rangeSlider("encoder.experts"), RangeSlider::Handle::Upper, {6});
        QTest::mouseClick(editor->choiceChips("decoder.ffn_dim")->chip(1024), Qt::LeftButton);
        QVERIFY(window.isWindowModified());
        QVERIFY(window.windowTitle().contains("tiny"));
        SearchSpace edited = document_->space();

        const QString path = dir.filePath("edited.json");
        QVERIFY(window.saveSpaceAs(path));
        QVERIFY(errors.isEmpty());
        QVERIFY(!window.isWindowModified());
        // An edited bundled space saved under another file name takes that name; nothing else changes.
        QCOMPARE(document_->space().name, std::string("edited"));
        edited.name = "edited";
        QVERIFY(document_->space() == edited);
        QVERIFY(loadSpace(path.toStdString()) == edited);

        QVERIFY(window.openSpace("automoe-wmt"));
        QCOMPARE(editor->rangeSlider("decoder.experts")->upper(), 6);
        QCOMPARE(document_->undoStack()->count(), 0); // a new document starts a new history
        QVERIFY(window.openSpace(path));
        QVERIFY(document_->space() == edited);
        QCOMPARE(editor->rangeSlider("encoder.experts")->upper(), 6);
        QCOMPARE(editor->choiceChips("decoder.ffn_dim")->selected(), QList<int>({256, 512, 768, 1024}));
        QCOMPARE(window.summaryWidget()->valueText("size"), sizeText(edited));
        QVERIFY(!window.isWindowModified());

        // A file that is not a valid space is reported naming the file and the field; nothing changes.
        QFile saved(path);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        QByteArray text = saved.readAll();
        QVERIFY(text.contains("\"qkv_dim\": 192"));
        QFile bad(dir.filePath("bad.json"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write(text.replace("\"qkv_dim\": 192", "\"qkv_dim\": 90"));
        bad.close();
        QVERIFY(!window.openSpace(bad.fileName()));
        QCOMPARE(errors.size(), 1);
        QVERIFY2(errors[0].contains("bad.json") && errors[0].contains("heads"), qPrintable(errors[0]));
        QVERIFY(document_->space() == edited);
    }
};

AUTOMOE_TEST_MAIN(TestSpaceEditor)
#include "tst_space_editor.moc"
