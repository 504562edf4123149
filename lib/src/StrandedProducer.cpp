//===- StrandedProducer.cpp - Putting queues, threads and exits together --===//
#include "fanout/StrandedProducer.h"
#include "fanout/AstHelpers.h"
#include "fanout/Compat.h"
#include "fanout/FanOut.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/Support/FormatVariadic.h"

using namespace clang;
using namespace llvm;

namespace fanout {
namespace {

/// Whether an exception escaping a thread body started at \p Spawn ends only
/// that task (std::async stores it in the future, a task group rethrows it
/// at wait()) rather than the process (std::thread, pthread, and asio's
/// post, whose exception leaves the pool's thread).
bool exceptionsEndTask(const SpawnSite *Spawn) {
  if (!Spawn)
    return false;
  if (Spawn->Kind == "std::async")
    return true;
  if (Spawn->Kind != "task")
    return false;
  const auto *Call = dyn_cast_or_null<CallExpr>(Spawn->Expr);
  StringRef Name = Call ? calleeName(Call) : StringRef();
  return Name != "post" && Name != "dispatch" && Name != "defer";
}

class Analysis {
public:
  Analysis(const FunctionDecl *Spawner, ASTContext &Ctx, QueueModel &Model,
           const AnalysisOptions &Options)
      : Ctx(Ctx), Model(Spawner, Ctx, Model, Options) {}

  std::vector<Finding> run();

private:
  std::optional<StrandedProducerCase> analyzeQueue(const ValueDecl *Queue);
  bool findMemberProducer(StrandedProducerCase &Case);
  bool closedByAnotherParty(const StrandedProducerCase &Case,
                            ArrayRef<OperationAt> Ops,
                            const DenseSet<unsigned> &Involved);
  Finding describe(const StrandedProducerCase &Case);

  ASTContext &Ctx;
  FanOut Model;
};

/// Something other than the producer and the consumers closes the queue in
/// time: the spawning function after joining the consumers and before it
/// waits on the producer, or a watchdog thread.
bool Analysis::closedByAnotherParty(const StrandedProducerCase &Case,
                                    ArrayRef<OperationAt> Ops,
                                    const DenseSet<unsigned> &Involved) {
  const SourceManager &SM = Ctx.getSourceManager();
  for (const OperationAt &At : Ops) {
    if (At.Op.Role != QueueRole::Close || !At.Op.Api->hasReliableClose() ||
        Involved.contains(At.Actor))
      continue;
    if (At.Actor != 0)
      return true;
    // The spawner closes: only useful before it waits on the producer.
    if (!Case.ProducerWait ||
        SM.isBeforeInTranslationUnit(At.Op.Call->getBeginLoc(),
                                     Case.ProducerWait->Loc))
      return true;
  }
  return false;
}

std::optional<StrandedProducerCase>
Analysis::analyzeQueue(const ValueDecl *Queue) {
  if (!Model.isBounded(Queue))
    return std::nullopt;
  ArrayRef<OperationAt> Ops = Model.queues().find(Queue)->second;
  ArrayRef<Actor> Actors = Model.actors();

  StrandedProducerCase Case;
  Case.Spawner = Model.threads().Function;
  Case.Queue = Queue;
  Case.Api = Ops.front().Op.Api;

  // The producer: a blocking push in a loop.
  std::optional<unsigned> ProducerActor;
  for (const OperationAt &At : Ops) {
    if (At.Op.Role != QueueRole::BlockingPush)
      continue;
    const Stmt *Body = Actors[At.Actor].Function->getBody();
    ParentMap Parents(const_cast<Stmt *>(Body));
    if (const Stmt *Loop = enclosingLoop(At.Op.Call, Parents)) {
      ProducerActor = At.Actor;
      Case.Push = At.Op;
      Case.ProducerLoop = Loop;
      Case.ProducerFunction = Actors[At.Actor].Function;
      Case.ProducerSpawn = Actors[At.Actor].Spawn;
      Case.ProducerVia = Actors[At.Actor].Via;
      break;
    }
  }
  if (ProducerActor) {
    for (const OperationAt &At : Ops)
      if (At.Actor == *ProducerActor && At.Op.Role == QueueRole::BlockingPush)
        Case.ProducerPushes.push_back(At.Op);
  } else if (!findMemberProducer(Case)) {
    return std::nullopt;
  }
  const unsigned ProducerIndex = ProducerActor.value_or(~0u);

  // The consumers: spawned threads (other than the producer) that pop.
  SmallPtrSet<const FunctionDecl *, 4> AnalyzedBodies;
  DenseSet<unsigned> Involved;
  if (ProducerActor)
    Involved.insert(*ProducerActor);
  for (unsigned I = 1; I < Actors.size(); ++I) {
    if (I == ProducerIndex || Actors[I].Function == Case.ProducerFunction)
      continue;
    auto Pop = find_if(Ops, [&](const OperationAt &At) {
      return At.Actor == I && At.Op.Role == QueueRole::BlockingPop;
    });
    if (Pop == Ops.end())
      continue;
    Involved.insert(I);
    if (!AnalyzedBodies.insert(Actors[I].Function).second)
      continue;
    auto OnQueue = [&](const CallExpr *Call) {
      return Model.operationOn(Call, Queue, I);
    };
    std::optional<ConsumerSummary> Summary = analyzeConsumer(
        Actors[I].Function, Ctx, OnQueue, exceptionsEndTask(Actors[I].Spawn));
    if (!Summary)
      continue; // Not a consumer: no pop in a loop.
    if (Summary->Exits.empty()) {
      // A counted consumer leaves once it has its items: it neither strands
      // the producer nor keeps it going.
      if (Summary->EndsOnOwnCondition)
        continue;
      return std::nullopt; // This consumer always drains or wakes.
    }
    Case.Consumers.push_back({Actors[I].Spawn, Actors[I].Function,
                              Actors[I].Via, Actors[I].ViaChain, Pop->Op,
                              std::move(*Summary)});
  }
  if (Case.Consumers.empty())
    return std::nullopt;

  Case.ProducerWait = Model.waitOn(Case.ProducerSpawn);
  for (const ConsumerCase &Consumer : Case.Consumers)
    if (const WaitSite *Wait = Model.waitOn(Consumer.Spawn))
      Case.ConsumerWaits.push_back(Wait);
  if (closedByAnotherParty(Case, Ops, Involved))
    return std::nullopt;

  // A queue that holds every item never makes the producer wait.
  QueueCapacity Capacity = Model.capacity(Queue);
  if (Capacity.Value)
    if (std::optional<int64_t> Trips =
            constantTripCount(Case.ProducerLoop, Ctx);
        Trips && *Trips <= *Capacity.Value)
      return std::nullopt;
  return Case;
}

/// A pool: the consumers are started by a member function of the class that
/// holds the queue, and the items come from another member that callers use
/// (`submit`). That member is the producer, running on its callers' threads.
bool Analysis::findMemberProducer(StrandedProducerCase &Case) {
  const auto *Field = dyn_cast<FieldDecl>(Case.Queue);
  const auto *Spawner = dyn_cast<CXXMethodDecl>(Case.Spawner);
  if (!Field || !Spawner || Spawner->getParent() != Field->getParent())
    return false;
  for (const CXXMethodDecl *Method : Spawner->getParent()->methods()) {
    if (isa<CXXConstructorDecl, CXXDestructorDecl>(Method) ||
        Method->isImplicit())
      continue;
    const FunctionDecl *Def = Method->getDefinition();
    if (!Def || !Def->getBody() || Def == Spawner ||
        containsErrors(Def->getBody()))
      continue;
    forEachDescendant(Def->getBody(), [&](const Stmt *S) {
      if (const auto *Call = dyn_cast<CallExpr>(S))
        if (std::optional<QueueOperation> Op =
                Model.operationOn(Call, Case.Queue, /*ActorIndex=*/0);
            Op && Op->Role == QueueRole::BlockingPush)
          Case.ProducerPushes.push_back(*Op);
    });
    if (Case.ProducerPushes.empty())
      continue;
    Case.Push = Case.ProducerPushes.front();
    Case.ProducerFunction = Def;
    Case.ProducerIsMember = true;
    ParentMap Parents(const_cast<Stmt *>(Def->getBody()));
    Case.ProducerLoop = enclosingLoop(Case.Push.Call, Parents);
    return true;
  }
  return false;
}

const char *exitNote(ExitKind Kind) {
  switch (Kind) {
  case ExitKind::Return:
    return "consumer returns here without closing '{0}'";
  case ExitKind::Break:
    return "consumer breaks out of its pop loop here without closing '{0}'";
  case ExitKind::Throw:
    return "consumer throws here without closing '{0}'";
  case ExitKind::Goto:
    return "consumer jumps out of its pop loop here without closing '{0}'";
  case ExitKind::LoopCondition:
    return "consumer's loop condition ends the pop loop here before '{0}' is "
           "closed";
  case ExitKind::FallOff:
    return "consumer finishes here without closing '{0}'";
  case ExitKind::ThrowingCall:
    return "an exception from '{1}' ends the consumer here without closing "
           "'{0}'";
  }
  return "";
}

/// The name of the function \p S calls, for notes.
std::string calleeOf(const Stmt *S) {
  const auto *Call = dyn_cast_or_null<CallExpr>(S);
  if (!Call)
    return {};
  if (const FunctionDecl *Callee = Call->getDirectCallee())
    return Callee->getNameAsString();
  return calleeName(Call).str();
}

Finding Analysis::describe(const StrandedProducerCase &Case) {
  StringRef Name = Case.Queue->getName();
  Finding F;
  F.Loc = Case.Push.Call->getExprLoc();
  F.Message =
      Case.ProducerIsMember
          ? formatv("callers of '{0}' can block forever in '{1}' on bounded "
                    "queue {2}: every worker thread can exit without closing "
                    "it, and nothing else wakes them",
                    Case.ProducerFunction->getName(), Case.Push.MethodName,
                    Model.describe(Case.Queue))
                .str()
          : formatv("producer can block forever in '{0}' on bounded queue "
                    "{1}: every consumer can exit without closing it, and "
                    "nothing else wakes the producer",
                    Case.Push.MethodName, Model.describe(Case.Queue))
                .str();
  auto Note = [&](SourceLocation Loc, std::string Message) {
    F.Notes.push_back({Loc, std::move(Message), {}});
  };
  Note(Case.Queue->getLocation(), formatv("queue '{0}' declared here", Name));
  for (const ConsumerCase &Consumer : Case.Consumers) {
    for (const StrandingExit &Exit : Consumer.Summary.Exits)
      Note(Exit.Stmt->getBeginLoc(),
           formatv(exitNote(Exit.Kind), Name, calleeOf(Exit.Stmt)));
    Note(Consumer.Spawn->Expr->getBeginLoc(),
         formatv("consumer thread{0} spawned here{1}",
                 Consumer.Spawn->InLoop ? "s" : "",
                 Consumer.Spawn->InLoop ? " in a loop" : ""));
    // Where the thread's work went: each call on the way to the helper
    // that pops.
    std::string Caller = "the consumer thread";
    for (const CallExpr *Call : Consumer.ViaChain) {
      std::string Callee = calleeOf(Call);
      Note(Call->getBeginLoc(),
           formatv("{0} runs '{1}' here", Caller, Callee).str());
      Caller = "'" + Callee + "'";
    }
  }
  if (Case.ProducerSpawn)
    Note(Case.ProducerSpawn->Expr->getBeginLoc(),
         "producer thread spawned here");
  if (Case.ProducerWait)
    Note(Case.ProducerWait->Loc,
         Case.ProducerWait->isImplicit()
             ? "the producer is waited for here, at the end of its handle's "
               "scope; this never returns once it is stuck"
             : "this wait never returns once the producer is stuck");
  FixPlan Plan = planStrandedProducerFix(Case, Ctx);
  F.Fixes = std::move(Plan.Fixes);
  for (FindingNote &N : Plan.Notes)
    F.Notes.push_back(std::move(N));
  // When the producer pushes a known number of items, a queue with room for
  // all of them never blocks it: an alternative, not the default (it costs
  // memory, and the consumers still stop early).
  QueueCapacity Capacity = Model.capacity(Case.Queue);
  if (std::optional<int64_t> Items = constantTripCount(Case.ProducerLoop, Ctx);
      Items && Capacity.Expr && !isInMacro(Capacity.Expr->getSourceRange()))
    F.Notes.push_back(
        {Capacity.Expr->getBeginLoc(),
         formatv("alternatively, give '{0}' room for all {1} items", Name,
                 *Items),
         {FixItHint::CreateReplacement(Capacity.Expr->getSourceRange(),
                                       std::to_string(*Items))}});
  return F;
}

std::vector<Finding> Analysis::run() {
  std::vector<Finding> Findings;
  if (Model.empty())
    return Findings;
  for (const auto &Entry : Model.queues())
    if (std::optional<StrandedProducerCase> Case = analyzeQueue(Entry.first))
      Findings.push_back(describe(*Case));
  return Findings;
}

} // namespace

std::vector<Finding> findStrandedProducers(const FunctionDecl *Spawner,
                                           ASTContext &Ctx, QueueModel &Model,
                                           const AnalysisOptions &Options) {
  if (!isAnalysableSpawner(Spawner))
    return {};
  return Analysis(Spawner, Ctx, Model, Options).run();
}

} // namespace fanout
