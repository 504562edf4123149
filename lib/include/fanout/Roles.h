//===- Roles.h - How a consumer or a producer can leave -------------------===//
//
// Two questions, asked of a function and a queue (an access path in the
// function's terms), both answered by the one flow engine (Flow.h):
//
//  - consumer: does the function drain the queue (pop in a loop that ends
//    when the queue says it is closed), itself or through a call, and which
//    ways out leave the pop loop without being told "closed" and without
//    waking the producer (a close that wakes pushers, a guard or helper that
//    closes, the process ending)?
//  - producer: which ways out of the function leave without having closed
//    the queue for its consumers (or sent them their end markers)?
//
// A callee's answer becomes the caller's: a call to a function that can
// return from its pop loop undrained is a way out of the caller's pop loop
// too, and the caller's own code after it decides whether anyone is woken.
// Exceptions are ways out when something on the path can throw; caught in
// the function, they go on from the handler; escaping, they are the
// caller's business.
//
//===----------------------------------------------------------------------===//
#ifndef FANOUT_ROLES_H
#define FANOUT_ROLES_H

#include "fanout/Flow.h"
#include "fanout/Summaries.h"
#include "clang/AST/StmtCXX.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallPtrSet.h"
#include <memory>
#include <vector>

namespace fanout {

enum class ExitKind {
  Return,
  Break,
  Throw,
  Goto,
  LoopCondition, ///< Stmt is the loop-condition conjunct that ends the loop.
  FallOff,       ///< The end of the function body (Stmt is the body).
  ThrowingCall,  ///< A call (or construction) whose exception leaves.
  ViaCall,       ///< A call to a function that leaves this way itself.
  /// A member that takes one item a call (Stmt is its pop): its callers
  /// decide how many they take, and can stop at any time.
  CallersStop,
};

/// A way out of a function that leaves the other side asleep.
struct RoleExit {
  const clang::Stmt *At = nullptr;
  ExitKind Kind = ExitKind::Return;
  /// The function whose body holds At, and the queue in its terms.
  const clang::FunctionDecl *In = nullptr;
  AccessPath Queue;
  /// For ViaCall (and a ThrowingCall into a role function): the callee's
  /// ways out that this call stands for.
  std::vector<RoleExit> Inner;
  /// An exception caught in In by this handler, which then leaves.
  const clang::CXXCatchStmt *CaughtBy = nullptr;
};

/// What a consumer stops on when it stops on a value of the producer's: an
/// empty item, a flagged item, or an item equal to a constant.
struct MarkerSpec {
  enum class Kind { None, EmptyValue, Flag, Equals } What = Kind::None;
  /// For Flag: the field set on the marker; for EmptyValue, if any: the
  /// field that is empty on it (`chunk.bytes.empty()`).
  const clang::FieldDecl *Flag = nullptr;
  const clang::Expr *Value = nullptr;
};

struct ConsumerRole {
  bool Drains = false;
  QueueOperation Pop;
  /// The loop around the pop, in LoopFunction.
  const clang::Stmt *PopLoop = nullptr;
  const clang::FunctionDecl *LoopFunction = nullptr;
  /// The calls from the function asked about down to LoopFunction.
  llvm::SmallVector<const clang::CallExpr *, 3> ViaToLoop;
  /// Normal ways out, undrained and unwoken.
  std::vector<RoleExit> Exits;
  /// Exceptions that leave the function, undrained and unwoken.
  std::vector<RoleExit> ThrowExits;
  /// The pop loop also ends on an end marker of the producer's.
  bool EndsOnSentinel = false;
  MarkerSpec Marker;
  /// It ends on a count of its own (`for (i = 0; i < n; ++i) pop`): early
  /// exits still strand the producer, but it waits for no close.
  bool EndsOnOwnCondition = false;
  /// It ends on a stop flag someone raises (`while (running_)`).
  bool EndsOnStopFlag = false;
  /// It took a comparison of the popped value with a constant (`item < 0`)
  /// for the producer's end marker: that holds only if the producers push
  /// such a constant; otherwise the comparison tests the data.
  bool UsesRangeSentinel = false;
};

struct ProducerRole {
  bool Produces = false;
  /// Normal ways out without closing the queue or sending its markers.
  std::vector<RoleExit> Exits;
  /// Exceptions that leave the function without closing.
  std::vector<RoleExit> ThrowExits;
  /// Whether it closes (or sends markers) on some path at all.
  bool EverCloses = false;
};

/// What the calling thread's own consumer question adds: the waits on the
/// producer, which hang when reached unwoken, and where its part starts.
struct CallerContext {
  llvm::function_ref<bool(const clang::CFGElement &)> IsWaitOnProducer;
  clang::SourceLocation NotBefore;
};

struct ProducerQuestion {
  /// The consumers end on these end markers: pushing them is what wakes
  /// them (null: they wait for a close).
  const MarkerSpec *Markers = nullptr;
  /// A condition that says the consumers are gone (a flag they set as they
  /// leave): the paths through it strand nobody.
  llvm::function_ref<bool(const clang::Expr *)> SaysConsumersGone;
  /// Only ways out at or after this point count (the calling thread's part
  /// starts at its first spawn).
  clang::SourceLocation NotBefore;
};

class RoleAnalysis {
public:
  explicit RoleAnalysis(Summaries &S) : S(S) {}

  /// The consumer question, memoised per function and queue.
  const ConsumerRole &consumer(const clang::FunctionDecl *F,
                               const AccessPath &Queue);
  /// The consumer question again, with comparisons of the popped value
  /// (`item < 0`) read as tests of the data, not end markers: for producers
  /// that push no constant. \p Caller as for callerConsumer, or null.
  ConsumerRole consumerTestingData(const clang::FunctionDecl *F,
                                   const AccessPath &Queue,
                                   const CallerContext *Caller);
  /// The same for the calling thread: its waits on the producer hang.
  ConsumerRole callerConsumer(const clang::FunctionDecl *F,
                              const AccessPath &Queue,
                              const CallerContext &Caller);
  ProducerRole producer(const clang::FunctionDecl *F, const AccessPath &Queue,
                        const ProducerQuestion &Question);
  /// The producer question as if storing an error in the queue woke the
  /// consumers (a pop repaired to wake on it): the ways out that neither
  /// close nor store the error.
  ProducerRole producerIfStoredErrorsWoke(const clang::FunctionDecl *F,
                                          const AccessPath &Queue,
                                          const ProducerQuestion &Question);
  /// The producer question as if each function of \p Aborting closed the
  /// queue on every exception that leaves it (its body wrapped in a handler
  /// that closes and rethrows): the ways out that would still strand.
  ProducerRole producerIfUnwindingCloses(
      const clang::FunctionDecl *F, const AccessPath &Queue,
      const ProducerQuestion &Question,
      llvm::ArrayRef<const clang::FunctionDecl *> Aborting);

  /// Whether every path through \p F closes \p Queue for \p Side (or, for
  /// consumers that stop on \p Markers, sends them).
  bool closesOnAllPaths(const clang::FunctionDecl *F, const AccessPath &Queue,
                        QueueSide Side, const MarkerSpec *Markers = nullptr);
  /// Whether a guard in scope at \p Throw (up to \p UpTo) wakes \p Side
  /// as the exception unwinds, before any local that \p WaitsOnDestruction
  /// (a thread handle joined by its destructor) is destroyed.
  bool unwindingWakes(const clang::Stmt *Throw, const clang::Stmt *UpTo,
                      const clang::FunctionDecl *F, const AccessPath &Queue,
                      QueueSide Side, const MarkerSpec *Markers,
                      llvm::function_ref<bool(const clang::VarDecl *)>
                          WaitsOnDestruction = nullptr);
  /// Whether the destructor of local \p Var (of function \p F) closes
  /// \p Queue for \p Side: a closing guard, a scope guard given a lambda
  /// that closes, an owner whose destructor closes.
  bool guardWakes(const clang::VarDecl *Var, const clang::FunctionDecl *F,
                  const AccessPath &Queue, QueueSide Side,
                  const MarkerSpec *Markers);
  /// Whether an exception can leave \p F before it has closed \p Queue for
  /// \p Side (a function that closes, then rethrows, wakes first).
  bool throwsUnwoken(const clang::FunctionDecl *F, const AccessPath &Queue,
                     QueueSide Side, const MarkerSpec *Markers);
  /// Whether \p Op pushes an end marker of \p Markers' kind: a value that
  /// is the same on every iteration and matches what the consumers stop on
  /// (an empty value, the same constant, a flagged object).
  bool isMarkerPush(const ReachedOp &Op, const MarkerSpec *Markers);
  /// The most items one run of \p F pushes into \p Queue: 0, 1, ..., or
  /// nullopt when a push can repeat (a loop).
  std::optional<unsigned> maxPushes(const clang::FunctionDecl *F,
                                    const AccessPath &Queue);

  Summaries &summaries() { return S; }

  /// \p Queue (in \p F's terms) as \p Callee sees it at \p Call, or an
  /// invalid path when the call does not pass it.
  AccessPath calleePath(const clang::CallExpr *Call,
                        const clang::FunctionDecl *Callee,
                        const clang::FunctionDecl *F, const AccessPath &Queue);

private:
  struct ConsumerRun;
  struct ProducerRun;
  ConsumerRole analyzeConsumer(const clang::FunctionDecl *F,
                               const AccessPath &Queue,
                               const CallerContext *Caller);
  bool wakesAt(const clang::CFGElement &Element, const clang::FunctionDecl *F,
               const AccessPath &Queue, QueueSide Side,
               const MarkerSpec *Markers);

  Summaries &S;
  using Key = std::pair<const clang::FunctionDecl *, AccessPath>;
  llvm::DenseMap<Key, std::unique_ptr<ConsumerRole>> Consumers;
  /// The same while comparisons of popped values are read as data tests
  /// (consumerTestingData, for the helpers it reaches too).
  llvm::DenseMap<Key, std::unique_ptr<ConsumerRole>> DataTestingConsumers;
  bool RangeSentinelsAreData = false;
  /// Set while producerIfStoredErrorsWoke asks; part of the memos' keys.
  bool StoredErrorsWake = false;
  /// Set while producerIfUnwindingCloses asks: the functions supposed to
  /// close on the exceptions that leave them. Also part of the keys, and
  /// the memos it fills are dropped when it returns.
  llvm::SmallPtrSet<const clang::FunctionDecl *, 4> ClosesOnUnwind;
  static constexpr int HypothesisKey = 4;
  int sideKey(QueueSide Side) const {
    return int(Side) + (StoredErrorsWake ? 2 : 0) +
           (ClosesOnUnwind.empty() ? 0 : HypothesisKey);
  }
  bool closesOnUnwind(const clang::FunctionDecl *F) const {
    return ClosesOnUnwind.contains(F->getCanonicalDecl());
  }
  llvm::DenseMap<std::tuple<Key, int, const MarkerSpec *>, bool> AllPathCloses;
  llvm::DenseMap<Key, std::optional<unsigned>> PushCounts;
  llvm::DenseMap<std::tuple<Key, int, const MarkerSpec *>, bool> UnwokenThrows;
  /// Edges a producer takes with nobody left to wake: past a loop that
  /// sends one marker per consumer, a counted hand-off to the last producer,
  /// a push (or a helper's) reporting the queue closed.
  void producerToldClosed(const clang::FunctionDecl *F, const AccessPath &Queue,
                          const MarkerSpec *Markers,
                          llvm::DenseSet<std::pair<unsigned, unsigned>> &Out);
  unsigned Depth = 0;
};

/// The stop-flag test that lets \p Loop go on: its whole condition or a
/// conjunct of it (`while (running_)`, `for (; !stop_ && more;)`); null when
/// the loop has none.
const clang::Expr *loopStopTest(const clang::Stmt *Loop);

/// Whether \p Cond only reads a stop flag: `running_`, `!stop`,
/// `running.load()`, `token.stop_requested()`, an atomic's conversion.
bool isStopFlagTest(const clang::Expr *Cond);

} // namespace fanout

#endif
