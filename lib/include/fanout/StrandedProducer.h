//===- StrandedProducer.h - Producers left asleep in a full queue ---------===//
#ifndef FANOUT_STRANDEDPRODUCER_H
#define FANOUT_STRANDEDPRODUCER_H

#include "fanout/FanOut.h"
#include "fanout/Finding.h"
#include "fanout/Roles.h"
#include <vector>

namespace fanout {

class TUAnalysis;

/// One consumer of a stranded producer: who it is and how it leaves.
struct ConsumerCase {
  const Actor *Who = nullptr;
  /// Its answer to the consumer question, in the actor function's terms.
  ConsumerRole Role;
  /// The ways out that strand the producer (exceptions included where they
  /// end only the task).
  std::vector<RoleExit> Exits;
};

/// Everything known about one stranded producer: what the fix planner and
/// the message are made from.
struct StrandedProducerCase {
  const FanOut *Model = nullptr;
  const clang::FunctionDecl *Spawner = nullptr;
  AccessPath Queue;
  const QueueApi *Api = nullptr;
  /// The producer's blocking push, in its actor's summary.
  const ReachedOp *Push = nullptr;
  const Actor *Producer = nullptr;
  /// The loop that repeats the push, and the function it is in (the
  /// push's own function, or one up the call chain).
  const clang::Stmt *ProducerLoop = nullptr;
  const clang::FunctionDecl *ProducerLoopFunction = nullptr;
  /// Every blocking push the producer makes on the queue.
  std::vector<const ReachedOp *> ProducerPushes;
  const WaitSite *ProducerWait = nullptr;
  std::vector<ConsumerCase> Consumers;
  std::vector<const WaitSite *> ConsumerWaits;

  bool producerIsMember() const {
    return Producer && Producer->Role == Actor::Kind::Member;
  }
  /// Every consumer is the callers of a member that takes one item a call.
  bool consumersAreCallers() const {
    return !Consumers.empty() &&
           llvm::all_of(Consumers, [](const ConsumerCase &Consumer) {
             return !Consumer.Exits.empty() &&
                    llvm::all_of(Consumer.Exits, [](const RoleExit &Exit) {
                      return Exit.Kind == ExitKind::CallersStop;
                    });
           });
  }
  bool producerIsCaller() const {
    return Producer && Producer->Role == Actor::Kind::Caller;
  }
  const SpawnSite *producerSpawn() const {
    return Producer ? Producer->Spawn : nullptr;
  }
  const clang::FunctionDecl *producerFunction() const {
    return Push ? Push->Holder : nullptr;
  }
};

/// The stranded producers of \p Model.
std::vector<StrandedProducerCase>
findStrandedProducerCases(const FanOut &Model, RoleAnalysis &Roles);
/// The finding for a case: the message, the notes, the fix.
Finding describeStrandedProducer(const StrandedProducerCase &Case);

/// The fix-its for a case (empty when no fix is certainly right) and the
/// notes that explain the fix or suggest one.
struct FixPlan {
  std::vector<clang::FixItHint> Fixes;
  std::vector<FindingNote> Notes;
};
FixPlan planStrandedProducerFix(const StrandedProducerCase &Case,
                                clang::ASTContext &Ctx);

/// Every leaf exit of \p Exits, through the calls (ViaCall) they stand for.
void flattenExits(llvm::ArrayRef<RoleExit> Exits,
                  std::vector<const RoleExit *> &Out);

} // namespace fanout

#endif
