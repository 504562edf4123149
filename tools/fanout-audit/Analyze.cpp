//===- Analyze.cpp --------------------------------------------------------===//
#include "Analyze.h"
#include "AuditCompat.h"
#include "Sources.h"
#include "clang-tidy/ClangTidy.h"
#include "clang-tidy/ClangTidyDiagnosticConsumer.h"
#include "clang-tidy/ClangTidyOptions.h"
#include "clang/Tooling/JSONCompilationDatabase.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/VirtualFileSystem.h"
#include <chrono>

using namespace llvm;
using namespace clang;
using namespace clang::tidy;

namespace fanout::audit {

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
  return std::make_unique<FileOptionsProvider>(
      ClangTidyGlobalOptions(), std::move(Defaults), std::move(Overrides),
      vfs::getRealFileSystem());
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
    return tooling::CompilationDatabase::loadFromDirectory(Path, Error);
  }
  // A database file with another name: what loadFromDirectory would do.
  auto DB = tooling::JSONCompilationDatabase::loadFromFile(
      Path, Error, tooling::JSONCommandLineSyntax::AutoDetect);
  if (!DB)
    return nullptr;
  return tooling::inferTargetAndDriverMode(tooling::inferMissingCompileCommands(
      tooling::expandResponseFiles(std::move(DB), vfs::getRealFileSystem())));
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
  std::vector<ClangTidyError> Errors =
      runClangTidy(Context, DB, Files, BaseFS, /*ApplyAnyFix=*/false);
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
