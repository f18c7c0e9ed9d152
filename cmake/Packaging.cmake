# Installation layout and the Debian package (CPack). Installed, the programs find everything relative to
# their own directory (core/util/Resources.h), so the .deb also runs unpacked into any root:
#   bin/automoe, bin/automoe-studio
#   lib/<multiarch>/automoe-studio/libautomoe_spm.so  the SentencePiece shim (core/CMakeLists.txt)
#   share/automoe-studio/{spaces,darts,corpus}   bundled search spaces and the corpus sample
#   share/automoe-studio/doc/guide.md            the user guide (Help > User Guide) and its screenshots
#   share/man/man1/*.1.gz                        generated from the programs' --help (packaging/make-manpages.sh)
#   share/bash-completion/completions/automoe
#   share/doc/automoe-studio/{copyright,changelog.gz}
# packaging/deb.sh builds the release package; tests/packaging checks a package of the test build.

install(DIRECTORY resources/spaces resources/darts resources/corpus DESTINATION ${CMAKE_INSTALL_DATADIR}/automoe-studio)
install(FILES docs/guide.md DESTINATION ${CMAKE_INSTALL_DATADIR}/automoe-studio/doc)
# Only the screenshots the guide shows.
file(STRINGS docs/guide.md AUTOMOE_GUIDE_IMAGE_LINES REGEX "screenshots/[a-z0-9-]+\\.png")
set(AUTOMOE_GUIDE_IMAGES)
foreach(line IN LISTS AUTOMOE_GUIDE_IMAGE_LINES)
  string(REGEX MATCHALL "screenshots/[a-z0-9-]+\\.png" images "${line}")
  list(APPEND AUTOMOE_GUIDE_IMAGES ${images})
endforeach()
list(REMOVE_DUPLICATES AUTOMOE_GUIDE_IMAGES)
list(TRANSFORM AUTOMOE_GUIDE_IMAGES PREPEND docs/)
install(FILES ${AUTOMOE_GUIDE_IMAGES} DESTINATION ${CMAKE_INSTALL_DATADIR}/automoe-studio/doc/screenshots)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS docs/guide.md)

install(FILES packaging/automoe-studio.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES packaging/io.github.automoe.Studio.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
install(FILES resources/icons/automoe.svg DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps
        RENAME automoe-studio.svg)
install(FILES packaging/automoe.bash-completion DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME automoe)
install(FILES packaging/lintian-overrides DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides RENAME automoe-studio)
install(FILES packaging/copyright DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/automoe-studio)

# Debian wants the changelog compressed without a timestamp (gzip -9n), and man pages likewise.
set(AUTOMOE_CHANGELOG_GZ ${CMAKE_BINARY_DIR}/packaging/changelog.gz)
add_custom_command(OUTPUT ${AUTOMOE_CHANGELOG_GZ}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging
  COMMAND sh -c "gzip -9n < '${PROJECT_SOURCE_DIR}/packaging/changelog' > '${AUTOMOE_CHANGELOG_GZ}'"
  DEPENDS packaging/changelog
  VERBATIM)
add_custom_target(automoe_changelog ALL DEPENDS ${AUTOMOE_CHANGELOG_GZ})
install(FILES ${AUTOMOE_CHANGELOG_GZ} DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/automoe-studio)

find_program(HELP2MAN_EXECUTABLE help2man)
if(HELP2MAN_EXECUTABLE AND AUTOMOE_BUILD_UI)
  set(AUTOMOE_MAN_DIR ${CMAKE_BINARY_DIR}/man)
  set(AUTOMOE_MAN_STAMP ${AUTOMOE_MAN_DIR}/pages.stamp)
  add_custom_command(OUTPUT ${AUTOMOE_MAN_STAMP}
    COMMAND bash ${PROJECT_SOURCE_DIR}/packaging/make-manpages.sh $<TARGET_FILE:automoe>
            $<TARGET_FILE:automoe-studio> ${AUTOMOE_MAN_DIR} ${PROJECT_VERSION}
    COMMAND ${CMAKE_COMMAND} -E touch ${AUTOMOE_MAN_STAMP}
    DEPENDS automoe automoe-studio automoe_spm packaging/make-manpages.sh
    COMMENT "Man pages from automoe --help and automoe-studio --help"
    VERBATIM)
  add_custom_target(manpages ALL DEPENDS ${AUTOMOE_MAN_STAMP})
  install(DIRECTORY ${AUTOMOE_MAN_DIR}/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 FILES_MATCHING PATTERN "*.1.gz")
else()
  message(WARNING "help2man not found: no man pages (bash packaging/install-deps.sh installs it)")
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME automoe-studio)
set(CPACK_PACKAGE_VENDOR "AutoMoE Studio developers")
set(CPACK_PACKAGE_CONTACT "AutoMoE Studio developers <automoe-studio@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Neural architecture search workbench for Mixture-of-Experts Transformers")
set(CPACK_PACKAGE_DESCRIPTION
    "AutoMoE Studio searches heterogeneous sparsely activated\n\
Mixture-of-Experts Transformers following AutoMoE: edit a search space,\n\
train a weight-sharing supernet, build a latency predictor, run an\n\
evolutionary search under FLOPs or latency budgets, then measure, retrain\n\
and test (BLEU, chrF) the architectures found.\n\
.\n\
It contains automoe-studio, a Qt desktop workbench with live Pareto,\n\
training and routing views and run replay, and automoe, the command line\n\
that does the same work without a display. Runs are stored in SQLite.")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/automoe/automoe-studio")
# Shared libraries come from dpkg-shlibdeps (the programs and the SentencePiece shim). OpenBLAS is loaded at
# run time through Debian's libblas.so.3 alternative, which dpkg-shlibdeps cannot see; without it LibTorch
# falls back to reference BLAS, ~11x slower (DESIGN §1). The Ding dictionary is the default corpus; the
# bundled sample stands in when it is missing.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libopenblas0-openmp | libopenblas0-pthread")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "trans-de-en")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
include(CPack)
