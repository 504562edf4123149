//===- Writers.h - Reports as text, JSON, SARIF and clang-tidy fixes ------===//
#ifndef FANOUT_AUDIT_WRITERS_H
#define FANOUT_AUDIT_WRITERS_H

#include "Model.h"
#include "llvm/Support/raw_ostream.h"

namespace fanout::audit {

class SourceCache;

enum class Format { Text, Json, Sarif, CodeQuality };

/// clang-tidy's look: "file:line:col: warning: message [check]", a snippet
/// with a caret, then the notes.
void writeText(llvm::raw_ostream &OS, const Report &R, SourceCache &Sources);

/// The JSON report (the input of merge).
void writeJson(llvm::raw_ostream &OS, const Report &R);

/// SARIF 2.1.0: a rule per enabled check with help from its documentation,
/// a result per finding with its notes as related locations and its fixes,
/// and the TUs that failed as tool execution notifications.
void writeSarif(llvm::raw_ostream &OS, const Report &R,
                llvm::StringRef DocsDir);

/// GitLab Code Quality (a subset of the Code Climate issue format), for the
/// merge request widget: one issue per finding, fingerprint included.
void writeCodeQuality(llvm::raw_ostream &OS, const Report &R);

/// clang-tidy's --export-fixes YAML, for clang-apply-replacements. Only the
/// findings' own fixes: notes carry alternatives that need a human's choice.
void writeFixes(llvm::raw_ostream &OS, const Report &R);

} // namespace fanout::audit

#endif
