//===- CheckDocs.h - Help text for the checks, from docs/checks -----------===//
#ifndef FANOUT_AUDIT_CHECKDOCS_H
#define FANOUT_AUDIT_CHECKDOCS_H

#include "llvm/ADT/StringRef.h"
#include <optional>
#include <string>

namespace fanout::audit {

/// The Markdown documentation of a check: <DocsDir>/<check>.md when DocsDir is
/// given, else the copy of docs/checks embedded at build time, else the
/// source tree's docs/checks (a doc written after the build).
std::optional<std::string> checkDocumentation(llvm::StringRef Check,
                                              llvm::StringRef DocsDir);

/// The first paragraph of a Markdown document (after the title), unwrapped.
std::string firstParagraph(llvm::StringRef Markdown);
/// The first sentence of a paragraph.
std::string firstSentence(llvm::StringRef Paragraph);
/// Upstream documentation for clang-tidy's own checks; empty for others.
std::string upstreamHelpUri(llvm::StringRef Check);

} // namespace fanout::audit

#endif
