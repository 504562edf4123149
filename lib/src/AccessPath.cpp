//===- AccessPath.cpp - Paths to objects, and their substitution ----------===//
#include "fanout/AccessPath.h"
#include "fanout/AstHelpers.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "llvm/Support/raw_ostream.h"

using namespace clang;
using namespace llvm;

namespace fanout {

AccessPath AccessPath::param(unsigned Index) {
  AccessPath P;
  P.Kind = BaseKind::Param;
  P.Index = Index;
  return P;
}

AccessPath AccessPath::thisObject() {
  AccessPath P;
  P.Kind = BaseKind::This;
  return P;
}

AccessPath AccessPath::var(const ValueDecl *Var) {
  AccessPath P;
  if (!Var)
    return P;
  P.Kind = BaseKind::Var;
  if (const auto *Value = dyn_cast<VarDecl>(Var))
    Var = Value->getCanonicalDecl();
  P.Var = Var;
  return P;
}

AccessPath AccessPath::withField(const FieldDecl *Field) const {
  AccessPath P = *this;
  if (!valid())
    return P;
  // Bounded: a path through a recursive structure is cut off.
  if (P.Fields.size() >= 6) {
    P.Kind = BaseKind::None;
    return P;
  }
  P.Fields.push_back(Field ? Field->getCanonicalDecl() : nullptr);
  return P;
}

AccessPath AccessPath::withFields(ArrayRef<const FieldDecl *> More) const {
  AccessPath P = *this;
  for (const FieldDecl *Field : More)
    P = P.withField(Field);
  return P;
}

bool AccessPath::startsWith(const AccessPath &Prefix) const {
  return Kind == Prefix.Kind && Index == Prefix.Index && Var == Prefix.Var &&
         Fields.size() >= Prefix.Fields.size() &&
         std::equal(Prefix.Fields.begin(), Prefix.Fields.end(), Fields.begin());
}

ArrayRef<const FieldDecl *>
AccessPath::fieldsAfter(const AccessPath &Prefix) const {
  return ArrayRef<const FieldDecl *>(Fields).drop_front(Prefix.Fields.size());
}

const ValueDecl *AccessPath::leafDecl() const {
  for (auto It = Fields.rbegin(); It != Fields.rend(); ++It)
    if (*It)
      return *It;
  return Kind == BaseKind::Var ? Var : nullptr;
}

hash_code AccessPath::hash() const {
  return hash_combine(static_cast<int>(Kind), Index, Var,
                      hash_combine_range(Fields.begin(), Fields.end()));
}

std::string AccessPath::str() const {
  std::string Out;
  raw_string_ostream OS(Out);
  switch (Kind) {
  case BaseKind::None:
    OS << "<none>";
    break;
  case BaseKind::Param:
    OS << "param" << Index;
    break;
  case BaseKind::This:
    OS << "this";
    break;
  case BaseKind::Var:
    if (const auto *Named = dyn_cast_or_null<NamedDecl>(Var);
        Named && Named->getIdentifier())
      OS << Named->getName();
    else
      OS << "<var>";
    break;
  }
  for (const FieldDecl *Field : Fields)
    OS << "." << (Field && Field->getIdentifier() ? Field->getName() : "[]");
  return Out;
}

bool isLocalTo(const ValueDecl *Var, const FunctionDecl *F) {
  if (!Var || !F)
    return false;
  const DeclContext *Context = Var->getDeclContext();
  if (const auto *Value = dyn_cast<VarDecl>(Var);
      Value && !Value->hasLocalStorage() && !isa<ParmVarDecl>(Value))
    return false; // Globals and statics are visible to every caller.
  for (; Context; Context = Context->getParent())
    if (const auto *Function = dyn_cast<FunctionDecl>(Context))
      return Function->getCanonicalDecl() == F->getCanonicalDecl();
  return false;
}

namespace {

/// The range a range-for's loop variable walks: the loop variable is
/// `*__begin`, `__begin` is `__range.begin()`, `__range` is the range.
const Expr *rangeOfLoopVariable(const VarDecl *Var) {
  if (!Var->isCXXForRangeDecl() || !Var->getInit())
    return nullptr;
  auto ImplicitVar = [](const Expr *E) -> const VarDecl * {
    const VarDecl *Found = nullptr;
    auto Visit = [&](const Stmt *S) {
      if (const auto *Ref = dyn_cast<DeclRefExpr>(S))
        if (const auto *V = dyn_cast<VarDecl>(Ref->getDecl());
            V && V->isImplicit() && !Found)
          Found = V;
    };
    Visit(E);
    forEachDescendant(E, Visit);
    return Found;
  };
  const VarDecl *Begin = ImplicitVar(Var->getInit());
  if (!Begin || !Begin->getInit())
    return nullptr;
  const VarDecl *Range = ImplicitVar(Begin->getInit());
  if (!Range || !Range->getInit())
    return nullptr;
  return Range->getInit();
}

/// The field a one-line getter returns (`Q &queue() { return q_; }`), as a
/// path in the getter's own terms.
AccessPath getterPath(const FunctionDecl *Getter, int Depth);

AccessPath pathAt(const Expr *E, const FunctionDecl *F, int Depth) {
  if (!E || Depth > 4)
    return {};
  E = stripAccess(E);
  // A copy of a smart pointer (an argument passed by value) points to the
  // same object.
  if (const auto *Copy = dyn_cast<CXXConstructExpr>(E);
      Copy && Copy->getNumArgs() == 1 &&
      Copy->getConstructor()->isCopyOrMoveConstructor() &&
      pointeeRecord(Copy->getType()) &&
      pointeeRecord(Copy->getType()) != Copy->getType()->getAsCXXRecordDecl())
    return pathAt(Copy->getArg(0), F, Depth + 1);
  if (isa<CXXThisExpr>(E))
    return AccessPath::thisObject();
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
    const ValueDecl *Decl = Ref->getDecl();
    if (const auto *Param = dyn_cast<ParmVarDecl>(Decl)) {
      if (F && isLocalTo(Param, F))
        return AccessPath::param(Param->getFunctionScopeIndex());
      return AccessPath::var(Param);
    }
    const auto *Var = dyn_cast<VarDecl>(Decl);
    if (!Var)
      return {};
    const Expr *Init = Var->getInit();
    if (Var->isInitCapture() && Init)
      return pathAt(Init, F, Depth + 1);
    // `for (auto &q : queues)`: each element of the container in turn.
    if (const Expr *Range = rangeOfLoopVariable(Var))
      return pathAt(Range, F, Depth + 1).withField(nullptr);
    // A local reference or pointer (or a copy of a smart pointer) made to
    // refer to another object is that object; a smart pointer or object
    // made here is an object of its own.
    QualType T = Var->getType();
    bool Aliases = T->isReferenceType() || T->isPointerType() ||
                   (pointeeRecord(T) && T->getAsCXXRecordDecl() &&
                    T->getAsCXXRecordDecl() != pointeeRecord(T));
    if (Aliases && Init && Var->hasLocalStorage() && !isa<ParmVarDecl>(Var)) {
      const Expr *Plain = ignoreWrappers(Init);
      if (!isa_and_nonnull<CXXNewExpr, CXXConstructExpr>(Plain)) {
        AccessPath Target = pathAt(Init, F, Depth + 1);
        if (Target.valid())
          return Target;
      }
    }
    return AccessPath::var(Var);
  }
  if (const auto *Member = dyn_cast<MemberExpr>(E)) {
    if (const auto *Static = dyn_cast<VarDecl>(Member->getMemberDecl()))
      return AccessPath::var(Static);
    const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
    if (!Field)
      return {};
    AccessPath Base = pathAt(Member->getBase(), F, Depth + 1);
    return Base.withField(Field);
  }
  // `queues[i]`, `queues.at(i)`, `queues.front()`: an element.
  if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(E))
    return pathAt(Subscript->getBase(), F, Depth + 1).withField(nullptr);
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
      Op && Op->getOperator() == OO_Subscript && Op->getNumArgs() == 2)
    return pathAt(Op->getArg(0), F, Depth + 1).withField(nullptr);
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E)) {
    const CXXMethodDecl *Method = Call->getMethodDecl();
    if (!Method)
      return {};
    StringRef Name = Method->getIdentifier() ? Method->getName() : "";
    const Expr *Object = Call->getImplicitObjectArgument();
    if (Method->getParent()->isInStdNamespace()) {
      if (Name == "at" || Name == "front" || Name == "back")
        return pathAt(Object, F, Depth + 1).withField(nullptr);
      return {};
    }
    // A getter of the user's: what it returns, seen from here.
    AccessPath Inner = getterPath(Method, Depth + 1);
    if (!Inner.valid())
      return {};
    CallBindings Bindings = bindingsAt(Call, Method, F);
    return substitute(Inner, Bindings, Method);
  }
  return {};
}

AccessPath getterPath(const FunctionDecl *Getter, int Depth) {
  const FunctionDecl *Def = Getter ? Getter->getDefinition() : nullptr;
  const auto *Body =
      Def ? dyn_cast_or_null<CompoundStmt>(Def->getBody()) : nullptr;
  if (!Body || Body->size() != 1)
    return {};
  QualType Result = Def->getReturnType();
  if (!Result->isReferenceType() && !Result->isPointerType() &&
      !(pointeeRecord(Result) &&
        pointeeRecord(Result) != Result->getAsCXXRecordDecl()))
    return {};
  const auto *Return = dyn_cast<ReturnStmt>(Body->body_front());
  if (!Return || !Return->getRetValue())
    return {};
  return pathAt(Return->getRetValue(), Def, Depth);
}

} // namespace

AccessPath pathOf(const Expr *E, const FunctionDecl *F) {
  return pathAt(E, F, 0);
}

CallBindings bindingsAt(const CallExpr *Call, const FunctionDecl *Callee,
                        const FunctionDecl *Caller) {
  CallBindings B;
  B.Caller = Caller;
  if (!Call || !Callee)
    return B;
  unsigned FirstArg = 0;
  const auto *Method = dyn_cast<CXXMethodDecl>(Callee);
  if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Call)) {
    const Expr *Object = Member->getImplicitObjectArgument();
    B.This = Object ? pathOf(Object, Caller) : AccessPath::thisObject();
  } else if (isa<CXXOperatorCallExpr>(Call) && Method && Method->isInstance() &&
             Call->getNumArgs() > 0) {
    // `worker()` on a function object or lambda: the object is argument 0.
    B.This = pathOf(Call->getArg(0), Caller);
    FirstArg = 1;
  }
  for (unsigned I = 0; I < Callee->getNumParams(); ++I) {
    unsigned Arg = FirstArg + I;
    B.Params.push_back(Arg < Call->getNumArgs() &&
                               !isa<CXXDefaultArgExpr>(Call->getArg(Arg))
                           ? pathOf(Call->getArg(Arg), Caller)
                           : AccessPath());
    // An aggregate built for the call: what each of its fields refers to.
    if (Arg < Call->getNumArgs())
      if (const auto *List =
              dyn_cast<InitListExpr>(ignoreWrappers(Call->getArg(Arg)))) {
        const InitListExpr *Semantic =
            List->isSemanticForm() ? List : List->getSemanticForm();
        const CXXRecordDecl *Record =
            Semantic ? Semantic->getType()->getAsCXXRecordDecl() : nullptr;
        if (Record && Record->hasDefinition())
          for (const FieldDecl *Field : Record->fields())
            if (Field->getFieldIndex() < Semantic->getNumInits())
              B.ParamFields.push_back(
                  {I, Field, Semantic->getInit(Field->getFieldIndex())});
      }
  }
  return B;
}

AccessPath substitute(const AccessPath &Inner, const CallBindings &Bindings,
                      const FunctionDecl *Callee) {
  switch (Inner.base()) {
  case AccessPath::BaseKind::None:
    return {};
  case AccessPath::BaseKind::Param:
    if (Inner.paramIndex() >= Bindings.Params.size())
      return {};
    if (!Inner.fields().empty())
      for (const CallBindings::ParamField &Given : Bindings.ParamFields)
        if (Given.Param == Inner.paramIndex() &&
            Given.Field->getCanonicalDecl() == Inner.fields().front()) {
          AccessPath Target = pathOf(Given.Init, Bindings.Caller);
          if (Target.valid())
            return Target.withFields(Inner.fields().drop_front());
        }
    return Bindings.Params[Inner.paramIndex()].withFields(Inner.fields());
  case AccessPath::BaseKind::This: {
    // A function object's field that was given a value where it was built.
    if (!Inner.fields().empty())
      for (const auto &[Field, Init] : Bindings.ThisFields)
        if (Field->getCanonicalDecl() == Inner.fields().front()) {
          AccessPath Given = pathOf(Init, Bindings.Caller);
          if (Given.valid())
            return Given.withFields(Inner.fields().drop_front());
        }
    if (!Inner.fields().empty())
      for (const auto &[Field, Given] : Bindings.ThisFieldPaths)
        if (Field->getCanonicalDecl() == Inner.fields().front() &&
            Given.valid())
          return Given.withFields(Inner.fields().drop_front());
    if (!Bindings.This.valid())
      return {};
    return Bindings.This.withFields(Inner.fields());
  }
  case AccessPath::BaseKind::Var:
    // The callee's own locals mean nothing to the caller.
    if (isLocalTo(Inner.variable(), Callee))
      return {};
    return Inner;
  }
  return {};
}

/// The path every assignment to \p Field of \p Holder (of each of its
/// elements, when \p OfElement) in the function declaring it gives the
/// field: `w.queue = &q;`, `info[i].queue = &q;` in the loop that fills the
/// thread arguments. Invalid when there is none or two disagree.
static AccessPath assignedMember(const VarDecl *Holder, const FieldDecl *Field,
                                 bool OfElement, const FunctionDecl *Frame) {
  const auto *Declaring =
      dyn_cast_or_null<FunctionDecl>(Holder->getParentFunctionOrMethod());
  if (!Declaring || !Declaring->hasBody())
    return {};
  AccessPath Given;
  bool Agree = true;
  forEachDescendant(Declaring->getBody(), [&](const Stmt *S) {
    const Expr *Value =
        Agree ? assignedToField(S, Holder, Field, OfElement) : nullptr;
    if (!Value)
      return;
    AccessPath Target = pathOf(Value, Frame);
    if (!Target.valid() || (Given.valid() && Given != Target))
      Agree = false;
    Given = Target;
  });
  return Agree ? Given : AccessPath();
}

AccessPath normalize(const AccessPath &Path, const FunctionDecl *Frame) {
  AccessPath Current = Path;
  for (int Steps = 0; Steps < 8; ++Steps) {
    // A lambda of Frame names Frame's parameters as variables.
    if (const auto *Param = dyn_cast_or_null<ParmVarDecl>(Current.variable());
        Param && Current.base() == AccessPath::BaseKind::Var && Frame &&
        isLocalTo(Param, Frame)) {
      Current = AccessPath::param(Param->getFunctionScopeIndex())
                    .withFields(Current.fields());
      continue;
    }
    if (Current.base() != AccessPath::BaseKind::Var || Current.fields().empty())
      return Current;
    const auto *Holder = dyn_cast_or_null<VarDecl>(Current.variable());
    // A field of an element (`info.[].queue`): the elements share it when
    // every assignment gives it the same object.
    bool OfElement = !Current.fields().front();
    if (OfElement && Current.fields().size() < 2)
      return Current;
    const FieldDecl *Field = Current.fields()[OfElement ? 1 : 0];
    if (!Holder || !Field)
      return Current;
    QualType FieldType = Field->getType();
    bool Refers = FieldType->isReferenceType() || FieldType->isPointerType() ||
                  (pointeeRecord(FieldType) &&
                   pointeeRecord(FieldType) != FieldType->getAsCXXRecordDecl());
    if (!Refers)
      return Current;
    // The initialiser names objects of the function declaring Holder, which
    // is Frame or encloses it (a lambda of Frame's uses them directly).
    const Expr *Init = OfElement ? nullptr : memberInitializer(Holder, Field);
    AccessPath Target = Init ? pathOf(Init, Frame)
                             : assignedMember(Holder, Field, OfElement, Frame);
    if (!Target.valid())
      return Current;
    Current = Target.withFields(Current.fields().drop_front(OfElement ? 2 : 1));
  }
  return Current;
}

} // namespace fanout
