//===- StrandedProducerCheck.cpp - fanout-stranded-producer ---------------===//
#include "StrandedProducerCheck.h"
#include "fanout/StrandedProducer.h"

namespace clang::tidy::fanout {

std::vector<::fanout::Finding>
StrandedProducerCheck::analyze(const FunctionDecl *Spawner, ASTContext &Ctx,
                               ::fanout::QueueModel &Model,
                               const ::fanout::AnalysisOptions &Options) {
  return ::fanout::findStrandedProducers(Spawner, Ctx, Model, Options);
}

} // namespace clang::tidy::fanout
