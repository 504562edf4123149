//===- Diff.cpp -----------------------------------------------------------===//
#include "Diff.h"
#include "Sources.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include <map>

using namespace llvm;

namespace fanout::audit {

namespace {

/// Splits text into lines without their terminators; a final terminator
/// starts no line.
std::vector<StringRef> splitLines(StringRef Text) {
  std::vector<StringRef> Lines;
  while (!Text.empty()) {
    auto [Line, Rest] = Text.split('\n');
    Lines.push_back(Line.ends_with("\r") ? Line.drop_back() : Line);
    Text = Rest;
  }
  return Lines;
}

/// The 0-based line holding byte Offset.
unsigned lineOf(ArrayRef<unsigned> Starts, unsigned Offset) {
  return std::upper_bound(Starts.begin(), Starts.end(), Offset) -
         Starts.begin() - 1;
}

/// One file's replacements, sorted and checked.
std::optional<FileDiff> diffFile(StringRef File, StringRef Text,
                                 std::vector<const Replacement *> Reps,
                                 unsigned Context) {
  llvm::sort(Reps, [](const Replacement *A, const Replacement *B) {
    return std::tie(A->Offset, A->Length) < std::tie(B->Offset, B->Length);
  });
  for (size_t I = 0; I != Reps.size(); ++I) {
    if (Reps[I]->Offset + Reps[I]->Length > Text.size())
      return std::nullopt;
    if (I && Reps[I - 1]->Offset + Reps[I - 1]->Length > Reps[I]->Offset)
      return std::nullopt;
  }
  std::vector<unsigned> Starts = {0};
  for (size_t I = 0; I != Text.size(); ++I)
    if (Text[I] == '\n' && I + 1 != Text.size())
      Starts.push_back(I + 1);
  std::vector<StringRef> Lines = splitLines(Text);
  auto LineEnd = [&](unsigned Line) -> unsigned { // Past the terminator.
    return Line + 1 < Starts.size() ? Starts[Line + 1] : Text.size();
  };

  // Clusters of replacements whose whole lines, with context, touch.
  struct Cluster {
    unsigned FirstLine, LastLine; // 0-based, whole lines replaced.
    std::vector<const Replacement *> Reps;
  };
  std::vector<Cluster> Clusters;
  for (const Replacement *R : Reps) {
    unsigned First = lineOf(Starts, R->Offset);
    unsigned End = R->Offset + R->Length;
    unsigned Last = R->Length ? lineOf(Starts, End - 1) : First;
    // An insertion at the very end of a line (before its terminator) stays
    // on that line; one at the start of the file past its end on the last.
    if (First >= Lines.size() && !Lines.empty())
      First = Last = Lines.size() - 1;
    if (!Clusters.empty() &&
        First <= Clusters.back().LastLine + 2 * Context + 1) {
      Clusters.back().LastLine = std::max(Clusters.back().LastLine, Last);
      Clusters.back().Reps.push_back(R);
    } else {
      Clusters.push_back({First, Last, {R}});
    }
  }

  FileDiff Out;
  Out.File = File.str();
  int Shift = 0; // New line number minus old, before the current hunk.
  for (const Cluster &C : Clusters) {
    unsigned Begin = Starts.empty() ? 0 : Starts[C.FirstLine];
    unsigned End = Lines.empty() ? Text.size() : LineEnd(C.LastLine);
    std::string New;
    unsigned At = Begin;
    for (const Replacement *R : C.Reps) {
      New += Text.slice(At, R->Offset).str();
      New += R->Text;
      At = R->Offset + R->Length;
    }
    New += Text.slice(At, End).str();
    std::vector<StringRef> OldLines(
        Lines.begin() + C.FirstLine,
        Lines.begin() + std::min<size_t>(C.LastLine + 1, Lines.size()));
    std::vector<StringRef> NewLines = splitLines(New);
    // Unchanged lines at either end are context, not a change.
    size_t Prefix = 0;
    while (Prefix < OldLines.size() && Prefix < NewLines.size() &&
           OldLines[Prefix] == NewLines[Prefix])
      ++Prefix;
    size_t Suffix = 0;
    while (Suffix < OldLines.size() - Prefix &&
           Suffix < NewLines.size() - Prefix &&
           OldLines[OldLines.size() - 1 - Suffix] ==
               NewLines[NewLines.size() - 1 - Suffix])
      ++Suffix;
    if (Prefix == OldLines.size() && Prefix == NewLines.size())
      continue;                                  // Nothing changes.
    unsigned ChangeFirst = C.FirstLine + Prefix; // 0-based old line.
    unsigned ChangeOldEnd = C.FirstLine + OldLines.size() - Suffix;
    unsigned CtxFirst = ChangeFirst > Context ? ChangeFirst - Context : 0;
    unsigned CtxEnd = std::min<size_t>(ChangeOldEnd + Context, Lines.size());
    Hunk H;
    for (unsigned L = CtxFirst; L < ChangeFirst; ++L)
      H.Lines.push_back({' ', Lines[L].str()});
    for (size_t L = Prefix; L < OldLines.size() - Suffix; ++L)
      H.Lines.push_back({'-', OldLines[L].str()});
    for (size_t L = Prefix; L < NewLines.size() - Suffix; ++L)
      H.Lines.push_back({'+', NewLines[L].str()});
    for (unsigned L = ChangeOldEnd; L < CtxEnd; ++L)
      H.Lines.push_back({' ', Lines[L].str()});
    H.OldCount = (ChangeFirst - CtxFirst) +
                 (OldLines.size() - Suffix - Prefix) + (CtxEnd - ChangeOldEnd);
    H.NewCount = (ChangeFirst - CtxFirst) +
                 (NewLines.size() - Suffix - Prefix) + (CtxEnd - ChangeOldEnd);
    H.OldStart = H.OldCount ? CtxFirst + 1 : CtxFirst;
    H.NewStart = H.NewCount ? CtxFirst + 1 + Shift : CtxFirst + Shift;
    Shift += int(NewLines.size()) - int(OldLines.size());
    // Hunks whose context overlaps become one.
    if (!Out.Hunks.empty()) {
      Hunk &Prev = Out.Hunks.back();
      unsigned PrevEnd = Prev.OldStart + Prev.OldCount; // 1-based, past.
      if (H.OldStart <= PrevEnd) {
        size_t Overlap = PrevEnd - H.OldStart;
        // Drop the previous hunk's trailing context that H repeats.
        Prev.Lines.resize(Prev.Lines.size() - Overlap);
        Prev.OldCount -= Overlap;
        Prev.NewCount -= Overlap;
        Prev.Lines.insert(Prev.Lines.end(), H.Lines.begin(), H.Lines.end());
        Prev.OldCount += H.OldCount;
        Prev.NewCount += H.NewCount;
        continue;
      }
    }
    Out.Hunks.push_back(std::move(H));
  }
  return Out;
}

} // namespace

std::vector<FileDiff> diffFixes(ArrayRef<Replacement> Fixes, StringRef Root,
                                SourceCache &Sources, unsigned Context) {
  std::map<std::string, std::vector<const Replacement *>> PerFile;
  for (const Replacement &R : Fixes)
    PerFile[R.File].push_back(&R);
  std::vector<FileDiff> Out;
  for (auto &[File, Reps] : PerFile) {
    std::optional<StringRef> Text = Sources.text(absolutePath(File, Root));
    if (!Text)
      continue;
    if (std::optional<FileDiff> D = diffFile(File, *Text, Reps, Context))
      if (!D->Hunks.empty())
        Out.push_back(std::move(*D));
  }
  return Out;
}

void writeUnifiedDiff(raw_ostream &OS, ArrayRef<FileDiff> Diffs) {
  for (const FileDiff &D : Diffs) {
    OS.changeColor(raw_ostream::SAVEDCOLOR, /*Bold=*/true);
    OS << "--- a/" << D.File << "\n+++ b/" << D.File << "\n";
    OS.resetColor();
    for (const Hunk &H : D.Hunks) {
      OS.changeColor(raw_ostream::CYAN);
      OS << formatv("@@ -{0},{1} +{2},{3} @@", H.OldStart, H.OldCount,
                    H.NewStart, H.NewCount);
      OS.resetColor();
      OS << "\n";
      for (const DiffLine &L : H.Lines) {
        if (L.Kind == '-')
          OS.changeColor(raw_ostream::RED);
        else if (L.Kind == '+')
          OS.changeColor(raw_ostream::GREEN);
        OS << L.Kind << L.Text;
        if (L.Kind != ' ')
          OS.resetColor();
        OS << "\n";
      }
    }
  }
}

std::string mainFixTitle(const Finding &F) {
  for (const Note &N : F.Notes)
    if (StringRef(N.Message).starts_with("fix: "))
      return StringRef(N.Message).drop_front(5).str();
  return "fix";
}

std::string alternativeFixTitle(const Note &N) {
  StringRef M = N.Message;
  M.consume_front("alternatively, ");
  M.consume_front("alternatively: ");
  return M.str();
}

} // namespace fanout::audit
