//===- StrandedConsumerCheck.h - fanout-stranded-consumer -----*- C++ -*-===//
#ifndef FANOUT_CHECKS_STRANDEDCONSUMERCHECK_H
#define FANOUT_CHECKS_STRANDEDCONSUMERCHECK_H

#include "FanoutCheck.h"

namespace clang::tidy::fanout {

/// Warns where consumers can block forever in a pop because the producer can
/// finish without closing the queue.
///
/// For the user-facing documentation see:
/// docs/checks/fanout-stranded-consumer.md
class StrandedConsumerCheck : public FanoutCheck {
public:
  using FanoutCheck::FanoutCheck;

protected:
  std::vector<::fanout::Finding>
  analyze(const FunctionDecl *Spawner, ASTContext &Ctx,
          ::fanout::QueueModel &Model,
          const ::fanout::AnalysisOptions &Options) override;
};

} // namespace clang::tidy::fanout

#endif
