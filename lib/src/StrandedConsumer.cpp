//===- StrandedConsumer.cpp - Producers that leave without closing --------===//
//
// The mirror of the stranded producer: consumers pop in loops that end only
// when the queue says it is closed, and the producer can finish (return,
// throw, or simply reach its end) without closing it. Once the producer has
// gone, the consumers sleep in pop for ever and whoever joins them hangs.
//
//===----------------------------------------------------------------------===//
#include "fanout/StrandedConsumer.h"
#include "fanout/Edits.h"
#include "fanout/ExitAnalysis.h"
#include "fanout/FanOut.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/Support/FormatVariadic.h"

using namespace clang;
using namespace llvm;

namespace fanout {
namespace {

struct ConsumerSite {
  const SpawnSite *Spawn;
  const FunctionDecl *Body;
  QueueOperation Pop;
};

class Analysis {
public:
  Analysis(const FunctionDecl *Spawner, ASTContext &Ctx, QueueModel &Model,
           const AnalysisOptions &Options)
      : Ctx(Ctx), Model(Spawner, Ctx, Model, Options) {}

  std::vector<Finding> run() {
    std::vector<Finding> Findings;
    if (Model.empty())
      return Findings;
    for (const auto &Entry : Model.queues())
      analyzeQueue(Entry.first, Findings);
    return Findings;
  }

private:
  void analyzeQueue(const ValueDecl *Queue, std::vector<Finding> &Findings);
  std::vector<FixItHint> planGuard(const Actor &Producer,
                                   const QueueOperation &Push,
                                   const QueueApi &Api);

  ASTContext &Ctx;
  FanOut Model;
};

const VarDecl *variableOf(const Expr *E) {
  E = ignoreWrappers(E);
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E))
    E = ignoreWrappers(Call->getImplicitObjectArgument());
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
    return dyn_cast<VarDecl>(Ref->getDecl());
  return nullptr;
}

/// The variables \p Body assigns or stores to (`stop = true`,
/// `stop.store(true)`, `++errors`).
void collectWrittenVariables(const Stmt *Body, DenseSet<const VarDecl *> &Out) {
  forEachDescendant(Body, [&](const Stmt *S) {
    if (const auto *Assign = dyn_cast<BinaryOperator>(S);
        Assign && Assign->isAssignmentOp()) {
      if (const VarDecl *Var = variableOf(Assign->getLHS()))
        Out.insert(Var);
    } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S);
               Op && Op->isAssignmentOp() && Op->getNumArgs() > 0) {
      if (const VarDecl *Var = variableOf(Op->getArg(0)))
        Out.insert(Var);
    } else if (const auto *Call = dyn_cast<CXXMemberCallExpr>(S);
               Call && calleeName(Call) == "store") {
      if (const VarDecl *Var = variableOf(Call->getImplicitObjectArgument()))
        Out.insert(Var);
    }
  });
}

/// Whether \p S runs only under an `if` whose condition reads one of
/// \p Vars.
bool controlledBy(const Stmt *S, const ParentMap &Parents,
                  const DenseSet<const VarDecl *> &Vars) {
  for (const Stmt *P = Parents.getParent(S); P; P = Parents.getParent(P)) {
    const auto *If = dyn_cast<IfStmt>(P);
    if (!If || !If->getCond())
      continue;
    bool Reads = false;
    auto Visit = [&](const Stmt *Node) {
      if (const auto *Ref = dyn_cast<DeclRefExpr>(Node))
        if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl()))
          Reads |= Vars.contains(Var);
    };
    Visit(If->getCond());
    forEachDescendant(If->getCond(), Visit);
    if (Reads)
      return true;
  }
  return false;
}

const char *producerExitNote(ExitKind Kind) {
  switch (Kind) {
  case ExitKind::Throw:
    return "producer throws here without closing '{0}'";
  case ExitKind::FallOff:
    return "producer finishes here without closing '{0}'";
  default:
    return "producer returns here without closing '{0}'";
  }
}

/// A guard declared first in the producer's body closes the queue on every
/// way out, exceptions included.
std::vector<FixItHint> Analysis::planGuard(const Actor &Producer,
                                           const QueueOperation &Push,
                                           const QueueApi &Api) {
  if (Api.Close.empty())
    return {};
  std::optional<FixItHint> Guard =
      closeGuardInsertion(Producer.Function->getBody(), Push.Object, Push.Arrow,
                          Api.Close.front(), Ctx);
  if (!Guard)
    return {};
  return {*Guard};
}

void Analysis::analyzeQueue(const ValueDecl *Queue,
                            std::vector<Finding> &Findings) {
  ArrayRef<OperationAt> Ops = Model.queues().find(Queue)->second;
  ArrayRef<Actor> Actors = Model.actors();
  const QueueApi *Api = Ops.front().Op.Api;
  // Consumers wait for a close only when there is one that wakes them.
  if (Api->Close.empty() || !Api->CloseIsPermanent)
    return;

  // The producer: pushes in a loop (any push: a timed one returns, but
  // the consumers still wait for the close).
  std::optional<unsigned> ProducerIndex;
  QueueOperation Push;
  for (const OperationAt &At : Ops) {
    if (At.Op.Role != QueueRole::BlockingPush &&
        At.Op.Role != QueueRole::NonBlockingPush)
      continue;
    ParentMap Parents(Actors[At.Actor].Function->getBody());
    if (enclosingLoop(At.Op.Call, Parents)) {
      ProducerIndex = At.Actor;
      Push = At.Op;
      break;
    }
  }
  if (!ProducerIndex)
    return;
  const Actor &Producer = Actors[*ProducerIndex];

  // The consumers: other spawned threads draining the queue until it is
  // closed, not stopping on a sentinel of the producer's.
  std::vector<ConsumerSite> Consumers;
  SmallPtrSet<const FunctionDecl *, 4> Bodies;
  DenseSet<unsigned> Involved{*ProducerIndex};
  for (unsigned I = 1; I < Actors.size(); ++I) {
    if (I == *ProducerIndex || Actors[I].Function == Producer.Function)
      continue;
    auto Pop = find_if(Ops, [&](const OperationAt &At) {
      return At.Actor == I && At.Op.Role == QueueRole::BlockingPop;
    });
    if (Pop == Ops.end())
      continue;
    Involved.insert(I);
    auto OnQueue = [&](const CallExpr *Call) {
      return Model.operationOn(Call, Queue, I);
    };
    std::optional<ConsumerSummary> Summary =
        analyzeConsumer(Actors[I].Function, Ctx, OnQueue);
    if (!Summary || Summary->EndsOnSentinel || Summary->EndsOnOwnCondition)
      continue;
    if (Bodies.insert(Actors[I].Function).second)
      Consumers.push_back({Actors[I].Spawn, Actors[I].Function, Pop->Op});
  }
  if (Consumers.empty())
    return;

  // Someone else closes (the spawner once the producer is joined, a
  // watchdog): the consumers are woken anyway.
  for (const OperationAt &At : Ops)
    if (At.Op.Role == QueueRole::Close && !Involved.contains(At.Actor))
      return;

  // A spawning function that produces and then returns early, with
  // std::thread consumers still joinable, terminates the program rather
  // than hanging: that is not this bug.
  if (*ProducerIndex == 0 && any_of(Consumers, [](const ConsumerSite &C) {
        return C.Spawn->Kind == "thread";
      }))
    return;

  auto OnProducerQueue = [&](const CallExpr *Call) {
    return Model.operationOn(Call, Queue, *ProducerIndex);
  };
  std::vector<StrandingExit> Exits =
      findExitsWithoutClose(Producer.Function, Ctx, OnProducerQueue);
  // An exit taken because the consumers asked for it (a flag they set as
  // they leave) leaves no consumer waiting.
  DenseSet<const VarDecl *> SetByConsumers;
  for (const ConsumerSite &Consumer : Consumers)
    collectWrittenVariables(Consumer.Body->getBody(), SetByConsumers);
  ParentMap ProducerParents(Producer.Function->getBody());
  llvm::erase_if(Exits, [&](const StrandingExit &Exit) {
    return Exit.Kind != ExitKind::FallOff &&
           controlledBy(Exit.Stmt, ProducerParents, SetByConsumers);
  });
  if (Exits.empty())
    return;

  StringRef Name = Queue->getName();
  bool NeverCloses = none_of(Ops, [&](const OperationAt &At) {
    return At.Actor == *ProducerIndex && At.Op.Role == QueueRole::Close;
  });
  Finding F;
  const QueueOperation &Pop = Consumers.front().Pop;
  F.Loc = Pop.Call->getExprLoc();
  F.Message = formatv("consumers can block forever in '{0}' on queue {1}: the "
                      "producer can finish without closing it{2}",
                      Pop.MethodName, Model.describe(Queue),
                      NeverCloses ? " (it never closes it)" : "")
                  .str();
  auto Note = [&](SourceLocation Loc, std::string Message) {
    F.Notes.push_back({Loc, std::move(Message), {}});
  };
  Note(Queue->getLocation(), formatv("queue '{0}' declared here", Name));
  for (const StrandingExit &Exit : Exits)
    Note(Exit.Kind == ExitKind::FallOff ? Exit.Stmt->getEndLoc()
                                        : Exit.Stmt->getBeginLoc(),
         formatv(producerExitNote(Exit.Kind), Name));
  if (Producer.Spawn)
    Note(Producer.Spawn->Expr->getBeginLoc(), "producer thread spawned here");
  for (const ConsumerSite &Consumer : Consumers) {
    Note(Consumer.Spawn->Expr->getBeginLoc(),
         formatv("consumer thread{0} spawned here{1}",
                 Consumer.Spawn->InLoop ? "s" : "",
                 Consumer.Spawn->InLoop ? " in a loop" : ""));
    if (const WaitSite *Wait = Model.waitOn(Consumer.Spawn))
      Note(Wait->Loc, Wait->isImplicit()
                          ? "the consumers are waited for here, at the end "
                            "of their handle's scope; this never returns "
                            "once they are stuck"
                          : "this wait never returns once the consumers are "
                            "stuck");
  }
  if (Producer.Spawn) {
    F.Fixes = planGuard(Producer, Push, *Api);
  } else if (all_of(Exits, [](const StrandingExit &E) {
               return E.Kind == ExitKind::FallOff;
             })) {
    // The spawning function produces and then waits on its consumers: a
    // guard would close only after that wait, so close just before it.
    const WaitSite *FirstWait = nullptr;
    for (const ConsumerSite &Consumer : Consumers)
      if (const WaitSite *Wait = Model.waitOn(Consumer.Spawn);
          Wait &&
          (!FirstWait || Ctx.getSourceManager().isBeforeInTranslationUnit(
                             Wait->Loc, FirstWait->Loc)))
        FirstWait = Wait;
    std::string Object = sourceText(Push.Object, Ctx);
    if (FirstWait && !Object.empty() &&
        Ctx.getSourceManager().isBeforeInTranslationUnit(
            Push.Call->getBeginLoc(), FirstWait->Loc) &&
        !FirstWait->isImplicit()) {
      ParentMap Parents(Producer.Function->getBody());
      std::string Code =
          Object + (Push.Arrow ? "->" : ".") + Api->Close.front() + "();";
      if (!insertStatementBefore(FirstWait->Expr, Parents, Code, Ctx, F.Fixes))
        F.Fixes.clear();
    }
  }
  if (!F.Fixes.empty())
    Note(Push.Call->getExprLoc(),
         Producer.Spawn
             ? formatv("fix: close '{0}' on every way out of the producer "
                       "with a guard declared first in its body",
                       Name)
                   .str()
             : formatv("fix: close '{0}' once the producer is done, before "
                       "waiting on the consumers",
                       Name)
                   .str());
  else
    Note(Push.Call->getExprLoc(),
         formatv("no automatic fix is certain here; call '{0}.{1}()' on "
                 "every way out of the producer (an RAII guard covers "
                 "exceptions too)",
                 Name, Api->Close.front()));
  Findings.push_back(std::move(F));
}

} // namespace

std::vector<Finding> findStrandedConsumers(const FunctionDecl *Spawner,
                                           ASTContext &Ctx, QueueModel &Model,
                                           const AnalysisOptions &Options) {
  if (!isAnalysableSpawner(Spawner))
    return {};
  return Analysis(Spawner, Ctx, Model, Options).run();
}

} // namespace fanout
