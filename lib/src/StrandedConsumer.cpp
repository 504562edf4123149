//===- StrandedConsumer.cpp - Producers that leave without closing --------===//
//
// The mirror of the stranded producer: consumers pop in loops that end only
// when the queue says it is closed (or when the producer's end marker comes),
// and the producer can finish — return, throw, reach its end — without
// closing it or sending the markers. Once the producer has gone, the
// consumers sleep in pop for ever and whoever waits for them too.
//
//===----------------------------------------------------------------------===//
#include "fanout/StrandedConsumer.h"
#include "fanout/AstHelpers.h"
#include "fanout/Edits.h"
#include "fanout/MarkerFix.h"
#include "fanout/StopRequestCloseFix.h"
#include "fanout/StoredErrorFix.h"
#include "fanout/StrandedProducer.h"
#include "fanout/UnwindCloseFix.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/DenseSet.h"

using namespace clang;
using namespace llvm;

namespace fanout {
namespace {

struct Consumer {
  const Actor *Who;
  const ConsumerRole *Role;
  /// Where the consumer's own code waits: the pop, or the call that leads
  /// to it (`client.consume_message()`), and the function holding the pop.
  const Stmt *Site;
  const FunctionDecl *PopHolder;
};

const VarDecl *variableOf(const Expr *E) {
  E = ignoreWrappers(E);
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E))
    E = ignoreWrappers(Call->getImplicitObjectArgument());
  if (isa<MemberExpr>(E))
    return nullptr;
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
    return dyn_cast<VarDecl>(Ref->getDecl());
  return nullptr;
}

const ValueDecl *writtenDecl(const Expr *E) {
  E = ignoreWrappers(E);
  if (const auto *Member = dyn_cast<MemberExpr>(E))
    return Member->getMemberDecl();
  return variableOf(E);
}

/// The variables and fields \p Body assigns or stores to (`stop = true`,
/// `stop.store(true)`, `++errors`, `failed_ = true`).
void collectWritten(const Stmt *Body, DenseSet<const ValueDecl *> &Out);

/// What the destructor of the guard \p Var writes through the references it
/// was given (`LeaveCount g{left};` whose destructor does `--left_`): the
/// variables bound to those references.
void collectWrittenByGuard(const VarDecl *Var,
                           DenseSet<const ValueDecl *> &Out) {
  const CXXRecordDecl *Class = Var->getType()->getAsCXXRecordDecl();
  const CXXDestructorDecl *Dtor = Class ? Class->getDestructor() : nullptr;
  const auto *Init = dyn_cast_or_null<InitListExpr>(
      Var->getInit() ? Var->getInit()->IgnoreImplicit() : nullptr);
  if (!Dtor || !Dtor->hasBody() || !Init)
    return;
  DenseSet<const ValueDecl *> InDtor;
  collectWritten(Dtor->getBody(), InDtor);
  for (const FieldDecl *Field : Class->fields())
    if (Field->getType()->isReferenceType() && InDtor.contains(Field) &&
        Field->getFieldIndex() < Init->getNumInits())
      if (const ValueDecl *Bound =
              writtenDecl(Init->getInit(Field->getFieldIndex())))
        Out.insert(Bound);
}

void collectWritten(const Stmt *Body, DenseSet<const ValueDecl *> &Out) {
  forEachDescendant(Body, [&](const Stmt *S) {
    const Expr *Target = writtenBy(S);
    if (const auto *Call = dyn_cast<CXXMemberCallExpr>(S);
        Call && !Target &&
        (calleeName(Call) == "store" || calleeName(Call) == "request_stop" ||
         calleeName(Call) == "fetch_add" || calleeName(Call) == "fetch_sub"))
      Target = Call->getImplicitObjectArgument();
    if (const ValueDecl *Decl = Target ? writtenDecl(Target) : nullptr)
      Out.insert(Decl);
    if (const auto *DS = dyn_cast<DeclStmt>(S))
      for (const Decl *D : DS->decls())
        if (const auto *Var = dyn_cast<VarDecl>(D))
          collectWrittenByGuard(Var, Out);
  });
}

bool readsAny(const Expr *Cond, const DenseSet<const ValueDecl *> &Decls) {
  bool Reads = false;
  auto Visit = [&](const Stmt *Node) {
    if (const auto *Ref = dyn_cast<DeclRefExpr>(Node))
      Reads |= Decls.contains(Ref->getDecl());
    if (const auto *Member = dyn_cast<MemberExpr>(Node))
      Reads |= Decls.contains(Member->getMemberDecl());
  };
  Visit(Cond);
  forEachDescendant(Cond, Visit);
  return Reads;
}

NoteKind producerExitNote(ExitKind Kind) {
  switch (Kind) {
  case ExitKind::Throw:
    return NoteKind::ProducerThrows;
  case ExitKind::FallOff:
    return NoteKind::ProducerFinishes;
  case ExitKind::ThrowingCall:
    return NoteKind::ProducerCallThrows;
  case ExitKind::ViaCall:
    return NoteKind::ProducerCallLeaves;
  default:
    return NoteKind::ProducerReturns;
  }
}

std::string calleeOf(const Stmt *S) {
  if (const auto *Construct = dyn_cast_or_null<CXXConstructExpr>(S))
    return Construct->getConstructor()->getParent()->getNameAsString();
  if (const auto *Call = dyn_cast_or_null<CallExpr>(S)) {
    if (const FunctionDecl *Callee = Call->getDirectCallee())
      return Callee->getNameAsString();
    return calleeName(Call).str();
  }
  return {};
}

void addProducerExitNotes(ArrayRef<RoleExit> Exits, StringRef Queue,
                          std::vector<FindingNote> &Notes) {
  for (const RoleExit &Exit : Exits) {
    if (Exit.Kind == ExitKind::ViaCall)
      addProducerExitNotes(Exit.Inner, Queue, Notes);
    Notes.push_back({producerExitNote(Exit.Kind),
                     Exit.Kind == ExitKind::FallOff ? Exit.At->getEndLoc()
                                                    : Exit.At->getBeginLoc(),
                     {Queue.str(), calleeOf(Exit.At)}});
    if (Exit.CaughtBy)
      Notes.push_back(
          {NoteKind::ExceptionCaught, Exit.CaughtBy->getBeginLoc()});
  }
}

class Analysis {
public:
  Analysis(const FanOut &Model, RoleAnalysis &Roles)
      : Model(Model), Roles(Roles), S(Model.summaries()), Ctx(Model.context()) {
  }

  std::vector<Finding> run() {
    std::vector<Finding> Findings;
    if (Model.empty())
      return Findings;
    for (const auto &Entry : Model.queues())
      analyzeQueue(Entry.first, Entry.second, Findings);
    return Findings;
  }

private:
  void analyzeQueue(const AccessPath &Queue, ArrayRef<QueueUse> Uses,
                    std::vector<Finding> &Findings);
  std::vector<FixItHint> planFix(const Actor &Producer,
                                 const AccessPath &InProducer,
                                 ArrayRef<RoleExit> Exits, const QueueApi &Api,
                                 ArrayRef<Consumer> Consumers, bool &Guard);
  bool closesBeforePopping(ArrayRef<QueueUse> Uses, unsigned Who) const;
  std::vector<FixItHint> planDestructorMarkers(const Actor &Producer,
                                               const AccessPath &Queue,
                                               const MarkerSpec *Markers,
                                               ArrayRef<Consumer> Consumers);
  std::optional<std::vector<UnwindCloseSite>>
  unwindCloseSites(ArrayRef<RoleExit> Exits);

  const FanOut &Model;
  RoleAnalysis &Roles;
  Summaries &S;
  ASTContext &Ctx;
};

/// Whether actor \p Who's first close that wakes consumers comes before its
/// first blocking pop, in its own code.
bool Analysis::closesBeforePopping(ArrayRef<QueueUse> Uses,
                                   unsigned Who) const {
  const SourceManager &SM = Ctx.getSourceManager();
  const Stmt *FirstClose = nullptr, *FirstPop = nullptr;
  auto Earliest = [&](const Stmt *&Slot, const Stmt *Site) {
    if (!Slot ||
        SM.isBeforeInTranslationUnit(Site->getBeginLoc(), Slot->getBeginLoc()))
      Slot = Site;
  };
  for (const QueueUse &Use : Uses) {
    if (Use.Actor != Who)
      continue;
    const QueueOperation &Op = Use.Op->Op;
    if (Op.Role == QueueRole::Close &&
        Op.Api->closeWakes(Op.MethodName, QueueSide::Consumers))
      Earliest(FirstClose, FanOut::siteOf(Use));
    else if (Op.Role == QueueRole::BlockingPop)
      Earliest(FirstPop, FanOut::siteOf(Use));
  }
  return FirstClose && FirstPop &&
         SM.isBeforeInTranslationUnit(FirstClose->getBeginLoc(),
                                      FirstPop->getBeginLoc());
}

/// A member the class's user calls sends the end markers and the
/// destructor joins the consumers: the destructor sends them itself when an
/// exception skipped that call (MarkerFix.h, planOwnerEndMarkers).
std::vector<FixItHint>
Analysis::planDestructorMarkers(const Actor &Producer, const AccessPath &Queue,
                                const MarkerSpec *Markers,
                                ArrayRef<Consumer> Consumers) {
  const CXXRecordDecl *Class = classOf(Producer.Function);
  const CXXDestructorDecl *Destructor =
      Class && Class->hasDefinition() ? Class->getDestructor() : nullptr;
  if (!Destructor || !Destructor->hasBody() ||
      Queue.base() != AccessPath::BaseKind::This)
    return {};
  // The one member that sends the markers, on every path, and pushes
  // nothing else.
  const CXXMethodDecl *Sender = nullptr;
  for (const CXXMethodDecl *Method : Class->methods()) {
    if (!Method->hasBody() ||
        isa<CXXConstructorDecl, CXXDestructorDecl>(Method))
      continue;
    std::vector<const ReachedOp *> Ops = S.opsOn(Method, Queue);
    bool OnlyMarkers = !Ops.empty() && all_of(Ops, [&](const ReachedOp *Op) {
      return (Op->Op.Role == QueueRole::BlockingPush ||
              Op->Op.Role == QueueRole::NonBlockingPush) &&
             Roles.isMarkerPush(*Op, Markers);
    });
    if (!OnlyMarkers ||
        !Roles.closesOnAllPaths(Method, Queue, QueueSide::Consumers, Markers))
      continue;
    if (Sender)
      return {};
    Sender = Method;
  }
  if (!Sender)
    return {};
  // The destructor's first join of a consumer thread (`t.join()` over the
  // member that holds them), and no call of the sender.
  SmallPtrSet<const FieldDecl *, 2> Handles;
  for (const Consumer &C : Consumers) {
    const SpawnSite *Spawn = C.Who->Spawn;
    if (!Spawn || Spawn->Handle.base() != AccessPath::BaseKind::This ||
        Spawn->Handle.fields().empty() || !Spawn->Handle.fields().front())
      return {};
    Handles.insert(Spawn->Handle.fields().front());
  }
  const Stmt *Join = nullptr;
  bool CallsSender = false;
  forEachDescendant(Destructor->getBody(), [&](const Stmt *Node) {
    const auto *Call = dyn_cast<CallExpr>(Node);
    if (!Call)
      return;
    CallsSender |= Call->getDirectCallee() == Sender;
    const auto *Member = dyn_cast<CXXMemberCallExpr>(Call);
    if (!Member || calleeName(Member) != "join" || Join)
      return;
    AccessPath Joined = pathOf(Member->getImplicitObjectArgument(), Destructor);
    if (Joined.base() == AccessPath::BaseKind::This &&
        !Joined.fields().empty() && Handles.contains(Joined.fields().front()))
      Join = Call;
  });
  if (!Join || CallsSender)
    return {};
  return planOwnerEndMarkers(Sender, Destructor, Join, S.parents(Destructor),
                             Ctx);
}

/// A direct operation of \p F on \p Queue: how \p F names the queue.
const ReachedOp *directOp(Summaries &S, const FunctionDecl *F,
                          const AccessPath &Queue) {
  for (const ReachedOp &Op : S.opsOf(F))
    if (Op.Via.empty() && Op.Queue == Queue)
      return &Op;
  return nullptr;
}

/// The call by which one of \p Producers leaves its error in the queue.
const QueueUse *errorKeptBy(ArrayRef<QueueUse> Uses,
                            ArrayRef<unsigned> Producers) {
  for (const QueueUse &Use : Uses)
    if (Use.Op->Op.Role == QueueRole::StoreError &&
        is_contained(Producers, Use.Actor))
      return &Use;
  return nullptr;
}

/// The first operation \p Actor makes on the queue.
const QueueUse *useBy(ArrayRef<QueueUse> Uses, unsigned Actor) {
  for (const QueueUse &Use : Uses)
    if (Use.Actor == Actor)
      return &Use;
  return nullptr;
}

/// Whether \p Call is inside a try block of the function \p Parents maps:
/// an exception from it is handled, not the end of the thread.
bool catchesAround(const Stmt *Call, const ParentMap &Parents) {
  for (const Stmt *Child = Call, *Up = Parents.getParent(Call); Up;
       Child = Up, Up = Parents.getParent(Up))
    if (const auto *Try = dyn_cast<CXXTryStmt>(Up);
        Try && Try->getTryBlock() == Child)
      return true;
  return false;
}

/// Whether what \p C's pop throws is kept rather than ending the process:
/// the task keeps it for whoever waits (std::async), or a try block around
/// the pop handles it.
bool keepsWhatPopThrows(const Consumer &C, Summaries &S) {
  return (C.Who->Spawn &&
          C.Who->Spawn->Exceptions == EscapingException::EndsTask) ||
         (C.PopHolder &&
          catchesAround(C.Role->Pop.Call, S.parents(C.PopHolder)));
}

/// Whether every way out in \p Exits is a return or the closing brace of
/// \p F after the wait \p Wait (a call): the producer leaves only once it
/// has asked for the consumers to stop.
bool leavesOnlyAfter(ArrayRef<RoleExit> Exits, const WaitSite &Wait,
                     const FunctionDecl *F, const ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  return Wait.Expr && all_of(Exits, [&](const RoleExit &Exit) {
           SourceLocation At = Exit.Kind == ExitKind::FallOff
                                   ? Exit.At->getEndLoc()
                                   : Exit.At->getBeginLoc();
           return (Exit.Kind == ExitKind::Return ||
                   Exit.Kind == ExitKind::FallOff) &&
                  Exit.In == F &&
                  SM.isBeforeInTranslationUnit(Wait.Expr->getEndLoc(), At);
         });
}

/// Whether \p F's body names `this`, as a lambda that captures it does.
bool usesThis(const FunctionDecl *F) {
  bool Uses = false;
  if (F && F->getBody())
    forEachDescendant(F->getBody(), [&](const Stmt *Node) {
      Uses |= isa<CXXThisExpr>(Node);
    });
  return Uses;
}

/// An operation a call of \p F makes on a member queue that \p F can
/// name the same way: \p F is a member of the holder's class, or a lambda
/// in one that uses `this` (`[this] { receive(); }` pushing on `queue_`).
const ReachedOp *memberOpSpeakable(Summaries &S, const FunctionDecl *F,
                                   const AccessPath &Queue) {
  if (Queue.base() != AccessPath::BaseKind::This || Queue.fields().empty())
    return nullptr;
  // A lambda names the members of its enclosing class only through `this`.
  const auto *Method = dyn_cast<CXXMethodDecl>(F);
  const CXXRecordDecl *Class =
      Method && Method->getParent()->isLambda() && !usesThis(F) ? nullptr
                                                                : classOf(F);
  if (!Class)
    return nullptr;
  for (const ReachedOp &Op : S.opsOf(F)) {
    const auto *Holder = dyn_cast_or_null<CXXMethodDecl>(Op.Holder);
    if (Op.Queue == Queue && Holder && Op.Op.Object &&
        classOf(Holder) == Class && pathOf(Op.Op.Object, Holder) == Queue)
      return &Op;
  }
  return nullptr;
}

/// Where to close the queue as an exception leaves (UnwindCloseFix.h): for
/// each exception that strands the consumers, the producing function it
/// comes out of (a call's callee that works on the queue, else the function
/// that throws); none when there is no such function.
std::optional<std::vector<UnwindCloseSite>>
Analysis::unwindCloseSites(ArrayRef<RoleExit> Exits) {
  std::vector<const RoleExit *> Leaves;
  flattenExits(Exits, Leaves);
  std::vector<UnwindCloseSite> Sites;
  auto Add = [&](const FunctionDecl *F, const ReachedOp *Names) {
    if (none_of(Sites, [&](const UnwindCloseSite &Site) {
          return Site.Function == F;
        }))
      Sites.push_back({F, Names});
  };
  for (const RoleExit *Leaf : Leaves) {
    if (Leaf->Kind != ExitKind::Throw && Leaf->Kind != ExitKind::ThrowingCall)
      continue;
    const auto *Call = dyn_cast<CallExpr>(Leaf->At);
    const FunctionDecl *Callee = Call ? S.followedCallee(Call) : nullptr;
    AccessPath Inner =
        Callee ? Roles.calleePath(Call, Callee, Leaf->In, Leaf->Queue)
               : AccessPath();
    if (const ReachedOp *Named =
            Inner.valid() ? directOp(S, Callee, Inner) : nullptr) {
      Add(Callee, Named);
      continue;
    }
    // Caught in its own function, the exception leaves through no body
    // that could be wrapped; whether a wrap elsewhere covers it is for the
    // producer question asked again to say.
    if (const ReachedOp *Named = directOp(S, Leaf->In, Leaf->Queue);
        Named && !Leaf->CaughtBy)
      Add(Leaf->In, Named);
  }
  if (Sites.empty())
    return std::nullopt;
  return Sites;
}

std::vector<FixItHint>
Analysis::planFix(const Actor &Producer, const AccessPath &InProducer,
                  ArrayRef<RoleExit> Exits, const QueueApi &Api,
                  ArrayRef<Consumer> Consumers, bool &Guard) {
  StringRef Close = Api.reliableCloseFor(QueueSide::Consumers);
  const ReachedOp *Named = directOp(S, Producer.Function, InProducer);
  if (!Named)
    Named = memberOpSpeakable(S, Producer.Function, InProducer);
  if (Close.empty() || !Named)
    return {};
  if (Producer.Role == Actor::Kind::Spawned ||
      Producer.Role == Actor::Kind::Member) {
    // A guard declared first in the producer's body closes the queue on
    // every way out, exceptions included. Where the producer closes itself
    // and the close must not run twice (`assert(!closed_)`), the guard
    // closes only on the paths that did not.
    std::vector<FixItHint> Marks;
    bool Flagged = closeRefusesSecondCall(Named->Op.Object, Close);
    if (Flagged)
      for (const ReachedOp &Op : S.opsOf(Producer.Function)) {
        if (Op.Queue != InProducer || Op.Op.Role != QueueRole::Close)
          continue;
        if (!Op.Via.empty() ||
            !insertStatementBefore(Op.Op.Call, S.parents(Producer.Function),
                                   "closeOnExit.closed = true;", Ctx, Marks))
          return {};
      }
    std::optional<FixItHint> Fix = closeGuardInsertion(
        Producer.Function->getBody(), Named->Op.Object, Named->Op.Arrow, Close,
        Ctx, Named->Op.FreeFunction, Flagged && !Marks.empty());
    if (!Fix)
      return {};
    Guard = true;
    Marks.insert(Marks.begin(), *Fix);
    return Marks;
  }
  // The spawning function produces and then waits on its consumers: a
  // guard would close only after that wait, so close just before it. Ways
  // out that still reach the wait (a jump to the clean-up, a break out of
  // the loop, a return after the wait) are covered too; a return or a
  // throw before it skips it.
  const WaitSite *FirstWait = nullptr;
  const SourceManager &SM = Ctx.getSourceManager();
  for (const Consumer &C : Consumers)
    if (const WaitSite *Wait = Model.waitOn(C.Who->Spawn);
        Wait &&
        (!FirstWait || SM.isBeforeInTranslationUnit(Wait->Loc, FirstWait->Loc)))
      FirstWait = Wait;
  if (!FirstWait || !all_of(Exits, [&](const RoleExit &E) {
        return E.Kind == ExitKind::FallOff || E.Kind == ExitKind::Goto ||
               E.Kind == ExitKind::Break || E.Kind == ExitKind::LoopCondition ||
               (E.Kind == ExitKind::Return &&
                SM.isBeforeInTranslationUnit(FirstWait->Loc,
                                             E.At->getBeginLoc()));
      }))
    return {};
  std::string Call = closeCallText(Named->Op.Object, Named->Op.Arrow,
                                   Named->Op.FreeFunction, Close, Ctx);
  std::vector<FixItHint> Fixes;
  if (FirstWait && !Call.empty() && !FirstWait->isImplicit() &&
      SM.isBeforeInTranslationUnit(Named->Op.Call->getBeginLoc(),
                                   FirstWait->Loc)) {
    std::string Code = Call + ";";
    // Before the loop that joins the consumers, not inside it.
    const Stmt *Before = FirstWait->Expr;
    const ParentMap &Parents = S.parents(Producer.Function);
    for (const Stmt *Loop = enclosingLoop(Before, Parents); Loop;
         Loop = enclosingLoop(Loop, Parents)) {
      if (Loop->getSourceRange().fullyContains(
              Named->Op.Call->getSourceRange()))
        break;
      Before = Loop;
    }
    if (!insertStatementBefore(Before, Parents, Code, Ctx, Fixes))
      Fixes.clear();
  }
  return Fixes;
}

void Analysis::analyzeQueue(const AccessPath &Queue, ArrayRef<QueueUse> Uses,
                            std::vector<Finding> &Findings) {
  const QueueApi *Api = Model.api(Queue);
  ArrayRef<Actor> Actors = Model.actors();
  auto IsPush = [](const ReachedOp &Op) {
    return Op.Op.Role == QueueRole::BlockingPush ||
           Op.Op.Role == QueueRole::NonBlockingPush;
  };
  // The producer: pushes repeated by a loop (any push: a timed one
  // returns, but the consumers still wait for the close).
  const QueueUse *ProducerUse = nullptr;
  for (int Pass = 0; Pass < 3 && !ProducerUse; ++Pass)
    for (const QueueUse &Use : Uses) {
      const Actor &A = Actors[Use.Actor];
      // A member's callers repeat its pushes themselves.
      bool Fits =
          IsPush(*Use.Op) &&
          ((Pass == 0 && A.Role == Actor::Kind::Spawned && Use.Op->InLoop) ||
           (Pass == 1 && A.Role == Actor::Kind::Caller && Use.Op->InLoop) ||
           (Pass == 2 && A.Role == Actor::Kind::Member));
      if (Fits) {
        ProducerUse = &Use;
        break;
      }
    }
  if (!ProducerUse)
    return;
  const unsigned ProducerIndex = ProducerUse->Actor;
  const Actor &Producer = Actors[ProducerIndex];

  // The consumers: other actors draining the queue until it is closed or
  // until the end marker comes.
  std::vector<Consumer> Consumers;
  SmallPtrSet<const FunctionDecl *, 4> Bodies;
  DenseSet<unsigned> Involved{ProducerIndex};
  bool OnMarkers = false;
  const MarkerSpec *Markers = nullptr;
  for (unsigned I = 0; I < Actors.size(); ++I) {
    const Actor &A = Actors[I];
    if (I == ProducerIndex || A.Function == Producer.Function)
      continue;
    const QueueUse *Pop = nullptr;
    for (const QueueUse &Use : Uses)
      if (Use.Actor == I && Use.Op->Op.Role == QueueRole::BlockingPop) {
        Pop = &Use;
        break;
      }
    if (!Pop)
      continue;
    Involved.insert(I);
    // The calling thread that pops only once the producer is done is woken
    // by nobody's close: it finds what is there (or waits for a close that a
    // join-before-drain would name).
    if (A.Role == Actor::Kind::Caller &&
        Model.callerUsesAfter(
            Queue, Model.waitOn(Producer.Spawn), [](const QueueUse &Use) {
              return Use.Op->Op.Role == QueueRole::BlockingPop ||
                     Use.Op->Op.Role == QueueRole::NonBlockingPop;
            }))
      continue;
    // The calling thread that closes the queue itself before it pops (once
    // it has waited for the producers) is told by the queue, not stranded.
    if (A.Role == Actor::Kind::Caller && closesBeforePopping(Uses, I))
      continue;
    const ConsumerRole &Role = Roles.consumer(A.Function, Pop->Op->Queue);
    if (!Role.Drains || Role.EndsOnOwnCondition || Role.EndsOnStopFlag)
      continue;
    OnMarkers |= Role.EndsOnSentinel;
    if (Role.EndsOnSentinel && !Markers)
      Markers = &Role.Marker;
    if (Bodies.insert(A.Function).second)
      Consumers.push_back({&A, &Role, FanOut::siteOf(*Pop), Pop->Op->Holder});
  }
  if (Consumers.empty())
    return;
  // Consumers wait for a close only when there is one that wakes them, or
  // for the markers they stop on.
  if (!OnMarkers && Api->reliableCloseFor(QueueSide::Consumers).empty())
    return;

  auto Wakes = [&](const QueueUse &Use) {
    return (Use.Op->Op.Role == QueueRole::Close &&
            Use.Op->Op.Api->closeWakes(Use.Op->Op.MethodName,
                                       QueueSide::Consumers)) ||
           (OnMarkers && IsPush(*Use.Op) &&
            Roles.isMarkerPush(*Use.Op, Markers));
  };
  // Whose ways out decide: the producer's; for members the user calls
  // (`write()` then `finish()`), the members that close or send the end
  // markers, since each call of the producing member leaves the queue open
  // by design.
  SmallVector<unsigned, 2> Finishers;
  for (const QueueUse &Use : Uses)
    if (Actors[Use.Actor].Role == Actor::Kind::Member && Wakes(Use) &&
        !is_contained(Finishers, Use.Actor) &&
        none_of(Consumers,
                [&](const Consumer &C) { return C.Who == &Actors[Use.Actor]; }))
      Finishers.push_back(Use.Actor);
  // A member that starts the threads and produces (`start(rows)`) returns
  // to its caller, who goes on to the member that closes (`stop()`): the
  // same protocol as a producing member's.
  bool ProducesForCallers =
      Producer.Role == Actor::Kind::Member ||
      (Producer.Role == Actor::Kind::Caller &&
       isa<CXXMethodDecl>(Producer.Function) &&
       any_of(Uses, [&](const QueueUse &Use) {
         return Actors[Use.Actor].Role == Actor::Kind::Member &&
                (IsPush(*Use.Op) || Use.Op->Op.Role == QueueRole::Close);
       }));
  if (ProducesForCallers && Finishers.empty())
    return;
  if (!ProducesForCallers) {
    Finishers.clear();
    Finishers.push_back(ProducerIndex);
  }
  for (unsigned Finisher : Finishers)
    Involved.insert(Finisher);

  // Someone else closes (the spawner once the producer is joined, a
  // watchdog): the consumers are woken anyway.
  for (const QueueUse &Use : Uses)
    if (!Involved.contains(Use.Actor) && Wakes(Use))
      return;

  // A spawning function that produces and then leaves early, with
  // std::thread consumers still joinable, terminates the program rather
  // than hanging: that is not this bug.
  if (Producer.Role == Actor::Kind::Caller &&
      all_of(Consumers, [](const Consumer &C) {
        return C.Who->Spawn && C.Who->Spawn->Kind == "thread" &&
               !C.Who->Spawn->DestructorWaits && !C.Who->Spawn->Pool &&
               !C.Who->Spawn->ThreadClass;
      }))
    return;

  // An exit taken because the consumers asked for it (a flag they set as
  // they leave) leaves no consumer waiting.
  DenseSet<const ValueDecl *> SetByConsumers;
  for (const Consumer &C : Consumers)
    collectWritten(C.Who->Function->getBody(), SetByConsumers);
  // Likewise a flag the closing members set (`if (!finished_) finish();`):
  // the path that skips the close finds it done already.
  if (ProducesForCallers)
    for (unsigned Finisher : Finishers)
      for (const QueueUse &Use : Uses)
        if (Use.Actor == Finisher && Wakes(Use))
          for (const FunctionDecl *Part :
               {Use.Op->Holder, Actors[Finisher].Function}) {
            DenseSet<const ValueDecl *> Written;
            collectWritten(Part->getBody(), Written);
            // Only state that outlives the call: members, not locals.
            for (const ValueDecl *Decl : Written)
              if (isa<FieldDecl>(Decl))
                SetByConsumers.insert(Decl);
          }
  auto SaysGone = [&](const Expr *Cond) {
    return readsAny(Cond, SetByConsumers);
  };
  ProducerQuestion Question;
  Question.Markers = Markers;
  Question.SaysConsumersGone = SaysGone;
  if (Producer.Role == Actor::Kind::Caller)
    Question.NotBefore = Model.firstSpawnLoc();
  const AccessPath &InProducer = ProducerUse->Op->Queue;
  // The ways out that strand the consumers, as \p RoleOf answers the
  // producer question for each function that decides.
  bool EverCloses = false;
  auto StrandingExits = [&](auto RoleOf) {
    std::vector<RoleExit> Exits;
    for (unsigned Finisher : Finishers) {
      const Actor &Who = Actors[Finisher];
      ProducerRole Role =
          RoleOf(Who.Function, useBy(Uses, Finisher)->Op->Queue);
      EverCloses |= Role.EverCloses;
      llvm::append_range(Exits, Role.Exits);
      bool ThrowsCount =
          (Who.Role == Actor::Kind::Spawned &&
           Who.Spawn->Exceptions == EscapingException::EndsTask) ||
          Who.Role != Actor::Kind::Spawned;
      if (ThrowsCount)
        llvm::append_range(Exits, Role.ThrowExits);
    }
    // A member producer that throws leaves the object to its destructor:
    // the consumers are stranded unless the destructor closes (or sends the
    // markers) on some path of its own.
    if (ProducesForCallers && !is_contained(Finishers, ProducerIndex)) {
      const CXXDestructorDecl *Destructor = nullptr;
      if (const auto *Method = dyn_cast<CXXMethodDecl>(Producer.Function))
        if (const CXXRecordDecl *Class = Method->getParent();
            Class->hasDefinition())
          Destructor = Class->getDestructor();
      bool DestructorWakes = false;
      for (const QueueUse &Use : Uses)
        if (Destructor && Actors[Use.Actor].Function->getCanonicalDecl() ==
                              Destructor->getCanonicalDecl())
          DestructorWakes |= Wakes(Use);
      if (!DestructorWakes)
        llvm::append_range(Exits,
                           RoleOf(Producer.Function, InProducer).ThrowExits);
    }
    return Exits;
  };
  std::vector<RoleExit> Exits =
      StrandingExits([&](const FunctionDecl *F, const AccessPath &InF) {
        return Roles.producer(F, InF, Question);
      });
  if (Exits.empty())
    return;

  std::string Name = Model.nameOf(Queue);
  const Consumer &First = Consumers.front();
  Finding F;
  F.Kind = FindingKind::StrandedConsumer;
  // Reported where the consumer's code waits: in the pop itself, unless
  // that is inside another class's member the consumer calls (a client's
  // `consume_message()`), whose call is then the place.
  const CallExpr *PopCall = First.Role->Pop.Call;
  if (const auto *Outer = dyn_cast_or_null<CallExpr>(First.Site);
      Outer && Outer != PopCall && First.PopHolder &&
      classOf(First.PopHolder) &&
      classOf(First.PopHolder) != classOf(First.Who->Function))
    PopCall = Outer;
  F.Loc = PopCall->getExprLoc();
  F.Range = PopCall->getSourceRange();
  F.Args = {First.Role->Pop.MethodName.str(), Model.describe(Queue),
            EverCloses ? "" : "never"};
  std::vector<FindingNote> &Notes = F.Notes;
  if (const ValueDecl *Decl = Model.declOf(Queue))
    Notes.push_back({NoteKind::QueueDeclared, Decl->getLocation(), {Name}});
  addProducerExitNotes(Exits, Name, Notes);
  if (Producer.Spawn)
    Notes.push_back(
        {NoteKind::ProducerSpawned, Producer.Spawn->Expr->getBeginLoc()});
  for (const Consumer &C : Consumers) {
    if (!C.Who->Spawn)
      continue;
    bool InLoop = C.Who->Spawn->InLoop;
    Notes.push_back({NoteKind::ConsumerSpawned,
                     C.Who->Spawn->Expr->getBeginLoc(),
                     {InLoop ? "s" : "", InLoop ? " in a loop" : ""}});
    if (const WaitSite *Wait = Model.waitOn(C.Who->Spawn))
      Notes.push_back({Wait->isImplicit() ? NoteKind::ConsumerWaitScope
                                          : NoteKind::ConsumerWait,
                       Wait->Loc});
  }
  // The producer leaves its error in the queue for the consumers, and the
  // pop sleeps on: the queue's class is what to fix (a close would hand the
  // consumers an end of stream and lose the error).
  bool ErrorWake = false;
  if (const QueueUse *Kept = errorKeptBy(Uses, Finishers)) {
    Notes.push_back({NoteKind::ErrorKeptUnseen,
                     Kept->Op->Op.Call->getExprLoc(),
                     {Name, Kept->Op->Op.MethodName.str(),
                      First.Role->Pop.MethodName.str()}});
    // Certain only when every way out of the producer closes or stores.
    bool EveryExitStores = all_of(Finishers, [&](unsigned Finisher) {
      ProducerRole Role = Roles.producerIfStoredErrorsWoke(
          Actors[Finisher].Function, useBy(Uses, Finisher)->Op->Queue,
          Question);
      return Role.Exits.empty() && Role.ThrowExits.empty();
    });
    if (EveryExitStores && all_of(Consumers, [&](const Consumer &C) {
          return C.PopHolder &&
                 catchesAround(C.Role->Pop.Call, S.parents(C.PopHolder));
        })) {
      F.Fixes = planStoredErrorWake(First.Role->Pop.Call, *Api, S);
      ErrorWake = !F.Fixes.empty();
    }
  }
  bool Guard = false;
  if (F.Fixes.empty())
    F.Fixes = planFix(Producer, InProducer, Exits, *Api, Consumers, Guard);
  // One jthread consumer that a stop request ends, stopped in a member that
  // requests the stop and joins, when the producer leaves only after that
  // member's call.
  StringRef Close = Api->reliableCloseFor(QueueSide::Consumers);
  const CXXMethodDecl *StopMember = nullptr;
  if (const WaitSite *Wait = Consumers.size() == 1
                                 ? Model.waitOn(Consumers[0].Who->Spawn)
                                 : nullptr;
      F.Fixes.empty() && !Close.empty() && Wait &&
      leavesOnlyAfter(Exits, *Wait, Producer.Function, Ctx)) {
    F.Fixes = planCloseAfterStopRequest(*Consumers[0].Who->Spawn,
                                        Consumers[0].Role->Pop.Call, *Wait,
                                        *ProducerUse->Op, Close, S);
    if (!F.Fixes.empty())
      StopMember = cast<CXXMemberCallExpr>(Wait->Expr)->getMethodDecl();
  }
  // End markers instead of a close: a guard sends them on every way out.
  bool MarkerGuard = false;
  if (F.Fixes.empty() && OnMarkers && Producer.Role != Actor::Kind::Member)
    for (const QueueUse &Use : Uses) {
      if (Use.Actor != ProducerIndex || !IsPush(*Use.Op) ||
          !Roles.isMarkerPush(*Use.Op, Markers))
        continue;
      // The guard goes where the markers are sent: the producer's body or
      // the helper that produces; every way out must be in that function.
      const FunctionDecl *Holder = Use.Op->Holder;
      std::vector<const RoleExit *> Leaves;
      flattenExits(Exits, Leaves);
      const CallExpr *FirstPush = nullptr;
      for (const QueueUse &Other : Uses)
        if (Other.Actor == ProducerIndex && IsPush(*Other.Op) &&
            Other.Op->Holder == Holder &&
            !Roles.isMarkerPush(*Other.Op, Markers) &&
            (!FirstPush ||
             Ctx.getSourceManager().isBeforeInTranslationUnit(
                 Other.Op->Op.Call->getBeginLoc(), FirstPush->getBeginLoc())))
          FirstPush = Other.Op->Op.Call;
      // Ways out of the producer after its call into the holder come after
      // the guard has sent the markers.
      const SourceManager &SM = Ctx.getSourceManager();
      auto AfterHolder = [&](const RoleExit *Exit) {
        return Use.Op->Via.size() == 1 && Exit->In == Producer.Function &&
               SM.isBeforeInTranslationUnit(Use.Op->Via.front()->getEndLoc(),
                                            Exit->At->getBeginLoc());
      };
      if (FirstPush && all_of(Leaves, [&](const RoleExit *Exit) {
            return Exit->In == Holder || AfterHolder(Exit);
          })) {
        F.Fixes = planEndMarkerGuard(Holder, Use.Op->Op.Call, FirstPush,
                                     S.parents(Holder), Ctx);
        MarkerGuard = !F.Fixes.empty();
      }
      break;
    }
  // The marker sent by a helper on some paths only: a guard first in the
  // thread's body sends it when the thread ends. A second marker on the
  // paths that sent one is never read: one consumer, and a queue whose push
  // never waits.
  if (F.Fixes.empty() && OnMarkers && Producer.Role == Actor::Kind::Spawned &&
      Consumers.size() == 1 &&
      !(Consumers[0].Who->Spawn && Consumers[0].Who->Spawn->InLoop) &&
      !(Producer.Spawn && Producer.Spawn->InLoop) && !Model.isBounded(Queue))
    for (const QueueUse &Use : Uses) {
      if (Use.Actor != ProducerIndex || !IsPush(*Use.Op) ||
          !Roles.isMarkerPush(*Use.Op, Markers))
        continue;
      const FunctionDecl *Holder = Use.Op->Holder;
      if (Holder && classOf(Holder) &&
          classOf(Holder) == classOf(Producer.Function) &&
          usesThis(Producer.Function)) {
        F.Fixes = planBodyEndMarkerGuard(Producer.Function, Use.Op->Op.Call,
                                         S.parents(Holder), Ctx);
        MarkerGuard = !F.Fixes.empty();
      }
      break;
    }
  bool DestructorMarkers = false;
  if (F.Fixes.empty() && OnMarkers && Producer.Role == Actor::Kind::Member) {
    F.Fixes = planDestructorMarkers(Producer, Queue, Markers, Consumers);
    DestructorMarkers = !F.Fixes.empty();
  }
  // A close that carries the reason: each producing function an exception
  // leaves closes the queue with it and rethrows, so the consumers' pop
  // throws the error; certain when that leaves no way out stranding them,
  // and the consumers' threads keep what their pop throws.
  std::vector<const FunctionDecl *> ClosingOnUnwind;
  if (F.Fixes.empty() && !Close.empty() &&
      all_of(Consumers,
             [&](const Consumer &C) { return keepsWhatPopThrows(C, S); }))
    if (std::optional<std::vector<UnwindCloseSite>> Sites =
            unwindCloseSites(Exits)) {
      for (const UnwindCloseSite &Site : *Sites)
        ClosingOnUnwind.push_back(Site.Function);
      std::vector<RoleExit> Left =
          StrandingExits([&](const FunctionDecl *Fn, const AccessPath &InF) {
            return Roles.producerIfUnwindingCloses(Fn, InF, Question,
                                                   ClosingOnUnwind);
          });
      if (Left.empty())
        F.Fixes = planUnwindCloses(*Sites, Close, Ctx);
      if (F.Fixes.empty())
        ClosingOnUnwind.clear();
    }
  const CallExpr *PushCall = ProducerUse->Op->Via.empty()
                                 ? ProducerUse->Op->Op.Call
                                 : ProducerUse->Op->Via.front();
  // The close as this code would call it; `abort(...)` when it takes
  // arguments that only the user can choose (an exception_ptr).
  std::string CloseCall =
      closeCallText(ProducerUse->Op->Op.Object, ProducerUse->Op->Op.Arrow,
                    ProducerUse->Op->Op.FreeFunction, Close, Ctx);
  if (CloseCall.empty())
    CloseCall = Name + "." + Close.str() + "(...)";
  FindingNote Fix;
  Fix.Loc = PushCall->getExprLoc();
  if (ErrorWake) {
    Fix.Kind = NoteKind::Fix;
    Fix.Loc = F.Fixes.front().RemoveRange.getBegin();
    Fix.FixTitle = "make '" + First.Role->Pop.MethodName.str() +
                   "' wake on the stored error and rethrow it, and the "
                   "methods that store it wake the consumers (in the queue's "
                   "class: each of its users' pops then throws once an "
                   "error is stored)";
  } else if (StopMember) {
    Fix.Kind = NoteKind::Fix;
    Fix.Loc = F.Fixes.front().RemoveRange.getBegin();
    Fix.FixTitle = "close '" + Name + "' in '" + StopMember->getNameAsString() +
                   "' between the stop request and the join: '" +
                   First.Role->Pop.MethodName.str() +
                   "' wakes, and the stop test after it ends the consumer";
  } else if (!ClosingOnUnwind.empty()) {
    Fix.Kind = NoteKind::Fix;
    Fix.Loc = F.Fixes.front().RemoveRange.getBegin();
    std::string Where;
    for (const FunctionDecl *Fn : ClosingOnUnwind)
      Where += (Where.empty() ? "'" : ", '") + Fn->getNameAsString() + "'";
    Fix.FixTitle = "call '" + Close.str() + "' on '" + Name +
                   "' with the exception that leaves " + Where +
                   ", and rethrow it: the consumers' '" +
                   First.Role->Pop.MethodName.str() +
                   "' then throws it instead of waiting for the end of the "
                   "stream";
  } else if (MarkerGuard) {
    Fix.Kind = NoteKind::Fix;
    Fix.Loc = F.Fixes.front().RemoveRange.getBegin();
    Fix.FixTitle = "send the end markers of '" + Name +
                   "' on every way out of the producer with a guard";
  } else if (DestructorMarkers) {
    Fix.Kind = NoteKind::Fix;
    Fix.Loc = F.Fixes.front().RemoveRange.getBegin();
    Fix.FixTitle = "send the end markers of '" + Name +
                   "' from the destructor before it joins the consumers, "
                   "when an exception skipped them";
  } else if (!F.Fixes.empty()) {
    Fix.Kind = NoteKind::Fix;
    Fix.FixTitle =
        Guard ? "close '" + Name +
                    "' on every way out of the producer with a guard declared "
                    "first in its body"
              : "close '" + Name +
                    "' once the producer is done, before waiting on the "
                    "consumers";
  } else {
    Fix.Kind = NoteKind::NoFix;
    Fix.FixTitle =
        Close.empty()
            ? "no automatic fix is certain here; send the end markers on "
              "every way out of the producer (an RAII guard covers "
              "exceptions too)"
            : "no automatic fix is certain here; call '" + CloseCall +
                  "' on every way out of the producer (an RAII guard "
                  "covers exceptions too)";
  }
  Fix.Args = {Fix.FixTitle};
  Notes.push_back(std::move(Fix));
  Findings.push_back(std::move(F));
}

} // namespace

std::vector<Finding> findStrandedConsumers(const FanOut &Model,
                                           RoleAnalysis &Roles) {
  return Analysis(Model, Roles).run();
}

} // namespace fanout
