#include "space/Architecture.h"

#include <algorithm>
#include <sstream>

namespace automoe {

const char* stackName(Stack s) {
    return s == Stack::Encoder ? "encoder" : "decoder";
}

int attendedLayersForGene(int arbitraryEnde) {
    return arbitraryEnde <= 0 ? 1 : arbitraryEnde + 1;
}
int geneForAttendedLayers(int layers) {
    return layers <= 1 ? -1 : layers - 1;
}

int LayerGene::maxWidth() const {
    return expertWidths.empty() ? 0 : *std::max_element(expertWidths.begin(), expertWidths.end());
}

bool LayerGene::operator==(const LayerGene& o) const {
    return selfHeads == o.selfHeads && endeHeads == o.endeHeads && arbitraryEnde == o.arbitraryEnde &&
           expertWidths == o.expertWidths && topK == o.topK;
}

int Architecture::attendedEncoderLayers(const LayerGene& decoderLayer) const {
    const int wanted = attendedLayersForGene(decoderLayer.arbitraryEnde);
    return std::max(1, std::min(wanted, encoder.depth()));
}

bool Architecture::isMoE() const {
    for (const auto* s : {&encoder, &decoder})
        for (const auto& l : s->layers)
            if (l.experts() > 1) return true;
    return false;
}

Architecture Architecture::canonical() const {
    Architecture c = *this;
    for (auto* s : {&c.encoder, &c.decoder})
        for (auto& l : s->layers)
            l.topK = std::max(1, std::min(l.topK, l.experts()));
    for (auto& l : c.encoder.layers) {
        // Encoder layers have no encoder-decoder attention: these genes carry no meaning there.
        l.endeHeads = 0;
        l.arbitraryEnde = 0;
    }
    for (auto& l : c.decoder.layers)
        l.arbitraryEnde = geneForAttendedLayers(attendedEncoderLayers(l));
    return c;
}

std::string Architecture::key() const {
    const Architecture c = canonical();
    std::ostringstream out;
    out << 'q' << c.qkvDim;
    for (Stack s : {Stack::Encoder, Stack::Decoder}) {
        const StackGene& g = c.stack(s);
        out << '|' << (s == Stack::Encoder ? 'E' : 'D') << g.embedDim << ':';
        for (int i = 0; i < g.depth(); ++i) {
            const LayerGene& l = g.layers[i];
            if (i) out << ',';
            out << l.selfHeads;
            if (s == Stack::Decoder) out << '.' << l.endeHeads << '.' << l.arbitraryEnde;
            out << '/';
            for (int e = 0; e < l.experts(); ++e)
                out << (e ? "x" : "") << l.expertWidths[e];
            if (l.experts() > 1) out << 'k' << l.topK;
        }
    }
    return out.str();
}

std::uint64_t Architecture::hash() const {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char ch : key()) {
        h ^= ch;
        h *= 1099511628211ull;
    }
    return h;
}

bool Architecture::operator==(const Architecture& o) const {
    const Architecture a = canonical(), b = o.canonical();
    return a.qkvDim == b.qkvDim && a.encoder == b.encoder && a.decoder == b.decoder;
}

} // namespace automoe
