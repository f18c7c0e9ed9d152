# The fuzz targets and the torch-free core sources they need, shared by the two builds of tests/fuzz:
#   - tests/fuzz/CMakeLists.txt (part of the regular build): each target with the standalone driver, linked
#     against automoe_base, run by CTest on the seed corpus and the regressions (fuzz_replay_<target>);
#   - tests/fuzz/libfuzzer/CMakeLists.txt (packaging/fuzz.sh, clang): each target with libFuzzer, ASan and
#     UBSan, over a static library of AUTOMOE_FUZZ_CORE_SOURCES compiled the same way (only what a target
#     uses is linked into it).
set(AUTOMOE_FUZZ_TARGETS
  fuzz_arch_yml
  fuzz_arch_json
  fuzz_space_json
  fuzz_corpus_ding
  fuzz_corpus_tsv
  fuzz_corpus_parallel
  fuzz_bleu_input
  fuzz_event_payload
  fuzz_checkpoint_header
  fuzz_model_config)

# Relative to core/. No LibTorch, no SQLite: the parsers and what they call.
set(AUTOMOE_FUZZ_CORE_SOURCES
  space/Architecture.cpp
  space/ArchitectureIO.cpp
  space/SearchSpace.cpp
  space/SpaceIO.cpp
  util/CheckpointHeader.cpp
  nn/StandaloneConfig.cpp
  cost/CostModel.cpp
  util/Format.cpp
  util/Resources.cpp
  data/Corpus.cpp
  data/CorpusDingParser.cpp
  data/CorpusReader.cpp
  data/CorpusText.cpp
  eval/Bleu.cpp
  eval/BleuInputFiles.cpp
  eval/BleuText.cpp
  eval/BleuTokenizer.cpp
  eval/BleuUnicodeTables.cpp
  eval/Chrf.cpp
  eval/RoutingHealth.cpp
  store/Event.cpp
  store/EventRows.cpp
  store/RunRecords.cpp
  run/EventText.cpp
  run/MoeStudyRow.cpp)
