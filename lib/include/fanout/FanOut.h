//===- FanOut.h - The threads of one spawning function and their queues ---===//
//
// What every fanout question starts from. A spawning function starts
// threads (actors); it is an actor itself from its first spawn on (the
// calling thread that goes on to consume or produce), and when it is a
// member of a class, the class's other members are actors too, run by their
// callers (`Reader::read()`, a pool's `submit`). Each actor's role is its
// summary: every queue operation it performs, at any call depth, with the
// queue seen from the spawning function. Queues are grouped by that view.
//
//===----------------------------------------------------------------------===//
#ifndef FANOUT_FANOUT_H
#define FANOUT_FANOUT_H

#include "fanout/Roles.h"
#include "fanout/Spawns.h"
#include "fanout/Summaries.h"
#include "llvm/ADT/MapVector.h"
#include <optional>
#include <string>

namespace fanout {

struct Actor {
  enum class Kind {
    Caller,  ///< The spawning function itself, from its first spawn on.
    Spawned, ///< The body of a spawn site.
    Member,  ///< Another member of the spawner's class, run by its callers.
  };
  Kind Role = Kind::Spawned;
  const clang::FunctionDecl *Function = nullptr;
  const SpawnSite *Spawn = nullptr;
  /// The function's parameters and `this`, in the spawner's terms.
  CallBindings Bindings;
};

/// One operation of one actor on a queue.
struct QueueUse {
  unsigned Actor = 0;
  const ReachedOp *Op = nullptr;
};

struct QueueCapacity {
  const clang::Expr *Expr = nullptr;
  std::string Text;
  std::optional<int64_t> Value;
};

class FanOut {
public:
  FanOut(const clang::FunctionDecl *Spawner, Summaries &S);

  bool empty() const { return Threads.Spawns.empty(); }
  const SpawningFunction &threads() const { return Threads; }
  llvm::ArrayRef<Actor> actors() const { return Actors; }
  const llvm::MapVector<AccessPath, llvm::SmallVector<QueueUse, 4>> &
  queues() const {
    return Uses;
  }
  const clang::FunctionDecl *spawner() const { return Threads.Function; }
  clang::ASTContext &context() const { return S.context(); }
  Summaries &summaries() const { return S; }

  /// The queue \p Use's operation is on, in the actor function's terms.
  const AccessPath &inActor(const QueueUse &Use) const { return Use.Op->Queue; }
  const QueueApi *api(const AccessPath &Queue) const;
  /// Bounded as constructed, or made bounded (`set_capacity`).
  bool isBounded(const AccessPath &Queue) const;
  QueueCapacity capacity(const AccessPath &Queue) const;
  /// `'q' (BoundedQueue<int>, capacity 2 * n = 8)` for messages.
  std::string describe(const AccessPath &Queue) const;
  /// The declaration the queue is named by (a variable, a field, a
  /// parameter of the spawner).
  const clang::ValueDecl *declOf(const AccessPath &Queue) const;
  std::string nameOf(const AccessPath &Queue) const;
  /// The first wait on the threads \p Spawn started.
  const WaitSite *waitOn(const SpawnSite *Spawn) const;
  /// Where the calling thread's part starts: its first spawn.
  clang::SourceLocation firstSpawnLoc() const;
  /// Where \p Use happens in its actor's function: the operation, or the
  /// first call on the way to it.
  static const clang::Stmt *siteOf(const QueueUse &Use);
  /// Whether the calling thread's uses of \p Queue of role \p Role all come
  /// after \p Wait (it waits for the other side first).
  bool callerUsesAfter(const AccessPath &Queue, const WaitSite *Wait,
                       llvm::function_ref<bool(const QueueUse &)> Which) const;

private:
  void addActor(Actor A);
  Summaries &S;
  SpawningFunction Threads;
  std::vector<Actor> Actors;
  llvm::MapVector<AccessPath, llvm::SmallVector<QueueUse, 4>> Uses;
  /// A path in the spawner's terms as every actor sees it: an object's
  /// field that a starter set from its argument is that argument.
  AccessPath resolveStarted(AccessPath Queue) const;
  /// `client.queue_` that `client.subscribe(q)` set to `q`.
  llvm::SmallVector<std::pair<AccessPath, AccessPath>, 2> StartedFields;
  /// `set_capacity` calls of the spawner before its first spawn.
  llvm::DenseMap<AccessPath, const clang::CallExpr *> CapacitySetters;
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
