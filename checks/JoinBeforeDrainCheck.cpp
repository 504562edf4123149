//===- JoinBeforeDrainCheck.cpp - fanout-join-before-drain ----------------===//
#include "JoinBeforeDrainCheck.h"
#include "fanout/JoinBeforeDrain.h"

namespace clang::tidy::fanout {

std::vector<::fanout::Finding>
JoinBeforeDrainCheck::analyze(const FunctionDecl *Spawner, ASTContext &Ctx,
                              ::fanout::QueueModel &Model,
                              const ::fanout::AnalysisOptions &Options) {
  return ::fanout::findJoinsBeforeDrain(Spawner, Ctx, Model, Options);
}

} // namespace clang::tidy::fanout
