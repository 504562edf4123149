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
#include "llvm/ADT/StringExtras.h"
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
  bool planExitStatements(
      llvm::function_ref<std::string(const ConsumerCase &)> CodeFor,
      bool GuardWhenCallsThrow = false);
  bool planProducerHandling();
  std::optional<std::string> planStopSignal();
  std::string retryPushTemplate(bool &Waits) const;
  const LambdaExpr *lambdaRunning(const FunctionDecl *Body) const;
  bool captureByReference(const LambdaExpr *Lambda, StringRef Name);
  std::string freshName(StringRef Base) const;
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
  return planExitStatements(
      [&](const ConsumerCase &Consumer) { return closeCall(Consumer.Pop); },
      /*GuardWhenCallsThrow=*/true);
}

/// Runs the statement \p CodeFor gives (a close, a stop request) on every
/// stranding exit of every consumer.
bool Planner::planExitStatements(
    function_ref<std::string(const ConsumerCase &)> CodeFor,
    bool GuardWhenCallsThrow) {
  for (const ConsumerCase &Consumer : Case.Consumers) {
    std::string Code = CodeFor(Consumer);
    if (Code.empty())
      return false;
    // An exception from a call leaves no statement to put the close before:
    // a guard declared first closes on every way out instead.
    if (any_of(Consumer.Summary.Exits, [](const StrandingExit &Exit) {
          return Exit.Kind == ExitKind::ThrowingCall;
        })) {
      std::optional<FixItHint> Guard =
          GuardWhenCallsThrow
              ? closeGuardInsertion(Consumer.Body->getBody(),
                                    Consumer.Pop.Object, Consumer.Pop.Arrow,
                                    Case.Api->Close.empty()
                                        ? StringRef()
                                        : StringRef(Case.Api->Close.front()),
                                    Ctx)
              : std::nullopt;
      if (!Guard)
        return false;
      Edits.push_back(*Guard);
      continue;
    }
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
    bool BreakLeavesLoop = Loop && Loop == Case.ProducerLoop;
    for (const Stmt *P = Parents.getParent(Push); P && P != Loop;
         P = Parents.getParent(P))
      BreakLeavesLoop &= !isa<SwitchStmt>(P);
    std::string Stop;
    if (BreakLeavesLoop)
      Stop = "break;";
    else if (Case.ProducerFunction->getReturnType()->isVoidType())
      Stop = "return;";
    else if (Case.ProducerFunction->getReturnType()->isBooleanType())
      Stop = "return false;"; // The push failed; say so to the caller.
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
    // A member producer outside any loop (a pool's submit) lets the
    // exception reach its callers, as the queue's API does.
    if (!Loop)
      return Case.ProducerIsMember;
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

/// The code of a push that gives up instead of sleeping forever: the API's
/// own row, or a non-blocking push of the class taking the same arguments as
/// the blocking one and returning whether it pushed.
std::string Planner::retryPushTemplate(bool &Waits) const {
  Waits = Case.Api->RetryPushWaits;
  if (!Case.Api->RetryPush.empty())
    return Case.Api->RetryPush;
  Waits = false;
  const CXXRecordDecl *Record =
      Case.Push.Object ? pointeeRecord(Case.Push.Object->getType()) : nullptr;
  if (!Record || !Record->hasDefinition())
    return {};
  for (const std::string &Name : Case.Api->NonBlockingPush)
    for (const CXXMethodDecl *Method : Record->getDefinition()->methods())
      if (Method->getIdentifier() && Method->getName() == Name &&
          Method->getNumParams() == Case.Push.Call->getNumArgs() &&
          Method->getReturnType()->isBooleanType())
        return "{0}" + Name + "({1})";
  return {};
}

/// The lambda expression whose call operator is \p Body, written in the
/// spawning function; null for any other body.
const LambdaExpr *Planner::lambdaRunning(const FunctionDecl *Body) const {
  const auto *Method = dyn_cast_or_null<CXXMethodDecl>(Body);
  if (!Method || !Method->getParent()->isLambda())
    return nullptr;
  const CXXRecordDecl *Class = Method->getParent();
  const LambdaExpr *Found = nullptr;
  std::vector<const Stmt *> Work{Case.Spawner->getBody()};
  while (!Work.empty() && !Found) {
    const Stmt *S = Work.back();
    Work.pop_back();
    if (const auto *Lambda = dyn_cast_or_null<LambdaExpr>(S))
      if (Lambda->getLambdaClass() == Class)
        Found = Lambda;
    if (S)
      for (const Stmt *Child : S->children())
        if (Child)
          Work.push_back(Child);
  }
  return Found;
}

/// Makes \p Lambda see \p Name by reference: nothing to do under `[&]`,
/// else `&Name` joins its capture list.
bool Planner::captureByReference(const LambdaExpr *Lambda, StringRef Name) {
  if (Lambda->getCaptureDefault() == LCD_ByRef)
    return true;
  SourceRange Intro = Lambda->getIntroducerRange();
  if (Intro.isInvalid() || isInMacro(Intro))
    return false;
  bool Empty = Lambda->capture_begin() == Lambda->capture_end() &&
               Lambda->getCaptureDefault() == LCD_None;
  Edits.push_back(FixItHint::CreateInsertion(
      Intro.getEnd(), (Empty ? "&" : ", &") + Name.str()));
  return true;
}

/// \p Base, or \p Base with a number, so that it names nothing in the
/// spawning function yet.
std::string Planner::freshName(StringRef Base) const {
  StringRef Text = Lexer::getSourceText(
      CharSourceRange::getTokenRange(Case.Spawner->getSourceRange()), SM,
      LangOpts);
  auto Used = [&](StringRef Name) {
    for (size_t At = Text.find(Name); At != StringRef::npos;
         At = Text.find(Name, At + 1)) {
      auto IsIdent = [](char C) { return isAlnum(C) || C == '_'; };
      bool Before = At > 0 && IsIdent(Text[At - 1]);
      bool After =
          At + Name.size() < Text.size() && IsIdent(Text[At + Name.size()]);
      if (!Before && !After)
        return true;
    }
    return false;
  };
  std::string Name = Base.str();
  for (int I = 2; Used(Name) && I < 100; ++I)
    Name = (Base + Twine(I)).str();
  return Name;
}

/// For queues that cannot be closed: a stop signal raised on every consumer
/// exit, and each blocking push turned into a retrying push that gives up
/// once it is raised. The signal is the producer std::jthread's own stop
/// token when the consumers can reach the thread; else a std::atomic<bool>
/// declared next to the queue. Returns what the fix does, for the note.
std::optional<std::string> Planner::planStopSignal() {
  bool Waits = false;
  std::string Retry = retryPushTemplate(Waits);
  const auto *Queue = dyn_cast<VarDecl>(Case.Queue);
  if (Retry.empty() || !Queue || Case.ProducerVia)
    return std::nullopt;
  for (const ConsumerCase &Consumer : Case.Consumers)
    if (Consumer.Via)
      return std::nullopt;
  const Stmt *SpawnerBody = Case.Spawner->getBody();
  ParentMap SpawnerParents(const_cast<Stmt *>(SpawnerBody));

  // Where the signal can be declared: right after the queue, or first thing
  // in the function that takes the queue as a parameter.
  SourceLocation DeclareAt;
  std::string DeclIndent;
  if (isa<ParmVarDecl>(Queue)) {
    if (Queue->getDeclContext() != Case.Spawner ||
        !isa<CompoundStmt>(SpawnerBody))
      return std::nullopt;
    const auto *Body = cast<CompoundStmt>(SpawnerBody);
    if (Body->body_empty() || isInMacro(Body->body_front()->getSourceRange()))
      return std::nullopt;
    DeclareAt = Body->body_front()->getBeginLoc();
    DeclIndent = indentationOf(DeclareAt);
  } else {
    const Stmt *DeclStatement = nullptr;
    forEachDescendant(SpawnerBody, [&](const Stmt *S) {
      if (const auto *DS = dyn_cast<DeclStmt>(S))
        if (is_contained(DS->decls(), Queue))
          DeclStatement = DS;
    });
    if (!DeclStatement || isInMacro(DeclStatement->getSourceRange()) ||
        !isa_and_nonnull<CompoundStmt>(SpawnerParents.getParent(DeclStatement)))
      return std::nullopt;
    DeclareAt = afterStatement(DeclStatement);
    DeclIndent = indentationOf(DeclStatement->getBeginLoc());
  }
  if (DeclareAt.isInvalid() || DeclareAt.isMacroID())
    return std::nullopt;

  // Every thread body involved is a lambda written after that point.
  std::vector<const LambdaExpr *> ConsumerLambdas;
  for (const ConsumerCase &Consumer : Case.Consumers) {
    const LambdaExpr *Lambda = lambdaRunning(Consumer.Body);
    if (!Lambda ||
        !SM.isBeforeInTranslationUnit(DeclareAt, Lambda->getBeginLoc()))
      return std::nullopt;
    ConsumerLambdas.push_back(Lambda);
  }
  const LambdaExpr *ProducerLambda = nullptr;
  if (Case.ProducerSpawn) {
    ProducerLambda = lambdaRunning(Case.ProducerFunction);
    if (!ProducerLambda ||
        !SM.isBeforeInTranslationUnit(DeclareAt, ProducerLambda->getBeginLoc()))
      return std::nullopt;
  }

  // The signal: a std::stop_source the function already has, or the
  // producer jthread's stop token when every consumer is started after that
  // thread (so it can name it), else an atomic flag.
  std::string Raise, Raised, Description, Until;
  auto BeforeAllBodies = [&](SourceLocation Loc) {
    return all_of(ConsumerLambdas,
                  [&](const LambdaExpr *Lambda) {
                    return SM.isBeforeInTranslationUnit(Loc,
                                                        Lambda->getBeginLoc());
                  }) &&
           (!ProducerLambda ||
            SM.isBeforeInTranslationUnit(Loc, ProducerLambda->getBeginLoc())) &&
           all_of(Case.ProducerPushes, [&](const QueueOperation &Push) {
             return SM.isBeforeInTranslationUnit(Loc, Push.Call->getBeginLoc());
           });
  };
  const VarDecl *StopSource = nullptr;
  forEachDescendant(SpawnerBody, [&](const Stmt *S) {
    if (const auto *DS = dyn_cast<DeclStmt>(S))
      for (const Decl *D : DS->decls())
        if (const auto *Var = dyn_cast<VarDecl>(D)) {
          const CXXRecordDecl *Type = Var->getType()->getAsCXXRecordDecl();
          if (!StopSource && Type && Type->isInStdNamespace() &&
              Type->getName() == "stop_source" && Var->getIdentifier() &&
              BeforeAllBodies(Var->getLocation()))
            StopSource = Var;
        }
  });
  const VarDecl *ProducerThread =
      Case.ProducerSpawn && Case.ProducerSpawn->Kind == "std::jthread"
          ? Case.ProducerSpawn->Handle
          : nullptr;
  if (StopSource) {
    std::string Source = StopSource->getNameAsString();
    for (const LambdaExpr *Lambda : ConsumerLambdas)
      if (!captureByReference(Lambda, Source))
        return std::nullopt;
    if (ProducerLambda && !captureByReference(ProducerLambda, Source))
      return std::nullopt;
    Raise = Source + ".request_stop();";
    Raised = Source + ".stop_requested()";
    Description =
        formatv("request stop through '{0}' on each consumer exit", Source)
            .str();
    Until = "stop is requested";
  } else if (ProducerThread && ProducerLambda &&
             ProducerThread->getType()->getAsCXXRecordDecl() &&
             ProducerThread->getType()->getAsCXXRecordDecl()->getName() ==
                 "jthread" &&
             all_of(ConsumerLambdas, [&](const LambdaExpr *Lambda) {
               return SM.isBeforeInTranslationUnit(
                   ProducerThread->getLocation(), Lambda->getBeginLoc());
             })) {
    const FunctionDecl *Op = Case.ProducerFunction;
    std::string Token;
    if (Op->getNumParams() == 0) {
      // Have the thread pass its token: `[&](std::stop_token stop) {...}`.
      Token = freshName("stopToken");
      const TypeSourceInfo *TSI = Op->getTypeSourceInfo();
      auto Proto = TSI ? TSI->getTypeLoc().getAsAdjusted<FunctionProtoTypeLoc>()
                       : FunctionProtoTypeLoc();
      if (!ProducerLambda->hasExplicitParameters()) {
        SourceLocation Intro = ProducerLambda->getIntroducerRange().getEnd();
        if (Intro.isInvalid() || Intro.isMacroID())
          return std::nullopt;
        Edits.push_back(FixItHint::CreateInsertion(
            Lexer::getLocForEndOfToken(Intro, 0, SM, LangOpts),
            "(std::stop_token " + Token + ")"));
      } else if (Proto && Proto.getLParenLoc().isValid() &&
                 !Proto.getLParenLoc().isMacroID()) {
        Edits.push_back(FixItHint::CreateInsertion(
            Lexer::getLocForEndOfToken(Proto.getLParenLoc(), 0, SM, LangOpts),
            "std::stop_token " + Token));
      } else {
        return std::nullopt;
      }
    } else {
      const ParmVarDecl *First = Op->getParamDecl(0);
      const CXXRecordDecl *Type =
          First->getType().getNonReferenceType()->getAsCXXRecordDecl();
      if (!Type || Type->getName() != "stop_token" || !First->getIdentifier())
        return std::nullopt;
      Token = First->getName().str();
    }
    std::string Thread = ProducerThread->getNameAsString();
    for (const LambdaExpr *Lambda : ConsumerLambdas)
      if (!captureByReference(Lambda, Thread))
        return std::nullopt;
    Raise = Thread + ".request_stop();";
    Raised = Token + ".stop_requested()";
    Description = formatv("request stop of the producer thread '{0}' on each "
                          "consumer exit",
                          Thread);
    Until = "stop is requested";
  } else {
    std::string QueueName = Queue->getNameAsString();
    std::string Flag =
        freshName(StringRef(QueueName).contains('_') ||
                          StringRef(QueueName).ends_with("_")
                      ? StringRef(QueueName).rtrim('_').str() + "_closed"
                      : QueueName + "Closed");
    Edits.push_back(FixItHint::CreateInsertion(
        DeclareAt,
        isa<ParmVarDecl>(Queue)
            ? "std::atomic<bool> " + Flag + "{false};\n" + DeclIndent
            : "\n" + DeclIndent + "std::atomic<bool> " + Flag + "{false};"));
    insertIncludeIfMissing("atomic", DeclareAt, Ctx, Edits);
    for (const LambdaExpr *Lambda : ConsumerLambdas)
      if (!captureByReference(Lambda, Flag))
        return std::nullopt;
    if (ProducerLambda && !captureByReference(ProducerLambda, Flag))
      return std::nullopt;
    Raise = Flag + " = true;";
    Raised = Flag;
    Description = formatv("raise '{0}' on each consumer exit", Flag).str();
    Until = formatv("'{0}' is raised", Flag).str();
  }
  if (!planExitStatements(
          [&](const ConsumerCase &) { return std::string(Raise); }))
    return std::nullopt;

  // Each blocking push, a statement of its own, becomes a retry that gives
  // up once the signal is raised; in the producer loop, the loop stops too.
  const Stmt *ProducerBody = Case.ProducerFunction->getBody();
  ParentMap Parents(const_cast<Stmt *>(ProducerBody));
  for (const QueueOperation &Push : Case.ProducerPushes) {
    const CallExpr *Call = Push.Call;
    if (!contains(ProducerBody, Call) || isInMacro(Call->getSourceRange()))
      return std::nullopt;
    const Stmt *Statement = Call;
    const Stmt *Parent = Parents.getParent(Call);
    while (Parent && isa<ExprWithCleanups, ImplicitCastExpr>(Parent)) {
      Statement = Parent;
      Parent = Parents.getParent(Parent);
    }
    // Only a push whose result nobody reads, and whose arguments can be
    // evaluated again on each attempt.
    if (!isa_and_nonnull<CompoundStmt, IfStmt, WhileStmt, ForStmt, DoStmt,
                         CXXForRangeStmt>(Parent) ||
        (isa<IfStmt, WhileStmt, ForStmt, DoStmt>(Parent) &&
         none_of(Parent->children(),
                 [&](const Stmt *Child) { return Child == Statement; })))
      return std::nullopt;
    if (const auto *If = dyn_cast<IfStmt>(Parent))
      if (If->getCond() == Statement)
        return std::nullopt;
    std::string Args;
    for (const Expr *Arg : Call->arguments()) {
      const Expr *Plain = ignoreWrappers(Arg);
      if (const auto *Move = dyn_cast<CallExpr>(Plain))
        if (Move->isCallToStdMove() && Move->getNumArgs() == 1)
          Plain = ignoreWrappers(Move->getArg(0));
      if (Plain->HasSideEffects(Ctx) || isa<CXXDefaultArgExpr>(Arg))
        return std::nullopt;
      std::string Text = sourceText(Arg, Ctx);
      if (Text.empty())
        return std::nullopt;
      Args += (Args.empty() ? "" : ", ") + Text;
    }
    std::string Object = Push.Object ? sourceText(Push.Object, Ctx) : "";
    if (Object.empty() || isa<CXXThisExpr>(Push.Object->IgnoreParenImpCasts()))
      return std::nullopt;
    std::string Attempt =
        formatv(Retry.c_str(), Object + (Push.Arrow ? "->" : "."), Args).str();
    // Once the signal is raised the producer must also stop producing: a
    // push in the producer loop leaves it (break from the outermost loop,
    // else return from a thread's void body); one outside any loop just
    // gives up.
    std::string Stop;
    if (const Stmt *Loop = enclosingLoop(Call, Parents)) {
      bool BreakLeavesAll =
          Loop == Case.ProducerLoop && !enclosingLoop(Loop, Parents);
      for (const Stmt *P = Parents.getParent(Call); P && P != Loop;
           P = Parents.getParent(P))
        BreakLeavesAll &= !isa<SwitchStmt>(P);
      if (BreakLeavesAll)
        Stop = "break;";
      else if (Case.ProducerSpawn &&
               Case.ProducerFunction->getReturnType()->isVoidType())
        Stop = "return;";
      else
        return std::nullopt;
    }
    std::optional<BraceOpening> Brace;
    std::string Indent = indentationOf(Statement->getBeginLoc());
    if (!Stop.empty() && !isa<CompoundStmt>(Parent)) {
      // A lone loop body becomes a block to hold the stop.
      Brace = braceOpening(Statement, Parent, Ctx);
      if (!Brace)
        return std::nullopt;
    }
    std::string Code = "while (!" + Raised + " && !" + Attempt + ")";
    Code += Waits ? " {\n" + Indent + "}"
                  : "\n" + Indent +
                        "  std::this_thread::sleep_for(std::chrono::"
                        "milliseconds(1));";
    if (!Stop.empty())
      Code += "\n" + Indent + "if (" + Raised + ")\n" + Indent + "  " + Stop;
    if (Brace) {
      Edits.push_back(FixItHint::CreateInsertion(Brace->OpenAt, " {"));
      Code += "\n" + Brace->ParentIndent + "}";
    }
    SourceLocation After = afterStatement(Statement);
    if (After.isInvalid() || After.isMacroID())
      return std::nullopt;
    Edits.push_back(FixItHint::CreateReplacement(
        CharSourceRange::getCharRange(Statement->getBeginLoc(), After), Code));
    insertIncludeIfMissing("chrono", DeclareAt, Ctx, Edits);
    if (!Waits)
      insertIncludeIfMissing("thread", DeclareAt, Ctx, Edits);
  }
  return Description +
         formatv(", and push with '{0}' until there is room or {1}",
                 StringRef(Retry).drop_front(3).split('(').first, Until)
             .str();
}

FixPlan Planner::run() {
  std::string Name = Case.Queue->getNameAsString();
  if (!Case.Api->hasReliableClose()) {
    Edits.clear();
    Unsafe = false;
    if (std::optional<std::string> How = planStopSignal(); How && !Unsafe) {
      Plan.Fixes = std::move(Edits);
      addNote(Case.Push.Call->getExprLoc(),
              formatv("fix: '{0}' cannot be closed reliably; {1}", Name, *How));
      return std::move(Plan);
    }
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
