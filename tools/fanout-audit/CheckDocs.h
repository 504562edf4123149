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
/// The page of a fanout check, as a URI: <DocsUrl>/<check>.md when DocsUrl
/// is given (the repository's docs/checks on a Git host, or a web copy),
/// else the file:// URI of the page installed with fanout-audit
/// (<prefix>/share/doc/fanout-tidy/checks) or, for a build tree, in the
/// source tree. Empty for checks not of fanout-tidy, or when no page is
/// found: a report links nothing outside fanout-tidy's own documentation.
std::string checkPageUri(llvm::StringRef Check, llvm::StringRef DocsUrl);
/// Where fanout-audit runs from (for the installed documentation).
void setExecutablePath(std::string Path);

/// A check page's Markdown with its relative links made absolute against
/// the page's own URI (so they still lead to the repository's files when
/// shown elsewhere), or turned into plain text when they cannot be (no
/// PageUri, or a file:// target that does not exist).
std::string absolutizeLinks(llvm::StringRef Markdown, llvm::StringRef PageUri);

/// A short title for a check (a rule's name in a report's list).
std::string checkTitle(llvm::StringRef Check);

} // namespace fanout::audit

#endif
