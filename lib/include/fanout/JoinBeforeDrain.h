//===- JoinBeforeDrain.h - Joining workers before draining their results --===//
#ifndef FANOUT_JOINBEFOREDRAIN_H
#define FANOUT_JOINBEFOREDRAIN_H

#include "fanout/Finding.h"
#include "fanout/Options.h"
#include "fanout/QueueModel.h"
#include "clang/AST/ASTContext.h"
#include <vector>

namespace fanout {

/// Finds waits in \p Spawner on worker threads that push results into a
/// bounded queue which \p Spawner drains only after the wait: once the queue
/// is full the workers block in push and the wait never returns.
std::vector<Finding> findJoinsBeforeDrain(const clang::FunctionDecl *Spawner,
                                          clang::ASTContext &Ctx,
                                          QueueModel &Model,
                                          const AnalysisOptions &Options);

} // namespace fanout

#endif
