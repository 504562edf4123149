//===- AstHelpers.cpp -----------------------------------------------------===//
#include "fanout/AstHelpers.h"
#include "fanout/Compat.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Lex/Lexer.h"

using namespace clang;
using namespace llvm;

namespace fanout {

const Expr *ignoreWrappers(const Expr *E) {
  while (E) {
    const Expr *Next = E->IgnoreParenImpCasts();
    if (const auto *Temp = dyn_cast<MaterializeTemporaryExpr>(Next))
      Next = Temp->getSubExpr();
    else if (const auto *Bind = dyn_cast<CXXBindTemporaryExpr>(Next))
      Next = Bind->getSubExpr();
    else if (const auto *Cleanups = dyn_cast<ExprWithCleanups>(Next))
      Next = Cleanups->getSubExpr();
    else if (const auto *Functional = dyn_cast<CXXFunctionalCastExpr>(Next))
      Next = Functional->getSubExpr();
    else if (const auto *Construct = dyn_cast<CXXConstructExpr>(Next);
             Construct && Construct->getNumArgs() == 1 &&
             (Construct->getConstructor()->isCopyOrMoveConstructor() ||
              Construct->getConstructor()->isConvertingConstructor(false)) &&
             isa<MaterializeTemporaryExpr, CXXBindTemporaryExpr>(
                 Construct->getArg(0)))
      Next = Construct->getArg(0);
    if (Next == E)
      return E;
    E = Next;
  }
  return E;
}

StringRef calleeName(const CallExpr *Call) {
  if (const FunctionDecl *Callee = Call->getDirectCallee())
    if (const IdentifierInfo *Name = Callee->getIdentifier())
      return Name->getName();
  const Expr *Callee = Call->getCallee()->IgnoreParenImpCasts();
  if (const auto *Dependent = dyn_cast<CXXDependentScopeMemberExpr>(Callee))
    if (const IdentifierInfo *Name =
            Dependent->getMember().getAsIdentifierInfo())
      return Name->getName();
  if (const auto *Unresolved = dyn_cast<UnresolvedMemberExpr>(Callee))
    if (const IdentifierInfo *Name =
            Unresolved->getName().getAsIdentifierInfo())
      return Name->getName();
  if (const auto *Lookup = dyn_cast<UnresolvedLookupExpr>(Callee))
    if (const IdentifierInfo *Name = Lookup->getName().getAsIdentifierInfo())
      return Name->getName();
  if (const auto *Member = dyn_cast<MemberExpr>(Callee))
    if (const IdentifierInfo *Name = Member->getMemberDecl()->getIdentifier())
      return Name->getName();
  return {};
}

const Expr *calleeObject(const CallExpr *Call, bool *Arrow) {
  bool IsArrow = false;
  const Expr *Object = nullptr;
  if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Call)) {
    Object = Member->getImplicitObjectArgument();
    if (const auto *ME =
            dyn_cast<MemberExpr>(Member->getCallee()->IgnoreParens()))
      IsArrow = ME->isArrow();
  } else {
    const Expr *Callee = Call->getCallee()->IgnoreParenImpCasts();
    if (const auto *Dependent = dyn_cast<CXXDependentScopeMemberExpr>(Callee)) {
      if (!Dependent->isImplicitAccess())
        Object = Dependent->getBase();
      IsArrow = Dependent->isArrow();
    } else if (const auto *Unresolved =
                   dyn_cast<UnresolvedMemberExpr>(Callee)) {
      if (!Unresolved->isImplicitAccess())
        Object = Unresolved->getBase();
      IsArrow = Unresolved->isArrow();
    } else if (const auto *ME = dyn_cast<MemberExpr>(Callee)) {
      Object = ME->getBase();
      IsArrow = ME->isArrow();
    }
  }
  if (Arrow)
    *Arrow = IsArrow;
  return Object;
}

const CXXRecordDecl *pointeeRecord(QualType T) {
  if (T.isNull())
    return nullptr;
  T = compat::withoutSpellingSugar(T.getNonReferenceType());
  if (const auto *Pointer = T->getAs<PointerType>())
    T = Pointer->getPointeeType();
  const CXXRecordDecl *Record = T->getAsCXXRecordDecl();
  if (!Record)
    return nullptr;
  // Smart pointers: the queue is the first template argument.
  if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(Record)) {
    StringRef Name = Spec->getName();
    if ((Name == "shared_ptr" || Name == "unique_ptr") &&
        Spec->isInStdNamespace() && Spec->getTemplateArgs().size() > 0 &&
        Spec->getTemplateArgs()[0].getKind() == TemplateArgument::Type)
      return Spec->getTemplateArgs()[0].getAsType()->getAsCXXRecordDecl();
  }
  return Record;
}

/// Strips the ways of reaching an object that do not change which object it
/// is: `*p`, `p->`, `&x`, `std::ref(x)`, smart-pointer `operator->`/`*`.
const Expr *stripAccess(const Expr *E) {
  while (true) {
    E = ignoreWrappers(E);
    if (const auto *Unary = dyn_cast<UnaryOperator>(E);
        Unary &&
        (Unary->getOpcode() == UO_Deref || Unary->getOpcode() == UO_AddrOf)) {
      E = Unary->getSubExpr();
      continue;
    }
    // `static_cast<Queue *>(arg)`: a pointer handed through `void *`.
    if (const auto *Cast = dyn_cast<ExplicitCastExpr>(E);
        Cast && Cast->getType()->isPointerType()) {
      E = Cast->getSubExpr();
      continue;
    }
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
        Op && (Op->getOperator() == OO_Arrow || Op->getOperator() == OO_Star) &&
        Op->getNumArgs() == 1) {
      E = Op->getArg(0);
      continue;
    }
    if (const auto *Call = dyn_cast<CallExpr>(E)) {
      // std::ref / std::cref / std::move / .get() keep the object.
      StringRef Name = calleeName(Call);
      if (const FunctionDecl *Callee = Call->getDirectCallee();
          Callee && Callee->isInStdNamespace() && Call->getNumArgs() == 1 &&
          (Name == "ref" || Name == "cref" || Name == "move" ||
           Name == "addressof" || Name == "forward")) {
        E = Call->getArg(0);
        continue;
      }
      if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Call);
          Member && Name == "get" && Call->getNumArgs() == 0 &&
          pointeeRecord(Member->getImplicitObjectArgument()->getType()) !=
              nullptr) {
        E = Member->getImplicitObjectArgument();
        continue;
      }
    }
    return E;
  }
}

/// The object a copy or move construction copies (`q_(std::move(q))` of a
/// smart pointer), or \p E.
static const Expr *copiedFrom(const Expr *E) {
  const auto *Construct = dyn_cast_or_null<CXXConstructExpr>(ignoreWrappers(E));
  if (Construct && Construct->getNumArgs() == 1 &&
      Construct->getConstructor()->isCopyOrMoveConstructor())
    return Construct->getArg(0);
  return E;
}

/// What \p Holder's initialiser gives its member \p Field: an aggregate's
/// element (`Ctx c{q}`, `new Job{&q}`, `Ctx c(q)`), or the constructor
/// argument a member initialiser stores (`Ctx(Q &q) : q_(q)`).
const Expr *memberInitializer(const VarDecl *Holder, const FieldDecl *Field) {
  // The holder must be of the field's own class: a derived struct's
  // initialiser lists its bases first.
  const CXXRecordDecl *Record = pointeeRecord(Holder->getType());
  const RecordDecl *Parent = Field->getParent();
  if (isa<ParmVarDecl>(Holder) || !Record || !Parent ||
      Record->getCanonicalDecl() != Parent->getCanonicalDecl() ||
      Parent->isUnion() || Parent->isInvalidDecl())
    return nullptr;
  const Expr *Init = ignoreWrappers(Holder->getInit());
  if (const auto *New = dyn_cast_or_null<CXXNewExpr>(Init))
    Init = ignoreWrappers(New->getInitializer());
  if (!Init)
    return nullptr;
  unsigned Index = Field->getFieldIndex();
  if (const auto *List = dyn_cast<InitListExpr>(Init)) {
    if (const InitListExpr *Semantic = List->getSemanticForm())
      List = Semantic;
    return Index < List->getNumInits() ? List->getInit(Index) : nullptr;
  }
  if (const auto *Parens = dyn_cast<CXXParenListInitExpr>(Init)) {
    ArrayRef<Expr *> Inits = Parens->getInitExprs();
    return Index < Inits.size() ? Inits[Index] : nullptr;
  }
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(Init)) {
    const CXXConstructorDecl *Ctor = Construct->getConstructor();
    if (!Ctor)
      return nullptr;
    for (const CXXCtorInitializer *MemberInit : Ctor->inits())
      if (MemberInit->getMember() == Field && MemberInit->getInit())
        if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(
                stripAccess(copiedFrom(MemberInit->getInit()))))
          if (const auto *Param = dyn_cast<ParmVarDecl>(Ref->getDecl()))
            if (Param->getFunctionScopeIndex() < Construct->getNumArgs())
              return Construct->getArg(Param->getFunctionScopeIndex());
  }
  return nullptr;
}

const ValueDecl *resolveObject(const Expr *E, const ParamBindings *Bindings) {
  // A bounded walk: each step follows one initialiser or binding.
  for (int Steps = 0; E && Steps < 16; ++Steps) {
    E = stripAccess(E);
    if (const auto *Member = dyn_cast<MemberExpr>(E)) {
      const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
      if (!Field)
        return nullptr;
      // A function object's field given a value at the spawn.
      if (Bindings &&
          isa<CXXThisExpr>(Member->getBase()->IgnoreParenImpCasts()))
        if (auto It = Bindings->find(Field); It != Bindings->end()) {
          E = It->second;
          Bindings = nullptr;
          continue;
        }
      // `ctx.q` / `job->out`, where a local struct was made to refer to the
      // queue (`Ctx ctx{q}`, `new Job{&q}`): the queue it was given.
      QualType FieldType = Field->getType();
      if ((FieldType->isReferenceType() || FieldType->isPointerType()) &&
          !isa<CXXThisExpr>(Member->getBase()->IgnoreParenImpCasts()))
        if (const auto *Holder = dyn_cast_or_null<VarDecl>(
                resolveObject(Member->getBase(), Bindings)))
          if (const Expr *Init = memberInitializer(Holder, Field)) {
            E = Init;
            continue;
          }
      // `this->q_` or `obj.q_`: the field identifies it within one function.
      return cast<FieldDecl>(Field->getCanonicalDecl());
    }
    const auto *Ref = dyn_cast<DeclRefExpr>(E);
    if (!Ref)
      return nullptr;
    const ValueDecl *Decl = Ref->getDecl();
    if (const auto *Param = dyn_cast<ParmVarDecl>(Decl)) {
      if (Bindings) {
        auto It = Bindings->find(Param);
        if (It != Bindings->end()) {
          E = It->second;
          Bindings = nullptr; // The argument lives in the spawner's scope.
          continue;
        }
      }
      return Param;
    }
    const auto *Var = dyn_cast<VarDecl>(Decl);
    if (!Var)
      return nullptr;
    QualType T = Var->getType();
    bool Aliases = T->isReferenceType() || T->isPointerType() ||
                   (pointeeRecord(T) && T->getAsCXXRecordDecl() &&
                    T->getAsCXXRecordDecl() != pointeeRecord(T));
    const Expr *Init = Var->getInit();
    if (Var->isInitCapture() && Init) {
      E = Init;
      continue;
    }
    // Follow aliases whose initialiser names another object (`auto &q = *p`,
    // `auto *p = &q`, `auto sp = other_sp`); a smart pointer made here is the
    // queue's own identity.
    if (Aliases && Init && !isa_and_nonnull<CallExpr>(ignoreWrappers(Init)) &&
        !isa_and_nonnull<CXXNewExpr>(ignoreWrappers(Init)) &&
        !isa_and_nonnull<CXXConstructExpr>(ignoreWrappers(Init))) {
      const ValueDecl *Target = resolveObject(Init, Bindings);
      if (Target)
        return Target;
    }
    return cast<ValueDecl>(Var->getCanonicalDecl());
  }
  return nullptr;
}

static void walk(const Stmt *S, function_ref<void(const Stmt *)> Visit) {
  for (const Stmt *Child : S->children()) {
    if (!Child)
      continue;
    Visit(Child);
    if (isa<LambdaExpr, BlockExpr>(Child))
      continue;
    if (const auto *DS = dyn_cast<DeclStmt>(Child)) {
      // Local classes run elsewhere; variable initialisers run here.
      for (const Decl *D : DS->decls())
        if (const auto *Var = dyn_cast<VarDecl>(D))
          if (const Expr *Init = Var->getInit()) {
            Visit(Init);
            walk(Init, Visit);
          }
      continue;
    }
    walk(Child, Visit);
  }
}

void forEachDescendant(const Stmt *S, function_ref<void(const Stmt *)> Visit) {
  if (S)
    walk(S, Visit);
}

bool containsErrors(const Stmt *S) {
  if (!S)
    return false;
  // Expressions carry the flag for their whole subtree.
  if (const auto *E = dyn_cast<Expr>(S))
    return E->containsErrors();
  for (const Stmt *Child : S->children())
    if (Child && containsErrors(Child))
      return true;
  return false;
}

bool isInMacro(SourceRange Range) {
  return Range.getBegin().isMacroID() || Range.getEnd().isMacroID();
}

const Expr *writtenBy(const Stmt *S) {
  if (const auto *Assign = dyn_cast_or_null<BinaryOperator>(S);
      Assign && Assign->isAssignmentOp())
    return Assign->getLHS();
  if (const auto *Unary = dyn_cast_or_null<UnaryOperator>(S);
      Unary && Unary->isIncrementDecrementOp())
    return Unary->getSubExpr();
  if (const auto *Op = dyn_cast_or_null<CXXOperatorCallExpr>(S);
      Op && Op->getNumArgs() > 0 &&
      (Op->isAssignmentOp() || Op->getOperator() == OO_PlusPlus ||
       Op->getOperator() == OO_MinusMinus))
    return Op->getArg(0);
  return nullptr;
}

const Expr *assignmentTarget(const Stmt *S, const Expr *&Value) {
  if (const auto *Assign = dyn_cast_or_null<BinaryOperator>(S);
      Assign && Assign->getOpcode() == BO_Assign) {
    Value = Assign->getRHS();
    return Assign->getLHS();
  }
  if (const auto *Op = dyn_cast_or_null<CXXOperatorCallExpr>(S);
      Op && Op->getOperator() == OO_Equal && Op->getNumArgs() == 2) {
    Value = Op->getArg(1);
    return Op->getArg(0);
  }
  return nullptr;
}

const Expr *assignedToField(const Stmt *S, const VarDecl *Var,
                            const FieldDecl *Field, bool OfElement) {
  const Expr *Value = nullptr;
  const Expr *Target = assignmentTarget(S, Value);
  const auto *Member =
      dyn_cast_or_null<MemberExpr>(Target ? ignoreWrappers(Target) : nullptr);
  if (!Member || (Field && Member->getMemberDecl()->getCanonicalDecl() !=
                               Field->getCanonicalDecl()))
    return nullptr;
  const Expr *Base = ignoreWrappers(Member->getBase());
  if (OfElement) {
    if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(Base))
      Base = ignoreWrappers(Subscript->getBase());
    else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Base);
             Op && Op->getOperator() == OO_Subscript)
      Base = ignoreWrappers(Op->getArg(0));
    else
      return nullptr;
  }
  const auto *Ref = dyn_cast<DeclRefExpr>(Base);
  return Ref && Ref->getDecl() == Var ? Value : nullptr;
}

std::string sourceText(const Expr *E, const ASTContext &Ctx) {
  if (!E || isInMacro(E->getSourceRange()))
    return {};
  return Lexer::getSourceText(
             CharSourceRange::getTokenRange(E->getSourceRange()),
             Ctx.getSourceManager(), Ctx.getLangOpts())
      .str();
}

std::optional<int64_t> evaluateInt(const Expr *E, const ASTContext &Ctx) {
  if (!E)
    return std::nullopt;
  // An enumerator of a class template's enum is known in the template too.
  if (const auto *Ref = dyn_cast<DeclRefExpr>(ignoreWrappers(E)))
    if (const auto *Enumerator = dyn_cast<EnumConstantDecl>(Ref->getDecl()))
      return Enumerator->getInitVal().getExtValue();
  if (E->isValueDependent() || E->isTypeDependent() || E->containsErrors())
    return std::nullopt;
  if (std::optional<llvm::APSInt> Value = E->getIntegerConstantExpr(Ctx))
    return Value->getExtValue();
  return std::nullopt;
}

bool isLoop(const Stmt *S) {
  return isa<WhileStmt, DoStmt, ForStmt, CXXForRangeStmt>(S);
}

const Stmt *enclosingLoop(const Stmt *S, const ParentMap &Parents) {
  for (const Stmt *P = Parents.getParent(S); P; P = Parents.getParent(P))
    if (isLoop(P))
      return P;
  return nullptr;
}

bool contains(const Stmt *Outer, const Stmt *Inner) {
  if (!Outer || !Inner)
    return false;
  if (Outer == Inner)
    return true;
  SourceRange O = Outer->getSourceRange(), I = Inner->getSourceRange();
  if (O.isInvalid() || I.isInvalid())
    return false;
  bool Found = false;
  forEachDescendant(Outer, [&](const Stmt *S) { Found |= S == Inner; });
  return Found;
}

bool isStopToken(QualType T) {
  const auto *Record = T.getNonReferenceType()->getAsCXXRecordDecl();
  return Record && Record->getName() == "stop_token" &&
         Record->isInStdNamespace();
}

/// The variable whose stop request reaches the token \p Token: the
/// stop_source of `source.get_token()` (directly or through a token
/// variable initialised so), or the token parameter itself.
const ValueDecl *stopOwnerOf(const Expr *Token) {
  Token = ignoreWrappers(Token);
  if (const auto *Copy = dyn_cast<CXXConstructExpr>(Token))
    return Copy->getNumArgs() == 1 &&
                   Copy->getConstructor()->isCopyOrMoveConstructor()
               ? stopOwnerOf(Copy->getArg(0))
               : nullptr;
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(Token)) {
    const CXXMethodDecl *Method = Call->getMethodDecl();
    if (!Method || Method->getName() != "get_token")
      return nullptr;
    if (const auto *Ref = dyn_cast<DeclRefExpr>(
            ignoreWrappers(Call->getImplicitObjectArgument())))
      return Ref->getDecl();
    if (const auto *Member = dyn_cast<MemberExpr>(
            ignoreWrappers(Call->getImplicitObjectArgument())))
      return Member->getMemberDecl();
    return nullptr;
  }
  const auto *Ref = dyn_cast<DeclRefExpr>(Token);
  if (!Ref)
    return nullptr;
  if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
      Var && !isa<ParmVarDecl>(Var) && Var->getInit())
    if (const ValueDecl *Source = stopOwnerOf(Var->getInit()))
      return Source;
  return Ref->getDecl();
}

const CXXRecordDecl *classOf(const FunctionDecl *F) {
  const auto *Method = dyn_cast_or_null<CXXMethodDecl>(F);
  if (!Method)
    return nullptr;
  const CXXRecordDecl *Class = Method->getParent();
  while (Class && Class->isLambda()) {
    const auto *Outer = dyn_cast_or_null<CXXMethodDecl>(
        dyn_cast<Decl>(Class->getDeclContext()));
    Class = Outer ? Outer->getParent() : nullptr;
  }
  return Class ? Class->getCanonicalDecl() : nullptr;
}

} // namespace fanout
