//===- JoinBeforeDrainCheck.h - fanout-join-before-drain -------------*- C++
//-*-===//
#ifndef FANOUT_CHECKS_JOINBEFOREDRAINCHECK_H
#define FANOUT_CHECKS_JOINBEFOREDRAINCHECK_H

#include "FanoutCheck.h"

namespace clang::tidy::fanout {

/// Warns where a function waits for workers that push into a bounded queue
/// it drains only after the wait.
///
/// For the user-facing documentation see:
/// docs/checks/fanout-join-before-drain.md
class JoinBeforeDrainCheck : public FanoutCheck {
public:
  using FanoutCheck::FanoutCheck;

protected:
  bool reports(::fanout::FindingKind Kind) const override {
    return Kind == ::fanout::FindingKind::JoinBeforeDrain;
  }
};

} // namespace clang::tidy::fanout

#endif
