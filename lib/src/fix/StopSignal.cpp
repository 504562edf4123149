//===- StopSignal.cpp - A stop signal for a queue that cannot be closed ---===//
//
// For a queue whose close does not wake a blocked push (or that has none):
// a stop signal raised on every consumer exit, and each blocking push turned
// into a retrying push that gives up once it is raised. The signal is a
// std::stop_source the spawning function has, the producer std::jthread's own
// stop token when the consumers can reach the thread, else a
// std::atomic<bool> declared next to the queue.
//
//===----------------------------------------------------------------------===//
#include "fanout/AstHelpers.h"
#include "fanout/Edits.h"
#include "fanout/FixStrategies.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include <functional>

using namespace clang;
using namespace llvm;

namespace fanout {
namespace {

/// Where the signal is declared, and the indentation of that line.
struct SignalHome {
  SourceLocation DeclareAt;
  std::string DeclIndent;
};

/// A consumer thread started on a function object (`Checker{ring, n}`)
/// rather than a lambda of the spawning function: the fix starts the thread
/// on a lambda that runs it.
struct WrappedBody {
  const Expr *Callable = nullptr;
};

/// The lambdas that run the consumers (and the callables that do, to be
/// wrapped in one), and the producer's lambda (null when the spawner itself
/// produces).
struct ThreadBodies {
  std::vector<const LambdaExpr *> Consumers;
  std::vector<WrappedBody> Wrapped;
  const LambdaExpr *Producer = nullptr;
};

/// How the signal is raised and read, and how the note says so.
struct StopSignal {
  std::string Raise, Raised, NotRaised, Description, Until;
  /// Raised by guards in the consumer bodies, not on the exits.
  bool Guarded = false;
};

/// The push that gives up: retryPushTemplate's format and whether it waits.
struct RetryPush {
  std::string Template;
  bool Waits = false;
  /// The push takes its item by value: an argument moved from
  /// (`std::move(x)`) is copied on each attempt instead, so that a failed
  /// attempt loses nothing.
  bool CopyMoved = false;
  /// The variables the retries already declare, one name each.
  std::vector<std::string> Hoisted;
};

/// Whether values of \p T can be copied.
bool isCopyable(QualType T) {
  const CXXRecordDecl *Record = T.getNonReferenceType()->getAsCXXRecordDecl();
  if (!Record || !Record->hasDefinition())
    return !T->isRecordType();
  Record = Record->getDefinition();
  if (Record->needsImplicitCopyConstructor())
    return !Record->defaultedCopyConstructorIsDeleted();
  return any_of(Record->ctors(), [](const CXXConstructorDecl *Ctor) {
    return Ctor->isCopyConstructor() && !Ctor->isDeleted();
  });
}

/// The queue, when the fix can reach it: a variable of the spawner (or its
/// parameter) pushed to directly, whose consumers are threads it starts.
/// Their exits may be in functions the bodies call: chooseSignal then
/// counts the consumers out with a guard in each body, which reaches them.
const VarDecl *signalledQueue(const FixContext &Fx) {
  const StrandedProducerCase &Case = Fx.Case;
  const auto *Queue = dyn_cast_or_null<VarDecl>(Case.Model->declOf(Case.Queue));
  if (!Queue || !Case.Queue.fields().empty() || !Case.Push->Via.empty())
    return nullptr;
  for (const ConsumerCase &Consumer : Case.Consumers)
    if (!Consumer.Who->Spawn)
      return nullptr;
  return Queue;
}

/// Whether a consumer's pop loop is in a function its body calls.
bool consumesInCalls(const FixContext &Fx) {
  return any_of(Fx.Case.Consumers, [](const ConsumerCase &Consumer) {
    return !Consumer.Role.ViaToLoop.empty();
  });
}

/// Where the signal can be declared: right after the queue, or first thing
/// in the function that takes the queue as a parameter.
std::optional<SignalHome> signalHome(const FixContext &Fx,
                                     const VarDecl *Queue) {
  const FunctionDecl *Spawner = Fx.Case.Spawner;
  const Stmt *SpawnerBody = Spawner->getBody();
  SignalHome Home;
  if (isa<ParmVarDecl>(Queue)) {
    if (Queue->getDeclContext() != Spawner || !isa<CompoundStmt>(SpawnerBody))
      return std::nullopt;
    const auto *Body = cast<CompoundStmt>(SpawnerBody);
    if (Body->body_empty() || isInMacro(Body->body_front()->getSourceRange()))
      return std::nullopt;
    Home.DeclareAt = Body->body_front()->getBeginLoc();
    Home.DeclIndent = indentationOf(Home.DeclareAt, Fx.SM);
  } else {
    const Stmt *DeclStatement = nullptr;
    forEachDescendant(SpawnerBody, [&](const Stmt *Node) {
      if (const auto *DS = dyn_cast<DeclStmt>(Node))
        for (const Decl *D : DS->decls())
          if (D->getCanonicalDecl() == Queue->getCanonicalDecl())
            DeclStatement = DS;
    });
    if (!DeclStatement || isInMacro(DeclStatement->getSourceRange()) ||
        !isa_and_nonnull<CompoundStmt>(
            Fx.S.parents(Spawner).getParent(DeclStatement)))
      return std::nullopt;
    Home.DeclareAt = afterStatement(DeclStatement, Fx.Ctx);
    Home.DeclIndent = indentationOf(DeclStatement->getBeginLoc(), Fx.SM);
  }
  if (Home.DeclareAt.isInvalid() || Home.DeclareAt.isMacroID())
    return std::nullopt;
  return Home;
}

/// The function object a consumer's thread is started on, when it is its
/// spawn's last argument (nothing follows for it to take) and its
/// operator() is \p Body.
std::optional<WrappedBody> wrappableBody(const SpawnSite *Spawn,
                                         const FunctionDecl *Body) {
  const auto *Method = dyn_cast_or_null<CXXMethodDecl>(Body);
  if (!Spawn || Spawn->Pool || Spawn->ThreadClass || !Method ||
      Method->getOverloadedOperator() != OO_Call ||
      Method->getParent()->isLambda())
    return std::nullopt;
  ArrayRef<const Expr *> Args;
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(Spawn->Expr))
    Args = ArrayRef(Construct->getArgs(), Construct->getNumArgs());
  else if (const auto *Call = dyn_cast<CallExpr>(Spawn->Expr))
    Args = ArrayRef(Call->getArgs(), Call->getNumArgs());
  if (Args.empty() || isInMacro(Args.back()->getSourceRange()))
    return std::nullopt;
  const Expr *Callable = Args.back();
  const CXXRecordDecl *Type =
      Callable->IgnoreImplicit()->getType()->getAsCXXRecordDecl();
  if (!Type ||
      Type->getCanonicalDecl() != Method->getParent()->getCanonicalDecl())
    return std::nullopt;
  return WrappedBody{Callable};
}

/// Every thread body involved, when each is a lambda written after
/// \p DeclareAt (so it can name the signal), or a consumer's function
/// object that a lambda written there can run.
std::optional<ThreadBodies> threadBodies(const FixContext &Fx,
                                         SourceLocation DeclareAt) {
  const StrandedProducerCase &Case = Fx.Case;
  ThreadBodies Bodies;
  for (const ConsumerCase &Consumer : Case.Consumers) {
    const LambdaExpr *Lambda = Fx.lambdaRunning(Consumer.Who->Function);
    if (!Lambda) {
      std::optional<WrappedBody> Wrapped =
          wrappableBody(Consumer.Who->Spawn, Consumer.Who->Function);
      if (!Wrapped || !Fx.SM.isBeforeInTranslationUnit(
                          DeclareAt, Wrapped->Callable->getBeginLoc()))
        return std::nullopt;
      Bodies.Wrapped.push_back(*Wrapped);
      continue;
    }
    if (!Fx.SM.isBeforeInTranslationUnit(DeclareAt, Lambda->getBeginLoc()))
      return std::nullopt;
    Bodies.Consumers.push_back(Lambda);
  }
  if (Case.producerSpawn()) {
    Bodies.Producer = Fx.lambdaRunning(Case.Producer->Function);
    if (!Bodies.Producer || !Fx.SM.isBeforeInTranslationUnit(
                                DeclareAt, Bodies.Producer->getBeginLoc()))
      return std::nullopt;
  }
  return Bodies;
}

/// Makes \p Lambda see \p Name by reference: nothing to do under `[&]`,
/// else `&Name` joins its capture list.
bool captureByReference(const LambdaExpr *Lambda, StringRef Name,
                        std::vector<FixItHint> &Out) {
  if (Lambda->getCaptureDefault() == LCD_ByRef)
    return true;
  SourceRange Intro = Lambda->getIntroducerRange();
  if (Intro.isInvalid() || isInMacro(Intro))
    return false;
  bool Empty = Lambda->capture_begin() == Lambda->capture_end() &&
               Lambda->getCaptureDefault() == LCD_None;
  Out.push_back(FixItHint::CreateInsertion(Intro.getEnd(),
                                           (Empty ? "&" : ", &") + Name.str()));
  return true;
}

/// Captures \p Name in every consumer body, and in the producer's when
/// \p AndProducer.
bool captureInBodies(const ThreadBodies &Bodies, StringRef Name,
                     bool AndProducer, std::vector<FixItHint> &Out) {
  for (const LambdaExpr *Lambda : Bodies.Consumers)
    if (!captureByReference(Lambda, Name, Out))
      return false;
  return !AndProducer || !Bodies.Producer ||
         captureByReference(Bodies.Producer, Name, Out);
}

/// \p Base, or \p Base with a number, so that it names nothing in the
/// spawning function yet.
std::string freshName(const FixContext &Fx, StringRef Base) {
  StringRef Text = Lexer::getSourceText(
      CharSourceRange::getTokenRange(Fx.Case.Spawner->getSourceRange()), Fx.SM,
      Fx.LangOpts);
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

/// A named std::stop_source of the spawner declared before every body and
/// every push, so all of them can use it.
const VarDecl *existingStopSource(const FixContext &Fx,
                                  const ThreadBodies &Bodies) {
  const SourceManager &SM = Fx.SM;
  auto BeforeAllBodies = [&](SourceLocation Loc) {
    return all_of(Bodies.Consumers,
                  [&](const LambdaExpr *Lambda) {
                    return SM.isBeforeInTranslationUnit(Loc,
                                                        Lambda->getBeginLoc());
                  }) &&
           (!Bodies.Producer || SM.isBeforeInTranslationUnit(
                                    Loc, Bodies.Producer->getBeginLoc())) &&
           all_of(Fx.Case.ProducerPushes, [&](const ReachedOp *Push) {
             return SM.isBeforeInTranslationUnit(Loc,
                                                 Push->Op.Call->getBeginLoc());
           });
  };
  const VarDecl *StopSource = nullptr;
  forEachDescendant(Fx.Case.Spawner->getBody(), [&](const Stmt *Node) {
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
  return StopSource;
}

/// The producer's std::jthread variable, when every consumer body comes
/// after it (so it can name the thread).
const VarDecl *producerJThread(const FixContext &Fx,
                               const ThreadBodies &Bodies) {
  const SpawnSite *Spawn = Fx.Case.producerSpawn();
  const VarDecl *Thread =
      Spawn && Spawn->Kind == "std::jthread" &&
              Spawn->Handle.base() == AccessPath::BaseKind::Var &&
              Spawn->Handle.fields().empty()
          ? dyn_cast<VarDecl>(Spawn->Handle.variable())
          : nullptr;
  if (!Thread || !Bodies.Producer)
    return nullptr;
  const CXXRecordDecl *Type = Thread->getType()->getAsCXXRecordDecl();
  if (!Type || Type->getName() != "jthread")
    return nullptr;
  bool ConsumersAfter = all_of(Bodies.Consumers, [&](const LambdaExpr *L) {
    return Fx.SM.isBeforeInTranslationUnit(Thread->getLocation(),
                                           L->getBeginLoc());
  });
  return ConsumersAfter ? Thread : nullptr;
}

/// Signal through \p Source: every body captures it.
std::optional<StopSignal> stopSourceSignal(const VarDecl *Source,
                                           const ThreadBodies &Bodies,
                                           std::vector<FixItHint> &Out) {
  std::string Name = Source->getNameAsString();
  if (!captureInBodies(Bodies, Name, /*AndProducer=*/true, Out))
    return std::nullopt;
  StopSignal Signal;
  Signal.Raise = Name + ".request_stop();";
  Signal.Raised = Name + ".stop_requested()";
  Signal.NotRaised = "!" + Signal.Raised;
  Signal.Description =
      formatv("request stop through '{0}' on each consumer exit", Name).str();
  Signal.Until = "stop is requested";
  return Signal;
}

/// The stop token the producer's jthread passes its body: its first
/// parameter, or one the fix adds (`[&](std::stop_token stop) {...}`).
std::optional<std::string> producerStopToken(const FixContext &Fx,
                                             const ThreadBodies &Bodies,
                                             std::vector<FixItHint> &Out) {
  const FunctionDecl *Op = Fx.Case.Producer->Function;
  if (Op->getNumParams() != 0) {
    const ParmVarDecl *First = Op->getParamDecl(0);
    const CXXRecordDecl *Type =
        First->getType().getNonReferenceType()->getAsCXXRecordDecl();
    if (!Type || Type->getName() != "stop_token" || !First->getIdentifier())
      return std::nullopt;
    return First->getName().str();
  }
  std::string Token = freshName(Fx, "stopToken");
  const TypeSourceInfo *TSI = Op->getTypeSourceInfo();
  auto Proto = TSI ? TSI->getTypeLoc().getAsAdjusted<FunctionProtoTypeLoc>()
                   : FunctionProtoTypeLoc();
  if (!Bodies.Producer->hasExplicitParameters()) {
    SourceLocation Intro = Bodies.Producer->getIntroducerRange().getEnd();
    if (Intro.isInvalid() || Intro.isMacroID())
      return std::nullopt;
    Out.push_back(FixItHint::CreateInsertion(
        Lexer::getLocForEndOfToken(Intro, 0, Fx.SM, Fx.LangOpts),
        "(std::stop_token " + Token + ")"));
  } else if (Proto && Proto.getLParenLoc().isValid() &&
             !Proto.getLParenLoc().isMacroID()) {
    Out.push_back(FixItHint::CreateInsertion(
        Lexer::getLocForEndOfToken(Proto.getLParenLoc(), 0, Fx.SM, Fx.LangOpts),
        "std::stop_token " + Token));
  } else {
    return std::nullopt;
  }
  return Token;
}

/// Signal through the producer thread \p Thread: the consumers request its
/// stop, the producer reads its token.
std::optional<StopSignal> jthreadSignal(const FixContext &Fx,
                                        const VarDecl *Thread,
                                        const ThreadBodies &Bodies,
                                        std::vector<FixItHint> &Out) {
  std::optional<std::string> Token = producerStopToken(Fx, Bodies, Out);
  if (!Token)
    return std::nullopt;
  std::string Name = Thread->getNameAsString();
  if (!captureInBodies(Bodies, Name, /*AndProducer=*/false, Out))
    return std::nullopt;
  StopSignal Signal;
  Signal.Raise = Name + ".request_stop();";
  Signal.Raised = *Token + ".stop_requested()";
  Signal.NotRaised = "!" + Signal.Raised;
  Signal.Description = formatv("request stop of the producer thread '{0}' on "
                               "each consumer exit",
                               Name);
  Signal.Until = "stop is requested";
  return Signal;
}

/// Signal through a new std::atomic<bool> declared at \p Home, named after
/// \p Queue (`q_closed` beside `q_`, else `qClosed`).
std::optional<StopSignal> flagSignal(const FixContext &Fx, const VarDecl *Queue,
                                     const SignalHome &Home,
                                     const ThreadBodies &Bodies,
                                     std::vector<FixItHint> &Out) {
  std::string QueueVar = Queue->getNameAsString();
  std::string Flag =
      freshName(Fx, StringRef(QueueVar).contains('_') ||
                            StringRef(QueueVar).ends_with("_")
                        ? StringRef(QueueVar).rtrim('_').str() + "_closed"
                        : QueueVar + "Closed");
  Out.push_back(FixItHint::CreateInsertion(
      Home.DeclareAt,
      isa<ParmVarDecl>(Queue)
          ? "std::atomic<bool> " + Flag + "{false};\n" + Home.DeclIndent
          : "\n" + Home.DeclIndent + "std::atomic<bool> " + Flag + "{false};"));
  insertIncludeIfMissing("atomic", Home.DeclareAt, Fx.Ctx, Out);
  if (!captureInBodies(Bodies, Flag, /*AndProducer=*/true, Out))
    return std::nullopt;
  StopSignal Signal;
  Signal.Raise = Flag + " = true;";
  Signal.Raised = Flag;
  Signal.NotRaised = "!" + Signal.Raised;
  Signal.Description = formatv("raise '{0}' on each consumer exit", Flag).str();
  Signal.Until = formatv("'{0}' is raised", Flag).str();
  return Signal;
}

/// Whether \p S runs exactly once each time \p Top does: no branch, loop or
/// handler in between (unlike a marker's runsEachIteration, a loop
/// condition does not qualify: it may run more than once).
bool runsOnce(const Stmt *S, const Stmt *Top, const ParentMap &Parents) {
  for (const Stmt *P = Parents.getParent(S); P && P != Top;
       P = Parents.getParent(P))
    if (!isa<CompoundStmt, Expr, DeclStmt>(P) ||
        isa<ConditionalOperator, BinaryConditionalOperator>(P) ||
        (isa<BinaryOperator>(P) && cast<BinaryOperator>(P)->isLogicalOp()))
      return false;
  return true;
}

/// Whether only construction sets \p Field: it is const, or no member
/// function of its class but a constructor writes it (lambdas in them
/// included).
bool setOnlyOnConstruction(const FieldDecl *Field) {
  if (Field->getType().isConstQualified())
    return true;
  const auto *Class = dyn_cast<CXXRecordDecl>(Field->getParent());
  if (!Class || !Class->hasDefinition())
    return false;
  bool Writes = false;
  std::function<void(const Stmt *)> Scan = [&](const Stmt *Node) {
    if (!Node || Writes)
      return;
    const Expr *Target = writtenBy(Node);
    const auto *Member =
        Target ? dyn_cast<MemberExpr>(ignoreWrappers(Target)) : nullptr;
    if (Member && Member->getMemberDecl() == Field)
      Writes = true;
    if (const auto *Lambda = dyn_cast<LambdaExpr>(Node))
      Scan(Lambda->getBody());
    for (const Stmt *Child : Node->children())
      Scan(Child);
  };
  for (const CXXMethodDecl *Method : Class->methods())
    if (!isa<CXXConstructorDecl>(Method) && Method->hasBody())
      Scan(Method->getBody());
  return !Writes;
}

/// Whether \p Bound has the same value wherever it is evaluated after
/// \p From: literals and variables declared before it that the spawning
/// function never writes.
bool stableBound(const FixContext &Fx, const Expr *Bound, SourceLocation From) {
  if (Bound->HasSideEffects(Fx.Ctx))
    return false;
  const Stmt *Body = Fx.Case.Spawner->getBody();
  auto Written = [&](const VarDecl *Var) {
    bool Found = false;
    forEachDescendant(Body, [&](const Stmt *Node) {
      const Expr *Target = writtenBy(Node);
      const auto *Ref =
          Target ? dyn_cast<DeclRefExpr>(ignoreWrappers(Target)) : nullptr;
      Found |= Ref && Ref->getDecl() == Var;
    });
    return Found;
  };
  std::function<bool(const Stmt *)> Stable = [&](const Stmt *Node) {
    // A member of the spawning member's object that only construction sets.
    if (const auto *Member = dyn_cast<MemberExpr>(Node)) {
      const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
      return Field && isa<CXXThisExpr>(Member->getBase()->IgnoreImpCasts()) &&
             setOnlyOnConstruction(Field);
    }
    if (isa<CallExpr, CXXThisExpr, LambdaExpr>(Node))
      return false;
    if (const auto *Ref = dyn_cast<DeclRefExpr>(Node)) {
      const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
      if (!Var || !Fx.SM.isBeforeInTranslationUnit(Var->getLocation(), From) ||
          Written(Var))
        return false;
    }
    return all_of(Node->children(),
                  [&](const Stmt *Child) { return !Child || Stable(Child); });
  };
  return Stable(Bound);
}

/// How many consumer threads there are, as code that means it where the
/// signal is declared (\p DeclareAt), and its integer type: the number of
/// spawn sites when none is in a loop, or the bound N of the one loop that
/// spawns them, once an iteration (`for (int i = 0; i < N; ++i)`); empty
/// where it is not certain.
struct ConsumerCount {
  std::string Code, Type = "int";
};
ConsumerCount consumerCount(const FixContext &Fx, SourceLocation DeclareAt) {
  const StrandedProducerCase &Case = Fx.Case;
  const Stmt *Body = Case.Spawner->getBody();
  const ParentMap &Parents = Fx.S.parents(Case.Spawner);
  bool AnyInLoop = false;
  for (const ConsumerCase &Consumer : Case.Consumers) {
    const SpawnSite *Spawn = Consumer.Who->Spawn;
    if (!Spawn || !Spawn->Expr)
      return {};
    AnyInLoop |= Spawn->InLoop;
  }
  if (!AnyInLoop) {
    for (const ConsumerCase &Consumer : Case.Consumers)
      if (!runsOnce(Consumer.Who->Spawn->Expr, Body, Parents))
        return {};
    return {std::to_string(Case.Consumers.size())};
  }
  if (Case.Consumers.size() != 1)
    return {};
  const Expr *Spawn = Case.Consumers.front().Who->Spawn->Expr;
  const auto *For = dyn_cast_or_null<ForStmt>(enclosingLoop(Spawn, Parents));
  if (!For || !runsOnce(Spawn, For, Parents) || enclosingLoop(For, Parents))
    return {};
  // `int i = 0`, `i < N`, `++i`.
  const auto *Init = dyn_cast_or_null<DeclStmt>(For->getInit());
  const auto *Index = Init && Init->isSingleDecl()
                          ? dyn_cast<VarDecl>(Init->getSingleDecl())
                          : nullptr;
  std::optional<int64_t> Start = Index && Index->getInit()
                                     ? evaluateInt(Index->getInit(), Fx.Ctx)
                                     : std::nullopt;
  const auto *Cond =
      dyn_cast_or_null<BinaryOperator>(ignoreWrappers(For->getCond()));
  const auto *Step = dyn_cast_or_null<UnaryOperator>(For->getInc());
  auto IsIndex = [&](const Expr *E) {
    const auto *Ref = dyn_cast_or_null<DeclRefExpr>(ignoreWrappers(E));
    return Ref && Ref->getDecl() == Index;
  };
  if (!Start || *Start != 0 || !Cond || Cond->getOpcode() != BO_LT ||
      !IsIndex(Cond->getLHS()) || !Step || !Step->isIncrementOp() ||
      !IsIndex(Step->getSubExpr()))
    return {};
  const Expr *Bound = ignoreWrappers(Cond->getRHS());
  QualType Type = Bound->getType().getUnqualifiedType();
  if (!stableBound(Fx, Bound, DeclareAt) || !Type->isIntegerType() ||
      Type->isBooleanType() || Type->isEnumeralType())
    return {};
  PrintingPolicy Policy = Fx.Ctx.getPrintingPolicy();
  Policy.SuppressTagKeyword = true;
  return {sourceText(Bound, Fx.Ctx), Type.getAsString(Policy)};
}

/// Several consumers: a count of those still there, which a guard in each
/// consumer body counts down however it leaves; a push gives up once none
/// is left. (A flag raised by the first to leave would stop the producer
/// before the others have their end markers, or their share.)
std::optional<StopSignal>
countSignal(const FixContext &Fx, const VarDecl *Queue, const SignalHome &Home,
            const ThreadBodies &Bodies, std::vector<FixItHint> &Out) {
  ConsumerCount Count = consumerCount(Fx, Home.DeclareAt);
  if (Count.Code.empty())
    return std::nullopt;
  std::string Atomic = "std::atomic<" + Count.Type + ">";
  std::string QueueVar = Queue->getName().str();
  std::string Name =
      freshName(Fx, QueueVar.find('_') != std::string::npos
                        ? StringRef(QueueVar).rtrim('_').str() + "_readers"
                        : QueueVar + "Readers");
  std::string Decl = Atomic + " " + Name + "{" + Count.Code + "};";
  Out.push_back(FixItHint::CreateInsertion(
      Home.DeclareAt, isa<ParmVarDecl>(Queue) ? Decl + "\n" + Home.DeclIndent
                                              : "\n" + Home.DeclIndent + Decl));
  insertIncludeIfMissing("atomic", Home.DeclareAt, Fx.Ctx, Out);
  if (!captureInBodies(Bodies, Name, /*AndProducer=*/true, Out))
    return std::nullopt;
  // The guard that counts a consumer out, on one line or indented by \p In.
  auto GuardCode = [&](bool OneLine, StringRef In) {
    std::string Break = OneLine ? " " : ("\n" + In + "  ").str();
    return "struct LeaveCount {" + Break + Atomic + " &left;" + Break +
           "~LeaveCount() { --left; }" + (OneLine ? " " : ("\n" + In).str()) +
           "} leaveCount{" + Name + "};";
  };
  for (const LambdaExpr *Lambda : Bodies.Consumers) {
    const auto *Body = dyn_cast<CompoundStmt>(Lambda->getBody());
    if (!Body || Body->body_empty())
      return std::nullopt;
    // On lines of its own, unless the body is written on one line.
    SourceLocation First = Body->body_front()->getBeginLoc();
    bool OneLine = Fx.SM.getSpellingLineNumber(First) ==
                   Fx.SM.getSpellingLineNumber(Body->getLBracLoc());
    std::optional<FixItHint> Insert = firstInBlock(
        Body, GuardCode(OneLine, indentationOf(First, Fx.SM)), Fx.Ctx);
    if (!Insert)
      return std::nullopt;
    Out.push_back(std::move(*Insert));
  }
  // A function object the thread was started on runs in a lambda that
  // counts it out however it leaves; the lambda holds its own copy, as the
  // thread would have.
  for (const WrappedBody &Wrapped : Bodies.Wrapped) {
    std::string Callable = sourceText(Wrapped.Callable, Fx.Ctx);
    if (Callable.empty())
      return std::nullopt;
    std::string Lambda = "[&, body = " + Callable + "]() mutable { " +
                         GuardCode(/*OneLine=*/true, "") + " body(); }";
    Out.push_back(FixItHint::CreateReplacement(
        CharSourceRange::getTokenRange(Wrapped.Callable->getSourceRange()),
        Lambda));
  }
  StopSignal Signal;
  Signal.Guarded = true;
  Signal.Raised = Name + " == 0";
  Signal.NotRaised = Name + " > 0";
  Signal.Description =
      formatv("count the consumers ({0}) down in '{1}' as each leaves",
              Count.Code, Name)
          .str();
  Signal.Until = "every consumer has left";
  return Signal;
}

/// Whether the queue has more than one consumer thread.
bool severalConsumers(const FixContext &Fx) {
  const auto &Consumers = Fx.Case.Consumers;
  return Consumers.size() > 1 ||
         any_of(Consumers, [](const ConsumerCase &Consumer) {
           return Consumer.Who->Spawn && Consumer.Who->Spawn->InLoop;
         });
}

/// The signal, in order of preference: their count for several consumers,
/// or ones that pop in a called function; a std::stop_source the function
/// already has, the producer jthread's stop token, else an atomic flag.
std::optional<StopSignal>
chooseSignal(const FixContext &Fx, const VarDecl *Queue, const SignalHome &Home,
             const ThreadBodies &Bodies, std::vector<FixItHint> &Out) {
  // Consumers whose exits the spawning function cannot name are counted out
  // by the lambdas that run them.
  if (severalConsumers(Fx) || consumesInCalls(Fx) || !Bodies.Wrapped.empty())
    return countSignal(Fx, Queue, Home, Bodies, Out);
  if (const VarDecl *Source = existingStopSource(Fx, Bodies))
    return stopSourceSignal(Source, Bodies, Out);
  if (const VarDecl *Thread = producerJThread(Fx, Bodies))
    return jthreadSignal(Fx, Thread, Bodies, Out);
  return flagSignal(Fx, Queue, Home, Bodies, Out);
}

/// The statement that is the push \p Call (through its cleanups and
/// casts), and its parent in \p Parent; null unless nobody reads its result.
const Stmt *discardedPushStatement(const CallExpr *Call,
                                   const ParentMap &Parents,
                                   const Stmt *&Parent) {
  const Stmt *Statement = Call;
  Parent = Parents.getParent(Call);
  while (Parent && isa<ExprWithCleanups, ImplicitCastExpr>(Parent)) {
    Statement = Parent;
    Parent = Parents.getParent(Parent);
  }
  if (!isa_and_nonnull<CompoundStmt, IfStmt, WhileStmt, ForStmt, DoStmt,
                       CXXForRangeStmt>(Parent) ||
      (isa<IfStmt, WhileStmt, ForStmt, DoStmt>(Parent) &&
       none_of(Parent->children(),
               [&](const Stmt *Child) { return Child == Statement; })))
    return nullptr;
  if (const auto *If = dyn_cast<IfStmt>(Parent))
    if (If->getCond() == Statement)
      return nullptr;
  return Statement;
}

/// Whether evaluating \p E again gives the same value and does nothing
/// else: no side effects, or a construction from such values
/// (`std::shared_ptr<T>(nullptr)`, `std::string("end")`).
bool sameOnEachAttempt(const Expr *E, const ASTContext &Ctx) {
  E = E->IgnoreImplicit();
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(E))
    return all_of(Construct->arguments(),
                  [&](const Expr *Arg) { return sameOnEachAttempt(Arg, Ctx); });
  if (const auto *Cast = dyn_cast<CXXFunctionalCastExpr>(E))
    return sameOnEachAttempt(Cast->getSubExpr(), Ctx);
  // `batch[i]` of a standard container reads an element.
  if (const auto *Subscript = dyn_cast<CXXOperatorCallExpr>(E);
      Subscript && Subscript->getOperator() == OO_Subscript &&
      Subscript->getNumArgs() == 2)
    if (const auto *Callee =
            dyn_cast_or_null<CXXMethodDecl>(Subscript->getDirectCallee());
        Callee && Callee->getParent()->isInStdNamespace())
      return sameOnEachAttempt(Subscript->getArg(0), Ctx) &&
             sameOnEachAttempt(Subscript->getArg(1), Ctx);
  return !E->HasSideEffects(Ctx);
}

/// The arguments of the retried push, and the declarations that evaluate
/// once what must not be evaluated on each attempt.
struct RetryArgs {
  std::string Args, Hoisted;
};

/// The push's arguments as written, when evaluating them again on each
/// attempt changes nothing. With \p CopyMoved (a push of our own that takes
/// its item as the blocking one does), a moved-from argument is copied on
/// each attempt, and one computed with side effects is computed once before
/// the retry, into a variable of its own (indented by \p Indent).
std::optional<RetryArgs> retryArguments(const FixContext &Fx,
                                        const CallExpr *Call, RetryPush &Retry,
                                        StringRef Indent) {
  bool CopyMoved = Retry.CopyMoved;
  RetryArgs Result;
  const FunctionDecl *Callee = Call->getDirectCallee();
  for (unsigned I = 0; I < Call->getNumArgs(); ++I) {
    const Expr *Arg = Call->getArg(I);
    const Expr *Plain = ignoreWrappers(Arg);
    const Expr *Written = Arg;
    if (const auto *Move = dyn_cast<CallExpr>(Plain))
      if (Move->isCallToStdMove() && Move->getNumArgs() == 1) {
        Plain = ignoreWrappers(Move->getArg(0));
        if (CopyMoved) {
          if (!isCopyable(Plain->getType()))
            return std::nullopt;
          Written = Plain;
        }
      }
    // The copy into a by-value parameter is no side effect of the argument.
    if (const auto *Copy = dyn_cast<CXXConstructExpr>(Plain);
        Copy && Copy->getNumArgs() == 1 &&
        Copy->getConstructor()->isCopyOrMoveConstructor())
      Plain = ignoreWrappers(Copy->getArg(0));
    if (isa<CXXDefaultArgExpr>(Arg))
      return std::nullopt;
    std::string Text = sourceText(Written, Fx.Ctx);
    if (Text.empty())
      return std::nullopt;
    if (!sameOnEachAttempt(Plain, Fx.Ctx)) {
      // Computed once, into a variable of the parameter's very type.
      const ParmVarDecl *Param = Callee && I < Callee->getNumParams()
                                     ? Callee->getParamDecl(I)
                                     : nullptr;
      if (!CopyMoved || !Param || Param->getType()->isRValueReferenceType() ||
          isa<InitListExpr>(Plain) ||
          !Fx.Ctx.hasSameUnqualifiedType(
              Param->getType().getNonReferenceType(),
              Plain->getType().getNonReferenceType()) ||
          !isCopyable(Plain->getType()))
        return std::nullopt;
      std::string Name = freshName(Fx, "item");
      for (int N = 2; is_contained(Retry.Hoisted, Name); ++N)
        Name = freshName(Fx, "item" + std::to_string(N));
      Retry.Hoisted.push_back(Name);
      Result.Hoisted +=
          "const auto " + Name + " = " + Text + ";\n" + Indent.str();
      Text = Name;
    }
    Result.Args += (Result.Args.empty() ? "" : ", ") + Text;
  }
  return Result;
}

/// Once the signal is raised the producer must also stop producing: a push
/// in the producer loop leaves it (break from the outermost loop, else
/// return from a thread's void body); one outside any loop just gives up
/// (empty).
std::optional<std::string> stopAfterSignal(const FixContext &Fx,
                                           const CallExpr *Call,
                                           const ParentMap &Parents) {
  const Stmt *Loop = enclosingLoop(Call, Parents);
  if (!Loop)
    return std::string();
  // A loop after the producer loop (one end marker per consumer) is bounded:
  // each of its pushes gives up at once once the signal is raised.
  const Stmt *ProducerLoop = Fx.Case.ProducerLoop;
  if (ProducerLoop && !contains(ProducerLoop, Call))
    return std::string();
  bool BreakLeavesAll =
      Loop == Fx.Case.ProducerLoop && !enclosingLoop(Loop, Parents);
  for (const Stmt *P = Parents.getParent(Call); P && P != Loop;
       P = Parents.getParent(P))
    BreakLeavesAll &= !isa<SwitchStmt>(P);
  if (BreakLeavesAll)
    return std::string("break;");
  if (Fx.Case.producerSpawn() &&
      Fx.Case.producerFunction()->getReturnType()->isVoidType())
    return std::string("return;");
  return std::nullopt;
}

/// Turns the blocking push \p PushOp into a retry that gives up once
/// \p Signal is raised, with the includes it needs at \p IncludeAt.
bool retryPush(const FixContext &Fx, const ReachedOp *PushOp,
               const StopSignal &Signal, RetryPush &Retry,
               SourceLocation IncludeAt, std::vector<FixItHint> &Out) {
  const FunctionDecl *ProducerFunction = Fx.Case.producerFunction();
  const ParentMap &Parents = Fx.S.parents(ProducerFunction);
  const QueueOperation &Push = PushOp->Op;
  const CallExpr *Call = Push.Call;
  if (!PushOp->Via.empty() || PushOp->Holder != ProducerFunction ||
      isInMacro(Call->getSourceRange()))
    return false;
  const Stmt *Parent = nullptr;
  const Stmt *Statement = discardedPushStatement(Call, Parents, Parent);
  if (!Statement)
    return false;
  std::string Indent = indentationOf(Statement->getBeginLoc(), Fx.SM);
  std::optional<RetryArgs> Args = retryArguments(Fx, Call, Retry, Indent);
  if (!Args)
    return false;
  std::string Object = Push.Object ? sourceText(Push.Object, Fx.Ctx) : "";
  if (Object.empty() || isa<CXXThisExpr>(Push.Object->IgnoreParenImpCasts()))
    return false;
  std::string Attempt = formatv(Retry.Template.c_str(),
                                Object + (Push.Arrow ? "->" : "."), Args->Args)
                            .str();
  std::optional<std::string> Stop = stopAfterSignal(Fx, Call, Parents);
  if (!Stop)
    return false;
  std::optional<BraceOpening> Brace;
  if ((!Stop->empty() || !Args->Hoisted.empty()) &&
      !isa<CompoundStmt>(Parent)) {
    // A lone loop body becomes a block to hold the stop.
    Brace = braceOpening(Statement, Parent, Fx.Ctx);
    if (!Brace)
      return false;
  }
  const std::string &Raised = Signal.Raised;
  std::string Code =
      Args->Hoisted + "while (!" + Attempt + " && " + Signal.NotRaised + ")";
  Code += Retry.Waits ? " {\n" + Indent + "}"
                      : "\n" + Indent +
                            "  std::this_thread::sleep_for(std::chrono::"
                            "milliseconds(1));";
  if (!Stop->empty())
    Code += "\n" + Indent + "if (" + Raised + ")\n" + Indent + "  " + *Stop;
  if (Brace) {
    Out.push_back(FixItHint::CreateInsertion(Brace->OpenAt, " {"));
    Code += "\n" + Brace->ParentIndent + "}";
  }
  SourceLocation After = afterStatement(Statement, Fx.Ctx);
  if (After.isInvalid() || After.isMacroID())
    return false;
  Out.push_back(FixItHint::CreateReplacement(
      CharSourceRange::getCharRange(Statement->getBeginLoc(), After), Code));
  insertIncludeIfMissing("chrono", IncludeAt, Fx.Ctx, Out);
  if (!Retry.Waits)
    insertIncludeIfMissing("thread", IncludeAt, Fx.Ctx, Out);
  return true;
}

} // namespace

std::string retryPushTemplate(const FixContext &Fx, bool &Waits) {
  const StrandedProducerCase &Case = Fx.Case;
  // The API's own row, else a non-blocking push of the class that takes the
  // blocking one's arguments and says whether it pushed.
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

std::optional<StrategyPlan> planStopSignal(const FixContext &Fx) {
  RetryPush Retry;
  Retry.Template = retryPushTemplate(Fx, Retry.Waits);
  const VarDecl *Queue = signalledQueue(Fx);
  if (!Queue)
    return std::nullopt;
  // A queue of the project's own with nothing to retry gets a push that
  // gives up.
  std::optional<AddedTryPush> Added;
  if (Retry.Template.empty()) {
    Added = planTryPushMethod(Fx);
    if (!Added)
      return std::nullopt;
    Retry.Template = "{0}" + Added->Name + "({1})";
    Retry.CopyMoved = true;
  }
  std::optional<SignalHome> Home = signalHome(Fx, Queue);
  if (!Home)
    return std::nullopt;
  std::optional<ThreadBodies> Bodies = threadBodies(Fx, Home->DeclareAt);
  if (!Bodies)
    return std::nullopt;

  StrategyPlan Plan;
  if (Added)
    Plan.Edits = Added->Edits;
  std::optional<StopSignal> Signal =
      chooseSignal(Fx, Queue, *Home, *Bodies, Plan.Edits);
  if (!Signal)
    return std::nullopt;
  if (!Signal->Guarded && !planExitStatements(
                              Fx,
                              [&](const FunctionDecl *, const AccessPath &) {
                                return Signal->Raise;
                              },
                              /*GuardWhenCallsThrow=*/false, Plan.Edits))
    return std::nullopt;
  for (const ReachedOp *Push : Fx.Case.ProducerPushes)
    if (!retryPush(Fx, Push, *Signal, Retry, Home->DeclareAt, Plan.Edits))
      return std::nullopt;

  Plan.NoteAt = Fx.firstEdit(Plan.Edits);
  Plan.Summary =
      (Added ? formatv("give '{0}' a '{1}' that returns false instead of "
                       "waiting (the class is otherwise unchanged); ",
                       Added->Class, Added->Name)
                   .str()
             : std::string()) +
      Signal->Description +
      formatv(", and push with '{0}' until there is room or {1}",
              StringRef(Retry.Template).drop_front(3).split('(').first,
              Signal->Until)
          .str();
  return Plan;
}

/// The stop-flag test of the loop around the producer's push, or of one
/// around that (`while (running)`, `for (; !stop_;)`), when the consumers
/// are callers that take one item a call: then lowering that flag is how the
/// class stops its producer, and the push must see it.
static const Expr *ownStopTest(const FixContext &Fx) {
  const StrandedProducerCase &Case = Fx.Case;
  if (!Case.ProducerLoop || !Case.ProducerLoopFunction ||
      !Case.consumersAreCallers())
    return nullptr;
  const ParentMap &Parents = Fx.S.parents(Case.ProducerLoopFunction);
  for (const Stmt *S = Case.ProducerLoop; S; S = Parents.getParent(S))
    if (const Expr *Test = isLoop(S) ? loopStopTest(S) : nullptr)
      return Test;
  return nullptr;
}

std::optional<StrategyPlan> planStopOnOwnFlag(const FixContext &Fx) {
  const Expr *Test = ownStopTest(Fx);
  if (!Test || isInMacro(Test->getSourceRange()))
    return std::nullopt;
  RetryPush Retry;
  Retry.Template = retryPushTemplate(Fx, Retry.Waits);
  if (Retry.Template.empty())
    return std::nullopt;
  std::string GoesOn = sourceText(Test, Fx.Ctx);
  if (GoesOn.empty())
    return std::nullopt;
  StopSignal Signal;
  Signal.Guarded = true;
  Signal.NotRaised = GoesOn;
  const Expr *Inner = ignoreWrappers(Test);
  if (const auto *Not = dyn_cast<UnaryOperator>(Inner);
      Not && Not->getOpcode() == UO_LNot)
    Signal.Raised = sourceText(Not->getSubExpr(), Fx.Ctx);
  else
    Signal.Raised = "!" + GoesOn;
  if (Signal.Raised.empty() || Signal.Raised == "!")
    return std::nullopt;
  StrategyPlan Plan;
  SourceLocation IncludeAt = Fx.Case.Push->Op.Call->getBeginLoc();
  for (const ReachedOp *Push : Fx.Case.ProducerPushes)
    if (!retryPush(Fx, Push, Signal, Retry, IncludeAt, Plan.Edits))
      return std::nullopt;
  Plan.NoteAt = Fx.firstEdit(Plan.Edits);
  Plan.Summary =
      formatv("push with '{0}' until there is room or '{1}' no longer holds, "
              "so that the stop that ends the producer's loop also reaches a "
              "push waiting on the full queue",
              StringRef(Retry.Template).drop_front(3).split('(').first, GoesOn)
          .str();
  return Plan;
}

} // namespace fanout
