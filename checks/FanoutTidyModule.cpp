//===- FanoutTidyModule.cpp - The fanout clang-tidy module ----------------===//
#include "JoinBeforeDrainCheck.h"
#include "StrandedConsumerCheck.h"
#include "StrandedProducerCheck.h"
#include "clang-tidy/ClangTidyModule.h"
#include "llvm/Config/llvm-config.h"
// LLVM 22 moved the registry into ClangTidyModule.h and deprecated this
// header; 19 still needs it.
#if LLVM_VERSION_MAJOR < 22
#include "clang-tidy/ClangTidyModuleRegistry.h"
#endif

namespace clang::tidy::fanout {

class FanoutTidyModule : public ClangTidyModule {
public:
  void addCheckFactories(ClangTidyCheckFactories &Factories) override {
    Factories.registerCheck<JoinBeforeDrainCheck>("fanout-join-before-drain");
    Factories.registerCheck<StrandedConsumerCheck>("fanout-stranded-consumer");
    Factories.registerCheck<StrandedProducerCheck>("fanout-stranded-producer");
  }
};

} // namespace clang::tidy::fanout

namespace clang::tidy {

// Registers the module with clang-tidy's registry when the plugin is loaded
// (or, for fanout-clangd and fanout-audit, when this object is linked in).
static ClangTidyModuleRegistry::Add<fanout::FanoutTidyModule>
    FanoutModuleRegistration("fanout-module",
                             "Checks for threads stranded by producer/consumer "
                             "fan-outs.");

// Referenced by programs that link the checks statically, so the linker keeps
// this object and its registration.
volatile int FanoutTidyModuleAnchorSource = 0;

} // namespace clang::tidy
