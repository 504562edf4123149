//===- UnwindClose.cpp - Close with the error on the way out --------------===//
#include "fanout/AstHelpers.h"
#include "fanout/Edits.h"
#include "fanout/UnwindCloseFix.h"
#include "clang/AST/ExprCXX.h"
#include "clang/Basic/SourceManager.h"

using namespace clang;
using namespace llvm;

namespace fanout {
namespace {

/// Whether \p Object names only what a handler at the end of \p F's body
/// still sees: members, parameters, globals, not the body's own locals.
bool namedWithoutLocals(const Expr *Object, const FunctionDecl *F) {
  bool Local = false;
  auto IsLocal = [&](const Stmt *Node) {
    const auto *Ref = dyn_cast<DeclRefExpr>(Node);
    const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
    // A capture of a lambda is declared outside it, and seen throughout.
    Local |= Var && Var->hasLocalStorage() && !isa<ParmVarDecl>(Var) &&
             Var->getDeclContext() == F;
  };
  IsLocal(Object);
  forEachDescendant(Object, IsLocal);
  return !Local;
}

} // namespace

std::vector<FixItHint> planUnwindCloses(ArrayRef<UnwindCloseSite> Sites,
                                        StringRef Close, ASTContext &Ctx) {
  std::vector<FixItHint> Edits;
  const SourceManager &SM = Ctx.getSourceManager();
  for (const UnwindCloseSite &Site : Sites) {
    const FunctionDecl *F = Site.Function;
    const ReachedOp *Op = Site.Names;
    if (!F || !F->getBody() || !Op || !Op->Op.Object || Op->Op.FreeFunction ||
        SM.isInSystemHeader(F->getLocation()) ||
        !closeTakesException(Op->Op.Object, Close) ||
        !namedWithoutLocals(Op->Op.Object, F))
      return {};
    std::string Call =
        closeCallText(Op->Op.Object, Op->Op.Arrow, /*FreeFunction=*/false,
                      Close, Ctx, "std::current_exception()");
    if (Call.empty())
      return {};
    std::optional<FixItHint> Wrap =
        wrapInRethrowingHandler(F->getBody(), Call + ";", Ctx);
    if (!Wrap)
      return {};
    Edits.push_back(std::move(*Wrap));
  }
  if (!Edits.empty())
    insertIncludeIfMissing("exception", Sites.front().Function->getBeginLoc(),
                           Ctx, Edits);
  return Edits;
}

} // namespace fanout
