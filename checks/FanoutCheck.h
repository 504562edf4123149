//===- FanoutCheck.h - What every fanout check shares ---------*- C++ -*-===//
#ifndef FANOUT_CHECKS_FANOUTCHECK_H
#define FANOUT_CHECKS_FANOUTCHECK_H

#include "clang-tidy/ClangTidyCheck.h"
#include "fanout/Finding.h"
#include "fanout/Options.h"
#include "fanout/TUAnalysis.h"
#include "llvm/ADT/DenseSet.h"
#include <memory>
#include <set>
#include <string>
#include <utility>

namespace clang::tidy::fanout {

/// The options every fanout check understands (the queue and thread
/// vocabulary), and the reporting of the shared analysis's findings as
/// diagnostics. Subclasses only say which kinds of findings are theirs.
class FanoutCheck : public ClangTidyCheck {
public:
  FanoutCheck(StringRef Name, ClangTidyContext *Context);
  ~FanoutCheck() override;
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus11;
  }

protected:
  /// Whether this check reports findings of \p Kind.
  virtual bool reports(::fanout::FindingKind Kind) const = 0;

private:
  /// Runs this check's analysis on \p Function and reports its findings.
  void analyze(const FunctionDecl *Function, ASTContext &Ctx);
  void report(const ::fanout::Finding &Finding);

  /// The match finder this check registered with. The fanout checks of one
  /// finder share one function matcher: the first registers it and runs
  /// every one of them on each match, since a matcher tried on every
  /// function declaration of a translation unit (system headers included)
  /// costs far more than the analysis of the few that start threads.
  ast_matchers::MatchFinder *Finder = nullptr;

  ::fanout::AnalysisOptions Analysis;
  /// The translation unit's analysis, shared with the other fanout checks.
  std::shared_ptr<::fanout::TUAnalysis> Shared;
  llvm::DenseSet<const FunctionDecl *> Analyzed;
  /// The `#include` insertions already offered in this translation unit, by
  /// place and text: as upstream's IncludeInserter does, a header is added
  /// once per file even when several findings need it.
  std::set<std::pair<unsigned, std::string>> IncludesOffered;
};

} // namespace clang::tidy::fanout

#endif
