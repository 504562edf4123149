//===- main.cpp - clangd with the fanout clang-tidy checks linked in ------===//
//
// Everything here is stock clangd (clangdMain, from libclangdMain.a) except:
//  - the fanout clang-tidy module, linked in statically;
//  - a version line naming fanout-tidy and LLVM;
//  - a default --resource-dir, since clang's builtin headers are not next to
//    this binary the way they are next to the packaged clangd;
//  - fanout-* checks count as "fast" for clangd's FastCheckFilter (see
//    docs/editors.md and tools/fanout-clangd/CMakeLists.txt);
//  - fanout-* diagnostics link their check's page, and their quick fixes are
//    titled by what they do, the main one preferred (QuickFixes.h).
//
//===----------------------------------------------------------------------===//
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"
#include <optional>
#include <string>
#include <vector>

// clangd installs no headers; these are the declarations we need.
namespace clang::clangd {
// clang-tools-extra/clangd/tool/ClangdMain.h
int clangdMain(int argc, char *argv[]);
// clang-tools-extra/clangd/Feature.h
std::string versionString();
std::string featureString();
std::string platformString();
} // namespace clang::clangd

// Keeps checks/FanoutTidyModule.cpp, and so the registration of our module,
// in the link.
namespace clang::tidy {
extern volatile int FanoutTidyModuleAnchorSource;
static int FanoutAnchor [[maybe_unused]] = FanoutTidyModuleAnchorSource;
} // namespace clang::tidy

// clangd (TidyProvider.h): std::optional<bool> isFastTidyCheck(StringRef) --
// true/false for checks on clangd's measured list, nullopt for unknown ones,
// which FastCheckFilter: Strict (the default) drops. The link wraps it
// (--wrap, see CMakeLists.txt): fanout-* checks are known to us and measured
// cheap (docs/editors.md), everything else gets clangd's own answer, so a
// user who enables fanout-* in .clang-tidy needs no .clangd.
// FANOUT_IS_FAST_SYMBOL: its linker name, defined by CMakeLists.txt.
std::optional<bool> fanoutRealIsFastTidyCheck(llvm::StringRef Check) __asm__(
    "__real_" FANOUT_IS_FAST_SYMBOL);
std::optional<bool> fanoutWrapIsFastTidyCheck(llvm::StringRef Check) __asm__(
    "__wrap_" FANOUT_IS_FAST_SYMBOL);

std::optional<bool> fanoutWrapIsFastTidyCheck(llvm::StringRef Check) {
  if (Check.starts_with("fanout-"))
    return true;
  return fanoutRealIsFastTidyCheck(Check);
}

// QuickFixes.cpp: where this binary is, for the installed check pages.
void fanoutSetExecutablePath(std::string Path);

namespace {

constexpr const char *VersionLine =
    "fanout-clangd: clangd with the fanout-tidy " FANOUT_TIDY_VERSION
    " checks (fanout-*) built in, against LLVM " LLVM_VERSION_STRING;

bool hasFlag(llvm::ArrayRef<const char *> Args, llvm::StringRef Name) {
  for (llvm::StringRef A : Args) {
    if (!A.consume_front("-"))
      continue;
    A.consume_front("-");
    if (A == Name || A.starts_with((Name + "=").str()))
      return true;
  }
  return false;
}

bool envHasFlag(llvm::StringRef Name) {
  std::optional<std::string> Flags = llvm::sys::Process::GetEnv("CLANGD_FLAGS");
  return Flags && llvm::StringRef(*Flags).contains(Name);
}

bool hasBuiltinHeaders(llvm::StringRef ResourceDir) {
  llvm::SmallString<256> Header(ResourceDir);
  llvm::sys::path::append(Header, "include", "stddef.h");
  return llvm::sys::fs::exists(Header);
}

/// clangd takes clang's builtin headers from <its bin>/../lib/clang/<major>.
/// When that does not exist (this binary lives in a build tree or a prefix
/// of its own), point it at the resource directory of the LLVM it was built
/// against, unless the user chose one.
std::optional<std::string> defaultResourceDir(const char *Argv0) {
  static int Anchor;
  std::string Exe = llvm::sys::fs::getMainExecutable(Argv0, &Anchor);
  if (!Exe.empty()) {
    llvm::SmallString<256> Own(
        llvm::sys::path::parent_path(llvm::sys::path::parent_path(Exe)));
    llvm::sys::path::append(Own, "lib", "clang",
                            std::to_string(LLVM_VERSION_MAJOR));
    if (hasBuiltinHeaders(Own))
      return std::nullopt;
  }
  if (hasBuiltinHeaders(FANOUT_CLANG_RESOURCE_DIR))
    return std::string(FANOUT_CLANG_RESOURCE_DIR);
  return std::nullopt;
}

} // namespace

int main(int argc, char *argv[]) {
  static int ExeAnchor;
  fanoutSetExecutablePath(
      llvm::sys::fs::getMainExecutable(argv[0], &ExeAnchor));
  std::vector<const char *> Args(argv, argv + argc);
  if (hasFlag(Args, "version")) {
    // clangdMain installs its own version printer, which replaces any we
    // could register: print clangd's lines, then ours. clangd's line stays
    // first for tools that parse "clangd version X".
    llvm::outs() << clang::clangd::versionString() << "\n"
                 << "Features: " << clang::clangd::featureString() << "\n"
                 << "Platform: " << clang::clangd::platformString() << "\n"
                 << VersionLine << "\n";
    return 0;
  }

  bool Informational = hasFlag(Args, "help") || hasFlag(Args, "help-hidden") ||
                       hasFlag(Args, "help-list");
  std::string ResourceFlag;
  if (!hasFlag(Args, "resource-dir") && !envHasFlag("resource-dir"))
    if (std::optional<std::string> Dir = defaultResourceDir(argv[0])) {
      ResourceFlag = "--resource-dir=" + *Dir;
      Args.push_back(ResourceFlag.c_str());
    }
  if (!Informational) {
    // Editors show clangd's stderr as its log: say which clangd this is.
    llvm::errs() << VersionLine << "\n"
                 << "fanout-clangd: fanout-* checks run when .clang-tidy (or "
                    ".clangd) enables them; clangd's FastCheckFilter does not "
                    "drop them\n";
    if (!ResourceFlag.empty())
      llvm::errs() << "fanout-clangd: using " << ResourceFlag << "\n";
    llvm::errs().flush();
  }
  Args.push_back(nullptr);
  return clang::clangd::clangdMain(static_cast<int>(Args.size()) - 1,
                                   const_cast<char **>(Args.data()));
}
