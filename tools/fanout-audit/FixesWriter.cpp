//===- FixesWriter.cpp - clang-tidy --export-fixes YAML -------------------===//
#include "Sources.h"
#include "Writers.h"
#include "clang/Tooling/Core/Diagnostic.h"
#include "clang/Tooling/DiagnosticsYaml.h"
#include "llvm/Support/YAMLTraits.h"

using namespace llvm;
namespace tooling = clang::tooling;

namespace fanout::audit {

static tooling::DiagnosticMessage message(const Report &R, StringRef Text,
                                          const Location &L) {
  tooling::DiagnosticMessage M(Text);
  M.FilePath = absolutePath(L.File, R.Root);
  M.FileOffset = L.Offset;
  return M;
}

void writeFixes(raw_ostream &OS, const Report &R) {
  tooling::TranslationUnitDiagnostics TUD;
  // clang-apply-replacements groups edits by the files they change; the main
  // file only names the document.
  TUD.MainSourceFile = R.Units.empty()
                           ? std::string()
                           : absolutePath(R.Units.front().File, R.Root);
  for (const Finding &F : R.Findings) {
    tooling::DiagnosticMessage Message = message(R, F.Message, F.Loc);
    for (const Replacement &Rep : F.Fixes) {
      std::string Path = absolutePath(Rep.File, R.Root);
      tooling::Replacement TR(Path, Rep.Offset, Rep.Length, Rep.Text);
      if (Error E = Message.Fix[Path].add(TR))
        // Overlapping edits within one finding: keep the first ones.
        consumeError(std::move(E));
    }
    SmallVector<tooling::DiagnosticMessage, 1> Notes;
    for (const Note &N : F.Notes)
      Notes.push_back(message(R, N.Message, N.Loc));
    TUD.Diagnostics.emplace_back(F.Check, Message, Notes,
                                 F.Severity == Level::Error
                                     ? tooling::Diagnostic::Error
                                     : tooling::Diagnostic::Warning,
                                 R.Root);
  }
  yaml::Output YAML(OS);
  YAML << TUD;
}

} // namespace fanout::audit
