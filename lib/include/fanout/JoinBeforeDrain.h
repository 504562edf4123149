//===- JoinBeforeDrain.h - Joining workers before draining their results --===//
#ifndef FANOUT_JOINBEFOREDRAIN_H
#define FANOUT_JOINBEFOREDRAIN_H

#include "fanout/FanOut.h"
#include "fanout/Finding.h"
#include "fanout/Roles.h"
#include <vector>

namespace fanout {

/// Waits in the spawning function on worker threads that push results into
/// a bounded queue it drains only after the wait: once the queue is full the
/// workers block in push and the wait never returns.
std::vector<Finding> findJoinsBeforeDrain(const FanOut &Model,
                                          RoleAnalysis &Roles);

} // namespace fanout

#endif
