//===- TUAnalysis.h - One analysis per translation unit, for every check --===//
//
// The three checks ask different questions of the same fan-outs, so they
// share one analysis per translation unit (clazy's model): one queue model,
// one spawn model, one summary, CFG and parent map per function, and the
// findings of every kind for each spawning function, computed once, on the
// first check's request.
//
//===----------------------------------------------------------------------===//
#ifndef FANOUT_TUANALYSIS_H
#define FANOUT_TUANALYSIS_H

#include "fanout/Finding.h"
#include "fanout/Options.h"
#include "clang/AST/ASTContext.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include <memory>
#include <string>
#include <vector>

namespace fanout {

class QueueModel;
class SpawnModel;
class Summaries;
class RoleAnalysis;

class TUAnalysis {
public:
  TUAnalysis(clang::ASTContext &Ctx, const AnalysisOptions &Options);
  ~TUAnalysis();

  /// The analysis of the translation unit of \p Ctx with \p Options, shared
  /// by whoever asks with the same two while one of them holds it.
  static std::shared_ptr<TUAnalysis> get(clang::ASTContext &Ctx,
                                         const AnalysisOptions &Options);

  /// Every finding whose spawning function is \p F (each finding once per
  /// translation unit, even when two functions of a class start it).
  const std::vector<Finding> &findings(const clang::FunctionDecl *F);

  clang::ASTContext &context() const { return Ctx; }
  QueueModel &queues() const { return *Queues; }
  Summaries &summaries() const { return *Summaries_; }
  RoleAnalysis &roles() const { return *Roles; }

private:
  clang::ASTContext &Ctx;
  AnalysisOptions Options;
  std::unique_ptr<QueueModel> Queues;
  std::unique_ptr<SpawnModel> Spawns;
  std::unique_ptr<Summaries> Summaries_;
  std::unique_ptr<RoleAnalysis> Roles;
  llvm::DenseMap<const clang::FunctionDecl *, std::vector<Finding>> ByFunction;
  llvm::DenseSet<std::pair<int, unsigned>> Reported;
};

/// A key that identifies a set of options (for sharing one analysis).
std::string optionsKey(const AnalysisOptions &Options);

} // namespace fanout

#endif
