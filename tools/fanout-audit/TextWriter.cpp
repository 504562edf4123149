//===- TextWriter.cpp - Text, JSON and GitLab Code Quality output ---------===//
#include "Sources.h"
#include "Writers.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

using namespace llvm;

namespace fanout::audit {

static void writeDiagnostic(raw_ostream &OS, const Report &R,
                            SourceCache &Sources, const Location &L,
                            StringRef Kind, StringRef Message,
                            StringRef Check) {
  if (L.File.empty()) {
    // No place in the code (a configuration error): clang-tidy's look too.
    OS << Kind << ": " << Message;
    if (!Check.empty())
      OS << " [" << Check << "]";
    OS << "\n";
    return;
  }
  std::string Path = absolutePath(L.File, R.Root);
  OS << Path;
  if (L.Pos.Line)
    OS << ':' << L.Pos.Line << ':' << L.Pos.Column;
  OS << ": " << Kind << ": " << Message;
  if (!Check.empty())
    OS << " [" << Check << "]";
  OS << "\n";
  if (!L.Pos.Line)
    return;
  std::optional<StringRef> Line = Sources.line(Path, L.Pos.Line);
  if (!Line)
    return;
  std::string Number = std::to_string(L.Pos.Line);
  std::string Gutter(std::max<size_t>(5, Number.size()), ' ');
  OS << formatv("{0,5} | ", Number) << *Line << "\n";
  // The caret goes under the byte column, keeping tabs so it lines up.
  std::string Caret;
  for (unsigned I = 0; I + 1 < L.Pos.Column && I < Line->size(); ++I)
    Caret += (*Line)[I] == '\t' ? '\t' : ' ';
  OS << Gutter << " | " << Caret << "^\n";
}

void writeText(raw_ostream &OS, const Report &R, SourceCache &Sources) {
  for (const Finding &F : R.Findings) {
    writeDiagnostic(OS, R, Sources, F.Loc, levelName(F.Severity), F.Message,
                    F.Check);
    for (const Note &N : F.Notes)
      writeDiagnostic(OS, R, Sources, N.Loc, "note", N.Message, "");
  }
}

void writeJson(raw_ostream &OS, const Report &R) {
  OS << formatv("{0:2}", toJSON(R)) << "\n";
}

void writeCodeQuality(raw_ostream &OS, const Report &R) {
  json::Array Issues;
  for (const Finding &F : R.Findings) {
    std::string Description = F.Message;
    for (const Note &N : F.Notes)
      if (!N.Loc.File.empty())
        Description +=
            formatv("\n{0}:{1}: {2}", N.Loc.File, N.Loc.Pos.Line, N.Message)
                .str();
    Issues.push_back(json::Object{
        {"type", "issue"},
        {"engine_name", "fanout-audit"},
        {"check_name", F.Check},
        {"description", std::move(Description)},
        {"categories", json::Array{"Bug Risk"}},
        {"severity", F.Severity == Level::Error     ? "critical"
                     : F.Severity == Level::Warning ? "major"
                                                    : "info"},
        {"fingerprint", F.Fingerprint},
        {"location",
         json::Object{
             {"path", F.Loc.File},
             {"lines", json::Object{{"begin", std::max(1u, F.Loc.Pos.Line)}}}}},
    });
  }
  OS << formatv("{0:2}", json::Value(std::move(Issues))) << "\n";
}

} // namespace fanout::audit
