//===- Edits.h - Source edits the fix planners share ----------------------===//
#ifndef FANOUT_EDITS_H
#define FANOUT_EDITS_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/ParentMap.h"
#include "clang/Basic/Diagnostic.h"
#include <optional>
#include <string>
#include <vector>

namespace fanout {

/// The leading white space of the line \p Loc is on.
std::string indentationOf(clang::SourceLocation Loc,
                          const clang::SourceManager &SM);

/// The location just after statement \p S, including its semicolon.
clang::SourceLocation afterStatement(const clang::Stmt *S,
                                     const clang::ASTContext &Ctx);

/// Appends to \p Out the edits that make \p Code (a statement) run just
/// before the statement holding \p S: on a line of its own inside a block, or
/// by turning a lone branch or loop body into a block. Returns false, adding
/// nothing, where that is not certainly right (macros, labels, case labels).
bool insertStatementBefore(const clang::Stmt *S,
                           const clang::ParentMap &Parents,
                           const std::string &Code,
                           const clang::ASTContext &Ctx,
                           std::vector<clang::FixItHint> &Out);

/// When \p Statement is the lone, unbraced body of \p Parent (an if, else or
/// loop) and starts a line of its own: where ` {` goes (after the `)`, `else`
/// or `do` before it) and the indentation of \p Parent's line, for the `}`.
struct BraceOpening {
  clang::SourceLocation OpenAt;
  std::string ParentIndent;
};
std::optional<BraceOpening> braceOpening(const clang::Stmt *Statement,
                                         const clang::Stmt *Parent,
                                         const clang::ASTContext &Ctx);

/// A guard declared first in \p Body that closes the queue \p Object
/// (`q`, `*p`; \p Arrow when it was used with `->`) on every way out,
/// exceptions included:
///   struct CloseOnExit { decltype(q) &queue; ~CloseOnExit() { queue.close(); }
///   } closeOnExit{q};
/// None where it cannot be written certainly right (macros, `this`). With
/// \p FreeFunction the close is a function taking a pointer to the queue
/// (`ring_close(queue)`, a C-style queue).
/// With \p Flagged the guard closes only if `closeOnExit.closed` was not
/// set, for code that closes itself on some paths with a close that must
/// not run twice.
std::optional<clang::FixItHint>
closeGuardInsertion(const clang::Stmt *Body, const clang::Expr *Object,
                    bool Arrow, llvm::StringRef Close,
                    const clang::ASTContext &Ctx, bool FreeFunction = false,
                    bool Flagged = false);
/// The declaration of that guard, for a caller that chooses where it goes;
/// empty where it cannot be written certainly right.
std::string closeGuardCode(const clang::Expr *Object, bool Arrow,
                           llvm::StringRef Close, const clang::ASTContext &Ctx,
                           bool FreeFunction = false, bool Flagged = false);

/// The edits that move statement \p Moved, written on one line, to just
/// after statement \p After, at \p Moved's indentation; its line goes too
/// when nothing else is on it. Empty where it cannot be written (macros,
/// a statement over several lines).
std::vector<clang::FixItHint> moveStatementAfter(const clang::Stmt *Moved,
                                                 const clang::Stmt *After,
                                                 const clang::ASTContext &Ctx);

/// Whether the queue \p Object names has a \p Close member that refuses a
/// second call: it asserts, aborts or throws (`assert(!closed_)`).
bool closeRefusesSecondCall(const clang::Expr *Object, llvm::StringRef Close);

/// \p Code as the first statement of the block \p Body: on a line of its
/// own when the block's first statement is; none in a macro.
std::optional<clang::FixItHint> firstInBlock(const clang::Stmt *Body,
                                             llvm::StringRef Code,
                                             const clang::ASTContext &Ctx);

/// Whether the queue \p Object names has a \p Close member callable with no
/// arguments (`abort(std::exception_ptr)` is not).
bool closeTakesNoArguments(const clang::Expr *Object, llvm::StringRef Close);

/// The call that closes the queue \p Object names: `q.close()`,
/// `p->close()`, or `ring_close(&q)` for a free-function close; with
/// \p Arguments, a close that takes them (`q.abort(std::current_exception())`).
std::string closeCallText(const clang::Expr *Object, bool Arrow,
                          bool FreeFunction, llvm::StringRef Close,
                          const clang::ASTContext &Ctx,
                          llvm::StringRef Arguments = "");

/// Whether the queue \p Object names has a \p Close member that takes one
/// std::exception_ptr (seastar's and ScyllaDB's `abort(std::exception_ptr)`).
bool closeTakesException(const clang::Expr *Object, llvm::StringRef Close);

/// The edit that wraps the statements of the block \p Body (a function's
/// or a lambda's) in `try { ... } catch (...) { OnException throw; }`, so
/// that every exception leaving it runs \p OnException first and still
/// leaves; none for an empty block or one in a macro.
std::optional<clang::FixItHint>
wrapInRethrowingHandler(const clang::Stmt *Body, llvm::StringRef OnException,
                        const clang::ASTContext &Ctx);

/// Appends to \p Out an edit that includes the standard header \p Header
/// (`atomic`) in the file of \p Near, after the last `#include` before it,
/// unless the file already includes it.
void insertIncludeIfMissing(llvm::StringRef Header, clang::SourceLocation Near,
                            const clang::ASTContext &Ctx,
                            std::vector<clang::FixItHint> &Out);

} // namespace fanout

#endif
