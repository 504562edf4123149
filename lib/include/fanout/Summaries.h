//===- Summaries.h - What a function does to the queues it can reach ------===//
//
// The roles of a fan-out live wherever real code puts them: a thread body
// that calls `compressAll(queue, ...)`, a push in a helper two calls down,
// a pop loop in a member function of a class passed by pointer. A summary
// lists, once per function and translation unit, every queue operation the
// function performs itself or through the functions it calls, each with the
// queue as an access path in the function's own terms and the chain of calls
// that leads to it. Callers substitute their arguments into their callees'
// summaries (bottom-up, memoised, recursion cut), so a role found three
// calls down is a role of the thread. The same holds for whether a function
// can let an exception out.
//
//===----------------------------------------------------------------------===//
#ifndef FANOUT_SUMMARIES_H
#define FANOUT_SUMMARIES_H

#include "fanout/AccessPath.h"
#include "fanout/QueueModel.h"
#include "fanout/Spawns.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/ParentMap.h"
#include "clang/Analysis/AnalysisDeclContext.h"
#include "clang/Analysis/CFG.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include <memory>
#include <vector>

namespace fanout {

/// One queue operation a function performs, maybe several calls down.
struct ReachedOp {
  QueueOperation Op; ///< The call on the queue itself.
  /// The queue, relative to the function whose summary this is.
  AccessPath Queue;
  /// The calls from that function down to the one whose body holds Op.Call:
  /// empty when the function makes the call itself.
  llvm::SmallVector<const clang::CallExpr *, 3> Via;
  /// The function whose body holds Op.Call.
  const clang::FunctionDecl *Holder = nullptr;
  /// The same operation in the summary of the function Via.front() runs
  /// (the callee, or a lambda an algorithm calls), and that function.
  const ReachedOp *Inner = nullptr;
  const clang::FunctionDecl *InnerFunction = nullptr;
  /// Whether it sits in a loop: in Holder, or around any call of Via.
  bool InLoop = false;
  /// The call in the summarised function's own body that reaches Op: the
  /// call on the queue itself, or the first call of Via.
  const clang::CallExpr *callHere() const {
    return Via.empty() ? Op.Call : Via.front();
  }
};

/// The per-translation-unit store of summaries, CFGs and parent maps: one
/// of each per function, shared by every question asked.
class Summaries {
public:
  Summaries(clang::ASTContext &Ctx, QueueModel &Queues, SpawnModel &Spawns);
  ~Summaries();

  clang::ASTContext &context() const { return Ctx; }
  QueueModel &queues() const { return Queues; }
  SpawnModel &spawns() const { return Spawns; }

  /// Every queue operation \p F performs, directly or through calls.
  llvm::ArrayRef<ReachedOp> opsOf(const clang::FunctionDecl *F);
  /// The operations of \p F on \p Queue (a path in \p F's terms).
  std::vector<const ReachedOp *> opsOn(const clang::FunctionDecl *F,
                                       const AccessPath &Queue);

  /// Whether an exception can leave \p F: a `throw` it does not catch, or
  /// a call to visible code that can throw out, or to a library function
  /// that throws on bad data. noexcept functions, and calls whose code is
  /// not visible, do not.
  bool mayThrow(const clang::FunctionDecl *F);
  /// Whether \p Call can end in an exception (what it calls may throw).
  bool callMayThrow(const clang::CallExpr *Call);
  /// Whether constructing with \p Construct can throw out of the visible
  /// constructor.
  bool constructMayThrow(const clang::CXXConstructExpr *Construct);

  /// What an exception leaving \p S can be: the types thrown by the visible
  /// code it runs, or any type (Any) when a library call or a rethrow may
  /// throw it. Empty when nothing can.
  struct ThrownTypes {
    bool Any = false;
    llvm::SmallVector<const clang::Type *, 2> Types;
    bool empty() const { return !Any && Types.empty(); }
  };
  ThrownTypes thrownBy(const clang::Stmt *S);
  /// isCaughtWithin, knowing what the calls throw: a handler of
  /// `sync_queue_is_closed` does not catch the `runtime_error` a visible
  /// callee throws.
  bool caughtWithin(const clang::Stmt *S, const clang::ParentMap &Parents,
                    const clang::CXXCatchStmt **Handler = nullptr);

  /// The function whose body a call in \p Caller runs, when it is code of
  /// the user's with a body; null for library code, spawns and unknown
  /// calls.
  const clang::FunctionDecl *followedCallee(const clang::CallExpr *Call);

  /// Clang's per-function analysis context (CFG with implicit destructors,
  /// parent map, statement-to-block map), built once.
  clang::AnalysisDeclContext *analysisContext(const clang::FunctionDecl *F);
  const clang::ParentMap &parents(const clang::FunctionDecl *F);
  const clang::CFG *cfg(const clang::FunctionDecl *F);

  /// How many calls deep the summaries look.
  static constexpr unsigned MaxCallDepth = 8;

private:
  void summarize(const clang::FunctionDecl *F, std::vector<ReachedOp> &Out);
  void addCallee(const clang::CallExpr *Call, const clang::FunctionDecl *Caller,
                 const clang::FunctionDecl *Callee, bool InLoop,
                 bool ThisIsCallers, std::vector<ReachedOp> &Out);

  clang::ASTContext &Ctx;
  QueueModel &Queues;
  SpawnModel &Spawns;
  std::unique_ptr<clang::AnalysisDeclContextManager> Contexts;
  llvm::DenseMap<const clang::FunctionDecl *,
                 std::unique_ptr<std::vector<ReachedOp>>>
      Ops;
  llvm::SmallPtrSet<const clang::FunctionDecl *, 8> InProgress;
  llvm::DenseMap<const clang::FunctionDecl *, bool> Throws;
  ThrownTypes thrownOutOf(const clang::FunctionDecl *F);
  llvm::DenseMap<const clang::FunctionDecl *, ThrownTypes> ThrownOut;
  unsigned Depth = 0;
};

/// Whether \p S lies in the try block of a try statement that catches what
/// it throws (approximately: any handler catches a call's exception; a
/// `throw`'s type must match a handler).
bool isCaughtWithin(const clang::Stmt *S, const clang::ParentMap &Parents,
                    const clang::CXXCatchStmt **Handler = nullptr);
/// The same for an exception of one of \p Types (null: of any type).
bool isCaughtWithin(const clang::Stmt *S, const clang::ParentMap &Parents,
                    llvm::ArrayRef<const clang::Type *> Types,
                    const clang::CXXCatchStmt **Handler);

} // namespace fanout

#endif
