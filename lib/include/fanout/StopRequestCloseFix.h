//===- StopRequestCloseFix.h - A close that lets a stop request land ------===//
//
// A std::jthread consumer whose loop tests its own stop token right after
// a blocking pop, stopped by a member of the queue's class that requests
// the stop and then joins (edgelink's queued filter): the pop does not see
// the request, so on an empty queue the join never returns. A close
// between the request and the join wakes the pop, and the token test that
// follows ends the loop.
//
//===----------------------------------------------------------------------===//
#ifndef FANOUT_STOPREQUESTCLOSEFIX_H
#define FANOUT_STOPREQUESTCLOSEFIX_H

#include "fanout/Spawns.h"
#include "fanout/Summaries.h"
#include "clang/Basic/Diagnostic.h"
#include <vector>

namespace fanout {

/// The close \p Close of the queue, as the producer's operation \p Named
/// (in a member of the queue's class) names it, inserted before the join
/// in the member that \p Wait calls, right after its request_stop() of the
/// same thread. Empty unless \p Consumer is a jthread whose body, taking a
/// std::stop_token, holds \p Pop as a statement of its own (or a
/// declaration's initialiser) followed at once by a test of that token that
/// leaves the loop: so nothing uses what a closed pop did not give.
std::vector<clang::FixItHint>
planCloseAfterStopRequest(const SpawnSite &Consumer, const clang::CallExpr *Pop,
                          const WaitSite &Wait, const ReachedOp &Named,
                          llvm::StringRef Close, Summaries &S);

} // namespace fanout

#endif
