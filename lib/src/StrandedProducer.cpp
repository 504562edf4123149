//===- StrandedProducer.cpp - Producers whose consumers all leave ---------===//
//
// A producer pushes into a bounded queue in a loop; every consumer can
// leave its pop loop without being told "closed" and without waking the
// producer; nothing else wakes it (a close by the spawning function before
// it waits on the producer, a watchdog); the queue cannot hold every item.
// Then the producer sleeps in push for ever, and whoever waits for it too.
// The roles may sit anywhere: the actors' summaries say where.
//
//===----------------------------------------------------------------------===//
#include "fanout/StrandedProducer.h"
#include "fanout/AstHelpers.h"
#include "clang/AST/ExprCXX.h"
#include "clang/Basic/SourceManager.h"

using namespace clang;
using namespace llvm;

namespace fanout {

void flattenExits(ArrayRef<RoleExit> Exits,
                  std::vector<const RoleExit *> &Out) {
  for (const RoleExit &Exit : Exits) {
    if (Exit.Kind == ExitKind::ViaCall && !Exit.Inner.empty())
      flattenExits(Exit.Inner, Out);
    else
      Out.push_back(&Exit);
  }
}

namespace {

bool isPush(const ReachedOp &Op) {
  return Op.Op.Role == QueueRole::BlockingPush;
}
bool isPop(const ReachedOp &Op) {
  return Op.Op.Role == QueueRole::BlockingPop ||
         Op.Op.Role == QueueRole::NonBlockingPop;
}

/// The loop that repeats \p Op: around the call in its own function, else
/// around one of the calls that lead to it, from the innermost out.
std::pair<const Stmt *, const FunctionDecl *>
repeatingLoop(const ReachedOp &Op, const FunctionDecl *ActorFunction,
              Summaries &S) {
  if (const Stmt *Loop = enclosingLoop(Op.Op.Call, S.parents(Op.Holder)))
    return {Loop, Op.Holder};
  // Via[i] is a call in the function Via[i-1] runs (Via[0]: the actor's).
  SmallVector<const FunctionDecl *, 4> Callers{ActorFunction};
  for (const ReachedOp *Level = &Op; Level && Level->Inner;
       Level = Level->Inner)
    Callers.push_back(Level->InnerFunction);
  for (size_t I = Op.Via.size(); I-- > 0;)
    if (I < Callers.size())
      if (const Stmt *Loop = enclosingLoop(Op.Via[I], S.parents(Callers[I])))
        return {Loop, Callers[I]};
  return {nullptr, nullptr};
}

class Analysis {
public:
  Analysis(const FanOut &Model, RoleAnalysis &Roles)
      : Model(Model), Roles(Roles), S(Model.summaries()),
        SM(Model.context().getSourceManager()) {}

  std::vector<StrandedProducerCase> run() {
    std::vector<StrandedProducerCase> Cases;
    if (Model.empty())
      return Cases;
    for (const auto &Entry : Model.queues())
      if (std::optional<StrandedProducerCase> Case =
              analyzeQueue(Entry.first, Entry.second))
        Cases.push_back(std::move(*Case));
    return Cases;
  }

private:
  std::optional<StrandedProducerCase> analyzeQueue(const AccessPath &Queue,
                                                   ArrayRef<QueueUse> Uses);
  bool pickProducer(StrandedProducerCase &Case, ArrayRef<QueueUse> Uses);
  std::optional<ConsumerCase> consumerOf(const StrandedProducerCase &Case,
                                         unsigned ActorIndex,
                                         ArrayRef<QueueUse> Uses,
                                         bool &AlwaysDrains);
  bool wokenByAnother(const StrandedProducerCase &Case, ArrayRef<QueueUse> Uses,
                      const DenseSet<unsigned> &Involved);
  bool isWaitOnProducer(const StrandedProducerCase &Case,
                        const CFGElement &Element) const;
  bool wokenByStopRequest(const StrandedProducerCase &Case) const;

  const FanOut &Model;
  RoleAnalysis &Roles;
  Summaries &S;
  const SourceManager &SM;
};

bool Analysis::pickProducer(StrandedProducerCase &Case,
                            ArrayRef<QueueUse> Uses) {
  ArrayRef<Actor> Actors = Model.actors();
  // A blocking push repeated by a loop: spawned threads first, then the
  // calling thread; else a member whose callers push (a pool's submit).
  const QueueUse *Chosen = nullptr;
  for (int Pass = 0; Pass < 3 && !Chosen; ++Pass)
    for (const QueueUse &Use : Uses) {
      const Actor &A = Actors[Use.Actor];
      if (!isPush(*Use.Op))
        continue;
      bool Fits =
          (Pass == 0 && A.Role == Actor::Kind::Spawned && Use.Op->InLoop) ||
          (Pass == 1 && A.Role == Actor::Kind::Caller && Use.Op->InLoop) ||
          (Pass == 2 && A.Role == Actor::Kind::Member);
      if (Fits) {
        Chosen = &Use;
        break;
      }
    }
  if (!Chosen)
    return false;
  Case.Push = Chosen->Op;
  Case.Producer = &Actors[Chosen->Actor];
  std::tie(Case.ProducerLoop, Case.ProducerLoopFunction) =
      repeatingLoop(*Chosen->Op, Case.Producer->Function, S);
  for (const QueueUse &Use : Uses)
    if (Use.Actor == Chosen->Actor && isPush(*Use.Op))
      Case.ProducerPushes.push_back(Use.Op);
  return true;
}

bool Analysis::isWaitOnProducer(const StrandedProducerCase &Case,
                                const CFGElement &Element) const {
  const WaitSite *Wait = Case.ProducerWait;
  if (!Wait)
    return false;
  if (std::optional<CFGStmt> Statement = Element.getAs<CFGStmt>())
    return Wait->Expr && Statement->getStmt() == Wait->Expr;
  if (std::optional<CFGAutomaticObjDtor> Dtor =
          Element.getAs<CFGAutomaticObjDtor>())
    return Wait->Destroyed && Dtor->getVarDecl()->getCanonicalDecl() ==
                                  Wait->Destroyed->getCanonicalDecl();
  return false;
}

namespace {
/// Whether \p F sets member \p Field itself (`running_ = false` on an
/// error): then the consumer stops itself, not at its class's request.
bool setsMember(const FunctionDecl *F, const ValueDecl *Field) {
  bool Found = false;
  auto Target = [&](const Expr *E) {
    const auto *Member = dyn_cast<MemberExpr>(ignoreWrappers(E));
    return Member && Member->getMemberDecl() == Field;
  };
  forEachDescendant(F->getBody(), [&](const Stmt *S) {
    if (const auto *Assign = dyn_cast<BinaryOperator>(S))
      Found |= Assign->isAssignmentOp() && Target(Assign->getLHS());
    else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S))
      Found |= Op->isAssignmentOp() && Op->getNumArgs() == 2 &&
               Target(Op->getArg(0));
    else if (const auto *Call = dyn_cast<CXXMemberCallExpr>(S))
      Found |= calleeName(Call) == "store" &&
               Target(Call->getImplicitObjectArgument());
  });
  return Found;
}

/// Whether stop test \p Cond (`token.stop_requested()`, `!running_`) reads
/// a stop of the class's own: a member flag that the consumer \p In does not
/// set itself, or the stop token its thread was started with.
bool readsClassStop(const Expr *Cond, const FunctionDecl *In) {
  const Expr *E = ignoreWrappers(Cond);
  if (const auto *Not = dyn_cast<UnaryOperator>(E);
      Not && Not->getOpcode() == UO_LNot)
    E = ignoreWrappers(Not->getSubExpr());
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E))
    E = ignoreWrappers(Call->getImplicitObjectArgument());
  if (const auto *Member = dyn_cast<MemberExpr>(E))
    return isa<CXXThisExpr>(ignoreWrappers(Member->getBase())) &&
           !setsMember(In, Member->getMemberDecl());
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
    if (const auto *Param = dyn_cast<ParmVarDecl>(Ref->getDecl()))
      if (const CXXRecordDecl *Type =
              Param->getType().getNonReferenceType()->getAsCXXRecordDecl())
        return Type->getName() == "stop_token";
  return false;
}

bool isClassStopTest(const Expr *Cond, const FunctionDecl *In) {
  const Expr *E = ignoreWrappers(Cond);
  if (const auto *And = dyn_cast<BinaryOperator>(E);
      And && And->getOpcode() == BO_LAnd)
    return isClassStopTest(And->getLHS(), In) ||
           isClassStopTest(And->getRHS(), In);
  return isStopFlagTest(E) && readsClassStop(E, In);
}

/// Whether \p Exit is the consumer's answer to a stop its class asks for:
/// a loop condition that tests the class's stop, or a `break`/`return`
/// right under `if (token.stop_requested())`; through a call, when all the
/// callee's ways out are.
bool answersClassStop(const RoleExit &Exit, Summaries &S) {
  if (Exit.Kind == ExitKind::ViaCall)
    return !Exit.Inner.empty() && all_of(Exit.Inner, [&](const RoleExit &In) {
      return answersClassStop(In, S);
    });
  const auto *Cond = dyn_cast_or_null<Expr>(Exit.At);
  if (Exit.Kind == ExitKind::LoopCondition)
    return Cond && isClassStopTest(Cond, Exit.In);
  if (Exit.Kind != ExitKind::Break && Exit.Kind != ExitKind::Return)
    return false;
  const ParentMap &Parents = S.parents(Exit.In);
  const Stmt *Child = Exit.At;
  for (const Stmt *P = Parents.getParent(Child); P;
       Child = P, P = Parents.getParent(P)) {
    if (isa<CompoundStmt>(P))
      continue;
    const auto *If = dyn_cast<IfStmt>(P);
    if (!If || If->getThen() != Child)
      return false;
    // Stop, or not, needs `!running_` to be asked as the whole condition.
    return isStopFlagTest(If->getCond()) &&
           readsClassStop(If->getCond(), Exit.In);
  }
  return false;
}

/// Whether the producer goes on until it is stopped: its loop has no end of
/// its own (`for (;;)`, `while (true)`) or ends on a stop flag
/// (`while (running_)`), and it never closes the queue itself.
bool producesUntilStopped(const StrandedProducerCase &Case,
                          ArrayRef<QueueUse> Uses) {
  const Actor *First = Case.Model->actors().data();
  if (any_of(Uses, [&](const QueueUse &Use) {
        return First + Use.Actor == Case.Producer &&
               Use.Op->Op.Role == QueueRole::Close;
      }))
    return false;
  // No end of its own (`for (;;)`, `while (true)`), or a stop flag's.
  auto Endless = [](const Stmt *Loop) {
    const auto *For = dyn_cast<ForStmt>(Loop);
    if (For && !For->getCond())
      return true;
    const auto *While = dyn_cast<WhileStmt>(Loop);
    const auto *Literal = dyn_cast_or_null<CXXBoolLiteralExpr>(
        While ? ignoreWrappers(While->getCond()) : nullptr);
    return (Literal && Literal->getValue()) || loopStopTest(Loop);
  };
  // The loop around the push, or one around that (`while (running) { for
  // (i < batch) push(...); }`).
  if (!Case.ProducerLoop || !Case.ProducerLoopFunction)
    return false;
  const ParentMap &Parents =
      Case.Model->summaries().parents(Case.ProducerLoopFunction);
  for (const Stmt *S = Case.ProducerLoop; S; S = Parents.getParent(S))
    if (isLoop(S) && Endless(S))
      return true;
  return false;
}

/// Whether any push of the queue (by any actor, through any calls) is
/// given a constant: an end marker (`q.push(-1)`) rather than data.
bool pushesConstant(ArrayRef<QueueUse> Uses, const ASTContext &Ctx) {
  auto IsConstant = [&](const Expr *E) {
    return !E->isValueDependent() && !E->getType()->isRecordType() &&
           E->isEvaluatable(Ctx);
  };
  // A constant, or an item built from one (`Job{kStopId}`).
  auto Constant = [&](const CallExpr *Call) {
    return any_of(Call->arguments(), [&](const Expr *Arg) {
      const Expr *E = ignoreWrappers(Arg);
      if (const auto *List = dyn_cast<InitListExpr>(E))
        return any_of(List->inits(), IsConstant);
      if (const auto *Construct = dyn_cast<CXXConstructExpr>(E))
        return any_of(Construct->arguments(), IsConstant);
      return IsConstant(E);
    });
  };
  return any_of(Uses, [&](const QueueUse &Use) {
    QueueRole Role = Use.Op->Op.Role;
    return (Role == QueueRole::BlockingPush ||
            Role == QueueRole::NonBlockingPush) &&
           (Constant(Use.Op->Op.Call) || any_of(Use.Op->Via, Constant));
  });
}
} // namespace

std::optional<ConsumerCase>
Analysis::consumerOf(const StrandedProducerCase &Case, unsigned ActorIndex,
                     ArrayRef<QueueUse> Uses, bool &AlwaysDrains) {
  const Actor &A = Model.actors()[ActorIndex];
  const QueueUse *Pop = nullptr;
  for (const QueueUse &Use : Uses)
    if (Use.Actor == ActorIndex && Use.Op->Op.Role == QueueRole::BlockingPop) {
      Pop = &Use;
      break;
    }
  if (!Pop)
    return std::nullopt;
  ConsumerCase Consumer;
  Consumer.Who = &A;
  const AccessPath &InActor = Pop->Op->Queue;
  // A member that takes one item a call (`next()`): its callers are the
  // consumer, and they may stop taking items whenever they like; only the
  // class can then wake the producer (a close before it joins).
  if (A.Role == Actor::Kind::Member && !Pop->Op->InLoop &&
      !isa<CXXConstructorDecl, CXXDestructorDecl>(A.Function)) {
    // A producer that ends the stream itself lets its callers drain it.
    if (!producesUntilStopped(Case, Uses))
      return std::nullopt;
    const Stmt *At = Pop->Op->Via.empty()
                         ? static_cast<const Stmt *>(Pop->Op->Op.Call)
                         : Pop->Op->Via.front();
    Consumer.Exits.push_back(
        {At, ExitKind::CallersStop, A.Function, InActor, {}, nullptr});
    return Consumer;
  }
  auto IsWait = [&](const CFGElement &Element) {
    return isWaitOnProducer(Case, Element);
  };
  CallerContext Caller{IsWait, Model.firstSpawnLoc()};
  if (A.Role == Actor::Kind::Caller)
    Consumer.Role = Roles.callerConsumer(A.Function, InActor, Caller);
  else
    Consumer.Role = Roles.consumer(A.Function, InActor);
  // `if (item < 0) break;` is the end marker only if someone pushes one.
  if (Consumer.Role.UsesRangeSentinel &&
      !pushesConstant(Uses, Model.summaries().context()))
    Consumer.Role = Roles.consumerTestingData(
        A.Function, InActor, A.Role == Actor::Kind::Caller ? &Caller : nullptr);
  if (!Consumer.Role.Drains)
    return std::nullopt;
  Consumer.Exits = Consumer.Role.Exits;
  // An exception that leaves the consumer ends only its task where the task
  // keeps it (std::async, task groups), the calling thread unwinds through
  // the waits of its scope, and a member's caller gets it.
  bool ThrowsCount = (A.Role == Actor::Kind::Spawned &&
                      A.Spawn->Exceptions == EscapingException::EndsTask) ||
                     A.Role == Actor::Kind::Member ||
                     (A.Role == Actor::Kind::Caller && Case.ProducerWait &&
                      Case.ProducerWait->isImplicit());
  if (ThrowsCount)
    Consumer.Exits.insert(Consumer.Exits.end(),
                          Consumer.Role.ThrowExits.begin(),
                          Consumer.Role.ThrowExits.end());
  // The callers of a class's producing member ask for its stop (`stop()`,
  // the destructor) once they are done producing, as does a calling thread
  // that produces: the consumer leaving on that request strands none of
  // them. A stop raised beside a producer thread still can.
  if (Case.producerIsMember() || Case.producerIsCaller())
    erase_if(Consumer.Exits, [&](const RoleExit &Exit) {
      return answersClassStop(Exit, Model.summaries());
    });
  if (Consumer.Exits.empty()) {
    // A counted consumer leaves once it has its items: it neither strands
    // the producer nor keeps it going.
    if (!Consumer.Role.EndsOnOwnCondition)
      AlwaysDrains = true;
    return std::nullopt;
  }
  return Consumer;
}

/// Something other than the producer and the consumers wakes the producer
/// in time: the spawning function closing before it waits on the producer,
/// a watchdog thread, the destructor that closes before it joins.
bool Analysis::wokenByAnother(const StrandedProducerCase &Case,
                              ArrayRef<QueueUse> Uses,
                              const DenseSet<unsigned> &Involved) {
  ArrayRef<Actor> Actors = Model.actors();
  for (const QueueUse &Use : Uses) {
    const QueueOperation &Op = Use.Op->Op;
    if (Op.Role != QueueRole::Close ||
        !Op.Api->closeWakes(Op.MethodName, QueueSide::Producers) ||
        Involved.contains(Use.Actor))
      continue;
    const Actor &A = Actors[Use.Actor];
    switch (A.Role) {
    case Actor::Kind::Spawned:
      return true;
    case Actor::Kind::Member:
      // A destructor that closes, then joins the producer it owns.
      if (isa<CXXDestructorDecl>(A.Function) && !Case.producerIsMember())
        return true;
      break;
    case Actor::Kind::Caller: {
      const Stmt *At = Use.Op->callHere();
      if (!Case.ProducerWait || SM.isBeforeInTranslationUnit(
                                    At->getBeginLoc(), Case.ProducerWait->Loc))
        return true;
      break;
    }
    }
  }
  return false;
}

/// A push that also waits on a stop token (condition_variable_any's
/// stoppable wait) returns when a stop is requested: by `request_stop()` on
/// the token's source (the producer's jthread for its own token) before the
/// producer is waited for, or by the jthread's destructor, which requests
/// the stop before it joins.
bool Analysis::wokenByStopRequest(const StrandedProducerCase &Case) const {
  const CallExpr *Push = Case.Push->Op.Call;
  const FunctionDecl *Callee = Push->getDirectCallee();
  if (!Callee || !Case.Push->Via.empty())
    return false;
  const ValueDecl *Owner = nullptr;
  for (unsigned I = 0, E = std::min<unsigned>(Callee->getNumParams(),
                                              Push->getNumArgs());
       I < E && !Owner; ++I)
    if (isStopToken(Callee->getParamDecl(I)->getType()))
      Owner = stopOwnerOf(Push->getArg(I)); // None for a default token.
  if (!Owner)
    return false;
  const SpawnSite *Spawn = Case.producerSpawn();
  const ValueDecl *Handle = Spawn ? Spawn->Handle.leafDecl() : nullptr;
  // The producer's own token: its jthread is the source.
  bool OwnToken = isa<ParmVarDecl>(Owner) && Spawn &&
                  Owner->getDeclContext() == Spawn->Body;
  const ValueDecl *Source = OwnToken ? Handle : Owner;
  const WaitSite *Wait = Case.ProducerWait;
  if (OwnToken && Wait && Wait->isImplicit() && Spawn->Kind == "std::jthread")
    return true;
  if (!Source)
    return false;
  bool Requested = false;
  forEachDescendant(Case.Spawner->getBody(), [&](const Stmt *Node) {
    const auto *Call = dyn_cast<CXXMemberCallExpr>(Node);
    const CXXMethodDecl *Method = Call ? Call->getMethodDecl() : nullptr;
    if (!Method || Method->getName() != "request_stop")
      return;
    const Expr *Object = ignoreWrappers(Call->getImplicitObjectArgument());
    const ValueDecl *On = nullptr;
    if (const auto *Ref = dyn_cast<DeclRefExpr>(Object))
      On = Ref->getDecl();
    else if (const auto *Member = dyn_cast<MemberExpr>(Object))
      On = Member->getMemberDecl();
    if (On == Source &&
        (!Wait || SM.isBeforeInTranslationUnit(Call->getBeginLoc(), Wait->Loc)))
      Requested = true;
  });
  return Requested;
}

std::optional<StrandedProducerCase>
Analysis::analyzeQueue(const AccessPath &Queue, ArrayRef<QueueUse> Uses) {
  if (!Model.isBounded(Queue))
    return std::nullopt;
  StrandedProducerCase Case;
  Case.Model = &Model;
  Case.Spawner = Model.spawner();
  Case.Queue = Queue;
  Case.Api = Model.api(Queue);
  if (!pickProducer(Case, Uses))
    return std::nullopt;
  const unsigned ProducerIndex = Case.Producer - Model.actors().data();
  Case.ProducerWait = Model.waitOn(Case.producerSpawn());

  DenseSet<unsigned> Involved{ProducerIndex};
  SmallPtrSet<const FunctionDecl *, 4> Seen;
  for (unsigned I = 0; I < Model.actors().size(); ++I) {
    const Actor &A = Model.actors()[I];
    if (I == ProducerIndex || A.Function == Case.Producer->Function)
      continue;
    if (none_of(Uses, [&](const QueueUse &Use) {
          return Use.Actor == I && isPop(*Use.Op);
        }))
      continue;
    Involved.insert(I);
    // The calling thread that pops only once the producer is done drains
    // after the fact (a join before the drain is another check's case).
    if (A.Role == Actor::Kind::Caller &&
        Model.callerUsesAfter(
            Queue, Case.ProducerWait,
            [](const QueueUse &Use) { return isPop(*Use.Op); }))
      continue;
    // One body spawned many times is one consumer case.
    if (A.Role != Actor::Kind::Caller && !Seen.insert(A.Function).second)
      continue;
    bool AlwaysDrains = false;
    std::optional<ConsumerCase> Consumer =
        consumerOf(Case, I, Uses, AlwaysDrains);
    if (AlwaysDrains)
      return std::nullopt; // This consumer always drains or wakes.
    if (Consumer)
      Case.Consumers.push_back(std::move(*Consumer));
  }
  if (Case.Consumers.empty())
    return std::nullopt;
  for (const ConsumerCase &Consumer : Case.Consumers)
    if (const WaitSite *Wait = Model.waitOn(Consumer.Who->Spawn))
      Case.ConsumerWaits.push_back(Wait);
  if (wokenByAnother(Case, Uses, Involved) || wokenByStopRequest(Case))
    return std::nullopt;

  // A queue that holds every item never makes the producer wait.
  QueueCapacity Capacity = Model.capacity(Queue);
  if (Capacity.Value && Case.ProducerLoop)
    if (std::optional<int64_t> Trips =
            constantTripCount(Case.ProducerLoop, Model.context());
        Trips && *Trips <= *Capacity.Value)
      return std::nullopt;
  return Case;
}

/// The name of the function \p S calls, for notes.
std::string calleeOf(const Stmt *S) {
  if (const auto *Construct = dyn_cast_or_null<CXXConstructExpr>(S))
    return Construct->getConstructor()->getParent()->getNameAsString();
  const auto *Call = dyn_cast_or_null<CallExpr>(S);
  if (!Call)
    return {};
  if (const FunctionDecl *Callee = Call->getDirectCallee())
    return Callee->getNameAsString();
  return calleeName(Call).str();
}

NoteKind consumerExitNote(ExitKind Kind) {
  switch (Kind) {
  case ExitKind::Return:
    return NoteKind::ConsumerReturns;
  case ExitKind::Break:
    return NoteKind::ConsumerBreaks;
  case ExitKind::Throw:
    return NoteKind::ConsumerThrows;
  case ExitKind::Goto:
    return NoteKind::ConsumerJumps;
  case ExitKind::LoopCondition:
    return NoteKind::ConsumerCondition;
  case ExitKind::FallOff:
    return NoteKind::ConsumerFinishes;
  case ExitKind::ThrowingCall:
    return NoteKind::ConsumerCallThrows;
  case ExitKind::ViaCall:
    return NoteKind::ConsumerCallLeaves;
  case ExitKind::CallersStop:
    return NoteKind::CallersStop;
  }
  return NoteKind::ConsumerReturns;
}

void addExitNotes(ArrayRef<RoleExit> Exits, StringRef Queue,
                  std::vector<FindingNote> &Notes) {
  for (const RoleExit &Exit : Exits) {
    FindingNote Note;
    Note.Kind = consumerExitNote(Exit.Kind);
    Note.Loc = Exit.Kind == ExitKind::FallOff ? Exit.At->getEndLoc()
                                              : Exit.At->getBeginLoc();
    Note.Args = {Queue.str(), Exit.Kind == ExitKind::CallersStop
                                  ? Exit.In->getNameAsString()
                                  : calleeOf(Exit.At)};
    if (Exit.Kind == ExitKind::ViaCall) {
      // The callee's own ways out first, then the call that brings them.
      addExitNotes(Exit.Inner, Queue, Notes);
      Notes.push_back(std::move(Note));
      continue;
    }
    Notes.push_back(std::move(Note));
    if (Exit.CaughtBy)
      Notes.push_back(
          {NoteKind::ExceptionCaught, Exit.CaughtBy->getBeginLoc()});
  }
}

/// Whether \p Call is one of the ways out of \p Exits (a call that returns
/// early), which its exit note already tells.
bool isExitCall(ArrayRef<RoleExit> Exits, const Stmt *Call) {
  return any_of(Exits, [&](const RoleExit &Exit) {
    return Exit.At == Call ||
           (Exit.Kind == ExitKind::ViaCall && isExitCall(Exit.Inner, Call));
  });
}

/// A note at each call on the way from a thread's body to its role, but
/// for the calls that \p Exits tell as ways out.
void addCallNotes(ArrayRef<const CallExpr *> Via, StringRef Who,
                  std::vector<FindingNote> &Notes,
                  ArrayRef<RoleExit> Exits = {}) {
  std::string Caller = Who.str();
  for (const CallExpr *Call : Via) {
    std::string Callee = calleeOf(Call);
    if (!isExitCall(Exits, Call))
      Notes.push_back(
          {NoteKind::RunsCall, Call->getBeginLoc(), {Caller, Callee}});
    Caller = "'" + Callee + "'";
  }
}

} // namespace

std::vector<StrandedProducerCase>
findStrandedProducerCases(const FanOut &Model, RoleAnalysis &Roles) {
  return Analysis(Model, Roles).run();
}

Finding describeStrandedProducer(const StrandedProducerCase &Case) {
  const FanOut &Model = *Case.Model;
  std::string Name = Model.nameOf(Case.Queue);
  Finding F;
  const CallExpr *Push = Case.Push->Op.Call;
  F.Loc = Push->getExprLoc();
  F.Range = Push->getSourceRange();
  if (Case.producerIsMember()) {
    F.Kind = FindingKind::StrandedMemberProducer;
    F.Args = {Case.Producer->Function->getNameAsString(),
              Case.Push->Op.MethodName.str(), Model.describe(Case.Queue)};
  } else {
    F.Kind = FindingKind::StrandedProducer;
    F.Args = {Case.Push->Op.MethodName.str(), Model.describe(Case.Queue)};
  }
  std::vector<FindingNote> &Notes = F.Notes;
  if (const ValueDecl *Decl = Case.Queue.leafDecl())
    Notes.push_back({NoteKind::QueueDeclared, Decl->getLocation(), {Name}});
  for (const ConsumerCase &Consumer : Case.Consumers) {
    addExitNotes(Consumer.Exits, Name, Notes);
    const Actor &Who = *Consumer.Who;
    if (Who.Role == Actor::Kind::Spawned) {
      bool InLoop = Who.Spawn->InLoop;
      Notes.push_back({NoteKind::ConsumerSpawned,
                       Who.Spawn->Expr->getBeginLoc(),
                       {InLoop ? "s" : "", InLoop ? " in a loop" : ""}});
      addCallNotes(Consumer.Role.ViaToLoop, "the consumer thread", Notes,
                   Consumer.Exits);
    } else if (Who.Role == Actor::Kind::Caller) {
      if (!Consumer.Role.ViaToLoop.empty()) {
        const CallExpr *First = Consumer.Role.ViaToLoop.front();
        // Said already when that call is itself the way out.
        if (none_of(Consumer.Exits,
                    [&](const RoleExit &Exit) { return Exit.At == First; }))
          Notes.push_back({NoteKind::CallerConsumes,
                           First->getBeginLoc(),
                           {calleeOf(First)}});
        addCallNotes(
            ArrayRef<const CallExpr *>(Consumer.Role.ViaToLoop).drop_front(),
            "'" + calleeOf(First) + "'", Notes, Consumer.Exits);
      }
    } else {
      addCallNotes(Consumer.Role.ViaToLoop,
                   "'" + Who.Function->getNameAsString() + "'", Notes,
                   Consumer.Exits);
    }
  }
  if (const SpawnSite *Spawn = Case.producerSpawn()) {
    Notes.push_back({NoteKind::ProducerSpawned, Spawn->Expr->getBeginLoc()});
    addCallNotes(Case.Push->Via, "the producer thread", Notes);
  } else if (!Case.Push->Via.empty()) {
    addCallNotes(Case.Push->Via,
                 "'" + Case.Producer->Function->getNameAsString() + "'", Notes);
  }
  if (const WaitSite *Wait = Case.ProducerWait)
    Notes.push_back({Wait->isImplicit() ? NoteKind::ProducerWaitScope
                                        : NoteKind::ProducerWait,
                     Wait->Loc});
  FixPlan Plan = planStrandedProducerFix(Case, Model.context());
  F.Fixes = std::move(Plan.Fixes);
  for (FindingNote &Note : Plan.Notes)
    Notes.push_back(std::move(Note));
  // When the producer pushes a known number of items, a queue with room for
  // all of them never blocks it: an alternative, not the default (it costs
  // memory, and the consumers still stop early).
  QueueCapacity Capacity = Model.capacity(Case.Queue);
  if (std::optional<int64_t> Items =
          constantTripCount(Case.ProducerLoop, Model.context());
      Items && Capacity.Expr && !isInMacro(Capacity.Expr->getSourceRange())) {
    FindingNote Enlarge;
    Enlarge.Kind = NoteKind::AlternativeFix;
    Enlarge.Loc = Capacity.Expr->getBeginLoc();
    Enlarge.FixTitle =
        "give '" + Name + "' room for all " + std::to_string(*Items) + " items";
    Enlarge.Args = {Enlarge.FixTitle};
    Enlarge.Fixes = {FixItHint::CreateReplacement(
        Capacity.Expr->getSourceRange(), std::to_string(*Items))};
    Notes.push_back(std::move(Enlarge));
  }
  return F;
}

} // namespace fanout
