#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpus (tests/fuzz/corpus/<target>/) from the test data and resources.

Run from anywhere: python3 tests/fuzz/make-seed-corpus.py. The files are committed; rerun after changing a
source below. Seeds are kept small (a few KB): libFuzzer's default -max_len is the largest seed's size, and
short inputs run faster.
"""
import json
import pathlib
import struct
import zlib

FUZZ = pathlib.Path(__file__).resolve().parent
ROOT = FUZZ.parent.parent
CORPUS = FUZZ / "corpus"


def write(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


def literal(path, name):
    """The raw string literal `const char* NAME = R"(...)";` of a test source."""
    text = (ROOT / path).read_text(encoding="utf-8")
    start = text.index("const char* %s = R\"(" % name) + len("const char* %s = R\"(" % name)
    return text[start:text.index(")\";", start)]


# HAT/AutoMoE yml: a sample of HAT's published SubTransformers and the AutoMoE-style file of the unit tests.
hat = sorted((ROOT / "tests/data/hat").glob("*.yml"))
for f in hat[::4]:
    write("fuzz_arch_yml", f.name.replace("@", "_"), f.read_bytes())
write("fuzz_arch_yml", "automoe-moe.yml", literal("tests/space/tst_architectureio.cpp", "kAutoMoE"))
write("fuzz_arch_yml", "hat-dense.yml", literal("tests/space/tst_architectureio.cpp", "kHatDense"))

# Architecture JSON: the architectures stored in the sample study's events.
events = [json.loads(l) for l in (ROOT / "tests/data/moe_study/sample-study-events.jsonl").read_text().splitlines()]
archs = []
for e in events:
    p = e["payload"]
    for key in ("arch", "baseline"):
        if isinstance(p, dict) and isinstance(p.get(key), dict) and p[key] not in archs:
            archs.append(p[key])
for i, a in enumerate(archs[:6]):
    write("fuzz_arch_json", "study-arch-%d.json" % i, json.dumps(a, indent=1))

# Search spaces: the bundled ones.
for f in sorted((ROOT / "resources/spaces").glob("*.json")):
    write("fuzz_space_json", f.name, f.read_bytes())

# Corpora: the Ding fixture, the head of the bundled TSV sample, aligned files made from it.
write("fuzz_corpus_ding", "ding-mini.txt", (ROOT / "tests/data/corpus/ding-mini.txt").read_bytes())
tsv = (ROOT / "resources/corpus/ding-sample.tsv").read_text(encoding="utf-8").splitlines()
write("fuzz_corpus_tsv", "sample-head.tsv", "\n".join(tsv[:25]) + "\n")
write("fuzz_corpus_tsv", "crlf-bom.tsv", "\ufeff" + "\r\n".join(tsv[25:30]) + "\r\n")
pairs = [l.split("\t") for l in tsv[30:55]]
de = "\n".join(p[0] for p in pairs) + "\n"
en = "\n".join(p[1] for p in pairs) + "\n"
write("fuzz_corpus_parallel", "sample.de-en", de + "\0" + en)
write("fuzz_corpus_parallel", "self-aligned.de", de)

# BLEU inputs: hypotheses, NUL, references (one and two reference files).
hyp = "\n".join(p[1].lower() for p in pairs[:12]) + "\n"
ref = "\n".join(p[1] for p in pairs[:12]) + "\n"
ref2 = "\n".join(p[1] if i % 3 else "" for i, p in enumerate(pairs[12:24])) + "\n"
write("fuzz_bleu_input", "one-ref.txt", hyp + "\0" + ref)
write("fuzz_bleu_input", "two-refs.txt", hyp + "\0" + ref + "\0" + ref2)
write("fuzz_bleu_input", "intl.txt", "Grüße, 3.5% — „so“ 漢字 test.\n\0Grüße, 3.5 % — „so“ 漢字 test!\n")

# Stored events: type, newline, payload — every type of the sample study and one of each typed row.
seen = set()
for e in events:
    if e["type"] in seen:
        continue
    seen.add(e["type"])
    write("fuzz_event_payload", e["type"] + ".event", e["type"] + "\n" + json.dumps(e["payload"]))
typed = {
    "training_step": {"update": 3, "loss": 7.5, "nll": 7.2, "lb_loss": 0.01, "lr": 0.0005, "tokens": 812,
                      "arch_key": "q512|E512:8/3072|D512:8.8.-1/3072", "wall_ms": 41.5},
    "validation": {"update": 400, "subnet": "largest", "loss": 4.25, "bleu": 12.5},
    "checkpoint": {"update": 400, "path": "/tmp/run/checkpoint-400.pt", "bytes": 123456789, "created": 1796621134810},
    "architecture": {"key": "q512|E512:8/3072|D512:8.8.-1/3072", "arch": archs[0] if archs else None},
    "candidate": {"generation": 2, "arch_key": "k", "arch": archs[0] if archs else None, "fitness": 4.5,
                  "flops": 2.9e8, "params_active": 1000000, "latency_ms": None, "predicted_latency_ms": 12.5,
                  "feasible": True},
    "generation": {"generation": 2, "hypervolume": 0.5, "front": [{"cost": 1, "fitness": 2}],
                   "reference": {"cost": 3, "fitness": 4}, "cost_metric": "flops"},
    "routing": {"update": 400, "rows": [{"stack": "encoder", "layer": 0, "expert": 1, "tokens": 0.25}]},
    "routing_health": {"update": 400, "subnet": "largest", "layers": []},
    "data": {"split": {"counts": {"train": 100, "valid": 10, "test": 10}},
             "corpus": {"sourceLanguage": "de", "targetLanguage": "en"}, "vocabulary": {"size": 8000, "from_cache": True}},
    "resumed": {"from_update": 200},
    "error": {"message": "something failed"},
    "arch_costs": {"latency_ms": 12.5, "encoder_ms": 4, "decoder_ms": 8.5, "flops": 2.9e8, "params_active": 1000000},
    "test_bleu": {"subnet": "largest", "sentences": 10, "bleu_text": "BLEU = 12.00", "chrf": 40.5},
    "darts_setup": {"encoder_layers": 2, "decoder_layers": 2, "hidden": 64, "splits": 2, "reversible": True,
                    "encoder_candidates": [1, 2], "decoder_candidates": [1], "weight_params": 1000, "alpha_params": 10},
    "darts_derived": {"update": 10, "key": "k", "params": 1000},
    "generation_summary": {"generation": 1, "best_fitness": 4.5, "front_size": 3, "hypervolume": 0.5,
                           "evaluated_total": 20},
    "latency_predictor": {"meter": 2, "samples": 40, "validation": {"mape": 0.05, "kendall_tau": 0.8}},
    "rank_result": {"kendall_tau": 0.7, "count": 12},
    "inherited": {"parent_run": 1, "checkpoint": "/tmp/c.pt"},
}
for t, p in typed.items():
    write("fuzz_event_payload", t + ".event", t + "\n" + json.dumps(p))
write("fuzz_event_payload", "not-json.event", "validation\n{\"update\": 4")

# Checkpoint files: a format-2 header over a small archive, a format-1 (bare zip) file, damaged ones.
archive = b"PK\x03\x04" + bytes(range(60))
header = b"AMOECKPT" + struct.pack("<IIQ", 2, zlib.crc32(archive), len(archive)) + bytes(8)
write("fuzz_checkpoint_header", "format2.pt", header + archive)
write("fuzz_checkpoint_header", "format1.pt", archive)
write("fuzz_checkpoint_header", "truncated.pt", (header + archive)[:50])
flipped = bytearray(header + archive)
flipped[40] ^= 0x10
write("fuzz_checkpoint_header", "flipped.pt", bytes(flipped))
write("fuzz_checkpoint_header", "version3.pt", b"AMOECKPT" + struct.pack("<IIQ", 3, 0, 0) + bytes(8))

# Exported models' configs: the "config" entry of a standalone model file as StandaloneTransformer::save
# writes it (nlohmann's dump(): compact, keys sorted) for the study's architectures, taken from a supernet
# of the tiny space (embedding width 256) with the default rates (dropout 0.1 scaled by sampled / super
# width, capacity factor 1). export-tiny-*.json in the same directory are entries of files written by a real
# `automoe export --weights` (kept as they are, not written here).
def model_config(arch, vocab, super_embed=256, dropout=0.1, capacity=1.0, drop_tokens=False):
    return json.dumps({"vocab_size": vocab, "pad_index": 1, "architecture": arch,
                       "encoder_dropout": dropout * arch["encoder"]["embed_dim"] / super_embed,
                       "decoder_dropout": dropout * arch["decoder"]["embed_dim"] / super_embed,
                       "attention_dropout": dropout, "capacity_factor": capacity, "drop_tokens": drop_tokens},
                      sort_keys=True, separators=(",", ":"))


for i, a in enumerate(archs[:4]):
    write("fuzz_model_config", "study-arch-%d.json" % i, model_config(a, 8000, drop_tokens=i % 2 == 1))
moe = json.loads(json.dumps(archs[0]))
moe["encoder"]["layers"][0].update({"experts": [768, 512, 256], "top_k": 2})
moe["decoder"]["layers"][-1].update({"experts": [512, 512], "top_k": 1, "arbitrary_ende": -1})
write("fuzz_model_config", "moe-capacity.json", model_config(moe, 4000, capacity=1.25, drop_tokens=True))
