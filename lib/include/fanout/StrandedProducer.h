//===- StrandedProducer.h - Producers left asleep in a full queue ---------===//
#ifndef FANOUT_STRANDEDPRODUCER_H
#define FANOUT_STRANDEDPRODUCER_H

#include "fanout/ExitAnalysis.h"
#include "fanout/Finding.h"
#include "fanout/QueueModel.h"
#include "fanout/ThreadModel.h"
#include "clang/AST/ASTContext.h"
#include "llvm/ADT/SmallVector.h"
#include <vector>

namespace fanout {

struct ConsumerCase {
  const SpawnSite *Spawn = nullptr;
  /// The function the consumer runs (the spawn's body, or the helper it
  /// delegates to), and the call to that helper if any.
  const clang::FunctionDecl *Body = nullptr;
  const clang::CallExpr *Via = nullptr;
  /// The calls from the thread's body to Body, when there is more than one.
  llvm::SmallVector<const clang::CallExpr *, 3> ViaChain;
  QueueOperation Pop;
  ConsumerSummary Summary;
};

/// Everything known about one stranded producer: what the fix planner and
/// the message are made from.
struct StrandedProducerCase {
  const clang::FunctionDecl *Spawner = nullptr;
  const clang::ValueDecl *Queue = nullptr;
  const QueueApi *Api = nullptr;
  QueueOperation Push;
  const clang::FunctionDecl *ProducerFunction = nullptr;
  const clang::Stmt *ProducerLoop = nullptr;
  /// Null when the spawning function itself produces.
  const SpawnSite *ProducerSpawn = nullptr;
  /// Set when the producer is a member function of the class whose member
  /// function started the consumers (a pool's `submit`): it runs on its
  /// callers' threads, and ProducerLoop is then usually null.
  bool ProducerIsMember = false;
  /// Set when the producer thread's body only calls a helper that pushes.
  const clang::CallExpr *ProducerVia = nullptr;
  /// Every blocking push the producer makes on the queue (`Push` included).
  std::vector<QueueOperation> ProducerPushes;
  const WaitSite *ProducerWait = nullptr;
  std::vector<ConsumerCase> Consumers;
  std::vector<const WaitSite *> ConsumerWaits;
};

/// Finds the producers that \p Spawner (or a thread it spawns) runs and that
/// can block forever because every consumer can exit without waking them.
std::vector<Finding> findStrandedProducers(const clang::FunctionDecl *Spawner,
                                           clang::ASTContext &Ctx,
                                           QueueModel &Model,
                                           const AnalysisOptions &Options);

/// The fix-its for a case (empty when no fix is certainly right) and the
/// notes that explain the fix or suggest one.
struct FixPlan {
  std::vector<clang::FixItHint> Fixes;
  std::vector<FindingNote> Notes;
};
FixPlan planStrandedProducerFix(const StrandedProducerCase &Case,
                                clang::ASTContext &Ctx);

} // namespace fanout

#endif
