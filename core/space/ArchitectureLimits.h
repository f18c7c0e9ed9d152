// Limits every reader of an architecture applies, whatever the file (HAT yml, our JSON, an exported model's
// config): far above any model this workbench trains on a CPU, they refuse a damaged or hostile file before
// it allocates gigabytes (a yml's "n-experts: [2000000000]").
#pragma once

namespace automoe {

constexpr int kMaxLayerExperts = 4096; // experts of one layer

} // namespace automoe
