//===- FixPlanner.cpp - Cancellation fixes for stranded producers ---------===//
//
// The fix wakes the producer and makes it stop cleanly:
//  1. Close the queue where every stranding exit is covered at once: in the
//     spawning function after the consumers are joined and before the
//     producer is waited on (the shape of the upstream Go fix); else on each
//     stranding exit of each consumer, in whatever function the exit is.
//  2. Make the producer handle a closed queue as the API reports it: check a
//     bool result, or catch the exception that a woken push throws.
//  3. For a queue without a close that wakes a blocked push: a stop signal
//     raised on the exits, and the push retried until there is room or the
//     signal is raised.
// Where an edit would land in a macro, or the queue cannot be named where the
// edit goes, no fix-it is offered; a note suggests the code instead.
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

/// How a function names the queue: the object expression of one of its own
/// operations, or the argument it passes the queue in.
struct QueueName {
  const Expr *Object = nullptr;
  bool Arrow = false;
  bool ImplicitThis = false;
  bool valid() const { return Object || ImplicitThis; }
};

QueueName nameIn(Summaries &S, const FunctionDecl *F, const AccessPath &Queue) {
  QueueName Name;
  for (const ReachedOp &Op : S.opsOf(F)) {
    if (Op.Queue != Queue)
      continue;
    if (Op.Via.empty()) {
      if (!Op.Op.Object) {
        Name.ImplicitThis = true;
        return Name;
      }
      Name.Object = Op.Op.Object;
      Name.Arrow = Op.Op.Arrow;
      if (isa<CXXThisExpr>(Name.Object->IgnoreParenImpCasts())) {
        Name.Object = nullptr;
        Name.ImplicitThis = true;
      }
      return Name;
    }
  }
  // The argument of a call that passes it on.
  for (const ReachedOp &Op : S.opsOf(F)) {
    if (Op.Queue != Queue || Op.Via.empty())
      continue;
    for (const Expr *Arg : Op.Via.front()->arguments())
      if (pathOf(Arg, F) == Queue) {
        const Expr *Plain = stripAccess(Arg);
        QualType T = Plain->getType();
        Name.Object = Plain;
        Name.Arrow =
            T->isPointerType() ||
            (pointeeRecord(T) && pointeeRecord(T) != T->getAsCXXRecordDecl());
        return Name;
      }
  }
  return Name;
}

class Planner {
public:
  Planner(const StrandedProducerCase &Case, ASTContext &Ctx)
      : Case(Case), Ctx(Ctx), S(Case.Model->summaries()),
        SM(Ctx.getSourceManager()), LangOpts(Ctx.getLangOpts()),
        Name(Case.Model->nameOf(Case.Queue)),
        PushName(Case.Push->Op.MethodName.str()) {}

  FixPlan run();

private:
  bool planJoinSideClose();
  bool planExitCloses();
  bool planExitStatements(
      llvm::function_ref<std::string(const FunctionDecl *, const AccessPath &)>
          CodeFor,
      bool GuardWhenCallsThrow);
  bool planProducerHandling();
  bool stopPushStatement(const CallExpr *Push, const FunctionDecl *Holder,
                         bool Status);
  bool catchAroundProducerLoop();
  std::optional<std::string> planStopSignal();
  std::string retryPushTemplate(bool &Waits) const;
  const LambdaExpr *lambdaRunning(const FunctionDecl *Body) const;
  bool captureByReference(const LambdaExpr *Lambda, StringRef Name);
  std::string freshName(StringRef Base) const;
  std::string closeCode(const FunctionDecl *F, const AccessPath &Queue) const;
  bool insertBefore(const Stmt *Statement, const FunctionDecl *In,
                    const std::string &Code);
  /// Where the fix's first edit is (not an include): its note goes there.
  SourceLocation firstEdit(ArrayRef<FixItHint> Fixes) const;
  void addNote(NoteKind Kind, SourceLocation Loc, std::string Text) {
    FindingNote Note;
    Note.Kind = Kind;
    Note.Loc = Loc;
    Note.FixTitle = Text;
    Note.Args = {std::move(Text)};
    Plan.Notes.push_back(std::move(Note));
  }

  const StrandedProducerCase &Case;
  ASTContext &Ctx;
  Summaries &S;
  const SourceManager &SM;
  const LangOptions &LangOpts;
  std::string Name, PushName;
  FixPlan Plan;
  std::vector<FixItHint> Edits;
  bool Unsafe = false; ///< Some edit could not be made certainly right.
};

SourceLocation Planner::firstEdit(ArrayRef<FixItHint> Fixes) const {
  SourceLocation First;
  for (const FixItHint &Fix : Fixes) {
    if (StringRef(Fix.CodeToInsert).starts_with("#include"))
      continue;
    SourceLocation At = Fix.RemoveRange.getBegin();
    if (At.isValid() &&
        (First.isInvalid() || SM.isBeforeInTranslationUnit(At, First)))
      First = At;
  }
  return First.isValid() ? First : Case.Push->Op.Call->getExprLoc();
}

std::string Planner::closeCode(const FunctionDecl *F,
                               const AccessPath &Queue) const {
  StringRef Close = Case.Api->reliableCloseFor(QueueSide::Producers);
  if (Close.empty())
    return {};
  QueueName Named = nameIn(S, F, Queue);
  if (Named.ImplicitThis)
    return Close.str() + "();";
  std::string Object = Named.Object ? sourceText(Named.Object, Ctx) : "";
  if (Object.empty())
    return {};
  return Object + (Named.Arrow ? "->" : ".") + Close.str() + "();";
}

bool Planner::insertBefore(const Stmt *Statement, const FunctionDecl *In,
                           const std::string &Code) {
  if (insertStatementBefore(Statement, S.parents(In), Code, Ctx, Edits))
    return true;
  Unsafe = true;
  return false;
}

/// One close in the spawning function covers every exit of every consumer
/// when the consumers are all joined there before the producer is waited on.
bool Planner::planJoinSideClose() {
  const WaitSite *ProducerWait = Case.ProducerWait;
  if (!Case.producerSpawn() || !ProducerWait || ProducerWait->isImplicit() ||
      Case.ConsumerWaits.empty())
    return false;
  for (const ConsumerCase &Consumer : Case.Consumers)
    if (!Consumer.Who->Spawn ||
        none_of(Case.ConsumerWaits, [&](const WaitSite *Wait) {
          return Wait->Handle == Consumer.Who->Spawn->Handle;
        }))
      return false;
  for (const WaitSite *Wait : Case.ConsumerWaits)
    if (Wait->isImplicit() ||
        !SM.isBeforeInTranslationUnit(Wait->Loc, ProducerWait->Loc))
      return false;
  std::string Code = closeCode(Case.Spawner, Case.Queue);
  if (Code.empty()) {
    // The spawner may name the queue only through its declaration.
    const ValueDecl *Decl = Case.Model->declOf(Case.Queue);
    StringRef Close = Case.Api->reliableCloseFor(QueueSide::Producers);
    bool Visible = Decl && Case.Queue.fields().empty() &&
                   (Case.Queue.base() == AccessPath::BaseKind::Var ||
                    Case.Queue.base() == AccessPath::BaseKind::Param);
    if (!Visible || Close.empty())
      return false;
    QualType T = Decl->getType().getNonReferenceType();
    bool Pointer =
        T->isPointerType() || (T->getAsCXXRecordDecl() &&
                               pointeeRecord(T) != T->getAsCXXRecordDecl());
    Code =
        Decl->getNameAsString() + (Pointer ? "->" : ".") + Close.str() + "();";
  }
  return insertBefore(ProducerWait->Expr, Case.Spawner, Code);
}

bool Planner::planExitCloses() {
  return planExitStatements(
      [&](const FunctionDecl *F, const AccessPath &Queue) {
        return closeCode(F, Queue);
      },
      /*GuardWhenCallsThrow=*/true);
}

/// Runs the statement \p CodeFor gives (a close, a stop request) on every
/// stranding exit of every consumer, in the function that holds the exit.
bool Planner::planExitStatements(
    function_ref<std::string(const FunctionDecl *, const AccessPath &)> CodeFor,
    bool GuardWhenCallsThrow) {
  for (const ConsumerCase &Consumer : Case.Consumers) {
    std::vector<const RoleExit *> Exits;
    flattenExits(Consumer.Exits, Exits);
    // An exception from a call leaves no statement to put the close before
    // (unless a handler of the function catches it): a guard declared first
    // closes on every way out instead.
    SmallPtrSet<const FunctionDecl *, 2> Guarded;
    for (const RoleExit *Exit : Exits) {
      if (Exit->Kind != ExitKind::ThrowingCall || Exit->CaughtBy)
        continue;
      if (!GuardWhenCallsThrow)
        return false;
      if (!Guarded.insert(Exit->In).second)
        continue;
      QueueName Named = nameIn(S, Exit->In, Exit->Queue);
      StringRef Close = Case.Api->reliableCloseFor(QueueSide::Producers);
      std::optional<FixItHint> Guard =
          Named.Object ? closeGuardInsertion(Exit->In->getBody(), Named.Object,
                                             Named.Arrow, Close, Ctx)
                       : std::nullopt;
      if (!Guard)
        return false;
      Edits.push_back(*Guard);
    }
    SmallPtrSet<const Stmt *, 4> Done;
    for (const RoleExit *Exit : Exits) {
      if (Guarded.contains(Exit->In) || !Done.insert(Exit->At).second)
        continue;
      std::string Code = CodeFor(Exit->In, Exit->Queue);
      if (Code.empty())
        return false;
      if (Exit->Kind == ExitKind::LoopCondition) {
        // Close once the loop ends, however it ends.
        const Stmt *Loop = Consumer.Role.PopLoop;
        const ParentMap &Parents = S.parents(Exit->In);
        SourceLocation After = afterStatement(Loop, Ctx);
        if (After.isInvalid() || isInMacro(Loop->getSourceRange()) ||
            !isa_and_nonnull<CompoundStmt>(Parents.getParent(Loop)))
          return false;
        Edits.push_back(FixItHint::CreateInsertion(
            After, "\n" + indentationOf(Loop->getBeginLoc(), SM) + Code));
        continue;
      }
      if (Exit->CaughtBy && Exit->Kind == ExitKind::ThrowingCall) {
        // The handler is where this way out goes on: close first thing.
        const auto *Block =
            dyn_cast_or_null<CompoundStmt>(Exit->CaughtBy->getHandlerBlock());
        if (!Block || isInMacro(Block->getSourceRange()))
          return false;
        if (Block->body_empty()) {
          Edits.push_back(FixItHint::CreateInsertion(
              Block->getLBracLoc().getLocWithOffset(1), " " + Code + " "));
          continue;
        }
        if (!insertBefore(Block->body_front(), Exit->In, Code))
          return false;
        continue;
      }
      if (!insertBefore(Exit->At, Exit->In, Code))
        return false;
    }
  }
  return true;
}

/// `q.push(x);` becomes `if (!q.push(x)) break;` (or `== closed`): one
/// replacement of the statement, so the change reads whole in a diff.
bool Planner::stopPushStatement(const CallExpr *Push,
                                const FunctionDecl *Holder, bool Status) {
  const ParentMap &Parents = S.parents(Holder);
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
  SourceLocation After = afterStatement(Push, Ctx);
  std::string Call = sourceText(Push, Ctx);
  if (After.isInvalid() || After.isMacroID() || Call.empty())
    return false;
  std::string Code =
      Status ? "if (" + Call + " == " + Case.Api->ClosedStatus + ") " + Stop
             : "if (!" + Call + ") " + Stop;
  Edits.push_back(FixItHint::CreateReplacement(
      CharSourceRange::getCharRange(Push->getBeginLoc(), After), Code));
  return true;
}

/// Wraps the producer loop, re-indented one level, in a try block that
/// catches the exception a closed queue's push throws.
bool Planner::catchAroundProducerLoop() {
  const Stmt *Loop = Case.ProducerLoop;
  // A member producer outside any loop (a pool's submit) lets the exception
  // reach its callers, as the queue's API does.
  if (!Loop)
    return Case.producerIsMember();
  const ParentMap &Parents = S.parents(Case.ProducerLoopFunction);
  if (isInMacro(Loop->getSourceRange()) ||
      !isa_and_nonnull<CompoundStmt>(Parents.getParent(Loop)))
    return false;
  SourceLocation After = afterStatement(Loop, Ctx);
  if (After.isInvalid())
    return false;
  std::string Indent = indentationOf(Loop->getBeginLoc(), SM);
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

/// After the fix a woken push reports the closed queue; the producer must
/// stop on it rather than push again or die of an uncaught exception.
bool Planner::planProducerHandling() {
  const CallExpr *Push = Case.Push->Op.Call;
  const FunctionDecl *Holder = Case.producerFunction();
  switch (Case.Api->OnClosedPush) {
  case ClosedPushResult::Ignored:
    return true;
  case ClosedPushResult::ReturnsFalse:
  case ClosedPushResult::ReturnsStatus: {
    bool Status = Case.Api->OnClosedPush == ClosedPushResult::ReturnsStatus;
    if (Status && Case.Api->ClosedStatus.empty())
      return false;
    return stopPushStatement(Push, Holder, Status);
  }
  case ClosedPushResult::Throws: {
    if (Case.Api->ClosedException.empty())
      return false;
    // Already caught around the push, in its function or up the calls?
    const ParentMap &Parents = S.parents(Holder);
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
    return catchAroundProducerLoop();
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
  const Expr *Object = Case.Push->Op.Object;
  const CXXRecordDecl *Record =
      Object ? pointeeRecord(Object->getType()) : nullptr;
  if (!Record || !Record->hasDefinition())
    return {};
  for (const std::string &Method : Case.Api->NonBlockingPush)
    for (const CXXMethodDecl *Candidate : Record->getDefinition()->methods())
      if (Candidate->getIdentifier() && Candidate->getName() == Method &&
          Candidate->getNumParams() == Case.Push->Op.Call->getNumArgs() &&
          Candidate->getReturnType()->isBooleanType())
        return "{0}" + Method + "({1})";
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
    const Stmt *Node = Work.back();
    Work.pop_back();
    if (const auto *Lambda = dyn_cast_or_null<LambdaExpr>(Node))
      if (Lambda->getLambdaClass() == Class)
        Found = Lambda;
    if (Node)
      for (const Stmt *Child : Node->children())
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
  auto Used = [&](StringRef Candidate) {
    for (size_t At = Text.find(Candidate); At != StringRef::npos;
         At = Text.find(Candidate, At + 1)) {
      auto IsIdent = [](char C) { return isAlnum(C) || C == '_'; };
      bool Before = At > 0 && IsIdent(Text[At - 1]);
      bool After = At + Candidate.size() < Text.size() &&
                   IsIdent(Text[At + Candidate.size()]);
      if (!Before && !After)
        return true;
    }
    return false;
  };
  std::string Result = Base.str();
  for (int I = 2; Used(Result) && I < 100; ++I)
    Result = (Base + Twine(I)).str();
  return Result;
}

/// For queues that cannot be closed: a stop signal raised on every consumer
/// exit, and each blocking push turned into a retrying push that gives up
/// once it is raised. The signal is a std::stop_source the function has,
/// the producer std::jthread's own stop token when the consumers can reach
/// the thread, else a std::atomic<bool> declared next to the queue. Returns
/// what the fix does, for the note.
std::optional<std::string> Planner::planStopSignal() {
  bool Waits = false;
  std::string Retry = retryPushTemplate(Waits);
  const auto *Queue = dyn_cast_or_null<VarDecl>(Case.Model->declOf(Case.Queue));
  if (Retry.empty() || !Queue || !Case.Queue.fields().empty() ||
      !Case.Push->Via.empty())
    return std::nullopt;
  for (const ConsumerCase &Consumer : Case.Consumers)
    if (!Consumer.Role.ViaToLoop.empty() || !Consumer.Who->Spawn)
      return std::nullopt;
  const Stmt *SpawnerBody = Case.Spawner->getBody();
  const ParentMap &SpawnerParents = S.parents(Case.Spawner);

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
    DeclIndent = indentationOf(DeclareAt, SM);
  } else {
    const Stmt *DeclStatement = nullptr;
    forEachDescendant(SpawnerBody, [&](const Stmt *Node) {
      if (const auto *DS = dyn_cast<DeclStmt>(Node))
        for (const Decl *D : DS->decls())
          if (D->getCanonicalDecl() == Queue->getCanonicalDecl())
            DeclStatement = DS;
    });
    if (!DeclStatement || isInMacro(DeclStatement->getSourceRange()) ||
        !isa_and_nonnull<CompoundStmt>(SpawnerParents.getParent(DeclStatement)))
      return std::nullopt;
    DeclareAt = afterStatement(DeclStatement, Ctx);
    DeclIndent = indentationOf(DeclStatement->getBeginLoc(), SM);
  }
  if (DeclareAt.isInvalid() || DeclareAt.isMacroID())
    return std::nullopt;

  // Every thread body involved is a lambda written after that point.
  std::vector<const LambdaExpr *> ConsumerLambdas;
  for (const ConsumerCase &Consumer : Case.Consumers) {
    const LambdaExpr *Lambda = lambdaRunning(Consumer.Who->Function);
    if (!Lambda ||
        !SM.isBeforeInTranslationUnit(DeclareAt, Lambda->getBeginLoc()))
      return std::nullopt;
    ConsumerLambdas.push_back(Lambda);
  }
  const LambdaExpr *ProducerLambda = nullptr;
  if (Case.producerSpawn()) {
    ProducerLambda = lambdaRunning(Case.Producer->Function);
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
           all_of(Case.ProducerPushes, [&](const ReachedOp *Push) {
             return SM.isBeforeInTranslationUnit(Loc,
                                                 Push->Op.Call->getBeginLoc());
           });
  };
  const VarDecl *StopSource = nullptr;
  forEachDescendant(SpawnerBody, [&](const Stmt *Node) {
    if (const auto *DS = dyn_cast<DeclStmt>(Node))
      for (const Decl *D : DS->decls())
        if (const auto *Var = dyn_cast<VarDecl>(D)) {
          const CXXRecordDecl *Type = Var->getType()->getAsCXXRecordDecl();
          if (!StopSource && Type && Type->isInStdNamespace() &&
              Type->getName() == "stop_source" && Var->getIdentifier() &&
              BeforeAllBodies(Var->getLocation()))
            StopSource = Var;
        }
  });
  const SpawnSite *ProducerSpawn = Case.producerSpawn();
  const VarDecl *ProducerThread =
      ProducerSpawn && ProducerSpawn->Kind == "std::jthread" &&
              ProducerSpawn->Handle.base() == AccessPath::BaseKind::Var &&
              ProducerSpawn->Handle.fields().empty()
          ? dyn_cast<VarDecl>(ProducerSpawn->Handle.variable())
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
    const FunctionDecl *Op = Case.Producer->Function;
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
          [&](const FunctionDecl *, const AccessPath &) { return Raise; },
          /*GuardWhenCallsThrow=*/false))
    return std::nullopt;

  // Each blocking push, a statement of its own, becomes a retry that gives
  // up once the signal is raised; in the producer loop, the loop stops too.
  const FunctionDecl *ProducerFunction = Case.producerFunction();
  const ParentMap &Parents = S.parents(ProducerFunction);
  for (const ReachedOp *PushOp : Case.ProducerPushes) {
    const QueueOperation &Push = PushOp->Op;
    const CallExpr *Call = Push.Call;
    if (!PushOp->Via.empty() || PushOp->Holder != ProducerFunction ||
        isInMacro(Call->getSourceRange()))
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
      else if (Case.producerSpawn() &&
               ProducerFunction->getReturnType()->isVoidType())
        Stop = "return;";
      else
        return std::nullopt;
    }
    std::optional<BraceOpening> Brace;
    std::string Indent = indentationOf(Statement->getBeginLoc(), SM);
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
    SourceLocation After = afterStatement(Statement, Ctx);
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
  if (!Case.Api->hasReliableClose()) {
    Edits.clear();
    Unsafe = false;
    if (std::optional<std::string> How = planStopSignal(); How && !Unsafe) {
      Plan.Fixes = std::move(Edits);
      addNote(NoteKind::Fix, firstEdit(Plan.Fixes),
              formatv("'{0}' cannot be closed reliably; {1}", Name, *How));
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
                      Case.Api->Close.front(), PushName)
                  .str();
    addNote(NoteKind::NoFix, Case.Push->Op.Call->getExprLoc(),
            formatv("no automatic fix: {0}; use a timed or non-blocking push "
                    "in a loop that also stops when a flag set on every "
                    "consumer exit is raised",
                    Why));
    return std::move(Plan);
  }
  // Each strategy with the producer's handling of the closed queue; the
  // first that works is the fix-it, the second an alternative note with its
  // own fix (a second quick fix in an editor).
  // The note of a fix sits where its close goes, not at the push.
  SourceLocation AfterJoinsAt, OnExitsAt;
  auto Attempt =
      [&](bool (Planner::*CloseStrategy)(),
          SourceLocation &At) -> std::optional<std::vector<FixItHint>> {
    Edits.clear();
    Unsafe = false;
    if (!(this->*CloseStrategy)())
      return std::nullopt;
    At = firstEdit(Edits);
    if (!planProducerHandling() || Unsafe)
      return std::nullopt;
    return std::move(Edits);
  };
  std::optional<std::vector<FixItHint>> AfterJoins =
      Attempt(&Planner::planJoinSideClose, AfterJoinsAt);
  std::optional<std::vector<FixItHint>> OnExits =
      Attempt(&Planner::planExitCloses, OnExitsAt);
  if (AfterJoins) {
    Plan.Fixes = std::move(*AfterJoins);
    addNote(NoteKind::Fix, Case.ProducerWait->Loc,
            formatv("close '{0}' once the consumers are joined, so that a "
                    "producer blocked in '{1}' wakes up",
                    Name, PushName));
    if (OnExits) {
      FindingNote Alternative;
      Alternative.Kind = NoteKind::AlternativeFix;
      Alternative.Loc = OnExitsAt;
      Alternative.FixTitle = formatv("close '{0}' on each consumer exit", Name);
      Alternative.Args = {Alternative.FixTitle};
      Alternative.Fixes = std::move(*OnExits);
      Plan.Notes.push_back(std::move(Alternative));
    }
    return std::move(Plan);
  }
  if (OnExits) {
    Plan.Fixes = std::move(*OnExits);
    addNote(NoteKind::Fix, OnExitsAt,
            formatv("close '{0}' on each consumer exit, so that a producer "
                    "blocked in '{1}' wakes up",
                    Name, PushName));
    return std::move(Plan);
  }
  Plan.Notes.clear();
  StringRef Close = Case.Api->reliableCloseFor(QueueSide::Producers);
  std::string CloseCall = Name + "." + Close.str() + "()";
  addNote(NoteKind::NoFix, Case.Push->Op.Call->getExprLoc(),
          formatv("no automatic fix is certain here; call '{0}' on each "
                  "consumer exit above (or once after the consumers are "
                  "joined), and stop the producer when '{1}' reports the "
                  "queue closed",
                  CloseCall, PushName));
  return std::move(Plan);
}

} // namespace

FixPlan planStrandedProducerFix(const StrandedProducerCase &Case,
                                ASTContext &Ctx) {
  return Planner(Case, Ctx).run();
}

} // namespace fanout
