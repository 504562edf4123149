//===- AnalysisFuzzer.cpp - libFuzzer target over the lib/ analyses -------===//
//
// Code in, findings out: each input is parsed as a C++20 translation unit
// (clang::tooling::buildASTFromCodeWithArgs, as the unit tests do) and the
// three analyses run on every function definition outside system headers,
// the way FanoutCheck does (same matcher, one QueueModel per translation
// unit). Parse errors are expected and ignored: the checks run on half-typed
// code in editors. Standard headers come from MiniStd.inc, served from memory,
// so an input costs milliseconds instead of a second; the project's own test
// headers (test/checks/Inputs/queues.h, examples/bounded_queue.h) are read
// from the source tree. See docs/robustness.md.
//
//   FANOUT_FUZZ_VERBOSE=1 fanout-analysis-fuzzer seed.cpp
// prints the compiler's diagnostics and the findings of one input.
//
//===----------------------------------------------------------------------===//

#include "fanout/JoinBeforeDrain.h"
#include "fanout/StrandedConsumer.h"
#include "fanout/StrandedProducer.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "clang/Basic/Diagnostic.h"
#include "clang/Frontend/ASTUnit.h"
#include "clang/Frontend/TextDiagnosticPrinter.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

using namespace clang;
using namespace clang::ast_matchers;

#ifndef FANOUT_SOURCE_DIR
#error "FANOUT_SOURCE_DIR must name the source tree"
#endif

namespace {

const char MiniStd[] =
#include "MiniStd.inc"
    ;

// Every header the seeds include from the standard library or the C library.
const char *const StdHeaders[] = {
    "array",      "atomic",    "chrono",       "condition_variable",
    "cstddef",    "cstdint",   "cstdio",       "cstdlib",
    "deque",      "exception", "functional",   "future",
    "list",       "memory",    "mutex",        "optional",
    "queue",      "semaphore", "shared_mutex", "stdexcept",
    "stop_token", "string",    "thread",       "utility",
    "vector",     "pthread.h", "stddef.h",     "stdint.h",
    "stdio.h",    "stdlib.h",  "unistd.h"};

constexpr size_t MaxInputSize = 64 * 1024;

bool verbose() {
  static const bool Verbose = std::getenv("FANOUT_FUZZ_VERBOSE") != nullptr;
  return Verbose;
}

class Runner : public MatchFinder::MatchCallback {
public:
  Runner(fanout::QueueModel &Model, const fanout::AnalysisOptions &Options)
      : Model(Model), Options(Options) {}

  void run(const MatchFinder::MatchResult &Result) override {
    const auto *F = Result.Nodes.getNodeAs<FunctionDecl>("function");
    if (!F || !F->hasBody() || !Analyzed.insert(F->getCanonicalDecl()).second)
      return;
    ASTContext &Ctx = *Result.Context;
    for (auto *Analyze :
         {&fanout::findStrandedProducers, &fanout::findStrandedConsumers,
          &fanout::findJoinsBeforeDrain})
      for (const fanout::Finding &Finding : Analyze(F, Ctx, Model, Options)) {
        ++Findings;
        if (verbose())
          llvm::errs() << "finding: "
                       << Finding.Loc.printToString(Ctx.getSourceManager())
                       << ": " << Finding.Message << " ("
                       << Finding.Notes.size() << " notes, "
                       << Finding.Fixes.size() << " fixes)\n";
      }
  }

  unsigned Findings = 0;

private:
  fanout::QueueModel &Model;
  const fanout::AnalysisOptions &Options;
  llvm::DenseSet<const Decl *> Analyzed;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  if (Size > MaxInputSize)
    return 0;
  std::string Code(reinterpret_cast<const char *>(Data), Size);

  tooling::FileContentMappings Files;
  Files.emplace_back("/fuzz/include/__fuzz_std.h", MiniStd);
  for (const char *Header : StdHeaders)
    Files.emplace_back(std::string("/fuzz/include/") + Header,
                       "#include <__fuzz_std.h>\n");
  std::vector<std::string> Args = {"-std=c++20",
                                   "-fsyntax-only",
                                   "-nostdinc",
                                   "-isystem",
                                   "/fuzz/include",
                                   "-isystem",
                                   FANOUT_SOURCE_DIR "/test/checks/Inputs",
                                   "-I",
                                   FANOUT_SOURCE_DIR "/examples"};

  IgnoringDiagConsumer Quiet;
  std::unique_ptr<DiagnosticConsumer> Printer;
  DiagnosticConsumer *Diags = &Quiet;
  if (verbose()) {
#if FANOUT_LLVM_MAJOR >= 21
    static DiagnosticOptions DiagOpts; // taken by reference
    Printer = std::make_unique<TextDiagnosticPrinter>(llvm::errs(), DiagOpts);
#else
    // Taken into an IntrusiveRefCntPtr, which deletes it.
    Printer = std::make_unique<TextDiagnosticPrinter>(llvm::errs(),
                                                      new DiagnosticOptions());
#endif
    Diags = Printer.get();
  }
  std::unique_ptr<ASTUnit> AST = tooling::buildASTFromCodeWithArgs(
      Code, Args, "input.cpp", "fanout-analysis-fuzzer",
      std::make_shared<PCHContainerOperations>(),
      tooling::getClangStripDependencyFileAdjuster(), Files, Diags);
  if (!AST)
    return 0;

  fanout::AnalysisOptions Options;
  fanout::QueueModel Model(Options);
  Runner Callback(Model, Options);
  MatchFinder Finder;
  Finder.addMatcher(
      functionDecl(isDefinition(), unless(isExpansionInSystemHeader()))
          .bind("function"),
      &Callback);
  Finder.matchAST(AST->getASTContext());
  if (verbose())
    llvm::errs() << "findings: " << Callback.Findings << "\n";
  return 0;
}
