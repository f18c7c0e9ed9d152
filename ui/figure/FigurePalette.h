// FigurePalette is the colour scheme of the architecture figure: a light "paper" look that prints well,
// with one colour per expert slot (Tableau 10, distinguishable by most colour-blind readers).
#pragma once

#include <QColor>

namespace automoe::ui {

struct FigurePalette {
    QColor paper{0xff, 0xff, 0xff};
    QColor canvas{0xe8, 0xeb, 0xef}; // around the paper in the on-screen view
    QColor text{0x1f, 0x29, 0x33};
    QColor muted{0x6b, 0x75, 0x80};
    QColor faint{0xc3, 0xca, 0xd2};
    QColor track{0xe9, 0xed, 0xf1}; // the full width of an expert slot, behind the bar

    QColor encoderFill{0xf2, 0xf6, 0xfb};
    QColor encoderBorder{0xb4, 0xc6, 0xda};
    QColor encoderAccent{0x2f, 0x55, 0x7f};
    QColor decoderFill{0xfb, 0xf6, 0xf0};
    QColor decoderBorder{0xdc, 0xc6, 0xad};
    QColor decoderAccent{0x8c, 0x55, 0x1d};

    QColor selfHead{0x55, 0x60, 0x6c};
    QColor crossHead{0x1f, 0x8a, 0x8a};
    QColor crossLink{0x1f, 0x8a, 0x8a};
    QColor router{0x3d, 0x46, 0x50};

    // An architecture diff: a translucent marker over what differs, an outline around a layer that differs
    // and the colour of cross-attention links that differ.
    QColor diffMarker{0xff, 0xc9, 0x1f, 0x78};
    QColor diffOutline{0xd6, 0x33, 0x6c};

    // The colour of expert slot `slot` (0-based); the same slot has the same colour in every layer.
    QColor expert(int slot) const;
};

} // namespace automoe::ui
