//===- Sources.cpp --------------------------------------------------------===//
#include "Sources.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include <algorithm>

using namespace llvm;

namespace fanout::audit {

const SourceCache::File *SourceCache::get(StringRef AbsPath) {
  auto [It, Inserted] = Files.try_emplace(AbsPath);
  if (!Inserted)
    return It->second.get();
  auto Buffer = MemoryBuffer::getFile(AbsPath, /*IsText=*/false,
                                      /*RequiresNullTerminator=*/false);
  if (!Buffer)
    return nullptr;
  auto F = std::make_unique<File>();
  F->Buffer = std::move(*Buffer);
  StringRef Text = F->Buffer->getBuffer();
  F->LineStarts.push_back(0);
  for (size_t I = 0, E = Text.size(); I != E; ++I)
    if (Text[I] == '\n')
      F->LineStarts.push_back(I + 1);
  It->second = std::move(F);
  return It->second.get();
}

static StringRef lineAt(StringRef Text, unsigned Start) {
  StringRef Line = Text.substr(Start);
  Line = Line.take_until([](char C) { return C == '\n'; });
  if (Line.ends_with("\r"))
    Line = Line.drop_back();
  return Line;
}

std::optional<SourceCache::Resolved> SourceCache::resolve(StringRef AbsPath,
                                                          unsigned Offset) {
  const File *F = get(AbsPath);
  if (!F)
    return std::nullopt;
  StringRef Text = F->Buffer->getBuffer();
  if (Offset > Text.size())
    return std::nullopt;
  auto It =
      std::upper_bound(F->LineStarts.begin(), F->LineStarts.end(), Offset);
  unsigned LineIndex = It - F->LineStarts.begin() - 1;
  unsigned Start = F->LineStarts[LineIndex];
  Resolved R;
  R.Pos.Line = LineIndex + 1;
  R.Pos.Column = Offset - Start + 1;
  // Code points: every byte that is not a UTF-8 continuation byte.
  unsigned Chars = 0;
  for (unsigned I = Start; I < Offset; ++I)
    if ((static_cast<unsigned char>(Text[I]) & 0xC0) != 0x80)
      ++Chars;
  R.Pos.CharColumn = Chars + 1;
  R.LineText = lineAt(Text, Start);
  return R;
}

std::optional<StringRef> SourceCache::line(StringRef AbsPath, unsigned Line) {
  const File *F = get(AbsPath);
  if (!F || Line == 0 || Line > F->LineStarts.size())
    return std::nullopt;
  return lineAt(F->Buffer->getBuffer(), F->LineStarts[Line - 1]);
}

std::optional<StringRef> SourceCache::text(StringRef AbsPath) {
  const File *F = get(AbsPath);
  if (!F)
    return std::nullopt;
  return F->Buffer->getBuffer();
}

unsigned SourceCache::lineCount(StringRef AbsPath) {
  const File *F = get(AbsPath);
  if (!F)
    return 0;
  unsigned N = F->LineStarts.size();
  // A final line terminator starts no line.
  if (N > 1 && F->LineStarts.back() == F->Buffer->getBufferSize())
    --N;
  return N;
}

std::string canonicalPath(StringRef Path, StringRef BaseDir) {
  SmallString<256> Abs(Path);
  if (!sys::path::is_absolute(Abs)) {
    if (!BaseDir.empty()) {
      SmallString<256> Joined(BaseDir);
      sys::path::append(Joined, Path);
      Abs = Joined;
    } else {
      sys::fs::make_absolute(Abs);
    }
  }
  sys::path::remove_dots(Abs, /*remove_dot_dot=*/true);
  SmallString<256> Real;
  if (!sys::fs::real_path(Abs, Real))
    return std::string(Real);
  return std::string(Abs);
}

bool isWithin(StringRef Path, StringRef Dir) {
  if (Dir == "/")
    return Path.starts_with("/");
  if (!Path.starts_with(Dir))
    return false;
  return Path.size() == Dir.size() || Path[Dir.size()] == '/';
}

std::string relativePath(StringRef Abs, StringRef Root) {
  if (Root.empty() || !isWithin(Abs, Root) || Abs.size() == Root.size())
    return std::string(Abs);
  StringRef Rest = Abs.drop_front(Root.size());
  return std::string(Rest.ltrim('/'));
}

std::string absolutePath(StringRef Path, StringRef Root) {
  if (sys::path::is_absolute(Path) || Root.empty())
    return std::string(Path);
  SmallString<256> Abs(Root);
  sys::path::append(Abs, sys::path::Style::posix, Path);
  return std::string(Abs);
}

std::string commonDirectory(ArrayRef<std::string> Paths) {
  if (Paths.empty())
    return "/";
  std::string Common = std::string(sys::path::parent_path(Paths.front()));
  for (const std::string &P : Paths) {
    while (!Common.empty() && Common != "/" && !isWithin(P, Common))
      Common = std::string(sys::path::parent_path(Common));
  }
  return Common.empty() ? "/" : Common;
}

std::string uriEscape(StringRef Path) {
  std::string Out;
  for (char C : Path) {
    unsigned char U = C;
    if (isAlnum(C) || C == '/' || C == '-' || C == '_' || C == '.' ||
        C == '~') {
      Out += C;
    } else {
      static const char Hex[] = "0123456789ABCDEF";
      Out += '%';
      Out += Hex[U >> 4];
      Out += Hex[U & 15];
    }
  }
  return Out;
}

std::string fileUri(StringRef AbsPath) {
  return "file://" + uriEscape(AbsPath);
}

std::string normalizeLineText(StringRef Text) {
  std::string Out;
  bool Space = false;
  for (char C : Text.trim()) {
    if (isSpace(C)) {
      Space = true;
      continue;
    }
    if (Space)
      Out += ' ';
    Space = false;
    Out += C;
  }
  return Out;
}

} // namespace fanout::audit
