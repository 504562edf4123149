//===- AuditCompat.h - clang-tidy API differences, LLVM 19 to 22 ----------===//
//
// fanout-audit builds against LLVM 19 and 22 from one source. The clang-tidy
// library API it uses differs in one place only; that difference lives here
// (AST differences live in lib/include/fanout/Compat.h).
//
//===----------------------------------------------------------------------===//
#ifndef FANOUT_AUDIT_AUDITCOMPAT_H
#define FANOUT_AUDIT_AUDITCOMPAT_H

#include "clang-tidy/ClangTidy.h"
#include "clang-tidy/ClangTidyOptions.h"

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

} // namespace fanout::audit::compat

#endif
