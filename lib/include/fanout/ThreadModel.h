//===- ThreadModel.h - Threads, what they run, and who waits for them -----===//
#ifndef FANOUT_THREADMODEL_H
#define FANOUT_THREADMODEL_H

#include "fanout/Options.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/DenseMap.h"
#include <vector>

namespace fanout {

/// One place that starts a thread (or several, when it is in a loop).
struct SpawnSite {
  const clang::Expr *Expr = nullptr;
  /// The function the thread runs: a lambda's call operator, a free
  /// function or a member function.
  const clang::FunctionDecl *Body = nullptr;
  /// Arguments bound to the body's parameters (and a function object's
  /// fields) at the spawn.
  llvm::DenseMap<const clang::ValueDecl *, const clang::Expr *> Bindings;
  /// The variable that owns the thread: the std::thread, the future, or the
  /// container of threads.
  const clang::VarDecl *Handle = nullptr;
  bool InLoop = false;
  llvm::StringRef Kind; ///< "std::thread", "std::async", ...
};

/// A place in the spawning function that waits for a thread to finish.
struct WaitSite {
  /// The waiting call; null for a destructor that waits at scope exit
  /// (std::jthread, a future from std::async).
  const clang::Expr *Expr = nullptr;
  const clang::VarDecl *Handle = nullptr;
  /// Where the wait happens: the call, or the closing brace of the scope.
  clang::SourceLocation Loc;
  /// For a latch or barrier: the one spawn site whose threads count it down.
  const SpawnSite *ForSpawn = nullptr;
  bool isImplicit() const { return Expr == nullptr; }
};

struct SpawningFunction {
  const clang::FunctionDecl *Function = nullptr;
  std::vector<SpawnSite> Spawns;
  std::vector<WaitSite> Waits;
};

/// Whether \p E starts a thread (a thread constructor, std::async, ...).
bool isSpawnExpr(const clang::Expr *E, const AnalysisOptions &Options);

/// Collects the spawns in \p F and the waits on them.
SpawningFunction collectSpawns(const clang::FunctionDecl *F,
                               const AnalysisOptions &Options);

} // namespace fanout

#endif
