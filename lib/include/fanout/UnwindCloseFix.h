//===- UnwindCloseFix.h - Close with the error on the way out -------------===//
//
// A queue closed with the reason (`abort(std::exception_ptr)`) whose
// producer's end of stream an exception skips: the upstream fix (ScyllaDB's
// repair writer) catches the exception where it leaves the producing
// function, closes the queue with it and rethrows, so the consumers' pop
// throws the producer's error instead of waiting for an end marker.
//
//===----------------------------------------------------------------------===//
#ifndef FANOUT_UNWINDCLOSEFIX_H
#define FANOUT_UNWINDCLOSEFIX_H

#include "fanout/Summaries.h"
#include "clang/AST/ASTContext.h"
#include "clang/Basic/Diagnostic.h"
#include <vector>

namespace fanout {

/// A function whose body is to close the queue on every exception that
/// leaves it, and its own operation on the queue (how it names it).
struct UnwindCloseSite {
  const clang::FunctionDecl *Function = nullptr;
  const ReachedOp *Names = nullptr;
};

/// The edits that wrap each site's body in `try { ... } catch (...) {
/// q.Close(std::current_exception()); throw; }`. Empty where that cannot be
/// written certainly right: a close that takes no std::exception_ptr, a body
/// in a macro or a system header, a queue named through a local of the body
/// (the handler cannot see it).
std::vector<clang::FixItHint>
planUnwindCloses(llvm::ArrayRef<UnwindCloseSite> Sites, llvm::StringRef Close,
                 clang::ASTContext &Ctx);

} // namespace fanout

#endif
