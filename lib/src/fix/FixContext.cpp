//===- FixContext.cpp - What every fix strategy shares --------------------===//
#include "fanout/AstHelpers.h"
#include "fanout/Edits.h"
#include "fanout/FixStrategies.h"
#include "clang/AST/ExprCXX.h"
#include "clang/Basic/SourceManager.h"

using namespace clang;
using namespace llvm;

namespace fanout {

FixContext::FixContext(const StrandedProducerCase &Case, ASTContext &Ctx)
    : Case(Case), Ctx(Ctx), S(Case.Model->summaries()),
      SM(Ctx.getSourceManager()), LangOpts(Ctx.getLangOpts()),
      Name(Case.Model->nameOf(Case.Queue)),
      PushName(Case.Push->Op.MethodName.str()) {}

QueueName FixContext::nameIn(const FunctionDecl *F,
                             const AccessPath &Queue) const {
  QueueName Name;
  for (const ReachedOp &Op : S.opsOf(F)) {
    if (Op.Queue != Queue)
      continue;
    if (Op.Via.empty()) {
      if (!Op.Op.Object) {
        Name.ImplicitThis = true;
        return Name;
      }
      Name.Object = Op.Op.Object;
      Name.Arrow = Op.Op.Arrow;
      if (isa<CXXThisExpr>(Name.Object->IgnoreParenImpCasts())) {
        Name.Object = nullptr;
        Name.ImplicitThis = true;
      }
      return Name;
    }
  }
  // The argument of a call that passes it on.
  for (const ReachedOp &Op : S.opsOf(F)) {
    if (Op.Queue != Queue || Op.Via.empty())
      continue;
    for (const Expr *Arg : Op.Via.front()->arguments())
      if (pathOf(Arg, F) == Queue) {
        const Expr *Plain = stripAccess(Arg);
        QualType T = Plain->getType();
        Name.Object = Plain;
        Name.Arrow =
            T->isPointerType() ||
            (pointeeRecord(T) && pointeeRecord(T) != T->getAsCXXRecordDecl());
        return Name;
      }
  }
  return Name;
}

std::string FixContext::closeCode(const FunctionDecl *F,
                                  const AccessPath &Queue) const {
  StringRef Close = Case.Api->reliableCloseFor(QueueSide::Producers);
  if (Close.empty())
    return {};
  QueueName Named = nameIn(F, Queue);
  if (Named.ImplicitThis)
    return Close.str() + "();";
  // As the queue's API spells it; none for a close that takes arguments.
  std::string Call = Named.Object
                         ? closeCallText(Named.Object, Named.Arrow,
                                         Case.Push->Op.FreeFunction, Close, Ctx)
                         : "";
  return Call.empty() ? "" : Call + ";";
}

bool FixContext::insertBefore(const Stmt *Statement, const FunctionDecl *In,
                              const std::string &Code,
                              std::vector<FixItHint> &Out) const {
  return insertStatementBefore(Statement, S.parents(In), Code, Ctx, Out);
}

const LambdaExpr *FixContext::lambdaRunning(const FunctionDecl *Body) const {
  const auto *Method = dyn_cast_or_null<CXXMethodDecl>(Body);
  if (!Method || !Method->getParent()->isLambda())
    return nullptr;
  const LambdaExpr *Found = nullptr;
  forEachDescendant(Case.Spawner->getBody(), [&](const Stmt *Node) {
    if (const auto *Lambda = dyn_cast<LambdaExpr>(Node);
        Lambda && !Found && Lambda->getLambdaClass() == Method->getParent())
      Found = Lambda;
  });
  return Found;
}

SourceLocation FixContext::firstEdit(ArrayRef<FixItHint> Fixes) const {
  SourceLocation First;
  for (const FixItHint &Fix : Fixes) {
    if (StringRef(Fix.CodeToInsert).starts_with("#include"))
      continue;
    SourceLocation At = Fix.RemoveRange.getBegin();
    if (At.isValid() &&
        (First.isInvalid() || SM.isBeforeInTranslationUnit(At, First)))
      First = At;
  }
  return First.isValid() ? First : Case.Push->Op.Call->getExprLoc();
}

} // namespace fanout
