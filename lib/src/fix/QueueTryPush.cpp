//===- QueueTryPush.cpp - Give a hand-written queue a push that gives up --===//
//
// A queue written in the project with neither a close nor a non-blocking
// push leaves the stop-signal fix nothing to retry. The smallest change to
// the class is a new member beside the blocking push: the same body, with
// the wait replaced by a test that returns false when the wait would sleep.
// Nothing else in the class changes, so its other users are unaffected.
//
//===----------------------------------------------------------------------===//
#include "fanout/AstHelpers.h"
#include "fanout/Edits.h"
#include "fanout/FixStrategies.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/AST/TypeLoc.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"

using namespace clang;
using namespace llvm;

namespace fanout {
namespace {

/// The text of \p Range as written.
std::string textOf(SourceRange Range, const FixContext &Fx) {
  if (Range.isInvalid() || isInMacro(Range))
    return {};
  return Lexer::getSourceText(CharSourceRange::getTokenRange(Range), Fx.SM,
                              Fx.LangOpts)
      .str();
}

/// The one expression a predicate lambda without parameters returns.
const Expr *predicateOf(const Expr *E) {
  const auto *Lambda = dyn_cast<LambdaExpr>(ignoreWrappers(E));
  if (!Lambda || Lambda->getCallOperator()->getNumParams() != 0)
    return nullptr;
  const auto *Body = dyn_cast<CompoundStmt>(Lambda->getBody());
  if (!Body || Body->size() != 1)
    return nullptr;
  const auto *Return = dyn_cast<ReturnStmt>(Body->body_front());
  return Return ? Return->getRetValue() : nullptr;
}

bool isStdSemaphore(const Expr *Object) {
  const CXXRecordDecl *Record = pointeeRecord(Object->getType());
  return Record && Record->isInStdNamespace() &&
         Record->getName().contains("semaphore");
}

/// The test that replaces the wait statement \p S of a push, the statement
/// that returns false where the wait would sleep; empty unless \p S is one
/// of the waits this knows: `cv.wait(lk, pred)`, `while (full) cv.wait(lk);`
/// and a std semaphore's `acquire()`.
std::string testReplacing(const Stmt *S, const FixContext &Fx,
                          StringRef Indent) {
  auto Refuse = [&](const std::string &Cond) {
    return Cond.empty()
               ? std::string()
               : "if (" + Cond + ")\n" + Indent.str() + "  return false;";
  };
  if (const auto *While = dyn_cast<WhileStmt>(S)) {
    const Stmt *Inner = While->getBody();
    if (const auto *Block = dyn_cast<CompoundStmt>(Inner))
      Inner = Block->size() == 1 ? Block->body_front() : nullptr;
    const auto *Wait = dyn_cast_or_null<CXXMemberCallExpr>(Inner);
    if (!Wait || calleeName(Wait) != "wait" || Wait->getNumArgs() != 1 ||
        !While->getCond())
      return {};
    return Refuse(textOf(While->getCond()->getSourceRange(), Fx));
  }
  const auto *Call = dyn_cast<CXXMemberCallExpr>(S);
  if (!Call)
    return {};
  StringRef Name = calleeName(Call);
  const Expr *Object = Call->getImplicitObjectArgument();
  if (Name == "acquire" && Call->getNumArgs() == 0 && Object &&
      isStdSemaphore(Object)) {
    const auto *Member =
        dyn_cast<MemberExpr>(Call->getCallee()->IgnoreParens());
    std::string Sem = textOf(Object->getSourceRange(), Fx);
    if (!Member || Sem.empty())
      return {};
    return Refuse("!" + Sem + (Member->isArrow() ? "->" : ".") +
                  "try_acquire()");
  }
  if (Name == "wait" && Call->getNumArgs() == 2)
    if (const Expr *Pred = predicateOf(Call->getArg(1))) {
      std::string Text = textOf(Pred->getSourceRange(), Fx);
      return Text.empty() ? std::string() : Refuse("!(" + Text + ")");
    }
  return {};
}

/// Whether \p S sleeps: a wait, a semaphore acquire, a sleep.
bool sleepsIn(const Stmt *S) {
  bool Found = false;
  auto Visit = [&](const Stmt *Node) {
    if (const auto *Call = dyn_cast<CallExpr>(Node)) {
      StringRef Name = calleeName(Call);
      Found |= Name.starts_with("wait") || Name == "acquire" ||
               Name.starts_with("sleep") || Name.contains("cond_wait");
    }
  };
  Visit(S);
  forEachDescendant(S, Visit);
  return Found;
}

/// A return of the method itself (not of a lambda inside it).
bool returnsIn(const Stmt *S) {
  bool Found = false;
  std::vector<const Stmt *> Work{S};
  while (!Work.empty() && !Found) {
    const Stmt *Node = Work.back();
    Work.pop_back();
    if (!Node || isa<LambdaExpr>(Node))
      continue;
    Found |= isa<ReturnStmt>(Node);
    for (const Stmt *Child : Node->children())
      Work.push_back(Child);
  }
  return Found;
}

/// Whether the class names its members in camelCase (`notFull`,
/// `freeSlots_`) rather than snake_case (`not_full_`).
bool namesInCamelCase(const CXXRecordDecl *Class) {
  int Camel = 0, Snake = 0;
  auto Count = [&](StringRef Name) {
    Name = Name.trim('_');
    if (Name.size() < 2 || isUppercase(Name.front()))
      return;
    if (Name.contains('_'))
      ++Snake;
    else if (any_of(Name, [](char C) { return isUppercase(C); }))
      ++Camel;
  };
  for (const CXXMethodDecl *M : Class->methods())
    if (M->getIdentifier())
      Count(M->getName());
  for (const FieldDecl *F : Class->fields())
    if (F->getIdentifier())
      Count(F->getName());
  return Camel > Snake;
}

/// `try_put`, `tryPut` or `TryPut`, as the class names its members, and
/// not yet taken.
std::string tryName(const CXXRecordDecl *Class, StringRef Push) {
  std::string Base = isUppercase(Push.front()) ? "Try" + Push.str()
                     : namesInCamelCase(Class)
                         ? "try" + std::string(1, toUppercase(Push.front())) +
                               Push.drop_front().str()
                         : "try_" + Push.str();
  auto Taken = [&](StringRef Name) {
    return any_of(Class->methods(), [&](const CXXMethodDecl *M) {
      return M->getIdentifier() && M->getName() == Name;
    });
  };
  std::string Name = Base;
  for (int I = 2; Taken(Name) && I < 100; ++I)
    Name = Base + std::to_string(I);
  return Name;
}

/// The blocking push called (an instantiation, whose statements are typed
/// and sit where the template's are), when its definition is written in its
/// class in the project's own code.
const CXXMethodDecl *writtenPush(const FixContext &Fx) {
  const QueueOperation &Op = Fx.Case.Push->Op;
  const CXXRecordDecl *Record =
      Op.Object ? pointeeRecord(Op.Object->getType()) : nullptr;
  if (!Record || !Record->hasDefinition())
    return nullptr;
  for (const CXXMethodDecl *M : Record->getDefinition()->methods()) {
    if (!M->getIdentifier() || M->getName() != Op.MethodName ||
        M->getNumParams() != Op.Call->getNumArgs())
      continue;
    const FunctionDecl *Pattern = M->getTemplateInstantiationPattern();
    const auto *Written =
        dyn_cast_or_null<CXXMethodDecl>(Pattern ? Pattern : M);
    if (!Written || !Written->doesThisDeclarationHaveABody() ||
        Written->isOutOfLine() || Written->getDescribedFunctionTemplate() ||
        !Written->getReturnType()->isVoidType() ||
        Fx.SM.isInSystemHeader(Written->getLocation()) ||
        isInMacro(Written->getSourceRange()) || !M->hasBody())
      return nullptr;
    return M;
  }
  return nullptr;
}

} // namespace

std::optional<AddedTryPush> planTryPushMethod(const FixContext &Fx) {
  const QueueApi &Api = *Fx.Case.Api;
  if (!Api.Inferred || !Api.NonBlockingPush.empty() || !Api.RetryPush.empty())
    return std::nullopt;
  const CXXMethodDecl *Push = writtenPush(Fx);
  const auto *Body =
      Push ? dyn_cast_or_null<CompoundStmt>(Push->getBody()) : nullptr;
  if (!Body || Body->body_empty() || returnsIn(Body))
    return std::nullopt;
  FunctionTypeLoc Proto = Push->getFunctionTypeLoc();
  if (!Proto)
    return std::nullopt;
  std::string Params =
      textOf(SourceRange(Proto.getLParenLoc(), Proto.getRParenLoc()), Fx);
  if (Params.empty())
    return std::nullopt;

  // The body with its one wait replaced: every other statement is copied.
  std::string Indent = indentationOf(Body->body_front()->getBeginLoc(), Fx.SM);
  std::string Statements;
  int Replaced = 0;
  for (const Stmt *S : Body->body()) {
    std::string Test = testReplacing(S, Fx, Indent);
    if (!Test.empty()) {
      ++Replaced;
      Statements += Indent + Test + "\n";
      continue;
    }
    if (sleepsIn(S))
      return std::nullopt; // Another wait this does not know.
    SourceLocation End = afterStatement(S, Fx.Ctx);
    if (End.isInvalid() || isInMacro(S->getSourceRange()))
      return std::nullopt;
    StringRef Text = Lexer::getSourceText(
        CharSourceRange::getCharRange(S->getBeginLoc(), End), Fx.SM,
        Fx.LangOpts);
    if (Text.empty())
      return std::nullopt;
    Statements += Indent + Text.str() + "\n";
  }
  if (Replaced != 1)
    return std::nullopt;

  SourceLocation After =
      Lexer::getLocForEndOfToken(Push->getEndLoc(), 0, Fx.SM, Fx.LangOpts);
  if (After.isInvalid() || After.isMacroID())
    return std::nullopt;
  std::string MethodIndent = indentationOf(Push->getBeginLoc(), Fx.SM);
  AddedTryPush Added;
  Added.Class = Push->getParent()->getNameAsString();
  Added.Name = tryName(Push->getParent(), Push->getName());
  Added.Edits.push_back(FixItHint::CreateInsertion(
      After, "\n" + MethodIndent + "// Like " + Push->getNameAsString() +
                 ", but returns false instead of waiting for room.\n" +
                 MethodIndent + "bool " + Added.Name + Params + " {\n" +
                 Statements + Indent + "return true;\n" + MethodIndent + "}"));
  return Added;
}

} // namespace fanout
