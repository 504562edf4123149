//===- StrandedProducer.cpp - Putting queues, threads and exits together --===//
#include "fanout/StrandedProducer.h"
#include "fanout/AstHelpers.h"
#include "fanout/Compat.h"
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

/// A thread of control that touches queues: the spawning function itself,
/// or the body of one spawn site.
struct Actor {
  const FunctionDecl *Function = nullptr;
  const SpawnSite *Spawn = nullptr;
  const ParamBindings *bindings() const {
    return Spawn ? &Spawn->Bindings : nullptr;
  }
};

struct OperationAt {
  unsigned Actor;
  QueueOperation Op;
};

/// The number of times `for (int i = A; i < B; ++i)` runs, when constant.
std::optional<int64_t> constantTripCount(const Stmt *Loop, ASTContext &Ctx) {
  const auto *For = dyn_cast_or_null<ForStmt>(Loop);
  if (!For || !For->getCond() || !For->getInit())
    return std::nullopt;
  const auto *Cond =
      dyn_cast<BinaryOperator>(For->getCond()->IgnoreParenImpCasts());
  const auto *Init = dyn_cast<DeclStmt>(For->getInit());
  if (!Cond || !Init || !Init->isSingleDecl())
    return std::nullopt;
  const auto *Var = dyn_cast<VarDecl>(Init->getSingleDecl());
  const auto *Ref = dyn_cast<DeclRefExpr>(ignoreWrappers(Cond->getLHS()));
  if (!Var || !Ref || Ref->getDecl() != Var || !Var->getInit())
    return std::nullopt;
  std::optional<int64_t> Start = evaluateInt(Var->getInit(), Ctx);
  std::optional<int64_t> End = evaluateInt(Cond->getRHS(), Ctx);
  if (!Start || !End)
    return std::nullopt;
  const auto *Inc = dyn_cast_or_null<UnaryOperator>(For->getInc());
  if (!Inc || !Inc->isIncrementOp())
    return std::nullopt;
  if (Cond->getOpcode() == BO_LT)
    return std::max<int64_t>(0, *End - *Start);
  if (Cond->getOpcode() == BO_LE)
    return std::max<int64_t>(0, *End - *Start + 1);
  return std::nullopt;
}

std::string queueTypeName(const ValueDecl *Queue, ASTContext &Ctx) {
  PrintingPolicy Policy(Ctx.getLangOpts());
  Policy.SuppressTagKeyword = true;
  QualType T = Queue->getType().getNonReferenceType().getUnqualifiedType();
  // A queue held through a pointer is described by the queue's own type.
  if (const CXXRecordDecl *Record = pointeeRecord(T);
      Record && Record != T->getAsCXXRecordDecl()) {
    Policy.FullyQualifiedName = true;
    return Ctx.getRecordType(Record).getAsString(Policy);
  }
  // Otherwise as the user wrote it, namespaces included.
  return T.getAsString(Policy);
}

class Analysis {
public:
  Analysis(const FunctionDecl *Spawner, ASTContext &Ctx, QueueModel &Model,
           const AnalysisOptions &Options)
      : Ctx(Ctx), Model(Model) {
    Threads = collectSpawns(Spawner, Options);
  }

  std::vector<Finding> run();

private:
  void collectOperations();
  std::optional<StrandedProducerCase> analyzeQueue(const ValueDecl *Queue);
  void resolveCapacity(StrandedProducerCase &Case);
  bool closedByAnotherParty(const StrandedProducerCase &Case,
                            ArrayRef<OperationAt> Ops,
                            const DenseSet<unsigned> &Involved);
  Finding describe(const StrandedProducerCase &Case);

  ASTContext &Ctx;
  QueueModel &Model;
  SpawningFunction Threads;
  std::vector<Actor> Actors;
  MapVector<const ValueDecl *, SmallVector<OperationAt, 4>> OpsByQueue;
};

void Analysis::collectOperations() {
  Actors.push_back({Threads.Function, nullptr});
  SmallPtrSet<const FunctionDecl *, 8> Seen{Threads.Function};
  for (const SpawnSite &Spawn : Threads.Spawns)
    Actors.push_back({Spawn.Body, &Spawn});
  for (unsigned I = 0; I < Actors.size(); ++I) {
    const Actor &A = Actors[I];
    const Stmt *Body = A.Function ? A.Function->getBody() : nullptr;
    if (!Body || containsErrors(Body))
      continue;
    forEachDescendant(Body, [&](const Stmt *S) {
      const auto *Call = dyn_cast<CallExpr>(S);
      if (!Call)
        return;
      std::optional<QueueOperation> Op = Model.classify(Call);
      if (!Op)
        return;
      if (const ValueDecl *Queue = resolveObject(Op->Object, A.bindings()))
        OpsByQueue[Queue].push_back({I, *Op});
    });
  }
}

void Analysis::resolveCapacity(StrandedProducerCase &Case) {
  const Expr *CapacityExpr = nullptr;
  const Expr *Init = nullptr;
  if (const auto *Var = dyn_cast<VarDecl>(Case.Queue))
    Init = Var->getInit();
  else if (const auto *Field = dyn_cast<FieldDecl>(Case.Queue))
    Init = Field->getInClassInitializer();
  if (Init) {
    Init = ignoreWrappers(Init);
    // `std::make_shared<Q>(cap)`: the arguments are the constructor's.
    ArrayRef<const Expr *> Args;
    SmallVector<const Expr *, 4> Storage;
    if (const auto *Construct = dyn_cast_or_null<CXXConstructExpr>(Init))
      for (const Expr *Arg : Construct->arguments())
        Storage.push_back(Arg);
    else if (const auto *Call = dyn_cast_or_null<CallExpr>(Init)) {
      StringRef Name = calleeName(Call);
      if (Name == "make_shared" || Name == "make_unique")
        for (const Expr *Arg : Call->arguments())
          Storage.push_back(Arg);
    } else if (const auto *List = dyn_cast_or_null<InitListExpr>(Init))
      for (const Expr *Arg : List->inits())
        Storage.push_back(Arg);
    Args = Storage;
    int Index = Case.Api->CapacityCtorArg;
    if (Index >= 0 && unsigned(Index) < Args.size() &&
        !isa<CXXDefaultArgExpr>(Args[Index]))
      CapacityExpr = Args[Index];
  }
  // `q.set_capacity(n)` wins over the constructor.
  for (const auto &[Queue, Ops] : OpsByQueue)
    if (Queue == Case.Queue)
      for (const OperationAt &At : Ops)
        if (At.Op.Role == QueueRole::SetCapacity && At.Op.Call->getNumArgs())
          CapacityExpr = At.Op.Call->getArg(0);
  if (!CapacityExpr)
    return;
  Case.CapacityText = sourceText(CapacityExpr, Ctx);
  Case.Capacity = evaluateInt(CapacityExpr, Ctx);
}

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
                                     Case.ProducerWait->Expr->getBeginLoc()))
      return true;
  }
  return false;
}

std::optional<StrandedProducerCase>
Analysis::analyzeQueue(const ValueDecl *Queue) {
  ArrayRef<OperationAt> Ops = OpsByQueue[Queue];
  const QueueApi *Api = Ops.front().Op.Api;
  if (!Api->isBounded())
    return std::nullopt;
  bool Bounded =
      Api->BoundedByDefault || any_of(Ops, [](const OperationAt &At) {
        return At.Op.Role == QueueRole::SetCapacity;
      });
  if (!Bounded)
    return std::nullopt;

  StrandedProducerCase Case;
  Case.Spawner = Threads.Function;
  Case.Queue = Queue;
  Case.Api = Api;

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
      break;
    }
  }
  if (!ProducerActor)
    return std::nullopt;

  // The consumers: spawned threads (other than the producer) that pop.
  SmallPtrSet<const FunctionDecl *, 4> AnalyzedBodies;
  DenseSet<unsigned> Involved{*ProducerActor};
  for (unsigned I = 1; I < Actors.size(); ++I) {
    if (I == *ProducerActor || Actors[I].Function == Case.ProducerFunction)
      continue;
    auto Pop = find_if(Ops, [&](const OperationAt &At) {
      return At.Actor == I && At.Op.Role == QueueRole::BlockingPop;
    });
    if (Pop == Ops.end())
      continue;
    Involved.insert(I);
    if (!AnalyzedBodies.insert(Actors[I].Function).second)
      continue;
    const ParamBindings *Bindings = Actors[I].bindings();
    auto OnQueue = [&](const CallExpr *Call) -> std::optional<QueueOperation> {
      std::optional<QueueOperation> Op = Model.classify(Call);
      if (Op && resolveObject(Op->Object, Bindings) == Queue)
        return Op;
      return std::nullopt;
    };
    std::optional<ConsumerSummary> Summary =
        analyzeConsumer(Actors[I].Function, Ctx, OnQueue);
    if (!Summary)
      continue; // Not a draining consumer: it pops a known number of items.
    if (Summary->Exits.empty())
      return std::nullopt; // This consumer always drains or wakes.
    Case.Consumers.push_back({Actors[I].Spawn, Pop->Op, std::move(*Summary)});
  }
  if (Case.Consumers.empty())
    return std::nullopt;

  for (const WaitSite &Wait : Threads.Waits) {
    if (Case.ProducerSpawn && Wait.Handle == Case.ProducerSpawn->Handle)
      Case.ProducerWait = &Wait;
    for (const ConsumerCase &Consumer : Case.Consumers)
      if (Consumer.Spawn->Handle == Wait.Handle)
        Case.ConsumerWaits.push_back(&Wait);
  }
  if (closedByAnotherParty(Case, Ops, Involved))
    return std::nullopt;

  resolveCapacity(Case);
  // A queue that holds every item never makes the producer wait.
  if (Case.Capacity)
    if (std::optional<int64_t> Trips =
            constantTripCount(Case.ProducerLoop, Ctx);
        Trips && *Trips <= *Case.Capacity)
      return std::nullopt;
  return Case;
}

const char *exitNote(ExitKind Kind) {
  switch (Kind) {
  case ExitKind::Return:
    return "consumer returns here without closing '%0'";
  case ExitKind::Break:
    return "consumer breaks out of its pop loop here without closing '%0'";
  case ExitKind::Throw:
    return "consumer throws here without closing '%0'";
  case ExitKind::Goto:
    return "consumer jumps out of its pop loop here without closing '%0'";
  case ExitKind::LoopCondition:
    return "consumer's loop condition ends the pop loop here before '%0' is "
           "closed";
  }
  return "";
}

Finding Analysis::describe(const StrandedProducerCase &Case) {
  std::string Name = Case.Queue->getNameAsString();
  std::string Detail = queueTypeName(Case.Queue, Ctx);
  if (!Case.CapacityText.empty()) {
    Detail += ", capacity " + Case.CapacityText;
    if (Case.Capacity && std::to_string(*Case.Capacity) != Case.CapacityText)
      Detail += " = " + std::to_string(*Case.Capacity);
  }
  Finding F;
  F.Loc = Case.Push.Call->getExprLoc();
  F.Message = formatv("producer can block forever in '{0}' on bounded queue "
                      "'{1}' ({2}): every consumer can exit without closing "
                      "it, and nothing else wakes the producer",
                      Case.Push.MethodName, Name, Detail)
                  .str();
  auto Note = [&](SourceLocation Loc, std::string Message) {
    F.Notes.push_back({Loc, std::move(Message), {}});
  };
  Note(Case.Queue->getLocation(), formatv("queue '{0}' declared here", Name));
  for (const ConsumerCase &Consumer : Case.Consumers) {
    for (const StrandingExit &Exit : Consumer.Summary.Exits) {
      std::string Message = exitNote(Exit.Kind);
      Message.replace(Message.find("%0"), 2, Name);
      Note(Exit.Stmt->getBeginLoc(), Message);
    }
    Note(Consumer.Spawn->Expr->getBeginLoc(),
         formatv("consumer thread{0} spawned here{1}",
                 Consumer.Spawn->InLoop ? "s" : "",
                 Consumer.Spawn->InLoop ? " in a loop" : ""));
  }
  if (Case.ProducerSpawn)
    Note(Case.ProducerSpawn->Expr->getBeginLoc(),
         "producer thread spawned here");
  if (Case.ProducerWait)
    Note(Case.ProducerWait->Expr->getBeginLoc(),
         "this wait never returns once the producer is stuck");
  FixPlan Plan = planStrandedProducerFix(Case, Ctx);
  F.Fixes = std::move(Plan.Fixes);
  for (FindingNote &N : Plan.Notes)
    F.Notes.push_back(std::move(N));
  return F;
}

std::vector<Finding> Analysis::run() {
  std::vector<Finding> Findings;
  if (Threads.Spawns.empty())
    return Findings;
  collectOperations();
  for (auto &[Queue, Ops] : OpsByQueue) {
    (void)Ops;
    if (std::optional<StrandedProducerCase> Case = analyzeQueue(Queue))
      Findings.push_back(describe(*Case));
  }
  return Findings;
}

} // namespace

std::vector<Finding> findStrandedProducers(const FunctionDecl *Spawner,
                                           ASTContext &Ctx, QueueModel &Model,
                                           const AnalysisOptions &Options) {
  if (!Spawner || !Spawner->hasBody() || Spawner->isInvalidDecl() ||
      Spawner->isDependentContext())
    return {};
  return Analysis(Spawner, Ctx, Model, Options).run();
}

} // namespace fanout
