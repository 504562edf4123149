//===- Diff.h - A finding's fix as a unified diff -------------------------===//
//
// The text and HTML reports preview a fix as the diff it makes: the
// replacements applied to the file as it is on disk, grouped into hunks with
// a few lines of context, unchanged lines at either end of a change shown as
// context.
//
//===----------------------------------------------------------------------===//
#ifndef FANOUT_AUDIT_DIFF_H
#define FANOUT_AUDIT_DIFF_H

#include "Model.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/raw_ostream.h"

namespace fanout::audit {

class SourceCache;

struct DiffLine {
  char Kind; ///< ' ' context, '-' removed, '+' added.
  std::string Text;
};

struct Hunk {
  unsigned OldStart = 0, OldCount = 0, NewStart = 0, NewCount = 0;
  std::vector<DiffLine> Lines;
};

struct FileDiff {
  std::string File; ///< As in the report (root-relative when under it).
  std::vector<Hunk> Hunks;
};

/// The diff that Fixes make, file by file (in path order). A file that
/// cannot be read, or replacements that overlap or run past its end, give
/// no diff for that file.
std::vector<FileDiff> diffFixes(llvm::ArrayRef<Replacement> Fixes,
                                llvm::StringRef Root, SourceCache &Sources,
                                unsigned Context = 3);

/// "--- a/file", "+++ b/file", "@@ -l,n +l,n @@" and the lines; coloured
/// like git when OS has colours enabled.
void writeUnifiedDiff(llvm::raw_ostream &OS, llvm::ArrayRef<FileDiff> Diffs);

/// The title of a finding's own fix: its first note starting with "fix: ",
/// without that prefix; "fix" when there is none.
std::string mainFixTitle(const Finding &F);
/// The title of a note's alternative fix: the note's message, without a
/// leading "alternatively, ".
std::string alternativeFixTitle(const Note &N);

} // namespace fanout::audit

#endif
