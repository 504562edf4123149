//===- TextWriter.cpp - Text, JSON and GitLab Code Quality output ---------===//
#include "Diff.h"
#include "Sources.h"
#include "Writers.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

using namespace llvm;

namespace fanout::audit {

namespace {

/// clang's colours: the location and message bold, the level in its colour,
/// the caret green. No-ops on a stream without colours.
raw_ostream::Colors levelColor(StringRef Kind) {
  if (Kind == "error")
    return raw_ostream::RED;
  if (Kind == "warning")
    return raw_ostream::MAGENTA;
  return raw_ostream::BLACK;
}

void writeDiagnostic(raw_ostream &OS, const Report &R, SourceCache &Sources,
                     const Location &L, StringRef Kind, StringRef Message,
                     StringRef Check) {
  auto Tail = [&] {
    OS.changeColor(levelColor(Kind), /*Bold=*/true);
    OS << Kind << ":";
    OS.resetColor();
    OS.changeColor(raw_ostream::SAVEDCOLOR, /*Bold=*/true);
    OS << " " << Message;
    if (!Check.empty())
      OS << " [" << Check << "]";
    OS.resetColor();
    OS << "\n";
  };
  if (L.File.empty()) {
    // No place in the code (a configuration error): clang-tidy's look too.
    Tail();
    return;
  }
  std::string Path = absolutePath(L.File, R.Root);
  OS.changeColor(raw_ostream::SAVEDCOLOR, /*Bold=*/true);
  OS << Path;
  if (L.Pos.Line)
    OS << ':' << L.Pos.Line << ':' << L.Pos.Column;
  OS << ": ";
  OS.resetColor();
  Tail();
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
  OS << Gutter << " | " << Caret;
  OS.changeColor(raw_ostream::GREEN, /*Bold=*/true);
  OS << "^";
  OS.resetColor();
  OS << "\n";
}

void writeFix(raw_ostream &OS, const Report &R, SourceCache &Sources,
              StringRef Label, StringRef Title,
              const std::vector<Replacement> &Fixes) {
  OS.changeColor(raw_ostream::GREEN, /*Bold=*/true);
  OS << Label << ":";
  OS.resetColor();
  OS << " " << Title << "\n";
  std::vector<FileDiff> Diffs = diffFixes(Fixes, R.Root, Sources);
  if (Diffs.empty())
    OS << "  (the files it edits have changed or cannot be read)\n";
  writeUnifiedDiff(OS, Diffs);
}

} // namespace

void writeText(raw_ostream &OS, const Report &R, SourceCache &Sources,
               const TextOptions &Options) {
  for (const Finding &F : R.Findings) {
    writeDiagnostic(OS, R, Sources, F.Loc, levelName(F.Severity), F.Message,
                    F.Check);
    for (const Note &N : F.Notes)
      writeDiagnostic(OS, R, Sources, N.Loc, "note", N.Message, "");
    if (!Options.ShowFixes)
      continue;
    if (!F.Fixes.empty())
      writeFix(OS, R, Sources, "fix", mainFixTitle(F), F.Fixes);
    for (const Note &N : F.Notes)
      if (!N.Fixes.empty())
        writeFix(OS, R, Sources, "alternative fix", alternativeFixTitle(N),
                 N.Fixes);
  }
  // The compiler's word on the TUs that could not be analysed.
  for (const TUResult &U : R.Units) {
    if (U.Status == TUStatus::Ok)
      continue;
    for (const Finding &E : U.Errors)
      writeDiagnostic(OS, R, Sources, E.Loc, "error", E.Message, E.Check);
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
