//===- FanoutCheck.cpp ----------------------------------------------------===//
#include "FanoutCheck.h"
#include "clang/AST/ASTContext.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include <map>
#include <mutex>
#include <vector>

using namespace clang::ast_matchers;
using ::fanout::AnalysisOptions;
using ::fanout::MethodName;

namespace clang::tidy::fanout {

namespace {
/// The fanout checks of each live match finder, the first one the one that
/// registered the matcher. clangd builds several translation units at once,
/// each with its own finder and checks.
std::mutex SiblingsLock;
std::map<const MatchFinder *, std::vector<FanoutCheck *>> &siblings() {
  static std::map<const MatchFinder *, std::vector<FanoutCheck *>> Map;
  return Map;
}
} // namespace

FanoutCheck::FanoutCheck(StringRef Name, ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context) {
  // The queue and thread vocabulary is shared by every fanout check: each
  // option is read as `<check>.<Option>`, else as a bare `<Option>` that
  // configures them all at once.
  auto Names = [&](StringRef Option, std::vector<std::string> &Into) {
    std::string Error;
    if (!::fanout::parseNameList(Options.getLocalOrGlobal(Option, ""), Into,
                                 Error)) {
      configurationDiag("invalid configuration value for option '%0': %1",
                        DiagnosticIDs::Error)
          << (Name + "." + Option).str() << Error;
      Into.clear();
    }
  };
  auto Methods = [&](StringRef Option, std::vector<MethodName> &Into) {
    std::string Error;
    if (!::fanout::parseMethodList(Options.getLocalOrGlobal(Option, ""), Into,
                                   Error)) {
      configurationDiag("invalid configuration value for option '%0': %1",
                        DiagnosticIDs::Error)
          << (Name + "." + Option).str() << Error;
      Into.clear();
    }
  };
  Names("QueueTypes", Analysis.QueueTypes);
  Methods("BlockingPushMethods", Analysis.BlockingPushMethods);
  Methods("BlockingPopMethods", Analysis.BlockingPopMethods);
  Methods("CloseMethods", Analysis.CloseMethods);
  Methods("NonBlockingPushMethods", Analysis.NonBlockingPushMethods);
  Names("ThreadTypes", Analysis.ThreadTypes);
  Names("SpawnFunctions", Analysis.SpawnFunctions);
  // Parsed here rather than with get<bool>(): the stock clang-tidy binary
  // does not export that specialisation to plugins.
  StringRef Infer = Options.getLocalOrGlobal("InferQueues", "true");
  if (Infer.equals_insensitive("true") || Infer == "1")
    Analysis.InferQueues = true;
  else if (Infer.equals_insensitive("false") || Infer == "0")
    Analysis.InferQueues = false;
  else
    configurationDiag("invalid configuration value for option '%0': '%1' "
                      "is not a boolean (true or false)",
                      DiagnosticIDs::Error)
        << (Name + ".InferQueues").str() << Infer;
}

void FanoutCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "QueueTypes",
                ::fanout::formatNameList(Analysis.QueueTypes));
  Options.store(Opts, "BlockingPushMethods",
                ::fanout::formatMethodList(Analysis.BlockingPushMethods));
  Options.store(Opts, "BlockingPopMethods",
                ::fanout::formatMethodList(Analysis.BlockingPopMethods));
  Options.store(Opts, "CloseMethods",
                ::fanout::formatMethodList(Analysis.CloseMethods));
  Options.store(Opts, "NonBlockingPushMethods",
                ::fanout::formatMethodList(Analysis.NonBlockingPushMethods));
  Options.store(Opts, "ThreadTypes",
                ::fanout::formatNameList(Analysis.ThreadTypes));
  Options.store(Opts, "SpawnFunctions",
                ::fanout::formatNameList(Analysis.SpawnFunctions));
  Options.store(Opts, "InferQueues", Analysis.InferQueues ? "true" : "false");
}

FanoutCheck::~FanoutCheck() {
  if (!Finder)
    return;
  std::lock_guard<std::mutex> Guard(SiblingsLock);
  auto It = siblings().find(Finder);
  if (It == siblings().end())
    return;
  llvm::erase(It->second, this);
  if (It->second.empty())
    siblings().erase(It);
}

void FanoutCheck::registerMatchers(MatchFinder *Finder) {
  this->Finder = Finder;
  {
    std::lock_guard<std::mutex> Guard(SiblingsLock);
    std::vector<FanoutCheck *> &Group = siblings()[Finder];
    Group.push_back(this);
    if (Group.size() > 1)
      return; // The first fanout check's matcher runs this one too.
  }
  // Function definitions in the code being checked, never in system
  // headers: those are most of a translation unit and hold no fan-outs of
  // the user's. No matcher here looks at parents, so clang never builds the
  // translation unit's parent map (a large cost in time and memory).
  Finder->addMatcher(
      functionDecl(isDefinition(), unless(isExpansionInSystemHeader()))
          .bind("function"),
      this);
}

void FanoutCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *Function = Result.Nodes.getNodeAs<FunctionDecl>("function");
  if (!Function || !Function->hasBody())
    return;
  std::vector<FanoutCheck *> Group;
  {
    std::lock_guard<std::mutex> Guard(SiblingsLock);
    Group = siblings()[Finder];
  }
  for (FanoutCheck *Check : Group)
    Check->analyze(Function, *Result.Context);
}

void FanoutCheck::analyze(const FunctionDecl *Function, ASTContext &Ctx) {
  if (!Analyzed.insert(Function->getCanonicalDecl()).second)
    return;
  if (!Shared || &Shared->context() != &Ctx)
    Shared = ::fanout::TUAnalysis::get(Ctx, Analysis);
  // The analysis returns at once for a function that starts no thread.
  for (const ::fanout::Finding &F : Shared->findings(Function))
    if (reports(F.Kind))
      report(F);
}

void FanoutCheck::onEndOfTranslationUnit() {
  // The analysis caches declarations of this translation unit only.
  Analyzed.clear();
  IncludesOffered.clear();
  Shared.reset();
}

void FanoutCheck::report(const ::fanout::Finding &F) {
  auto AlreadyOffered = [&](const FixItHint &Fix) {
    if (!StringRef(Fix.CodeToInsert).starts_with("#include") ||
        Fix.RemoveRange.getBegin() != Fix.RemoveRange.getEnd())
      return false;
    return !IncludesOffered
                .emplace(Fix.RemoveRange.getBegin().getRawEncoding(),
                         Fix.CodeToInsert)
                .second;
  };
  // The text is lib's (one place); the arguments are passed to diag().
  {
    DiagnosticBuilder Warning = diag(F.Loc, ::fanout::messageFormat(F));
    for (const std::string &Arg : F.Args)
      Warning << Arg;
    if (F.Range.isValid())
      Warning << F.Range;
    for (const FixItHint &Fix : F.Fixes)
      if (!AlreadyOffered(Fix))
        Warning << Fix;
  } // The warning is emitted before its notes.
  for (const ::fanout::FindingNote &Note : F.Notes) {
    DiagnosticBuilder Builder =
        diag(Note.Loc, ::fanout::noteFormat(Note), DiagnosticIDs::Note);
    for (const std::string &Arg : Note.Args)
      Builder << Arg;
    for (const FixItHint &Fix : Note.Fixes)
      Builder << Fix;
  }
}

} // namespace clang::tidy::fanout
