//===- JoinSideClose.cpp - One close once the consumers are joined --------===//
//
// The shape of the upstream Go fix: when the spawning function joins every
// consumer before it waits for the producer, one close between the two
// covers every way out of every consumer at once.
//
//===----------------------------------------------------------------------===//
#include "fanout/AstHelpers.h"
#include "fanout/FixStrategies.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/Support/FormatVariadic.h"

using namespace clang;
using namespace llvm;

namespace fanout {
namespace {

/// Whether every consumer is joined, explicitly, before the producer is.
bool consumersJoinedFirst(const FixContext &Fx) {
  const StrandedProducerCase &Case = Fx.Case;
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
        !Fx.SM.isBeforeInTranslationUnit(Wait->Loc, ProducerWait->Loc))
      return false;
  return true;
}

/// The close as the spawner writes it: through one of its own operations
/// on the queue, else through the queue's declaration when it can see it.
std::string spawnerCloseCode(const FixContext &Fx) {
  const StrandedProducerCase &Case = Fx.Case;
  std::string Code = Fx.closeCode(Case.Spawner, Case.Queue);
  if (!Code.empty())
    return Code;
  const ValueDecl *Decl = Case.Model->declOf(Case.Queue);
  StringRef Close = Case.Api->reliableCloseFor(QueueSide::Producers);
  bool Visible = Decl && Case.Queue.fields().empty() &&
                 (Case.Queue.base() == AccessPath::BaseKind::Var ||
                  Case.Queue.base() == AccessPath::BaseKind::Param);
  if (!Visible || Close.empty())
    return {};
  QualType T = Decl->getType().getNonReferenceType();
  bool Pointer =
      T->isPointerType() ||
      (T->getAsCXXRecordDecl() && pointeeRecord(T) != T->getAsCXXRecordDecl());
  return Decl->getNameAsString() + (Pointer ? "->" : ".") + Close.str() + "();";
}

} // namespace

std::optional<StrategyPlan> planJoinSideClose(const FixContext &Fx) {
  if (!consumersJoinedFirst(Fx))
    return std::nullopt;
  std::string Code = spawnerCloseCode(Fx);
  if (Code.empty())
    return std::nullopt;
  StrategyPlan Plan;
  const WaitSite *ProducerWait = Fx.Case.ProducerWait;
  if (!Fx.insertBefore(ProducerWait->Expr, Fx.Case.Spawner, Code, Plan.Edits))
    return std::nullopt;
  // The note sits at the producer's wait: the close goes just before it.
  Plan.NoteAt = ProducerWait->Loc;
  Plan.Summary =
      formatv("close '{0}' once the consumers are joined", Fx.Name).str();
  return Plan;
}

/// The stop source a stoppable push of the producer listens to, as code in
/// the spawning function: the producer's own `std::jthread` for the token it
/// is given, or the `std::stop_source` whose token it passes.
static std::string stopSourceOfPush(const FixContext &Fx) {
  const StrandedProducerCase &Case = Fx.Case;
  const CallExpr *Push = Case.Push->Op.Call;
  const FunctionDecl *Callee = Push->getDirectCallee();
  const SpawnSite *Spawn = Case.producerSpawn();
  if (!Callee || !Case.Push->Via.empty() || !Spawn)
    return {};
  for (unsigned I = 0, E = std::min<unsigned>(Callee->getNumParams(),
                                              Push->getNumArgs());
       I < E; ++I) {
    if (!isStopToken(Callee->getParamDecl(I)->getType()))
      continue;
    const ValueDecl *Owner = stopOwnerOf(Push->getArg(I));
    if (!Owner)
      return {};
    if (isa<ParmVarDecl>(Owner)) {
      const ValueDecl *Handle = Spawn->Handle.leafDecl();
      if (Owner->getDeclContext() != Spawn->Body ||
          Spawn->Kind != "std::jthread" || !Handle || !isa<VarDecl>(Handle) ||
          !Handle->getIdentifier())
        return {};
      return Handle->getName().str();
    }
    const auto *Source = dyn_cast<VarDecl>(Owner);
    if (!Source || !Source->getIdentifier() ||
        Source->getDeclContext() != Case.Spawner)
      return {};
    return Source->getName().str();
  }
  return {};
}

std::optional<StrategyPlan> planRequestStopAfterJoins(const FixContext &Fx) {
  if (!consumersJoinedFirst(Fx))
    return std::nullopt;
  std::string Source = stopSourceOfPush(Fx);
  if (Source.empty())
    return std::nullopt;
  StrategyPlan Plan;
  const WaitSite *ProducerWait = Fx.Case.ProducerWait;
  if (!Fx.insertBefore(ProducerWait->Expr, Fx.Case.Spawner,
                       Source + ".request_stop();", Plan.Edits))
    return std::nullopt;
  Plan.NoteAt = ProducerWait->Loc;
  Plan.Summary = formatv("request a stop of '{0}' once the consumers are "
                         "joined: '{1}' waits on its stop token",
                         Source, Fx.PushName)
                     .str();
  return Plan;
}

} // namespace fanout
