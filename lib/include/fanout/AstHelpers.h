//===- AstHelpers.h - Small AST utilities shared by the analyses ----------===//
#ifndef FANOUT_ASTHELPERS_H
#define FANOUT_ASTHELPERS_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/Stmt.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include <optional>
#include <string>

namespace fanout {

/// Strips parentheses, implicit casts, temporaries and no-op wrappers.
const clang::Expr *ignoreWrappers(const clang::Expr *E);

/// The name of the function a call calls, also for calls not yet resolved in
/// a template (`items_.push_back(x)` with a dependent `items_`).
llvm::StringRef calleeName(const clang::CallExpr *Call);

/// The object a member call is made on (`q` in `q.push(x)`, `*p` in
/// `p->push(x)`), also for dependent calls; null for other calls.
const clang::Expr *calleeObject(const clang::CallExpr *Call, bool *Arrow);

/// The record type of \p E, seen through references, pointers and smart
/// pointers (`std::shared_ptr<Q>`, `std::unique_ptr<Q>`).
const clang::CXXRecordDecl *pointeeRecord(clang::QualType T);

/// Strips the ways of reaching an object that do not change which object it
/// is: `*p`, `p->`, `&x`, `std::ref(x)`, `std::move(x)`, smart-pointer
/// `operator->`/`*` and `.get()`, pointer casts.
const clang::Expr *stripAccess(const clang::Expr *E);

/// What \p Holder's initialiser gives its member \p Field: an aggregate's
/// element (`Ctx c{q}`, `new Job{&q}`), or the constructor argument a member
/// initialiser stores (`Ctx(Q &q) : q_(q)`). Null when unknown.
const clang::Expr *memberInitializer(const clang::VarDecl *Holder,
                                     const clang::FieldDecl *Field);

/// What a thread body's parameters (and, for a function object, its fields)
/// were given at the spawn.
using ParamBindings =
    llvm::DenseMap<const clang::ValueDecl *, const clang::Expr *>;

/// The declaration that identifies the queue object \p E denotes: a local or
/// global variable, or a field. References, pointers, smart pointers and
/// init-captures with simple initialisers are followed, and parameters bound
/// in \p Bindings are replaced by their arguments. Null when unknown.
const clang::ValueDecl *resolveObject(const clang::Expr *E,
                                      const ParamBindings *Bindings = nullptr);

/// Visits every statement below \p S in evaluation-independent order, not
/// descending into lambdas or local classes (those run elsewhere).
void forEachDescendant(const clang::Stmt *S,
                       llvm::function_ref<void(const clang::Stmt *)> Visit);

/// Whether error recovery left anything broken below \p S (half-typed
/// code): such code is not analysed.
bool containsErrors(const clang::Stmt *S);

/// Whether any part of \p Range comes from a macro expansion.
bool isInMacro(clang::SourceRange Range);

/// What \p S assigns, increments or decrements, built-in or overloaded
/// (`x = v`, `x += v`, `++x`, `x--`); null for anything else.
const clang::Expr *writtenBy(const clang::Stmt *S);

/// The target of a plain assignment `x = v`, built-in or an overloaded
/// `operator=`, with `v` in \p Value; null for any other statement.
const clang::Expr *assignmentTarget(const clang::Stmt *S,
                                    const clang::Expr *&Value);

/// What \p S assigns to field \p Field (any field when null) of the local
/// \p Var, or of an element of it when \p OfElement (`block.count = 0`,
/// `info[i].queue = &q`); null when \p S is no such assignment.
const clang::Expr *assignedToField(const clang::Stmt *S,
                                   const clang::VarDecl *Var,
                                   const clang::FieldDecl *Field,
                                   bool OfElement = false);

/// The source text of \p E, or empty when it cannot be had.
std::string sourceText(const clang::Expr *E, const clang::ASTContext &Ctx);

/// The value of \p E when it is an integer constant.
std::optional<int64_t> evaluateInt(const clang::Expr *E,
                                   const clang::ASTContext &Ctx);

/// The innermost loop statement enclosing \p S (up to, not beyond, \p Root).
const clang::Stmt *enclosingLoop(const clang::Stmt *S,
                                 const clang::ParentMap &Parents);
/// Whether \p Inner is \p Outer or lies below it.
bool contains(const clang::Stmt *Outer, const clang::Stmt *Inner);
bool isLoop(const clang::Stmt *S);

/// The class whose member \p F is, or whose member encloses the lambda \p F
/// is the call operator of; null for a free function.
const clang::CXXRecordDecl *classOf(const clang::FunctionDecl *F);

/// Whether \p T is std::stop_token (or a reference to one).
bool isStopToken(clang::QualType T);

/// The variable whose stop request reaches the token \p Token: the
/// stop_source of `source.get_token()` (directly or through a token
/// variable initialised so), or the token parameter itself; null for a
/// default-constructed token.
const clang::ValueDecl *stopOwnerOf(const clang::Expr *Token);

} // namespace fanout

#endif
