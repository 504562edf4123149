//===- ProducerStop.cpp - The producer stops on a closed queue ------------===//
//
// After a close the woken push reports the closed queue as the API does; the
// producer must stop on it rather than push again or die of an uncaught
// exception: check a bool (or status) result, or catch the exception.
//
//===----------------------------------------------------------------------===//
#include "fanout/AstHelpers.h"
#include "fanout/Edits.h"
#include "fanout/FixStrategies.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Lex/Lexer.h"

using namespace clang;
using namespace llvm;

namespace fanout {
namespace {

/// Whether \p Push is a statement of its own, its result unread.
bool resultDiscarded(const CallExpr *Push, const ParentMap &Parents) {
  const Stmt *Statement = Push;
  const Stmt *Parent = Parents.getParent(Push);
  while (Parent && isa<ExprWithCleanups, ImplicitCastExpr>(Parent)) {
    Statement = Parent;
    Parent = Parents.getParent(Parent);
  }
  auto IsBody = [&](const Stmt *Body) { return Body == Statement; };
  bool Discarded = isa_and_nonnull<CompoundStmt>(Parent);
  if (const auto *If = dyn_cast_or_null<IfStmt>(Parent))
    Discarded = IsBody(If->getThen()) || IsBody(If->getElse());
  else if (const auto *While = dyn_cast_or_null<WhileStmt>(Parent))
    Discarded = IsBody(While->getBody());
  else if (const auto *For = dyn_cast_or_null<ForStmt>(Parent))
    Discarded = IsBody(For->getBody());
  else if (const auto *RangeFor = dyn_cast_or_null<CXXForRangeStmt>(Parent))
    Discarded = IsBody(RangeFor->getBody());
  else if (const auto *Do = dyn_cast_or_null<DoStmt>(Parent))
    Discarded = IsBody(Do->getBody());
  return Discarded;
}

/// `q.push(x);` becomes `if (!q.push(x)) break;` (or `== closed`): one
/// replacement of the statement, so the change reads whole in a diff.
bool stopPushStatement(const FixContext &Fx, const CallExpr *Push,
                       const FunctionDecl *Holder, bool Status,
                       std::vector<FixItHint> &Out) {
  const StrandedProducerCase &Case = Fx.Case;
  const ParentMap &Parents = Fx.S.parents(Holder);
  if (!resultDiscarded(Push, Parents))
    return true; // Its result is already looked at.
  // Only where the push repeats: a push in a helper fails fast once the
  // queue is closed, and the producer loop ends by itself.
  if (Holder != Case.ProducerLoopFunction)
    return true;
  const Stmt *Loop = enclosingLoop(Push, Parents);
  if (!Loop)
    return true;
  bool BreakLeavesLoop = Loop == Case.ProducerLoop;
  for (const Stmt *P = Parents.getParent(Push); P && P != Loop;
       P = Parents.getParent(P))
    BreakLeavesLoop &= !isa<SwitchStmt>(P);
  std::string Stop;
  if (BreakLeavesLoop)
    Stop = "break;";
  else if (Holder->getReturnType()->isVoidType())
    Stop = "return;";
  else if (Holder->getReturnType()->isBooleanType())
    Stop = "return false;"; // The push failed; say so to the caller.
  else
    return false;
  if (isInMacro(Push->getSourceRange()))
    return false;
  SourceLocation After = afterStatement(Push, Fx.Ctx);
  std::string Call = sourceText(Push, Fx.Ctx);
  if (After.isInvalid() || After.isMacroID() || Call.empty())
    return false;
  std::string Code =
      Status ? "if (" + Call + " == " + Case.Api->ClosedStatus + ") " + Stop
             : "if (!" + Call + ") " + Stop;
  Out.push_back(FixItHint::CreateReplacement(
      CharSourceRange::getCharRange(Push->getBeginLoc(), After), Code));
  return true;
}

/// Whether a handler around \p Push, in its function or up the calls,
/// already catches the closed queue's exception.
bool closedExceptionCaught(const FixContext &Fx, const CallExpr *Push,
                           const FunctionDecl *Holder) {
  const ParentMap &Parents = Fx.S.parents(Holder);
  for (const Stmt *P = Parents.getParent(Push); P; P = Parents.getParent(P))
    if (const auto *Try = dyn_cast<CXXTryStmt>(P))
      for (unsigned I = 0; I < Try->getNumHandlers(); ++I) {
        const CXXCatchStmt *Handler = Try->getHandler(I);
        if (!Handler->getExceptionDecl())
          return true; // catch (...)
        if (const CXXRecordDecl *Caught =
                pointeeRecord(Handler->getCaughtType().getNonReferenceType()))
          if (matchesQualifiedName(Caught, Fx.Case.Api->ClosedException) ||
              Caught->getName() == "exception")
            return true;
      }
  return false;
}

/// Wraps the producer loop, re-indented one level, in a try block that
/// catches the exception a closed queue's push throws.
bool catchAroundProducerLoop(const FixContext &Fx,
                             std::vector<FixItHint> &Out) {
  const StrandedProducerCase &Case = Fx.Case;
  const Stmt *Loop = Case.ProducerLoop;
  // A member producer outside any loop (a pool's submit) lets the exception
  // reach its callers, as the queue's API does.
  if (!Loop)
    return Case.producerIsMember();
  const ParentMap &Parents = Fx.S.parents(Case.ProducerLoopFunction);
  if (isInMacro(Loop->getSourceRange()) ||
      !isa_and_nonnull<CompoundStmt>(Parents.getParent(Loop)))
    return false;
  SourceLocation After = afterStatement(Loop, Fx.Ctx);
  if (After.isInvalid())
    return false;
  std::string Indent = indentationOf(Loop->getBeginLoc(), Fx.SM);
  CharSourceRange LoopRange =
      CharSourceRange::getCharRange(Loop->getBeginLoc(), After);
  StringRef LoopText = Lexer::getSourceText(LoopRange, Fx.SM, Fx.LangOpts);
  if (LoopText.empty() || LoopText.contains("R\""))
    return false; // A raw string would change if re-indented.
  std::string Wrapped = "try {\n" + Indent + "  ";
  for (char C : LoopText) {
    Wrapped += C;
    if (C == '\n')
      Wrapped += "  ";
  }
  Wrapped += "\n" + Indent + "} catch (const " + Case.Api->ClosedException +
             " &) {\n" + Indent + "  // The consumers are gone.\n" + Indent +
             "}";
  Out.push_back(FixItHint::CreateReplacement(LoopRange, Wrapped));
  return true;
}

/// The producer's handling, as the API reports a push on a closed queue.
bool stopOnClosedPush(const FixContext &Fx, std::vector<FixItHint> &Out) {
  const StrandedProducerCase &Case = Fx.Case;
  const CallExpr *Push = Case.Push->Op.Call;
  const FunctionDecl *Holder = Case.producerFunction();
  // A push whose result the producer already reads (`if (q.put(i) ==
  // chan_status::closed) break;`) stops the way the code says.
  if (Case.Api->OnClosedPush != ClosedPushResult::Throws &&
      !resultDiscarded(Push, Fx.S.parents(Holder)))
    return true;
  switch (Case.Api->OnClosedPush) {
  case ClosedPushResult::Ignored:
    return true;
  case ClosedPushResult::ReturnsFalse:
  case ClosedPushResult::ReturnsStatus: {
    bool Status = Case.Api->OnClosedPush == ClosedPushResult::ReturnsStatus;
    if (Status && Case.Api->ClosedStatus.empty())
      return false;
    return stopPushStatement(Fx, Push, Holder, Status, Out);
  }
  case ClosedPushResult::Throws:
    if (Case.Api->ClosedException.empty())
      return false;
    if (closedExceptionCaught(Fx, Push, Holder))
      return true;
    return catchAroundProducerLoop(Fx, Out);
  case ClosedPushResult::Unknown:
    return false;
  }
  return false;
}

} // namespace

std::optional<std::vector<FixItHint>> planProducerStop(const FixContext &Fx) {
  std::vector<FixItHint> Edits;
  if (!stopOnClosedPush(Fx, Edits))
    return std::nullopt;
  return Edits;
}

} // namespace fanout
