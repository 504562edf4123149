//===- StoredErrorWake.cpp - A pop that wakes on the error it is handed ---===//
//
// Three edits to the queue's own class, none of which changes what happens
// while no error is stored: the pop's wait also ends on the error, the pop
// rethrows it once awake, and the methods that store it notify the
// condition variable the pop sleeps on.
//
//===----------------------------------------------------------------------===//
#include "fanout/AstHelpers.h"
#include "fanout/Edits.h"
#include "fanout/StoredErrorFix.h"
#include "fanout/Summaries.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ParentMap.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"

using namespace clang;
using namespace llvm;

namespace fanout {
namespace {

/// The method with a body to read, when that body is the project's own
/// code: an instantiation, whose statements are typed (a template's call
/// with a lambda argument is not resolved) and sit where the template's are;
/// else the method as written.
const CXXMethodDecl *writtenMethod(const CXXMethodDecl *M,
                                   const SourceManager &SM) {
  if (!M)
    return nullptr;
  const FunctionDecl *Pattern = M->getTemplateInstantiationPattern();
  const auto *Written = dyn_cast_or_null<CXXMethodDecl>(Pattern ? Pattern : M);
  if (!Written || !Written->doesThisDeclarationHaveABody() ||
      SM.isInSystemHeader(Written->getLocation()) ||
      isInMacro(Written->getSourceRange()))
    return nullptr;
  return M->hasBody() && M->getBody() ? M : Written;
}

const CXXMethodDecl *methodNamed(const CXXRecordDecl *Class, StringRef Name,
                                 const SourceManager &SM) {
  for (const Decl *D : Class->decls()) {
    const auto *M = dyn_cast<CXXMethodDecl>(D);
    if (M && M->getIdentifier() && M->getName() == Name)
      return writtenMethod(M, SM);
  }
  return nullptr;
}

/// A condition-variable wait of the pop: `while (cond) cv.wait(lk);` or
/// `cv.wait(lk, [&] { return pred; });`, a statement of a block.
struct PopWait {
  const Stmt *Statement = nullptr;
  const CXXMemberCallExpr *Call = nullptr;
  const Expr *LoopCondition = nullptr;
  const LambdaExpr *Predicate = nullptr;
};

const CXXMemberCallExpr *asWait(const Stmt *S, unsigned Args) {
  if (const auto *Block = dyn_cast_or_null<CompoundStmt>(S))
    S = Block->size() == 1 ? Block->body_front() : nullptr;
  const auto *Call = dyn_cast_or_null<CXXMemberCallExpr>(S);
  if (!Call || calleeName(Call) != "wait" || Call->getNumArgs() != Args)
    return nullptr;
  return Call;
}

/// The pop's one wait; none when it has another or none.
std::optional<PopWait> popWaitOf(const CXXMethodDecl *Pop) {
  std::optional<PopWait> Found;
  bool Several = false;
  auto Visit = [&](const Stmt *S) {
    PopWait W;
    if (const auto *While = dyn_cast<WhileStmt>(S)) {
      W.Call = asWait(While->getBody(), 1);
      W.LoopCondition = While->getCond();
      W.Statement = While;
    } else if (const auto *Call = asWait(S, 2)) {
      W.Call = Call;
      W.Statement = Call;
      W.Predicate = dyn_cast<LambdaExpr>(ignoreWrappers(Call->getArg(1)));
      if (!W.Predicate)
        W.Call = nullptr;
    } else if (const auto *Call = dyn_cast<CallExpr>(S);
               Call && calleeName(Call).starts_with("wait")) {
      Several |= !Found || Found->Call != Call;
      return;
    }
    if (!W.Call)
      return;
    Several |= Found.has_value();
    Found = W;
  };
  forEachDescendant(Pop->getBody(), Visit);
  if (Several || !Found || Found->Call->getImplicitObjectArgument() == nullptr)
    return std::nullopt;
  return Found;
}

SourceLocation endOf(const Expr *E, const ASTContext &Ctx) {
  return Lexer::getLocForEndOfToken(E->getEndLoc(), 0, Ctx.getSourceManager(),
                                    Ctx.getLangOpts());
}

/// The edits that make \p Wait also end on \p Error (the member's name).
bool wakeOnError(const PopWait &Wait, StringRef Error, const ASTContext &Ctx,
                 std::vector<FixItHint> &Out) {
  if (const Expr *Cond = Wait.LoopCondition) {
    // `while (!(a || b))` reads best as `while (!(error_ || a || b))`.
    const auto *Not = dyn_cast<UnaryOperator>(Cond->IgnoreImplicit());
    if (const auto *Paren =
            Not && Not->getOpcode() == UO_LNot
                ? dyn_cast<ParenExpr>(Not->getSubExpr()->IgnoreImplicit())
                : nullptr) {
      Out.push_back(FixItHint::CreateInsertion(
          Paren->getSubExpr()->getBeginLoc(), (Error + " || ").str()));
      return true;
    }
    Out.push_back(FixItHint::CreateInsertion(Cond->getBeginLoc(),
                                             ("!" + Error + " && (").str()));
    Out.push_back(FixItHint::CreateInsertion(endOf(Cond, Ctx), ")"));
    return true;
  }
  const LambdaExpr *Lambda = Wait.Predicate;
  bool SeesThis = Lambda->getCaptureDefault() != LCD_None ||
                  any_of(Lambda->captures(), [](const LambdaCapture &C) {
                    return C.capturesThis();
                  });
  const auto *Body = dyn_cast<CompoundStmt>(Lambda->getBody());
  const auto *Return = Body && Body->size() == 1
                           ? dyn_cast<ReturnStmt>(Body->body_front())
                           : nullptr;
  const Expr *Pred = Return ? Return->getRetValue() : nullptr;
  if (!SeesThis || !Pred || Lambda->getCallOperator()->getNumParams() != 0)
    return false;
  Out.push_back(
      FixItHint::CreateInsertion(Pred->getBeginLoc(), (Error + " || (").str()));
  Out.push_back(FixItHint::CreateInsertion(endOf(Pred, Ctx), ")"));
  return true;
}

/// The statement of \p Setter that stores \p Error, a statement of a block.
const Stmt *storeOf(const CXXMethodDecl *Setter, const FieldDecl *Error) {
  const Stmt *Found = nullptr;
  forEachDescendant(Setter->getBody(), [&](const Stmt *S) {
    const auto *Target = dyn_cast_or_null<Expr>(writtenBy(S));
    const auto *Member =
        Target ? dyn_cast<MemberExpr>(ignoreWrappers(Target)) : nullptr;
    if (!Found && Member &&
        Member->getMemberDecl()->getName() == Error->getName())
      Found = S;
  });
  return Found;
}

bool notifiesIn(const Stmt *Body) {
  bool Found = false;
  forEachDescendant(Body, [&](const Stmt *S) {
    if (const auto *Call = dyn_cast<CallExpr>(S))
      Found |= calleeName(Call).starts_with("notify");
  });
  return Found;
}

/// Appends the statement \p Code after \p S, a statement of a block, on a
/// line of its own at \p S's indentation.
bool insertAfter(const Stmt *S, const ParentMap &Parents, StringRef Code,
                 const ASTContext &Ctx, std::vector<FixItHint> &Out) {
  if (!isa_and_nonnull<CompoundStmt>(Parents.getParent(S)))
    return false;
  SourceLocation After = afterStatement(S, Ctx);
  if (After.isInvalid() || After.isMacroID())
    return false;
  std::string Indent = indentationOf(S->getBeginLoc(), Ctx.getSourceManager());
  Out.push_back(FixItHint::CreateInsertion(After, "\n" + Indent + Code.str()));
  return true;
}

} // namespace

std::vector<FixItHint> planStoredErrorWake(const CallExpr *PopCall,
                                           const QueueApi &Api, Summaries &S) {
  const ASTContext &Ctx = S.context();
  const SourceManager &SM = Ctx.getSourceManager();
  const auto *Call = dyn_cast_or_null<CXXMemberCallExpr>(PopCall);
  const FieldDecl *Error = Api.StoredErrorField;
  if (!Call || !Error || !Error->getIdentifier() || !Api.Inferred)
    return {};
  const CXXMethodDecl *Pop = writtenMethod(Call->getMethodDecl(), SM);
  if (!Pop)
    return {};
  const CXXRecordDecl *Class = Pop->getParent();
  std::optional<PopWait> Wait = popWaitOf(Pop);
  if (!Wait)
    return {};
  std::string Condition =
      sourceText(Wait->Call->getImplicitObjectArgument(), Ctx);
  if (Condition.empty())
    return {};
  StringRef Name = Error->getName();
  std::vector<FixItHint> Edits;
  std::string Indent = indentationOf(Wait->Statement->getBeginLoc(), SM);
  if (!wakeOnError(*Wait, Name, Ctx, Edits) ||
      !insertAfter(Wait->Statement, S.parents(Pop),
                   ("if (" + Name + ")\n" + Indent +
                    "  std::rethrow_exception(" + Name + ");")
                       .str(),
                   Ctx, Edits))
    return {};
  for (const std::string &Method : Api.StoreError) {
    const CXXMethodDecl *Setter = methodNamed(Class, Method, SM);
    const Stmt *Store = Setter ? storeOf(Setter, Error) : nullptr;
    if (!Store)
      return {};
    if (!notifiesIn(Setter->getBody()) &&
        !insertAfter(Store, S.parents(Setter), Condition + ".notify_all();",
                     Ctx, Edits))
      return {};
  }
  return Edits;
}

} // namespace fanout
