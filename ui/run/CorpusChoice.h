// The corpus choice of the Run dock's tabs (train, DARTS, MoE study): one combo box each, holding Ding, the
// bundled sample, the files chosen so far and "File…", which opens a file dialog.
#pragma once

#include <QString>

class QComboBox;

namespace automoe::ui {

// Fills `box` with "Ding de→en dictionary" (ding), "Bundled sample" (sample) and "File…" (no data), and
// makes "File…" ask for a TSV file or one side of a fairseq-style pair P.de / P.en (given to the CLI as
// its prefix P); cancelling the dialog selects Ding.
void setUpCorpusBox(QComboBox* box, const QString& toolTip);

// Selects `corpus` ("ding", "sample" or a path; a path not listed yet is added above the listed files).
// An empty text selects Ding.
void selectCorpus(QComboBox* box, const QString& corpus);

} // namespace automoe::ui
