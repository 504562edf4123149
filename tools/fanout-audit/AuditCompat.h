//===- AuditCompat.h - clang-tidy API differences, LLVM 19 to 22 ----------===//
//
// fanout-audit builds against LLVM 19 and 22 from one source. The clang-tidy
// and clang driver APIs it uses differ in two places; those differences live
// here (AST differences live in lib/include/fanout/Compat.h).
//
//===----------------------------------------------------------------------===//
#ifndef FANOUT_AUDIT_AUDITCOMPAT_H
#define FANOUT_AUDIT_AUDITCOMPAT_H

#include "clang-tidy/ClangTidy.h"
#include "clang-tidy/ClangTidyOptions.h"
#if FANOUT_LLVM_MAJOR >= 22
#include "clang/Options/Options.h"
#else
#include "clang/Driver/Options.h"
#endif

namespace fanout::audit::compat {

/// The checks the options enable (analyzer alpha checks never).
inline std::vector<std::string>
enabledChecks(const clang::tidy::ClangTidyOptions &Options) {
#if FANOUT_LLVM_MAJOR >= 22
  // Query-based custom checks (added after LLVM 19) have their own switch.
  return clang::tidy::getCheckNames(
      Options,
      /*AllowEnablingAnalyzerAlphaCheckers=*/false,
      /*ExperimentalCustomChecks=*/false);
#else
  return clang::tidy::getCheckNames(
      Options, /*AllowEnablingAnalyzerAlphaCheckers=*/false);
#endif
}

/// The clang driver's option table and the ID it gives an argument it does
/// not know (LLVM 22 moved them from clang::driver to clang).
#if FANOUT_LLVM_MAJOR >= 22
inline const llvm::opt::OptTable &driverOptTable() {
  return clang::getDriverOptTable();
}
constexpr unsigned UnknownOptionID = clang::options::OPT_UNKNOWN;
constexpr unsigned ClangOptionVisibility = clang::options::ClangOption;
#else
inline const llvm::opt::OptTable &driverOptTable() {
  return clang::driver::getDriverOptTable();
}
constexpr unsigned UnknownOptionID = clang::driver::options::OPT_UNKNOWN;
constexpr unsigned ClangOptionVisibility = clang::driver::options::ClangOption;
#endif

} // namespace fanout::audit::compat

#endif
