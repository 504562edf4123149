//===- QuickFixes.h - fanout-* diagnostics and quick fixes as users see them =//
//
// clangd turns a clang-tidy diagnostic into LSP as it does for every check:
// its link (codeDescription.href) points at clang.llvm.org, where no page for
// a fanout check exists; its main quick fix is titled with the whole warning
// sentence (or "change 'a' to 'b'"), an alternative with its whole note
// ("alternatively, ..."); and a quick fix is "preferred" only when it is the
// only one. fanout-clangd rewrites exactly those fields of fanout-* messages
// as they leave the server:
//  - textDocument/publishDiagnostics: the link goes to the check's own page
//    (see checkPageUri), or is removed when there is none; the notes are
//    remembered for the titles below;
//  - replies to textDocument/codeAction (and code actions embedded in
//    diagnostics): the main fix is titled by its "fix: ..." note and marked
//    preferred, each alternative by its note without "alternatively, ", and
//    clangd's NOLINT suppressions stay as they are, never preferred.
//
// The rewriting works on the JSON messages, so it needs nothing of clangd's
// internals but its Transport interface, through which clangdMain sends and
// receives every message.
//
//===----------------------------------------------------------------------===//
#ifndef FANOUT_CLANGD_QUICKFIXES_H
#define FANOUT_CLANGD_QUICKFIXES_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/JSON.h"
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace fanout::clangd {

/// A short, action-like title from a note's text: without a leading "fix: "
/// or "alternatively, ", and without the explanation after ", so that".
std::string fixTitle(llvm::StringRef NoteText);

/// The page of a fanout check: FANOUT_DOCS_URL/<check>.md when fanout-tidy
/// was configured with a URL, else the file:// URI of the page installed
/// next to the binary (<prefix>/share/doc/fanout-tidy/checks) or in the
/// source tree it was built from; empty when there is none.
std::string checkPageUri(llvm::StringRef Check, llvm::StringRef ExePath);

/// The rewriting of outgoing messages; thread-safe.
class MessageRewriter {
public:
  explicit MessageRewriter(std::string ExePath) : ExePath(std::move(ExePath)) {}

  /// An incoming request: remembers the IDs of textDocument/codeAction.
  void sawCall(llvm::StringRef Method, const llvm::json::Value &ID);
  /// An outgoing notification, rewritten in place.
  void rewriteNotification(llvm::StringRef Method, llvm::json::Value &Params);
  /// An outgoing reply, rewritten in place when it answers a code action
  /// request.
  void rewriteReply(const llvm::json::Value &ID, llvm::json::Value &Result);

private:
  /// Identifies a diagnostic in a document: URI, code and range.
  using DiagKey = std::string;
  void rewriteDiagnostic(llvm::StringRef Uri, llvm::json::Object &Diag);
  void rewriteActions(llvm::json::Array &Actions, llvm::StringRef Uri,
                      const llvm::json::Object *Diag);

  std::string ExePath;
  std::mutex Mu;
  std::set<std::string> PendingCodeActions; ///< Request IDs, as JSON text.
  std::map<DiagKey, std::vector<std::string>> Notes;
};

} // namespace fanout::clangd

#endif
