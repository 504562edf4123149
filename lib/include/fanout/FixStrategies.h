//===- FixStrategies.h - The stranded-producer fix, one strategy a unit ---===//
//
// planStrandedProducerFix (StrandedProducer.h) tries these strategies in
// turn and words the notes. Each is a function of the case alone and writes
// only the edits it returns, so a test can run one on its own:
//  - planJoinSideClose: one close after the consumers are joined;
//  - planRequestStopAfterJoins: for a push that waits on a stop token, that
//    stop requested after the consumers are joined;
//  - planExitCloses: a close on each stranding exit of each consumer;
//  - planProducerStop: the producer stops when its push finds the queue
//    closed (goes with either close);
//  - planStopSignal: for a queue that cannot be closed reliably, a stop
//    signal raised on the exits and a push retried until it is raised;
//  - planCloseWithException: for a close that takes the reason
//    (`abort(std::exception_ptr)`), each consumer's body wrapped in a
//    handler that aborts the queue with its exception and rethrows;
//  - planTryPushMethod: for a hand-written queue with nothing to retry, a
//    push that gives up added to its class (the stop signal then uses it).
//
//===----------------------------------------------------------------------===//
#ifndef FANOUT_FIXSTRATEGIES_H
#define FANOUT_FIXSTRATEGIES_H

#include "fanout/StrandedProducer.h"
#include "clang/AST/ASTContext.h"
#include "clang/Basic/Diagnostic.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include <optional>
#include <string>
#include <vector>

namespace fanout {

class Summaries;

/// How a function names the queue: the object expression of one of its own
/// operations, or the argument it passes the queue in.
struct QueueName {
  const clang::Expr *Object = nullptr;
  bool Arrow = false;
  bool ImplicitThis = false;
  bool valid() const { return Object || ImplicitThis; }
};

/// What every strategy reads: the case, its AST, and the helpers that turn
/// them into edits. It holds no edits, so strategies share one freely.
class FixContext {
public:
  FixContext(const StrandedProducerCase &Case, clang::ASTContext &Ctx);

  const StrandedProducerCase &Case;
  clang::ASTContext &Ctx;
  Summaries &S;
  const clang::SourceManager &SM;
  const clang::LangOptions &LangOpts;
  /// The queue and its blocking push as the messages name them.
  std::string Name, PushName;

  QueueName nameIn(const clang::FunctionDecl *F, const AccessPath &Queue) const;
  /// `q.close();` as \p F names the queue; empty where it cannot.
  std::string closeCode(const clang::FunctionDecl *F,
                        const AccessPath &Queue) const;
  /// Appends to \p Out the edits that run \p Code before \p Statement.
  bool insertBefore(const clang::Stmt *Statement, const clang::FunctionDecl *In,
                    const std::string &Code,
                    std::vector<clang::FixItHint> &Out) const;
  /// The lambda written in the spawning function whose call operator is
  /// \p Body (a thread body); null for any other body.
  const clang::LambdaExpr *lambdaRunning(const clang::FunctionDecl *Body) const;
  /// Where the first of \p Fixes that is not an include is (a note goes
  /// there); the push when there is none.
  clang::SourceLocation firstEdit(llvm::ArrayRef<clang::FixItHint> Fixes) const;
};

/// One strategy's fix: its edits, where its note goes, and what it does
/// (the note says why on top).
struct StrategyPlan {
  std::vector<clang::FixItHint> Edits;
  clang::SourceLocation NoteAt;
  std::string Summary;
};

/// A close in the spawning function once every consumer is joined and before
/// the producer is waited for; none otherwise.
std::optional<StrategyPlan> planJoinSideClose(const FixContext &Fx);

/// Where the consumers are the callers of a member that takes one item a
/// call: a close of the member queue before each join of the producer in the
/// class's members (its destructor, `stop()`); none otherwise.
std::optional<StrategyPlan> planOwnerClose(const FixContext &Fx);

/// A push that waits on a stop token: request that stop once the consumers
/// are joined, before the producer is (`producer.request_stop();`).
std::optional<StrategyPlan> planRequestStopAfterJoins(const FixContext &Fx);

/// A close on every stranding exit of every consumer, or a guard that closes
/// on every way out where a call may throw; none where an exit has no place
/// for it.
std::optional<StrategyPlan> planExitCloses(const FixContext &Fx);

/// Appends to \p Out the statement \p CodeFor gives (a close, a stop
/// request) on every stranding exit of every consumer, in the function that
/// holds the exit. False where some exit cannot take it.
bool planExitStatements(const FixContext &Fx,
                        llvm::function_ref<std::string(
                            const clang::FunctionDecl *, const AccessPath &)>
                            CodeFor,
                        bool GuardWhenCallsThrow,
                        std::vector<clang::FixItHint> &Out);

/// The edits that stop the producer once a closed queue wakes its push (a
/// checked result, a catch); empty when it stops already; none when it
/// cannot be made to.
std::optional<std::vector<clang::FixItHint>>
planProducerStop(const FixContext &Fx);

/// The code of a push that gives up instead of sleeping forever, a format
/// string of the object with its `.` or `->` ({0}) and the arguments ({1});
/// empty when the queue has none. \p Waits: whether it waits by itself.
std::string retryPushTemplate(const FixContext &Fx, bool &Waits);

/// For a queue closed with an exception (`abort(std::exception_ptr)`) whose
/// consumers, lambdas of the spawning function, strand the producer only by
/// exceptions: each body in `try { ... } catch (...) { q.abort(
/// std::current_exception()); throw; }`; none otherwise.
std::optional<StrategyPlan> planCloseWithException(const FixContext &Fx);

/// A member added to the user's queue class: a copy of the blocking push
/// whose wait is a test that returns false instead.
struct AddedTryPush {
  std::string Class, Name;
  std::vector<clang::FixItHint> Edits;
};

/// For a queue class of the project (not a system header) with no close and
/// no non-blocking push, whose blocking push is a void member defined in the
/// class with one wait this can turn into a test; none otherwise.
std::optional<AddedTryPush> planTryPushMethod(const FixContext &Fx);

/// For a queue without a reliable close: a stop signal raised on every
/// consumer exit, and each blocking push retried until there is room or the
/// signal is raised; none where that cannot be written certainly right.
std::optional<StrategyPlan> planStopSignal(const FixContext &Fx);

/// Where the consumers are callers that take one item a call and the
/// producer's loop runs while a stop flag allows: each blocking push becomes
/// a retry that also gives up once that flag is lowered; none otherwise.
std::optional<StrategyPlan> planStopOnOwnFlag(const FixContext &Fx);

} // namespace fanout

#endif
