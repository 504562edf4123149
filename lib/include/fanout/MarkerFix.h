//===- MarkerFix.h - Send the end markers on every way out ----------------===//
//
// For queues closed by end markers (no close, or consumers that stop on a
// sentinel): the producer's normal end sends them; an early way out (a
// return, a jump, an exception) skips them and strands the consumers. The
// fix moves the marker statement into a lambda and declares a guard that
// sends them when the producer's scope is left without having sent them:
//
//   auto sendEndMarkers = [&] { for (...) q.push(marker); };
//   struct EndMarkersOnExit { ... ~EndMarkersOnExit() { if (!sent) send(); } }
//       endMarkersOnExit{sendEndMarkers};
//   ...
//   endMarkersOnExit.sent = true;   // where the markers were sent
//   sendEndMarkers();
//
//===----------------------------------------------------------------------===//
#ifndef FANOUT_MARKERFIX_H
#define FANOUT_MARKERFIX_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/Diagnostic.h"
#include "llvm/ADT/ArrayRef.h"
#include <vector>

namespace fanout {

/// The edits that send the markers of \p MarkerPush (a call in \p Producer's
/// own body) on every way out of \p Producer that starts at or after
/// \p FirstPush; empty when they cannot be written certainly right (the
/// marker code returns, names a variable declared after the guard's place,
/// sits in a macro).
std::vector<clang::FixItHint>
planEndMarkerGuard(const clang::FunctionDecl *Producer,
                   const clang::CallExpr *MarkerPush,
                   const clang::CallExpr *FirstPush,
                   const clang::ParentMap &Parents, clang::ASTContext &Ctx);

/// For a thread body \p Body that reaches the marker only through calls (the
/// marker sent by a helper on one path, `on_connection_lost()`): a guard
/// declared first in the body that sends the one marker of \p MarkerPush
/// when the thread ends. Paths that sent it already send it again, so the
/// caller offers this only for a queue that never blocks a push and one
/// consumer, where a second marker is never read. Empty when the marker
/// statement names anything \p Body cannot (a local or parameter of its
/// holder) or sits in a macro.
std::vector<clang::FixItHint> planBodyEndMarkerGuard(
    const clang::FunctionDecl *Body, const clang::CallExpr *MarkerPush,
    const clang::ParentMap &HolderParents, clang::ASTContext &Ctx);

/// For a class whose user-called member \p Sender sends the end markers
/// (`finish()`) and whose destructor \p Destructor joins the consumers at
/// \p Join: when an exception skips the call of \p Sender, the destructor
/// sends them before it joins, once:
///
///   ~Loader() { if (!endMarkersSent_) finish(); for (auto &t : writers_) ... }
///   void finish() { endMarkersSent_ = true; ... }
///   bool endMarkersSent_ = false;   // after the class's last field
///
/// Empty where that cannot be written certainly right (macros, a name in
/// use, no field to put the flag after).
std::vector<clang::FixItHint>
planOwnerEndMarkers(const clang::CXXMethodDecl *Sender,
                    const clang::CXXDestructorDecl *Destructor,
                    const clang::Stmt *Join, const clang::ParentMap &Parents,
                    clang::ASTContext &Ctx);
} // namespace fanout

#endif
