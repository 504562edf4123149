//===- Analyze.cpp --------------------------------------------------------===//
#include "Analyze.h"
#include "AuditCompat.h"
#include "Sources.h"
#include "clang-tidy/ClangTidy.h"
#include "clang-tidy/ClangTidyDiagnosticConsumer.h"
#include "clang-tidy/ClangTidyOptions.h"
#include "clang/Tooling/ArgumentsAdjusters.h"
#include "clang/Tooling/CommonOptionsParser.h"
#include "clang/Tooling/JSONCompilationDatabase.h"
#include "llvm/Option/ArgList.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/VirtualFileSystem.h"
#include <chrono>

using namespace llvm;
using namespace clang;
using namespace clang::tidy;

namespace fanout::audit {

namespace {

/// Without --checks: the checks the .clang-tidy files leave enabled, fanout-*
/// ones only. A last options source names them, so a .clang-tidy that turns
/// a fanout check off still does, and one that enables bugprone-* does not
/// make the audit run it.
class FanoutOnlyProvider : public ClangTidyOptionsProvider {
public:
  explicit FanoutOnlyProvider(std::unique_ptr<ClangTidyOptionsProvider> Inner)
      : Inner(std::move(Inner)) {}

  const ClangTidyGlobalOptions &getGlobalOptions() override {
    return Inner->getGlobalOptions();
  }

  std::vector<OptionsSource> getRawOptions(StringRef FileName) override {
    std::vector<OptionsSource> Sources = Inner->getRawOptions(FileName);
    ClangTidyOptions Merged;
    unsigned Priority = 0;
    for (const OptionsSource &Source : Sources)
      Merged.mergeWith(Source.first, ++Priority);
    std::string Only = "-*";
    for (const std::string &Check : compat::enabledChecks(Merged))
      if (StringRef(Check).starts_with("fanout-"))
        Only += "," + Check;
    ClangTidyOptions Restrict;
    Restrict.Checks = Only;
    Sources.emplace_back(std::move(Restrict),
                         "fanout-audit: fanout-* checks only (no --checks)");
    return Sources;
  }

private:
  std::unique_ptr<ClangTidyOptionsProvider> Inner;
};

/// Arguments dropped from the commands of the TU being analysed.
std::vector<std::string> &droppedArguments() {
  static std::vector<std::string> Dropped;
  return Dropped;
}

} // namespace

std::vector<std::string>
dropUnknownArguments(const std::vector<std::string> &Command,
                     std::vector<std::string> &Dropped) {
  if (Command.size() < 2)
    return Command;
  // clang-cl's options are another table; leave such commands alone.
  for (const std::string &A : Command)
    if (StringRef(A).starts_with("--driver-mode=") &&
        StringRef(A) != "--driver-mode=g++" &&
        StringRef(A) != "--driver-mode=gcc")
      return Command;
  std::vector<const char *> Argv;
  for (size_t I = 1; I != Command.size(); ++I)
    Argv.push_back(Command[I].c_str());
  unsigned MissingIndex = 0, MissingCount = 0;
  opt::InputArgList Args = compat::driverOptTable().ParseArgs(
      Argv, MissingIndex, MissingCount,
      opt::Visibility(compat::ClangOptionVisibility));
  std::vector<bool> Drop(Argv.size(), false);
  for (const opt::Arg *A : Args) {
    if (A->getOption().getID() != compat::UnknownOptionID)
      continue;
    Drop[A->getIndex()] = true;
    Dropped.push_back(A->getAsString(Args));
  }
  if (Dropped.empty())
    return Command;
  std::vector<std::string> Out = {Command.front()};
  for (size_t I = 0; I != Argv.size(); ++I)
    if (!Drop[I])
      Out.push_back(Argv[I]);
  return Out;
}

static std::unique_ptr<tooling::CompilationDatabase>
withoutUnknownArguments(std::unique_ptr<tooling::CompilationDatabase> DB) {
  auto Adjusting =
      std::make_unique<tooling::ArgumentsAdjustingCompilations>(std::move(DB));
  Adjusting->appendArgumentsAdjuster(
      [](const tooling::CommandLineArguments &Args, StringRef) {
        std::vector<std::string> Dropped;
        tooling::CommandLineArguments Out = dropUnknownArguments(Args, Dropped);
        for (std::string &D : Dropped)
          if (!llvm::is_contained(droppedArguments(), D))
            droppedArguments().push_back(std::move(D));
        return Out;
      });
  return Adjusting;
}

std::unique_ptr<ClangTidyOptionsProvider>
makeOptionsProvider(const TidySettings &S) {
  ClangTidyOptions Defaults = ClangTidyOptions::getDefaults();
  Defaults.Checks = S.DefaultChecks;
  Defaults.WarningsAsErrors = "";
  // An audit reports what it finds in the project's headers (only once, see
  // the deduplication); a .clang-tidy or --header-filter can narrow this.
  Defaults.HeaderFilterRegex = ".*";
  Defaults.SystemHeaders = false;
  Defaults.User = sys::Process::GetEnv("USER");
  if (!S.ResourceDir.empty())
    Defaults.ExtraArgsBefore =
        std::vector<std::string>{"-resource-dir=" + S.ResourceDir};

  ClangTidyOptions Overrides;
  if (S.Checks)
    Overrides.Checks = *S.Checks;
  if (S.HeaderFilter)
    Overrides.HeaderFilterRegex = *S.HeaderFilter;
  if (S.WarningsAsErrors)
    Overrides.WarningsAsErrors = *S.WarningsAsErrors;
  if (!S.ExtraArgs.empty())
    Overrides.ExtraArgs = S.ExtraArgs;
  if (!S.ExtraArgsBefore.empty())
    Overrides.ExtraArgsBefore = S.ExtraArgsBefore;
  auto Files = std::make_unique<FileOptionsProvider>(
      ClangTidyGlobalOptions(), std::move(Defaults), std::move(Overrides),
      vfs::getRealFileSystem());
  if (S.Checks)
    return Files;
  return std::make_unique<FanoutOnlyProvider>(std::move(Files));
}

std::vector<std::string> enabledChecksFor(const TidySettings &S,
                                          StringRef File) {
  return compat::enabledChecks(makeOptionsProvider(S)->getOptions(File));
}

std::unique_ptr<tooling::CompilationDatabase>
loadCompilationDatabase(StringRef Path, std::string &Error) {
  if (sys::fs::is_directory(Path)) {
    SmallString<256> File(Path);
    sys::path::append(File, "compile_commands.json");
    if (!sys::fs::exists(File)) {
      Error = ("no compile_commands.json in '" + Path + "'").str();
      return nullptr;
    }
    auto DB = tooling::CompilationDatabase::loadFromDirectory(Path, Error);
    return DB ? withoutUnknownArguments(std::move(DB)) : nullptr;
  }
  // A database file with another name: what loadFromDirectory would do.
  auto DB = tooling::JSONCompilationDatabase::loadFromFile(
      Path, Error, tooling::JSONCommandLineSyntax::AutoDetect);
  if (!DB)
    return nullptr;
  return withoutUnknownArguments(tooling::inferTargetAndDriverMode(
      tooling::inferMissingCompileCommands(tooling::expandResponseFiles(
          std::move(DB), vfs::getRealFileSystem()))));
}

static std::string canonicalIn(StringRef Path, StringRef BuildDir) {
  return Path.empty() ? std::string() : canonicalPath(Path, BuildDir);
}

static std::vector<Replacement>
convertFixes(const StringMap<tooling::Replacements> &Fix, StringRef BuildDir) {
  std::vector<Replacement> Out;
  for (const auto &Entry : Fix)
    for (const tooling::Replacement &R : Entry.getValue())
      Out.push_back({canonicalIn(R.getFilePath(), BuildDir), R.getOffset(),
                     R.getLength(), R.getReplacementText().str(), Position(),
                     Position()});
  // StringMap order is unspecified; reports must not be.
  llvm::sort(Out, [](const Replacement &A, const Replacement &B) {
    return std::tie(A.File, A.Offset, A.Length, A.Text) <
           std::tie(B.File, B.Offset, B.Length, B.Text);
  });
  return Out;
}

static Finding convert(const ClangTidyError &E) {
  Finding F;
  F.Check = E.DiagnosticName;
  F.Severity = E.DiagLevel == tooling::Diagnostic::Error || E.IsWarningAsError
                   ? Level::Error
               : E.DiagLevel == tooling::Diagnostic::Warning ? Level::Warning
                                                             : Level::Note;
  F.Message = E.Message.Message;
  F.Loc.File = canonicalIn(E.Message.FilePath, E.BuildDirectory);
  F.Loc.Offset = E.Message.FileOffset;
  F.Fixes = convertFixes(E.Message.Fix, E.BuildDirectory);
  for (const tooling::DiagnosticMessage &M : E.Notes) {
    Note N;
    N.Message = M.Message;
    N.Loc.File = canonicalIn(M.FilePath, E.BuildDirectory);
    N.Loc.Offset = M.FileOffset;
    N.Fixes = convertFixes(M.Fix, E.BuildDirectory);
    F.Notes.push_back(std::move(N));
  }
  return F;
}

TUResult analyseTranslationUnit(const tooling::CompilationDatabase &DB,
                                StringRef DbPath, const TidySettings &S) {
  auto Start = std::chrono::steady_clock::now();
  TUResult R;
  R.File = DbPath.str();
  ClangTidyContext Context(makeOptionsProvider(S));
  R.EnabledChecks = compat::enabledChecks(Context.getOptionsForFile(DbPath));
  if (R.EnabledChecks.empty())
    return R; // The .clang-tidy of its directory turns every check off.
  auto BaseFS =
      makeIntrusiveRefCnt<vfs::OverlayFileSystem>(vfs::getRealFileSystem());
  std::vector<std::string> Files = {DbPath.str()};
  droppedArguments().clear();
  std::vector<ClangTidyError> Errors =
      runClangTidy(Context, DB, Files, BaseFS, /*ApplyAnyFix=*/false);
  R.DroppedArguments = droppedArguments();
  for (const ClangTidyError &E : Errors) {
    Finding F = convert(E);
    // Compiler errors say the TU did not parse: they make it a failure, not
    // a finding. Warnings turned into errors by WarningsAsErrors stay
    // findings.
    if (E.DiagLevel == tooling::Diagnostic::Error &&
        StringRef(E.DiagnosticName).starts_with("clang-diagnostic-"))
      R.Errors.push_back(std::move(F));
    else
      R.Findings.push_back(std::move(F));
  }
  if (!R.Errors.empty())
    R.Status = TUStatus::Failed;
  R.Seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - Start)
          .count();
  return R;
}

} // namespace fanout::audit
