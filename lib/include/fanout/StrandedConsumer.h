//===- StrandedConsumer.h - Consumers left asleep in an empty queue -------===//
#ifndef FANOUT_STRANDEDCONSUMER_H
#define FANOUT_STRANDEDCONSUMER_H

#include "fanout/Finding.h"
#include "fanout/Options.h"
#include "fanout/QueueModel.h"
#include "clang/AST/ASTContext.h"
#include <vector>

namespace fanout {

/// Finds consumers that \p Spawner starts and that can block forever in a
/// blocking pop, because the producer can finish without closing the queue
/// their pop loops wait to see closed.
std::vector<Finding> findStrandedConsumers(const clang::FunctionDecl *Spawner,
                                           clang::ASTContext &Ctx,
                                           QueueModel &Model,
                                           const AnalysisOptions &Options);

} // namespace fanout

#endif
