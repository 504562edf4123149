//===- Writers.h - Reports as text, JSON, SARIF and clang-tidy fixes ------===//
#ifndef FANOUT_AUDIT_WRITERS_H
#define FANOUT_AUDIT_WRITERS_H

#include "Model.h"
#include "llvm/Support/raw_ostream.h"

namespace fanout::audit {

class SourceCache;

enum class Format { Text, Json, Sarif, CodeQuality, Html };

struct TextOptions {
  /// Each finding's fix (and each alternative a note carries) as a diff.
  bool ShowFixes = false;
};

/// clang-tidy's look: "file:line:col: warning: message [check]", a snippet
/// with a caret, then the notes; with ShowFixes the fixes as diffs; then the
/// compiler errors of the TUs that failed. Coloured like clang when OS has
/// colours enabled.
void writeText(llvm::raw_ostream &OS, const Report &R, SourceCache &Sources,
               const TextOptions &Options = {});

/// The JSON report (the input of merge).
void writeJson(llvm::raw_ostream &OS, const Report &R);

/// SARIF 2.1.0: a rule per enabled check with help from its documentation,
/// a result per finding with its notes as related locations linked from the
/// message, the story as a code flow, and its fixes, and the TUs that failed
/// as tool execution notifications.
void writeSarif(llvm::raw_ostream &OS, const Report &R, llvm::StringRef DocsDir,
                llvm::StringRef DocsUrl);

/// One self-contained HTML page (no network): a summary by check and file,
/// each finding with its code, notes, threads and fix, filters, and the
/// TUs that failed.
void writeHtml(llvm::raw_ostream &OS, const Report &R, SourceCache &Sources,
               llvm::StringRef DocsUrl);

/// GitLab Code Quality (a subset of the Code Climate issue format), for the
/// merge request widget: one issue per finding, fingerprint included.
void writeCodeQuality(llvm::raw_ostream &OS, const Report &R);

/// clang-tidy's --export-fixes YAML, for clang-apply-replacements. Only the
/// findings' own fixes: notes carry alternatives that need a human's choice.
void writeFixes(llvm::raw_ostream &OS, const Report &R);

} // namespace fanout::audit

#endif
