//===- StrandedConsumer.h - Consumers left asleep in an empty queue -------===//
#ifndef FANOUT_STRANDEDCONSUMER_H
#define FANOUT_STRANDEDCONSUMER_H

#include "fanout/FanOut.h"
#include "fanout/Finding.h"
#include "fanout/Roles.h"
#include <vector>

namespace fanout {

/// Consumers that can block forever in a blocking pop, because the
/// producer can finish without closing the queue their pop loops wait to
/// see closed (or without sending the end markers they stop on).
std::vector<Finding> findStrandedConsumers(const FanOut &Model,
                                           RoleAnalysis &Roles);

} // namespace fanout

#endif
