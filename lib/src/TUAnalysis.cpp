//===- TUAnalysis.cpp - The shared per-translation-unit analysis ----------===//
#include "fanout/TUAnalysis.h"
#include "fanout/FanOut.h"
#include "fanout/JoinBeforeDrain.h"
#include "fanout/QueueModel.h"
#include "fanout/Roles.h"
#include "fanout/Spawns.h"
#include "fanout/StrandedConsumer.h"
#include "fanout/StrandedProducer.h"
#include "fanout/Summaries.h"
#include <map>
#include <mutex>

using namespace clang;
using namespace llvm;

namespace fanout {

TUAnalysis::TUAnalysis(ASTContext &Ctx, const AnalysisOptions &Options)
    : Ctx(Ctx), Options(Options) {
  Queues = std::make_unique<QueueModel>(this->Options);
  Spawns = std::make_unique<SpawnModel>(this->Options);
  Summaries_ = std::make_unique<Summaries>(Ctx, *Queues, *Spawns);
  Roles = std::make_unique<RoleAnalysis>(*Summaries_);
}

TUAnalysis::~TUAnalysis() = default;

std::string optionsKey(const AnalysisOptions &Options) {
  std::string Key = formatNameList(Options.QueueTypes) + "\x1f" +
                    formatMethodList(Options.BlockingPushMethods) + "\x1f" +
                    formatMethodList(Options.BlockingPopMethods) + "\x1f" +
                    formatMethodList(Options.CloseMethods) + "\x1f" +
                    formatMethodList(Options.NonBlockingPushMethods) + "\x1f" +
                    formatNameList(Options.ThreadTypes) + "\x1f" +
                    formatNameList(Options.SpawnFunctions) + "\x1f" +
                    (Options.InferQueues ? "1" : "0");
  return Key;
}

std::shared_ptr<TUAnalysis> TUAnalysis::get(ASTContext &Ctx,
                                            const AnalysisOptions &Options) {
  // clangd builds several translation units at once, on several threads.
  static std::mutex Lock;
  static std::map<std::pair<const ASTContext *, std::string>,
                  std::weak_ptr<TUAnalysis>>
      Live;
  std::lock_guard<std::mutex> Guard(Lock);
  for (auto It = Live.begin(); It != Live.end();)
    It = It->second.expired() ? Live.erase(It) : std::next(It);
  auto Key = std::make_pair(&Ctx, optionsKey(Options));
  if (std::shared_ptr<TUAnalysis> Existing = Live[Key].lock())
    return Existing;
  auto Made = std::make_shared<TUAnalysis>(Ctx, Options);
  Live[Key] = Made;
  return Made;
}

const std::vector<Finding> &TUAnalysis::findings(const FunctionDecl *F) {
  if (auto It = ByFunction.find(F); It != ByFunction.end())
    return It->second;
  std::vector<Finding> Result;
  if (isAnalysableSpawner(F)) {
    FanOut Model(F, *Summaries_);
    if (!Model.empty()) {
      for (const StrandedProducerCase &Case :
           findStrandedProducerCases(Model, *Roles))
        Result.push_back(describeStrandedProducer(Case));
      for (Finding &Found : findStrandedConsumers(Model, *Roles))
        Result.push_back(std::move(Found));
      for (Finding &Found : findJoinsBeforeDrain(Model, *Roles))
        Result.push_back(std::move(Found));
    }
  }
  // A fan-out that spans a class is seen from each member that starts its
  // threads: report it once.
  // Both kinds of stranded producer are one check's: one warning per place.
  erase_if(Result, [&](const Finding &Found) {
    FindingKind Check = Found.Kind == FindingKind::StrandedMemberProducer
                            ? FindingKind::StrandedProducer
                            : Found.Kind;
    return !Reported
                .insert({static_cast<int>(Check), Found.Loc.getRawEncoding()})
                .second;
  });
  auto &Stored = ByFunction[F];
  Stored = std::move(Result);
  return Stored;
}

} // namespace fanout
