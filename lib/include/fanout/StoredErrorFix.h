//===- StoredErrorFix.h - A pop that wakes on the error it is handed ------===//
//
// A hand-written queue that keeps its producer's error for the consumers
// (`setException(std::current_exception())` into a std::exception_ptr) but
// whose blocking pop waits only for items or a close strands them: the
// producer has stopped, the error sits in the queue, and the pop sleeps on.
// The upstream fix (concord-bft's update queue) is in the class: the pop's
// wait also ends on the stored error, the pop rethrows it, and the method
// that stores it wakes the waiters.
//
//===----------------------------------------------------------------------===//
#ifndef FANOUT_STOREDERRORFIX_H
#define FANOUT_STOREDERRORFIX_H

#include "fanout/QueueModel.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "clang/Basic/Diagnostic.h"
#include <vector>

namespace fanout {

class Summaries;

/// The edits to the class of the queue \p Pop is called on that make the
/// pop wake on \p Api's stored error and rethrow it, and each of \p Api's
/// StoreError methods notify the pop's condition variable. Empty where that
/// cannot be written certainly right: a class in a system header or a
/// macro, a pop with other than one condition-variable wait, a predicate
/// that cannot see the member.
std::vector<clang::FixItHint> planStoredErrorWake(const clang::CallExpr *Pop,
                                                  const QueueApi &Api,
                                                  Summaries &S);

} // namespace fanout

#endif
