//===- Spawns.h - Threads, what they run, and who waits for them ----------===//
//
// A spawn is a place that starts a thread running some function: a thread
// constructor, `std::async`, `pthread_create`, a known executor — and what
// real code writes itself: a pool whose member stores a callable into a
// task queue its own threads pop and run (the callable is then a thread
// body, the pool's destructor or joining member the wait), a thread class
// that starts a stored callable, or a thread base class whose start() runs a
// virtual run() (each override is then a body). All of it is read from the
// code, with no configuration; the ThreadTypes and SpawnFunctions options
// add names.
//
//===----------------------------------------------------------------------===//
#ifndef FANOUT_SPAWNS_H
#define FANOUT_SPAWNS_H

#include "fanout/AccessPath.h"
#include "fanout/Options.h"
#include "fanout/Vocabulary.h"
#include "clang/AST/Decl.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/DenseMap.h"
#include <memory>
#include <vector>

namespace fanout {

/// A class of the user's that runs callables on threads it owns, read from
/// its code.
struct PoolInfo {
  const clang::CXXRecordDecl *Class = nullptr;
  /// Members that take a callable and hand it to the workers, with the
  /// index of the callable parameter.
  llvm::SmallVector<std::pair<const clang::CXXMethodDecl *, unsigned>, 2>
      Submits;
  /// Members (not the destructor) that wait for the workers or their tasks.
  llvm::SmallVector<const clang::CXXMethodDecl *, 2> WaitMethods;
  bool DestructorWaits = false;
  EscapingException Exceptions = EscapingException::Terminates;
};

/// A class of the user's that is one thread: it starts a callable given to
/// its constructor, or its own virtual run(), on a thread member.
struct ThreadClassInfo {
  const clang::CXXRecordDecl *Class = nullptr;
  /// The member that starts the thread; a constructor when construction
  /// starts it.
  const clang::CXXMethodDecl *Start = nullptr;
  /// The constructor parameter holding the callable (StoredCallable), or -1.
  int CallableParam = -1;
  /// The virtual member the thread runs (VirtualRun), or null.
  const clang::CXXMethodDecl *Run = nullptr;
  llvm::SmallVector<const clang::CXXMethodDecl *, 2> WaitMethods;
  bool DestructorWaits = false;
};

/// One place that starts a thread (or several, in a loop).
struct SpawnSite {
  /// The spawning expression: a construction, a call.
  const clang::Expr *Expr = nullptr;
  /// The function the thread runs: a lambda's call operator, a free
  /// function, a member function, a function object's operator().
  const clang::FunctionDecl *Body = nullptr;
  /// What the body's parameters and `this` stand for, in the spawning
  /// function's terms.
  CallBindings Bindings;
  /// Who owns the thread: the thread or future variable, the container of
  /// threads, the pool object; a path, since it may be a member.
  AccessPath Handle;
  bool InLoop = false;
  llvm::StringRef Kind; ///< "thread", "std::jthread", "std::async", ...
  EscapingException Exceptions = EscapingException::Terminates;
  bool DestructorWaits = false;
  /// For a spawn through a pool or thread class of the user's.
  const PoolInfo *Pool = nullptr;
  const ThreadClassInfo *ThreadClass = nullptr;
};

/// A place in the spawning function that waits for threads to finish.
struct WaitSite {
  /// The waiting call; null for a destructor that waits at scope exit.
  const clang::Expr *Expr = nullptr;
  AccessPath Handle;
  /// For a destructor: the variable whose destruction waits.
  const clang::VarDecl *Destroyed = nullptr;
  clang::SourceLocation Loc;
  /// For a latch or barrier: the one spawn site whose threads count it down.
  const SpawnSite *ForSpawn = nullptr;
  bool isImplicit() const { return Expr == nullptr; }
};

/// A member that starts threads its object keeps (`stream_ =
/// std::thread(...)`) and returns without waiting for them: a call of it
/// (`client.subscribe(q)`) starts those threads in the caller, on that
/// object. The class's destructor or a member that joins them is the wait.
struct StarterInfo {
  const clang::FunctionDecl *Method = nullptr;
  /// The spawns as the starter makes them, in its own terms.
  std::vector<SpawnSite> Spawns;
  /// Fields the starter sets from its parameters (`queue_ = std::move(q)`).
  llvm::SmallVector<std::pair<const clang::FieldDecl *, unsigned>, 2>
      FieldParams;
  llvm::SmallVector<const clang::CXXMethodDecl *, 2> WaitMethods;
  bool DestructorWaits = false;
};

struct SpawningFunction {
  const clang::FunctionDecl *Function = nullptr;
  std::vector<SpawnSite> Spawns;
  std::vector<WaitSite> Waits;
  /// The first wait on \p Spawn in source order, or null.
  const WaitSite *waitOn(const SpawnSite *Spawn,
                         const clang::SourceManager &SM) const;
};

/// Recognises spawns and waits; caches what it reads of pool and thread
/// classes, per translation unit.
class SpawnModel {
public:
  explicit SpawnModel(const AnalysisOptions &Options);
  ~SpawnModel();

  /// The spawns in \p F and the waits on them.
  SpawningFunction collect(const clang::FunctionDecl *F);
  /// Whether \p E starts a thread.
  bool isSpawn(const clang::Expr *E);

  const PoolInfo *poolInfo(const clang::CXXRecordDecl *Record);
  const ThreadClassInfo *threadClassInfo(const clang::CXXRecordDecl *Record);
  /// \p Method as a starter, or null when it waits for what it starts or
  /// starts nothing its object keeps.
  const StarterInfo *starterInfo(const clang::FunctionDecl *Method);
  /// A starter of \p Record met so far: its waits are the class's.
  const StarterInfo *starterOfClass(const clang::CXXRecordDecl *Record);
  bool isThreadType(const clang::CXXRecordDecl *Record) const;
  bool holdsThreads(const clang::CXXRecordDecl *Record) const;

private:
  struct Reader;
  const AnalysisOptions &Options;
  llvm::DenseMap<const clang::CXXRecordDecl *, std::unique_ptr<PoolInfo>> Pools;
  llvm::DenseMap<const clang::CXXRecordDecl *, std::unique_ptr<ThreadClassInfo>>
      ThreadClasses;
  llvm::DenseMap<const clang::FunctionDecl *, std::unique_ptr<StarterInfo>>
      Starters;
  llvm::DenseMap<const clang::CXXRecordDecl *, const StarterInfo *>
      StarterClasses;
};

/// Whether \p E can be called: a lambda, a function, a function pointer, a
/// member function pointer, or a function object.
bool isCallable(const clang::Expr *E);

/// The function a callable expression runs, binding its parameters to
/// \p Args (made in \p Caller). Null when it cannot be known.
const clang::FunctionDecl *
resolveCallable(const clang::Expr *Callable,
                llvm::ArrayRef<const clang::Expr *> Args,
                const clang::FunctionDecl *Caller, CallBindings &Bindings);

} // namespace fanout

#endif
