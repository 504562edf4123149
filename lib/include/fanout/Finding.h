//===- Finding.h - What an analysis reports, as plain data ----------------===//
#ifndef FANOUT_FINDING_H
#define FANOUT_FINDING_H

#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/SourceLocation.h"
#include <string>
#include <vector>

namespace fanout {

/// A note attached to a finding: a place and what happens there, optionally
/// with an alternative fix of its own.
struct FindingNote {
  clang::SourceLocation Loc;
  std::string Message;
  std::vector<clang::FixItHint> Fixes;
};

/// One bug, ready to be turned into a diagnostic, a SARIF result or a test
/// expectation. Nothing here depends on clang-tidy.
struct Finding {
  clang::SourceLocation Loc;
  std::string Message;
  std::vector<FindingNote> Notes;
  /// The preferred fix; empty when no fix is certainly right (a note then
  /// carries the suggested code).
  std::vector<clang::FixItHint> Fixes;
};

} // namespace fanout

#endif
