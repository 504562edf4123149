//===- FanoutCheck.h - What every fanout check shares ---------*- C++ -*-===//
#ifndef FANOUT_CHECKS_FANOUTCHECK_H
#define FANOUT_CHECKS_FANOUTCHECK_H

#include "clang-tidy/ClangTidyCheck.h"
#include "fanout/Finding.h"
#include "fanout/Options.h"
#include "fanout/QueueModel.h"
#include "llvm/ADT/DenseSet.h"
#include <memory>
#include <set>
#include <string>
#include <utility>

namespace clang::tidy::fanout {

/// The options every fanout check understands (the queue and thread
/// vocabulary), the queue model built from them, and the reporting of
/// lib/'s findings as diagnostics. Subclasses only say where to look and
/// which analysis to run.
class FanoutCheck : public ClangTidyCheck {
public:
  FanoutCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus11;
  }

protected:
  /// Runs the check's analysis on one function that spawns threads.
  virtual std::vector<::fanout::Finding>
  analyze(const FunctionDecl *Spawner, ASTContext &Ctx,
          ::fanout::QueueModel &Model,
          const ::fanout::AnalysisOptions &Options) = 0;

private:
  void report(const ::fanout::Finding &Finding);

  ::fanout::AnalysisOptions Analysis;
  std::unique_ptr<::fanout::QueueModel> Model;
  llvm::DenseSet<const FunctionDecl *> Analyzed;
  /// The `#include` insertions already offered in this translation unit, by
  /// place and text: as upstream's IncludeInserter does, a header is added
  /// once per file even when several findings need it.
  std::set<std::pair<unsigned, std::string>> IncludesOffered;
};

} // namespace clang::tidy::fanout

#endif
