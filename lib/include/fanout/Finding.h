//===- Finding.h - What an analysis reports, as plain data ----------------===//
//
// A finding is data: its kind, typed locations and arguments, notes of
// known kinds, and fixes with titles. Text is made from it in one place
// (Render.cpp): the checks pass the format and the arguments to diag(), the
// audit and the tests read the structure. Nothing here depends on
// clang-tidy.
//
//===----------------------------------------------------------------------===//
#ifndef FANOUT_FINDING_H
#define FANOUT_FINDING_H

#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include <string>
#include <vector>

namespace fanout {

enum class FindingKind {
  StrandedProducer,       ///< A spawned or calling-thread producer.
  StrandedMemberProducer, ///< Callers of a member function (a pool's submit).
  StrandedConsumer,
  JoinBeforeDrain,
};

enum class NoteKind {
  QueueDeclared,      ///< {queue}
  ConsumerReturns,    ///< {queue}
  ConsumerBreaks,     ///< {queue}
  ConsumerThrows,     ///< {queue}
  ConsumerJumps,      ///< {queue}
  ConsumerCondition,  ///< {queue}
  ConsumerFinishes,   ///< {queue}
  ConsumerCallThrows, ///< {queue, callee}
  ConsumerCallLeaves, ///< {queue, callee}: a call that returns undrained
  CallersStop,        ///< {queue, member}: callers take an item a call
  ExceptionCaught,    ///< {}: the handler the exception goes on from
  ProducerReturns,    ///< {queue}
  ProducerThrows,     ///< {queue}
  ProducerFinishes,   ///< {queue}
  ProducerCallThrows, ///< {queue, callee}
  ProducerCallLeaves, ///< {queue, callee}
  ConsumerSpawned,    ///< {"s" when in a loop, " in a loop"}
  ProducerSpawned,    ///< {}
  WorkerSpawned,      ///< {"s", " in a loop"}
  RunsCall,           ///< {caller, callee}: a call on the way to the role
  CallerConsumes,     ///< {callee}: the calling thread consumes, here
  ProducerWait,       ///< {}
  ProducerWaitScope,  ///< {}: a destructor wait at the end of the scope
  ConsumerWait,       ///< {}
  ConsumerWaitScope,  ///< {}
  WorkersBlock,       ///< {queue}
  DrainedAfter,       ///< {queue}
  ErrorKeptUnseen,    ///< {queue, storing method, pop}
  Fix,                ///< {text}: what the fix-it of the warning does
  AlternativeFix,     ///< {text}: an alternative, with its own fix-its
  NoFix,              ///< {text}: why there is no fix-it, what to write
};

/// A note of a finding: a place, its kind and arguments, and optionally an
/// alternative fix of its own.
struct FindingNote {
  FindingNote() = default;
  FindingNote(NoteKind Kind, clang::SourceLocation Loc,
              llvm::SmallVector<std::string, 2> Args = {})
      : Kind(Kind), Loc(Loc), Args(std::move(Args)) {}

  NoteKind Kind = NoteKind::QueueDeclared;
  clang::SourceLocation Loc;
  llvm::SmallVector<std::string, 2> Args;
  std::vector<clang::FixItHint> Fixes;
  /// What the fix does, as a quick-fix title ("close 'q' on each consumer
  /// exit"); set for Fix and AlternativeFix notes.
  std::string FixTitle;
};

/// One bug, ready to be turned into a diagnostic, a SARIF result or a test
/// expectation.
struct Finding {
  FindingKind Kind = FindingKind::StrandedProducer;
  /// The blocking call (or wait) the thread hangs in.
  clang::SourceLocation Loc;
  clang::SourceRange Range;
  /// By kind: {method, queue description} for stranded producers and
  /// consumers ({function, method, queue} for a member producer; a third
  /// for a consumer that never closes), {queue description, method} for a
  /// join before drain.
  llvm::SmallVector<std::string, 3> Args;
  std::vector<FindingNote> Notes;
  /// The preferred fix; empty when no fix is certainly right (a note then
  /// carries the suggested code).
  std::vector<clang::FixItHint> Fixes;
};

/// The clang diagnostic format of the finding's message (arguments %0...)
/// and of a note's.
llvm::StringRef messageFormat(const Finding &F);
llvm::StringRef noteFormat(const FindingNote &N);
/// The text, with the arguments in place (for tests, the audit, logs).
std::string renderMessage(const Finding &F);
std::string renderNote(const FindingNote &N);
/// The check a kind belongs to (`fanout-stranded-producer`).
llvm::StringRef checkName(FindingKind Kind);

} // namespace fanout

#endif
