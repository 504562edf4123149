//===- Analyze.h - One translation unit through clang-tidy ----------------===//
#ifndef FANOUT_AUDIT_ANALYZE_H
#define FANOUT_AUDIT_ANALYZE_H

#include "Model.h"
#include "clang/Tooling/CompilationDatabase.h"
#include <memory>
#include <optional>

namespace clang::tidy {
class ClangTidyOptionsProvider;
} // namespace clang::tidy

namespace fanout::audit {

/// What the command line says about clang-tidy's configuration. The project's
/// .clang-tidy files apply on top of the defaults, and the overrides on top of
/// them, exactly as in clang-tidy.
struct TidySettings {
  /// Without --checks, the fanout checks only: a .clang-tidy can turn them
  /// off and configure them, but the other checks it enables do not run.
  std::string DefaultChecks = "-*,fanout-*";
  std::optional<std::string> Checks;       ///< --checks (appended).
  std::optional<std::string> HeaderFilter; ///< --header-filter.
  std::optional<std::string> WarningsAsErrors;
  std::vector<std::string> ExtraArgs;
  std::vector<std::string> ExtraArgsBefore;
  /// -resource-dir for the clang parsing each TU; empty lets libtooling guess
  /// from the executable's location (wrong for a build tree).
  std::string ResourceDir;
};

std::unique_ptr<clang::tidy::ClangTidyOptionsProvider>
makeOptionsProvider(const TidySettings &S);

/// The checks enabled for File under the settings and .clang-tidy files.
std::vector<std::string> enabledChecksFor(const TidySettings &S,
                                          llvm::StringRef File);

/// Loads compile_commands.json from a build directory, or from the file given.
/// Its commands lose the arguments clang does not know (GCC-only flags such
/// as -fconserve-stack, which would fail every TU), as CodeChecker does.
std::unique_ptr<clang::tooling::CompilationDatabase>
loadCompilationDatabase(llvm::StringRef Path, std::string &Error);

/// Removes from a compile command (argv[0] first) the arguments the clang
/// driver does not know; returns them in Dropped.
std::vector<std::string>
dropUnknownArguments(const std::vector<std::string> &Command,
                     std::vector<std::string> &Dropped);

/// Runs the enabled checks on one TU (every compile command the database has
/// for DbPath). Paths in the result are absolute and canonical; positions are
/// not resolved. A TU with compiler errors comes back as Failed, with the
/// errors and whatever the checks still found.
TUResult analyseTranslationUnit(const clang::tooling::CompilationDatabase &DB,
                                llvm::StringRef DbPath, const TidySettings &S);

} // namespace fanout::audit

#endif
