//===- Sources.h - Source text and paths, as the reports need them --------===//
#ifndef FANOUT_AUDIT_SOURCES_H
#define FANOUT_AUDIT_SOURCES_H

#include "Model.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MemoryBuffer.h"
#include <memory>
#include <optional>

namespace fanout::audit {

/// Reads each source file once and turns byte offsets into lines and columns.
class SourceCache {
public:
  struct Resolved {
    Position Pos;
    llvm::StringRef LineText; ///< Without the line terminator.
  };
  /// Null when the file cannot be read or the offset is past its end.
  std::optional<Resolved> resolve(llvm::StringRef AbsPath, unsigned Offset);
  /// The text of a 1-based line, if the file is readable.
  std::optional<llvm::StringRef> line(llvm::StringRef AbsPath, unsigned Line);
  /// The whole file, if it is readable.
  std::optional<llvm::StringRef> text(llvm::StringRef AbsPath);
  /// How many lines the file has (0 when unreadable).
  unsigned lineCount(llvm::StringRef AbsPath);

private:
  struct File {
    std::unique_ptr<llvm::MemoryBuffer> Buffer;
    std::vector<unsigned> LineStarts;
  };
  const File *get(llvm::StringRef AbsPath);
  llvm::StringMap<std::unique_ptr<File>> Files;
};

/// Makes Path absolute (against BaseDir when relative), removes dots and
/// resolves symlinks when the file exists, so one header reached through
/// different include paths is one file.
std::string canonicalPath(llvm::StringRef Path, llvm::StringRef BaseDir = "");
/// Root-relative '/'-separated path when Abs is under Root, else Abs.
std::string relativePath(llvm::StringRef Abs, llvm::StringRef Root);
/// The inverse of relativePath.
std::string absolutePath(llvm::StringRef Path, llvm::StringRef Root);
/// Whether Path is Dir or inside it (both canonical).
bool isWithin(llvm::StringRef Path, llvm::StringRef Dir);
/// The deepest directory containing every path.
std::string commonDirectory(llvm::ArrayRef<std::string> Paths);
/// Percent-encodes a path for a URI (keeps '/').
std::string uriEscape(llvm::StringRef Path);
/// file:// URI of an absolute path.
std::string fileUri(llvm::StringRef AbsPath);
/// Collapses runs of whitespace and trims: the line text the fingerprints
/// hash, so reindenting a line keeps its findings' identity.
std::string normalizeLineText(llvm::StringRef Text);

} // namespace fanout::audit

#endif
