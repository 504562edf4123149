//===- CloseWithException.cpp - Abort the queue with what ended the thread
//-===//
//
// Some queues are closed with the reason (seastar's and ScyllaDB's
// `abort(std::exception_ptr)`): a blocked push wakes and throws it. When
// every way a consumer strands the producer is an exception, the consumer's
// body is wrapped in a handler that aborts the queue with that exception and
// rethrows it, so the thread still ends as it did (the shape of the upstream
// ScyllaDB repair fix).
//
//===----------------------------------------------------------------------===//
#include "fanout/AstHelpers.h"
#include "fanout/Edits.h"
#include "fanout/FixStrategies.h"
#include "clang/AST/ExprCXX.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/Support/FormatVariadic.h"

using namespace clang;
using namespace llvm;

namespace fanout {
namespace {

/// Whether \p Exit leaves by an exception that nothing on its way catches.
bool leavesByException(const RoleExit &Exit) {
  if (Exit.CaughtBy)
    return false;
  switch (Exit.Kind) {
  case ExitKind::Throw:
  case ExitKind::ThrowingCall:
    return Exit.Inner.empty() || all_of(Exit.Inner, leavesByException);
  case ExitKind::ViaCall:
    return !Exit.Inner.empty() && all_of(Exit.Inner, leavesByException);
  default:
    return false;
  }
}

} // namespace

std::optional<StrategyPlan> planCloseWithException(const FixContext &Fx) {
  const StrandedProducerCase &Case = Fx.Case;
  StringRef Close = Case.Api->reliableCloseFor(QueueSide::Producers);
  if (Close.empty() || Case.Consumers.empty())
    return std::nullopt;
  StrategyPlan Plan;
  for (const ConsumerCase &Consumer : Case.Consumers) {
    const FunctionDecl *Body = Consumer.Who->Function;
    const LambdaExpr *Lambda = Fx.lambdaRunning(Body);
    if (!Lambda || Consumer.Exits.empty() ||
        !all_of(Consumer.Exits, leavesByException))
      return std::nullopt;
    // The queue as the thread body names it.
    const RoleExit &Outer = Consumer.Exits.front();
    if (Outer.In != Body)
      return std::nullopt;
    QueueName Named = Fx.nameIn(Body, Outer.Queue);
    if (!Named.Object || !closeTakesException(Named.Object, Close))
      return std::nullopt;
    std::string Call =
        closeCallText(Named.Object, Named.Arrow, /*FreeFunction=*/false, Close,
                      Fx.Ctx, "std::current_exception()");
    if (Call.empty())
      return std::nullopt;
    std::optional<FixItHint> Wrap =
        wrapInRethrowingHandler(Lambda->getBody(), Call + ";", Fx.Ctx);
    if (!Wrap)
      return std::nullopt;
    Plan.Edits.push_back(std::move(*Wrap));
    insertIncludeIfMissing("exception", Lambda->getBeginLoc(), Fx.Ctx,
                           Plan.Edits);
  }
  Plan.NoteAt = Fx.firstEdit(Plan.Edits);
  Plan.Summary =
      formatv("abort '{0}' with the exception that ends each consumer, and "
              "rethrow it",
              Fx.Name)
          .str();
  return Plan;
}

} // namespace fanout
