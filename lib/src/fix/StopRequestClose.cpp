//===- StopRequestCloseFix.cpp - A close that lets a stop request land ----===//
#include "fanout/AstHelpers.h"
#include "fanout/Edits.h"
#include "fanout/Roles.h"
#include "fanout/StopRequestCloseFix.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/StmtCXX.h"

using namespace clang;
using namespace llvm;

namespace fanout {
namespace {

/// The statement of a block that holds \p Node, and that block.
std::pair<const Stmt *, const CompoundStmt *>
statementInBlock(const Stmt *Node, const ParentMap &Parents) {
  for (const Stmt *Up = Parents.getParent(Node); Up;
       Node = Up, Up = Parents.getParent(Up))
    if (const auto *Block = dyn_cast<CompoundStmt>(Up))
      return {Node, Block};
  return {nullptr, nullptr};
}

/// The statement right after \p Statement in \p Block, or null.
const Stmt *nextInBlock(const Stmt *Statement, const CompoundStmt *Block) {
  for (auto It = Block->body_begin(); It != Block->body_end(); ++It)
    if (*It == Statement)
      return std::next(It) == Block->body_end() ? nullptr : *std::next(It);
  return nullptr;
}

/// Whether \p Test reads \p Token (`stoken.stop_requested()`).
bool readsToken(const Expr *Test, const ParmVarDecl *Token) {
  bool Reads = false;
  forEachDescendant(Test, [&](const Stmt *Node) {
    if (const auto *Ref = dyn_cast<DeclRefExpr>(Node))
      Reads |= Ref->getDecl() == Token;
  });
  return Reads;
}

/// The calls `X.join()` and `X.request_stop()` on one thread handle in
/// \p Body, the request first in the same block; null where there is none.
const CXXMemberCallExpr *joinAfterStopRequest(const Stmt *Body,
                                              const ParentMap &Parents,
                                              const ASTContext &Ctx) {
  std::vector<const CXXMemberCallExpr *> Joins, Requests;
  forEachDescendant(Body, [&](const Stmt *Node) {
    if (const auto *Call = dyn_cast<CXXMemberCallExpr>(Node)) {
      if (calleeName(Call) == "join")
        Joins.push_back(Call);
      else if (calleeName(Call) == "request_stop")
        Requests.push_back(Call);
    }
  });
  for (const CXXMemberCallExpr *Join : Joins)
    for (const CXXMemberCallExpr *Request : Requests) {
      auto [JoinAt, JoinBlock] = statementInBlock(Join, Parents);
      auto [RequestAt, RequestBlock] = statementInBlock(Request, Parents);
      if (!JoinBlock || JoinBlock != RequestBlock ||
          sourceText(Join->getImplicitObjectArgument(), Ctx) !=
              sourceText(Request->getImplicitObjectArgument(), Ctx))
        continue;
      for (const Stmt *Each : JoinBlock->body()) {
        if (Each == JoinAt)
          break;
        if (Each == RequestAt)
          return Join;
      }
    }
  return nullptr;
}

} // namespace

std::vector<FixItHint>
planCloseAfterStopRequest(const SpawnSite &Consumer, const CallExpr *Pop,
                          const WaitSite &Wait, const ReachedOp &Named,
                          StringRef Close, Summaries &S) {
  const ASTContext &Ctx = S.context();
  const FunctionDecl *Body = Consumer.Body;
  if (Consumer.Kind != "std::jthread" || !Body || !Body->getBody() ||
      Body->getNumParams() == 0 || !contains(Body->getBody(), Pop))
    return {};
  const ParmVarDecl *Token = Body->getParamDecl(0);
  if (!isStopToken(Token->getType()))
    return {};
  // Right after the pop: `if (token.stop_requested()) break;`.
  auto [PopAt, PopBlock] = statementInBlock(Pop, S.parents(Body));
  // The pop is a statement of its own, or a declaration's initialiser:
  // nothing reads what it gives before the test.
  auto IsPop = [&](const Stmt *E) {
    return isa_and_nonnull<Expr>(E) && ignoreWrappers(cast<Expr>(E)) == Pop;
  };
  const auto *Declared = dyn_cast_or_null<DeclStmt>(PopAt);
  const auto *Var = Declared && Declared->isSingleDecl()
                        ? dyn_cast<VarDecl>(Declared->getSingleDecl())
                        : nullptr;
  if (!PopAt || !(IsPop(PopAt) || (Var && IsPop(Var->getInit()))))
    return {};
  const auto *Test = dyn_cast_or_null<IfStmt>(nextInBlock(PopAt, PopBlock));
  if (!Test || Test->getElse() || !isStopFlagTest(Test->getCond()) ||
      !readsToken(Test->getCond(), Token) ||
      !isa<BreakStmt, ReturnStmt>(Test->getThen()))
    return {};
  // The member that stops the thread, of the queue's class: requests the
  // stop, then joins.
  const auto *Stop = dyn_cast_or_null<CXXMemberCallExpr>(Wait.Expr);
  const CXXMethodDecl *Method = Stop ? Stop->getMethodDecl() : nullptr;
  const FunctionDecl *Def = Method ? Method->getDefinition() : nullptr;
  if (!Def || !Def->getBody() || !Named.Holder || !classOf(Named.Holder) ||
      classOf(Def) != classOf(Named.Holder))
    return {};
  const ParentMap &Parents = S.parents(Def);
  const CXXMemberCallExpr *Join =
      joinAfterStopRequest(Def->getBody(), Parents, Ctx);
  std::string Call = closeCallText(Named.Op.Object, Named.Op.Arrow,
                                   Named.Op.FreeFunction, Close, Ctx);
  std::vector<FixItHint> Fixes;
  if (!Join || Call.empty() ||
      !insertStatementBefore(Join, Parents, Call + ";", Ctx, Fixes))
    return {};
  return Fixes;
}

} // namespace fanout
