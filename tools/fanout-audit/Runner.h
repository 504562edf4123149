//===- Runner.h - Analyse translation units in parallel worker processes --===//
//
// Each TU is analysed in a child process forked from the driver, which has
// already loaded the compilation database and registered the checks. Forking
// (rather than threads) is what makes two promises keepable: a per-TU time
// limit (a clang parse cannot be cancelled from another thread, a process can
// be killed) and keep-going through crashes (an assertion or a segfault in one
// TU, in clang or in a check, kills only its worker). It also sidesteps
// libtooling's process-wide state: ClangTool changes the working directory of
// the real file system per compile command. The parent stays single-threaded,
// which keeps fork() safe; workers never exec, so there is no per-file start
// up beyond the parse itself.
//
//===----------------------------------------------------------------------===//
#ifndef FANOUT_AUDIT_RUNNER_H
#define FANOUT_AUDIT_RUNNER_H

#include "Model.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace fanout::audit {

struct WorkItem {
  std::string DbPath; ///< The file as the compilation database spells it.
  std::string File;   ///< Its canonical absolute path.
};

struct RunSettings {
  unsigned Jobs = 1;
  /// Per-TU wall-clock limit in seconds; 0 for none.
  double Timeout = 0;
  /// Fork a worker per TU. Off: analyse in this process, one TU after the
  /// other, without time limit or crash isolation (for debuggers).
  bool Isolate = true;
  /// Keep analysing after a TU failed; off stops scheduling new TUs.
  bool KeepGoing = true;
};

using AnalyseFn = llvm::function_ref<TUResult(const WorkItem &)>;
/// Receives each result in the driver process, File set to the item's File.
using DoneFn = llvm::function_ref<void(TUResult)>;
using TickFn = llvm::function_ref<void()>;
/// Told when an item's analysis starts.
using StartFn = llvm::function_ref<void(const WorkItem &)>;

/// Runs every item; returns false if it stopped early (a TU failed and
/// KeepGoing is off).
bool runUnits(llvm::ArrayRef<WorkItem> Items, const RunSettings &Settings,
              AnalyseFn Analyse, StartFn Start, DoneFn Done, TickFn Tick);

} // namespace fanout::audit

#endif
