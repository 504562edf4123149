//===- FanOut.h - Who touches which queue in one spawning function --------===//
//
// The model every fanout analysis starts from: the threads a function starts
// (and the function itself), the queue operations each of them performs,
// grouped by the queue's identity, and what is known of each queue.
//
//===----------------------------------------------------------------------===//
#ifndef FANOUT_FANOUT_H
#define FANOUT_FANOUT_H

#include "fanout/AstHelpers.h"
#include "fanout/QueueModel.h"
#include "fanout/ThreadModel.h"
#include "clang/AST/ASTContext.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>
#include <string>

namespace fanout {

/// A thread of control that touches queues: the spawning function itself
/// (actor 0), or the body of one spawn site.
struct Actor {
  const clang::FunctionDecl *Function = nullptr;
  const SpawnSite *Spawn = nullptr;
  /// Set when the thread's body only calls a helper (`[&] { drain(q); }`):
  /// the call, and the helper's parameters bound to its arguments.
  const clang::CallExpr *Via = nullptr;
  /// Every call on the way when helpers only call further helpers
  /// (`[&] { run(q); }`, `run` only calls `drain`): Via first, at most 3.
  llvm::SmallVector<const clang::CallExpr *, 3> ViaChain;
  ParamBindings ViaBindings;
  const ParamBindings *bindings() const {
    if (Via)
      return &ViaBindings;
    return Spawn ? &Spawn->Bindings : nullptr;
  }
};

struct OperationAt {
  unsigned Actor;
  QueueOperation Op;
};

struct QueueCapacity {
  const clang::Expr *Expr = nullptr;
  std::string Text;
  std::optional<int64_t> Value;
};

class FanOut {
public:
  FanOut(const clang::FunctionDecl *Spawner, clang::ASTContext &Ctx,
         QueueModel &Model, const AnalysisOptions &Options);

  /// Whether the function starts no thread (nothing to analyse).
  bool empty() const { return Threads.Spawns.empty(); }
  const SpawningFunction &threads() const { return Threads; }
  llvm::ArrayRef<Actor> actors() const { return Actors; }
  const llvm::MapVector<const clang::ValueDecl *,
                        llvm::SmallVector<OperationAt, 4>> &
  queues() const {
    return OpsByQueue;
  }
  clang::ASTContext &context() const { return Ctx; }

  /// \p Call as an operation on \p Queue, as seen from actor \p ActorIndex.
  std::optional<QueueOperation> operationOn(const clang::CallExpr *Call,
                                            const clang::ValueDecl *Queue,
                                            unsigned ActorIndex) const;
  /// Bounded as constructed, or made bounded (`set_capacity`).
  bool isBounded(const clang::ValueDecl *Queue) const;
  QueueCapacity capacity(const clang::ValueDecl *Queue) const;
  /// `'q' (BoundedQueue<int>, capacity 2 * n = 8)` for messages.
  std::string describe(const clang::ValueDecl *Queue) const;
  /// The wait on the thread(s) \p Spawn started, if the function has one.
  const WaitSite *waitOn(const SpawnSite *Spawn) const;

private:
  clang::ASTContext &Ctx;
  QueueModel &Model;
  SpawningFunction Threads;
  std::vector<Actor> Actors;
  llvm::MapVector<const clang::ValueDecl *, llvm::SmallVector<OperationAt, 4>>
      OpsByQueue;
};

/// Whether \p Spawner can be analysed: a definition with a body, valid and
/// not a template pattern (its instantiations are analysed instead).
inline bool isAnalysableSpawner(const clang::FunctionDecl *Spawner) {
  return Spawner && Spawner->hasBody() && !Spawner->isInvalidDecl() &&
         !Spawner->isDependentContext();
}

/// The number of times `for (int i = A; i < B; ++i)` runs, when constant.
std::optional<int64_t> constantTripCount(const clang::Stmt *Loop,
                                         clang::ASTContext &Ctx);

} // namespace fanout

#endif
