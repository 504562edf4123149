//===- StrandedConsumerCheck.cpp - fanout-stranded-consumer ---------------===//
#include "StrandedConsumerCheck.h"
#include "fanout/StrandedConsumer.h"

namespace clang::tidy::fanout {

std::vector<::fanout::Finding>
StrandedConsumerCheck::analyze(const FunctionDecl *Spawner, ASTContext &Ctx,
                               ::fanout::QueueModel &Model,
                               const ::fanout::AnalysisOptions &Options) {
  return ::fanout::findStrandedConsumers(Spawner, Ctx, Model, Options);
}

} // namespace clang::tidy::fanout
