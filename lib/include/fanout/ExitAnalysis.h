//===- ExitAnalysis.h - How a consumer leaves its pop loop ----------------===//
//
// On a consumer's CFG: the ways it can finish without the queue having told
// it that it is closed (return, break, throw, goto, a loop condition with
// another conjunct), and whether something wakes the producer on the way
// (a close that wakes a blocked push, a guard whose destructor closes, a
// helper that closes, the end of the process).
//
//===----------------------------------------------------------------------===//
#ifndef FANOUT_EXITANALYSIS_H
#define FANOUT_EXITANALYSIS_H

#include "fanout/QueueModel.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include <optional>
#include <vector>

namespace fanout {

enum class ExitKind {
  Return,
  Break,
  Throw,
  Goto,
  LoopCondition,
  FallOff, ///< The end of the function body (Stmt is the body).
  /// A call whose exception leaves the consumer (Stmt is the call): only for
  /// threads where an escaping exception ends the task, not the process.
  ThrowingCall,
};

/// A way out of a consumer that leaves the producer asleep.
struct StrandingExit {
  const clang::Stmt *Stmt = nullptr; ///< The return/break/throw/goto, or the
                                     ///< loop-condition conjunct.
  ExitKind Kind = ExitKind::Return;
};

/// Recognises the operations on the one queue being analysed.
using QueueOpFinder =
    llvm::function_ref<std::optional<QueueOperation>(const clang::CallExpr *)>;

struct ConsumerSummary {
  const clang::CallExpr *Pop = nullptr;
  const clang::Stmt *PopLoop = nullptr;
  std::vector<StrandingExit> Exits;
  /// Whether the consumer also stops on a sentinel item from the producer
  /// (so the producer need not close the queue).
  bool EndsOnSentinel = false;
  /// Whether the pop loop ends on a condition of its own that is neither the
  /// queue's answer nor a stop flag (`for (i = 0; i != n; ++i)`): a counted
  /// consumer. Its early exits strand the producer as any other's, but it
  /// does not wait for a close.
  bool EndsOnOwnCondition = false;
};

/// Analyses \p Body (the function a consumer thread runs). Returns nothing
/// when it does not pop from the queue in a loop that lasts until the queue
/// is closed, i.e. when it is not a draining consumer.
/// With \p ExceptionsEndTask (std::async, task groups: an escaping exception
/// is stored, not fatal), calls that can throw out of the consumer are exits
/// too.
std::optional<ConsumerSummary> analyzeConsumer(const clang::FunctionDecl *Body,
                                               clang::ASTContext &Ctx,
                                               QueueOpFinder OnQueue,
                                               bool ExceptionsEndTask = false);

/// The ways \p Body can finish without having closed the queue: returns,
/// throws, and falling off its end (FallOff), each on a path that reaches
/// the end with no close, helper that closes, closing guard or exit of the
/// process.
std::vector<StrandingExit>
findExitsWithoutClose(const clang::FunctionDecl *Body, clang::ASTContext &Ctx,
                      QueueOpFinder OnQueue);

/// Whether \p Call certainly closes the queue: directly, or through a
/// lambda or function it calls (bounded depth). With \p QueueInCaller (how
/// the caller names the queue) and its \p Api, a helper that closes its
/// parameter counts when the call passes it the queue (`stop(q)`).
bool closesQueue(const clang::CallExpr *Call, QueueOpFinder OnQueue,
                 int Depth = 0, const clang::Expr *QueueInCaller = nullptr,
                 const QueueApi *Api = nullptr);

} // namespace fanout

#endif
