//===- CheckDocs.cpp ------------------------------------------------------===//
#include "CheckDocs.h"
#include "Sources.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace llvm;

namespace fanout::audit {

namespace {
struct EmbeddedDoc {
  const char *Check;
  const char *Markdown;
};
const EmbeddedDoc EmbeddedDocs[] = {
#include "CheckDocs.inc"
    {nullptr, nullptr}};

std::optional<std::string> readDoc(StringRef Dir, StringRef Check) {
  SmallString<256> Path(Dir);
  sys::path::append(Path, Check + ".md");
  auto Buffer = MemoryBuffer::getFile(Path, /*IsText=*/true);
  if (!Buffer)
    return std::nullopt;
  return (*Buffer)->getBuffer().str();
}
} // namespace

std::optional<std::string> checkDocumentation(StringRef Check,
                                              StringRef DocsDir) {
  if (!DocsDir.empty())
    return readDoc(DocsDir, Check);
  for (const EmbeddedDoc &D : EmbeddedDocs)
    if (D.Check && Check == D.Check)
      return std::string(D.Markdown);
#ifdef FANOUT_SOURCE_DOCS_DIR
  return readDoc(FANOUT_SOURCE_DOCS_DIR, Check);
#else
  return std::nullopt;
#endif
}

std::string firstParagraph(StringRef Markdown) {
  SmallVector<StringRef, 64> Lines;
  Markdown.split(Lines, '\n');
  std::string Out;
  bool InFrontMatter = false, InComment = false;
  for (size_t I = 0; I != Lines.size(); ++I) {
    StringRef Line = Lines[I].trim();
    if (I == 0 && Line == "---") {
      InFrontMatter = true;
      continue;
    }
    if (InFrontMatter) {
      InFrontMatter = Line != "---";
      continue;
    }
    if (InComment || Line.starts_with("<!--")) {
      InComment = !Line.contains("-->");
      continue;
    }
    bool Structural =
        Line.starts_with("#") || Line.starts_with("```") ||
        Line.starts_with("|") || Line.starts_with(".. ") ||
        (!Line.empty() && Line.find_first_not_of("=-") == StringRef::npos);
    if (Out.empty()) {
      // Skip the title and whatever precedes the first prose.
      if (Line.empty() || Structural)
        continue;
      // A setext title: text underlined on the next line.
      if (I + 1 < Lines.size()) {
        StringRef Next = Lines[I + 1].trim();
        if (!Next.empty() && Next.find_first_not_of("=-") == StringRef::npos) {
          ++I;
          continue;
        }
      }
    } else if (Line.empty() || Structural) {
      break;
    }
    if (!Out.empty())
      Out += ' ';
    Out += Line.str();
  }
  return Out;
}

std::string firstSentence(StringRef Paragraph) {
  for (size_t I = 0; I + 1 < Paragraph.size(); ++I)
    if (Paragraph[I] == '.' && Paragraph[I + 1] == ' ' &&
        !Paragraph.take_front(I + 1).ends_with("e.g.") &&
        !Paragraph.take_front(I + 1).ends_with("i.e."))
      return Paragraph.take_front(I + 1).str();
  return Paragraph.str();
}

namespace {
std::string &executablePath() {
  static std::string Path;
  return Path;
}

/// file://<dir>/<check>.md when that file exists.
std::string pageIn(StringRef Dir, StringRef Check) {
  SmallString<256> Path(Dir);
  sys::path::append(Path, Check + ".md");
  sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
  if (!sys::fs::exists(Path))
    return "";
  return fileUri(Path);
}

std::string percentDecode(StringRef S) {
  std::string Out;
  for (size_t I = 0; I < S.size(); ++I) {
    unsigned Byte;
    if (S[I] == '%' && I + 2 < S.size() + 0 &&
        !S.substr(I + 1, 2).getAsInteger(16, Byte)) {
      Out += char(Byte);
      I += 2;
    } else {
      Out += S[I];
    }
  }
  return Out;
}
} // namespace

void setExecutablePath(std::string Path) { executablePath() = std::move(Path); }

std::string checkPageUri(StringRef Check, StringRef DocsUrl) {
  if (!Check.starts_with("fanout-") || Check == "fanout-audit")
    return "";
  if (!DocsUrl.empty())
    return (DocsUrl.rtrim('/') + "/" + Check + ".md").str();
  if (!executablePath().empty()) {
    // <prefix>/bin/fanout-audit -> <prefix>/share/doc/fanout-tidy/checks
    SmallString<256> Installed(
        sys::path::parent_path(sys::path::parent_path(executablePath())));
    sys::path::append(Installed, "share", "doc", "fanout-tidy", "checks");
    std::string Page = pageIn(Installed, Check);
    if (!Page.empty())
      return Page;
  }
#ifdef FANOUT_SOURCE_DOCS_DIR
  return pageIn(FANOUT_SOURCE_DOCS_DIR, Check);
#else
  return "";
#endif
}

std::string absolutizeLinks(StringRef Markdown, StringRef PageUri) {
  std::string Out;
  StringRef Base = PageUri.substr(0, PageUri.rfind('/') + 1);
  bool InCode = false;
  while (!Markdown.empty()) {
    auto [Line, Rest] = Markdown.split('\n');
    bool HadNewline = Markdown.size() != Line.size();
    Markdown = Rest;
    if (Line.trim().starts_with("```"))
      InCode = !InCode;
    if (InCode) {
      Out += Line.str();
      if (HadNewline)
        Out += '\n';
      continue;
    }
    // [text](target) outside inline code.
    bool InInline = false;
    for (size_t I = 0; I < Line.size(); ++I) {
      char C = Line[I];
      if (C == '`')
        InInline = !InInline;
      size_t Mid, Close;
      if (C != '[' || InInline ||
          (Mid = Line.find("](", I)) == StringRef::npos ||
          (Close = Line.find(')', Mid)) == StringRef::npos ||
          Line.slice(I + 1, Mid).contains('[')) {
        Out += C;
        continue;
      }
      StringRef Text = Line.slice(I + 1, Mid);
      StringRef Target = Line.slice(Mid + 2, Close);
      I = Close;
      bool Absolute = Target.contains("://") || Target.starts_with("mailto:");
      if (Absolute) {
        Out += ("[" + Text + "](" + Target + ")").str();
        continue;
      }
      if (Target.starts_with("#")) {
        // An anchor of the page itself.
        if (!PageUri.empty())
          Out += ("[" + Text + "](" + PageUri + Target + ")").str();
        else
          Out += Text.str();
        continue;
      }
      std::string Resolved;
      if (!Base.empty()) {
        auto [File, Anchor] = Target.split('#');
        if (Base.starts_with("file://")) {
          SmallString<256> Path(percentDecode(Base.drop_front(7)));
          sys::path::append(Path, File);
          sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
          if (sys::fs::exists(Path))
            Resolved = fileUri(Path);
        } else {
          // A URL: resolve ../ against its path.
          SmallString<256> Path(Base.substr(Base.find("://") + 3));
          sys::path::append(Path, sys::path::Style::posix, File);
          sys::path::remove_dots(Path, true, sys::path::Style::posix);
          Resolved = (Base.substr(0, Base.find("://") + 3) + Path).str();
        }
        if (!Resolved.empty() && !Anchor.empty())
          Resolved += ("#" + Anchor).str();
      }
      if (Resolved.empty())
        Out += Text.str();
      else
        Out += ("[" + Text + "](" + Resolved + ")").str();
    }
    if (HadNewline)
      Out += '\n';
  }
  return Out;
}

std::string checkTitle(StringRef Check) {
  if (Check == "fanout-stranded-producer")
    return "Producer can block forever in a bounded queue's push";
  if (Check == "fanout-stranded-consumer")
    return "Consumers can block forever in pop";
  if (Check == "fanout-join-before-drain")
    return "Wait on workers that push into a queue drained only after it";
  if (Check.starts_with("clang-diagnostic-"))
    return ("Compiler warning -W" + Check.drop_front(17)).str();
  if (Check.consume_front("clang-analyzer-"))
    return ("Clang Static Analyzer: " + Check).str();
  return ("clang-tidy check " + Check).str();
}

} // namespace fanout::audit
