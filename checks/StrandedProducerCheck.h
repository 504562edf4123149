//===- StrandedProducerCheck.h - fanout-stranded-producer ------------*- C++
//-*-===//
#ifndef FANOUT_CHECKS_STRANDEDPRODUCERCHECK_H
#define FANOUT_CHECKS_STRANDEDPRODUCERCHECK_H

#include "FanoutCheck.h"

namespace clang::tidy::fanout {

/// Warns where a producer can block forever in a bounded push because every
/// consumer of the queue can exit without closing it.
///
/// For the user-facing documentation see:
/// docs/checks/fanout-stranded-producer.md
class StrandedProducerCheck : public FanoutCheck {
public:
  using FanoutCheck::FanoutCheck;

protected:
  bool reports(::fanout::FindingKind Kind) const override {
    return Kind == ::fanout::FindingKind::StrandedProducer ||
           Kind == ::fanout::FindingKind::StrandedMemberProducer;
  }
};

} // namespace clang::tidy::fanout

#endif
