# Embeds docs/checks/*.md into fanout-audit, so its SARIF rules carry each
# check's help wherever the binary is copied.
#   cmake -DDOCS_DIR=<dir> -DOUTPUT=<file.inc> -P EmbedCheckDocs.cmake
file(GLOB docs "${DOCS_DIR}/*.md")
list(SORT docs)
set(out "// Generated from ${DOCS_DIR} by EmbedCheckDocs.cmake; do not edit.\n")
foreach(doc IN LISTS docs)
  get_filename_component(name "${doc}" NAME)
  string(REGEX REPLACE "\\.md$" "" name "${name}")
  file(READ "${doc}" text)
  string(APPEND out "{\"${name}\", R\"fanoutdoc(${text})fanoutdoc\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp" "${out}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different
                "${OUTPUT}.tmp" "${OUTPUT}")
file(REMOVE "${OUTPUT}.tmp")
