//===- FixPlanner.cpp - Cancellation fixes for stranded producers ---------===//
//
// The fix wakes the producer and makes it stop cleanly:
//  1. Close the queue where every stranding exit is covered at once: in the
//     spawning function after the consumers are joined and before the
//     producer is waited on (the shape of the upstream Go fix); else on each
//     stranding exit of each consumer.
//  2. Make the producer handle a closed queue as the API reports it: check a
//     bool result, or catch the exception that a woken push throws.
// Where an edit would land in a macro, or the queue cannot be named where the
// edit goes, or the API has no close that wakes a blocked push, no fix-it is
// offered; a note suggests the code instead.
//
//===----------------------------------------------------------------------===//
#include "fanout/AstHelpers.h"
#include "fanout/Edits.h"
#include "fanout/StrandedProducer.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/Support/FormatVariadic.h"

using namespace clang;
using namespace llvm;

namespace fanout {
namespace {

class Planner {
public:
  Planner(const StrandedProducerCase &Case, ASTContext &Ctx)
      : Case(Case), Ctx(Ctx), SM(Ctx.getSourceManager()),
        LangOpts(Ctx.getLangOpts()) {}

  FixPlan run();

private:
  bool planJoinSideClose();
  bool planExitCloses();
  bool planProducerHandling();
  std::string closeCall(const QueueOperation &Through) const;
  std::string indentationOf(SourceLocation Loc) const;
  SourceLocation afterStatement(const Stmt *S) const;
  bool insertBefore(const Stmt *S, const ParentMap &Parents,
                    const std::string &Code);
  void addNote(SourceLocation Loc, std::string Message) {
    Plan.Notes.push_back({Loc, std::move(Message), {}});
  }

  const StrandedProducerCase &Case;
  ASTContext &Ctx;
  const SourceManager &SM;
  const LangOptions &LangOpts;
  FixPlan Plan;
  std::vector<FixItHint> Edits;
  bool Unsafe = false; ///< Some edit could not be made certainly right.
};

std::string Planner::closeCall(const QueueOperation &Through) const {
  std::string Object = sourceText(Through.Object, Ctx);
  if (Object.empty() || Case.Api->Close.empty())
    return {};
  if (isa<CXXThisExpr>(Through.Object->IgnoreParenImpCasts()))
    return Case.Api->Close.front() + "();";
  return Object + (Through.Arrow ? "->" : ".") + Case.Api->Close.front() +
         "();";
}

std::string Planner::indentationOf(SourceLocation Loc) const {
  return fanout::indentationOf(Loc, SM);
}

SourceLocation Planner::afterStatement(const Stmt *S) const {
  return fanout::afterStatement(S, Ctx);
}

bool Planner::insertBefore(const Stmt *S, const ParentMap &Parents,
                           const std::string &Code) {
  if (insertStatementBefore(S, Parents, Code, Ctx, Edits))
    return true;
  Unsafe = true;
  return false;
}

/// One close in the spawning function covers every exit of every consumer
/// when the consumers are all joined there before the producer is waited on.
bool Planner::planJoinSideClose() {
  if (!Case.ProducerSpawn || !Case.ProducerWait || Case.ConsumerWaits.empty())
    return false;
  for (const ConsumerCase &Consumer : Case.Consumers)
    if (none_of(Case.ConsumerWaits, [&](const WaitSite *Wait) {
          return Wait->Handle == Consumer.Spawn->Handle;
        }))
      return false;
  // The close goes before explicit waits only: a destructor's wait has no
  // statement to go before.
  if (Case.ProducerWait->isImplicit() ||
      any_of(Case.ConsumerWaits,
             [](const WaitSite *W) { return W->isImplicit(); }))
    return false;
  SourceLocation ProducerWaitLoc = Case.ProducerWait->Loc;
  for (const WaitSite *Wait : Case.ConsumerWaits)
    if (!SM.isBeforeInTranslationUnit(Wait->Loc, ProducerWaitLoc))
      return false;
  // The queue must be nameable in the spawning function.
  const auto *Var = dyn_cast<VarDecl>(Case.Queue);
  const auto *Field = dyn_cast<FieldDecl>(Case.Queue);
  const auto *Method = dyn_cast<CXXMethodDecl>(Case.Spawner);
  bool Visible = (Var && (Var->getDeclContext() == Case.Spawner ||
                          Var->hasGlobalStorage() || isa<ParmVarDecl>(Var))) ||
                 (Field && Method && Method->getParent() == Field->getParent());
  if (!Visible || Case.Api->Close.empty())
    return false;
  QualType T = Case.Queue->getType().getNonReferenceType();
  bool Pointer =
      T->isPointerType() ||
      (T->getAsCXXRecordDecl() && pointeeRecord(T) != T->getAsCXXRecordDecl());
  std::string Code = Case.Queue->getNameAsString() + (Pointer ? "->" : ".") +
                     Case.Api->Close.front() + "();";
  ParentMap Parents(Case.Spawner->getBody());
  return insertBefore(Case.ProducerWait->Expr, Parents, Code);
}

bool Planner::planExitCloses() {
  for (const ConsumerCase &Consumer : Case.Consumers) {
    std::string Code = closeCall(Consumer.Pop);
    if (Code.empty())
      return false;
    const FunctionDecl *Body = Consumer.Body;
    ParentMap Parents(Body->getBody());
    for (const StrandingExit &Exit : Consumer.Summary.Exits) {
      if (Exit.Kind == ExitKind::LoopCondition) {
        // Close once the loop ends, however it ends: closing twice is fine.
        const Stmt *Loop = Consumer.Summary.PopLoop;
        SourceLocation After = afterStatement(Loop);
        if (After.isInvalid() || isInMacro(Loop->getSourceRange()) ||
            !isa_and_nonnull<CompoundStmt>(Parents.getParent(Loop)))
          return false;
        Edits.push_back(FixItHint::CreateInsertion(
            After, "\n" + indentationOf(Loop->getBeginLoc()) + Code));
        continue;
      }
      if (!insertBefore(Exit.Stmt, Parents, Code))
        return false;
    }
  }
  return true;
}

/// After the fix a woken push reports the closed queue; the producer must
/// stop on it rather than push again or die of an uncaught exception.
bool Planner::planProducerHandling() {
  const Stmt *Body = Case.ProducerFunction->getBody();
  ParentMap Parents(const_cast<Stmt *>(Body));
  const CallExpr *Push = Case.Push.Call;
  switch (Case.Api->OnClosedPush) {
  case ClosedPushResult::Ignored:
    return true;
  case ClosedPushResult::ReturnsFalse:
  case ClosedPushResult::ReturnsStatus: {
    bool Status = Case.Api->OnClosedPush == ClosedPushResult::ReturnsStatus;
    if (Status && Case.Api->ClosedStatus.empty())
      return false;
    // A push whose result is already looked at (`if (!q.push(x))`,
    // `ok = q.push(x)`) needs nothing; one used as a statement does.
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
    if (!Discarded)
      return true;
    // The push is a statement of its own: stop when it fails. `break` ends
    // the producer loop when the push is directly in it.
    const Stmt *Loop = enclosingLoop(Push, Parents);
    bool BreakLeavesLoop = Loop == Case.ProducerLoop;
    for (const Stmt *P = Parents.getParent(Push); P && P != Loop;
         P = Parents.getParent(P))
      BreakLeavesLoop &= !isa<SwitchStmt>(P);
    std::string Stop;
    if (BreakLeavesLoop)
      Stop = "break;";
    else if (Case.ProducerFunction->getReturnType()->isVoidType())
      Stop = "return;";
    else
      return false;
    if (isInMacro(Push->getSourceRange()))
      return false;
    SourceLocation After = afterStatement(Push);
    if (After.isInvalid() || After.isMacroID())
      return false;
    // `if (!q.push(x)) break;`, or `if (q.push(x) == closed) break;`.
    Edits.push_back(FixItHint::CreateInsertion(Push->getBeginLoc(),
                                               Status ? "if (" : "if (!"));
    Edits.push_back(FixItHint::CreateReplacement(
        CharSourceRange::getCharRange(
            Lexer::getLocForEndOfToken(Push->getEndLoc(), 0, SM, LangOpts),
            After),
        (Status ? " == " + Case.Api->ClosedStatus + ") " : ") ") + Stop));
    return true;
  }
  case ClosedPushResult::Throws: {
    if (Case.Api->ClosedException.empty())
      return false;
    // Already caught around the loop?
    for (const Stmt *P = Parents.getParent(Push); P; P = Parents.getParent(P))
      if (const auto *Try = dyn_cast<CXXTryStmt>(P))
        for (unsigned I = 0; I < Try->getNumHandlers(); ++I) {
          const CXXCatchStmt *Handler = Try->getHandler(I);
          if (!Handler->getExceptionDecl())
            return true; // catch (...)
          if (const CXXRecordDecl *Caught =
                  pointeeRecord(Handler->getCaughtType().getNonReferenceType()))
            if (matchesQualifiedName(Caught, Case.Api->ClosedException) ||
                Caught->getName() == "exception")
              return true;
        }
    const Stmt *Loop = Case.ProducerLoop;
    if (isInMacro(Loop->getSourceRange()) ||
        !isa_and_nonnull<CompoundStmt>(Parents.getParent(Loop)))
      return false;
    SourceLocation After = afterStatement(Loop);
    if (After.isInvalid())
      return false;
    // Wrap the loop, re-indented one level, in a try block.
    std::string Indent = indentationOf(Loop->getBeginLoc());
    CharSourceRange LoopRange =
        CharSourceRange::getCharRange(Loop->getBeginLoc(), After);
    StringRef LoopText = Lexer::getSourceText(LoopRange, SM, LangOpts);
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
    Edits.push_back(FixItHint::CreateReplacement(LoopRange, Wrapped));
    return true;
  }
  case ClosedPushResult::Unknown:
    return false;
  }
  return false;
}

FixPlan Planner::run() {
  std::string Name = Case.Queue->getNameAsString();
  if (!Case.Api->hasReliableClose()) {
    std::string Why =
        Case.Api->Close.empty() ? formatv("'{0}' cannot be closed", Name).str()
        : !Case.Api->CloseIsPermanent
            ? formatv("'{0}' only wakes callers already waiting, so a "
                      "later push blocks again",
                      Case.Api->Close.front())
                  .str()
            : formatv("'{0}' does not wake a producer blocked in '{1}'",
                      Case.Api->Close.front(), Case.Push.MethodName)
                  .str();
    addNote(Case.Push.Call->getExprLoc(),
            formatv("no automatic fix: {0}; use a timed or non-blocking push "
                    "in a loop that also stops when a flag set on every "
                    "consumer exit is raised",
                    Why));
    return std::move(Plan);
  }
  // Each strategy with the producer's handling of the closed queue; the
  // first that works is the fix-it, the second an alternative note with its
  // own fix (a second quick fix in an editor).
  auto Attempt = [&](bool (Planner::*CloseStrategy)())
      -> std::optional<std::vector<FixItHint>> {
    Edits.clear();
    Unsafe = false;
    if (!(this->*CloseStrategy)() || !planProducerHandling() || Unsafe)
      return std::nullopt;
    return std::move(Edits);
  };
  std::optional<std::vector<FixItHint>> AfterJoins =
      Attempt(&Planner::planJoinSideClose);
  std::optional<std::vector<FixItHint>> OnExits =
      Attempt(&Planner::planExitCloses);
  if (AfterJoins) {
    Plan.Fixes = std::move(*AfterJoins);
    addNote(Case.ProducerWait->Loc,
            formatv("fix: close '{0}' once the consumers are joined, so that "
                    "a producer blocked in '{1}' wakes up",
                    Name, Case.Push.MethodName));
    if (OnExits)
      Plan.Notes.push_back(
          {Case.Push.Call->getExprLoc(),
           formatv("alternatively, close '{0}' on each consumer exit", Name),
           std::move(*OnExits)});
    return std::move(Plan);
  }
  if (OnExits) {
    Plan.Fixes = std::move(*OnExits);
    addNote(Case.Push.Call->getExprLoc(),
            formatv("fix: close '{0}' on each consumer exit, so that a "
                    "producer blocked in '{1}' wakes up",
                    Name, Case.Push.MethodName));
    return std::move(Plan);
  }
  Plan.Notes.clear();
  std::string Close = Name + "." +
                      (Case.Api->Close.empty() ? std::string("close")
                                               : Case.Api->Close.front()) +
                      "()";
  addNote(Case.Push.Call->getExprLoc(),
          formatv("no automatic fix is certain here; call '{0}' on each "
                  "consumer exit above (or once after the consumers are "
                  "joined), and stop the producer when '{1}' reports the "
                  "queue closed",
                  Close, Case.Push.MethodName));
  return std::move(Plan);
}

} // namespace

FixPlan planStrandedProducerFix(const StrandedProducerCase &Case,
                                ASTContext &Ctx) {
  return Planner(Case, Ctx).run();
}

} // namespace fanout
