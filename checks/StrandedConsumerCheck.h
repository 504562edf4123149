//===- StrandedConsumerCheck.h - fanout-stranded-consumer ------------*- C++
//-*-===//
#ifndef FANOUT_CHECKS_STRANDEDCONSUMERCHECK_H
#define FANOUT_CHECKS_STRANDEDCONSUMERCHECK_H

#include "FanoutCheck.h"

namespace clang::tidy::fanout {

/// Warns where consumers can block forever in pop because the producer can
/// finish without closing the queue or sending its end markers.
///
/// For the user-facing documentation see:
/// docs/checks/fanout-stranded-consumer.md
class StrandedConsumerCheck : public FanoutCheck {
public:
  using FanoutCheck::FanoutCheck;

protected:
  bool reports(::fanout::FindingKind Kind) const override {
    return Kind == ::fanout::FindingKind::StrandedConsumer;
  }
};

} // namespace clang::tidy::fanout

#endif
