//===- CheckDocs.cpp ------------------------------------------------------===//
#include "CheckDocs.h"
#include "llvm/ADT/SmallString.h"
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

std::string upstreamHelpUri(StringRef Check) {
  static const char Base[] = "https://clang.llvm.org/extra/clang-tidy/checks/";
  if (Check.starts_with("clang-diagnostic-"))
    return "https://clang.llvm.org/docs/DiagnosticsReference.html";
  if (Check.starts_with("fanout-") || Check == "fanout-audit")
    return "";
  if (Check.consume_front("clang-analyzer-"))
    return (Base + Twine("clang-analyzer/") + Check + ".html").str();
  auto [Module, Rest] = Check.split('-');
  if (Rest.empty())
    return "";
  return (Base + Module + "/" + Rest + ".html").str();
}

} // namespace fanout::audit
