//===- Roles.cpp - The consumer and producer questions --------------------===//
#include "fanout/Roles.h"
#include "fanout/AstHelpers.h"
#include "fanout/FanOut.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace clang;
using namespace llvm;

namespace fanout {

bool isStopFlagTest(const Expr *Cond) {
  const Expr *E = ignoreWrappers(Cond);
  if (const auto *Not = dyn_cast_or_null<UnaryOperator>(E);
      Not && Not->getOpcode() == UO_LNot)
    E = ignoreWrappers(Not->getSubExpr());
  auto IsVariable = [](const Expr *Object) {
    Object = ignoreWrappers(Object);
    if (const auto *Member = dyn_cast_or_null<MemberExpr>(Object))
      return isa<CXXThisExpr>(ignoreWrappers(Member->getBase())) ||
             isa<DeclRefExpr>(ignoreWrappers(Member->getBase()));
    return isa_and_nonnull<DeclRefExpr>(Object);
  };
  if (!E)
    return false;
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E)) {
    const CXXMethodDecl *Method = Call->getMethodDecl();
    if (!Method || !IsVariable(Call->getImplicitObjectArgument()))
      return false;
    if (isa<CXXConversionDecl>(Method))
      return true;
    return Method->getIdentifier() && (Method->getName() == "load" ||
                                       Method->getName() == "stop_requested");
  }
  if (IsVariable(E))
    return E->getType()->isBooleanType();
  return false;
}

namespace {

const Expr *loopCondition(const Stmt *Loop) {
  if (const auto *While = dyn_cast_or_null<WhileStmt>(Loop))
    return While->getCond();
  if (const auto *Do = dyn_cast_or_null<DoStmt>(Loop))
    return Do->getCond();
  if (const auto *For = dyn_cast_or_null<ForStmt>(Loop))
    return For->getCond();
  return nullptr;
}

} // namespace

const Expr *loopStopTest(const Stmt *Loop) {
  const Expr *Cond = loopCondition(Loop);
  if (!Cond)
    return nullptr;
  Cond = ignoreWrappers(Cond);
  if (const auto *And = dyn_cast<BinaryOperator>(Cond);
      And && And->getOpcode() == BO_LAnd)
    for (const Expr *Side : {And->getLHS(), And->getRHS()})
      if (isStopFlagTest(Side))
        return Side;
  return isStopFlagTest(Cond) ? Cond : nullptr;
}

namespace {

bool isWithin(const Stmt *Outer, const Stmt *Inner, const ParentMap &Parents) {
  for (const Stmt *S = Inner; S; S = Parents.getParent(S))
    if (S == Outer)
      return true;
  return false;
}

bool mentionsName(const Expr *E, StringRef Word) {
  E = ignoreWrappers(E);
  if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(E))
    return Ref->getDecl()->getName().contains_insensitive(Word);
  if (const auto *Member = dyn_cast_or_null<MemberExpr>(E))
    return Member->getMemberDecl()->getName().contains_insensitive(Word);
  return false;
}

bool hasCall(const Expr *E) {
  bool Found = isa_and_nonnull<CallExpr>(ignoreWrappers(E)) &&
               !isa_and_nonnull<CXXOperatorCallExpr>(ignoreWrappers(E));
  forEachDescendant(E, [&](const Stmt *S) {
    Found = Found || (isa<CallExpr>(S) && !isa<CXXOperatorCallExpr>(S) &&
                      !isa<CXXMemberCallExpr>(S));
  });
  return Found;
}

/// Whether \p S runs on every iteration of \p Loop that does not leave it:
/// it is a statement of the loop's body (or of blocks in it), not under a
/// branch, a handler or an inner loop.
bool runsEachIteration(const Stmt *Loop, const Stmt *S,
                       const ParentMap &Parents, bool MayBeInTry) {
  for (const Stmt *Child = S, *P = Parents.getParent(S); P;
       Child = P, P = Parents.getParent(P)) {
    if (P == Loop)
      return true;
    // In a try block, when whatever it throws has woken first.
    if (const auto *Try = dyn_cast<CXXTryStmt>(P);
        Try && MayBeInTry && Try->getTryBlock() == Child)
      continue;
    // An if's or a while's condition runs whenever the statement does
    // (`if (!q.push(m))`, `while (!q.try_push(m) && open)`); so does the
    // left of && and ||.
    if (const auto *If = dyn_cast<IfStmt>(P); If && If->getCond() == Child)
      continue;
    if (const auto *While = dyn_cast<WhileStmt>(P);
        While && While->getCond() == Child)
      continue;
    if (const auto *Logical = dyn_cast<BinaryOperator>(P);
        Logical && Logical->isLogicalOp() && Logical->getLHS() == Child)
      continue;
    if (!isa<CompoundStmt, Expr, DeclStmt>(P))
      return false;
    // The condition of a ?: or the right of && are branches too.
    if (isa<ConditionalOperator, BinaryConditionalOperator>(P))
      return false;
    if (const auto *Logical = dyn_cast<BinaryOperator>(P);
        Logical && Logical->isLogicalOp())
      return false;
  }
  return false;
}

/// What the branch at the end of \p Block decides on: in `a && b`, the block
/// that evaluates `b` decides on `b`, not on the whole condition.
const Expr *branchCondition(const CFGBlock &Block) {
  const Expr *Whole = dyn_cast_or_null<Expr>(Block.getTerminatorCondition());
  if (!Whole)
    return nullptr;
  if (isa_and_nonnull<BinaryOperator>(Block.getTerminatorStmt()))
    return ignoreWrappers(Whole); // The left-hand side, already.
  // The last expression the block evaluates is the part that decides.
  for (auto It = Block.rbegin(); It != Block.rend(); ++It)
    if (std::optional<CFGStmt> Statement = It->getAs<CFGStmt>()) {
      const auto *Last = dyn_cast<Expr>(Statement->getStmt());
      if (!Last)
        break;
      // Only a part of the condition (not something after it).
      for (const Expr *Part = ignoreWrappers(Whole);
           const auto *Logical = dyn_cast<BinaryOperator>(Part);) {
        if (!Logical->isLogicalOp())
          break;
        const Expr *RHS = ignoreWrappers(Logical->getRHS());
        if (contains(RHS, Last))
          return RHS->IgnoreParens();
        Part = RHS;
      }
      break;
    }
  return ignoreWrappers(Whole);
}

void sortExits(std::vector<RoleExit> &Exits, const SourceManager &SM) {
  auto Where = [](const RoleExit &E) {
    return E.Kind == ExitKind::FallOff ? E.At->getEndLoc()
                                       : E.At->getBeginLoc();
  };
  llvm::stable_sort(Exits, [&](const RoleExit &A, const RoleExit &B) {
    return SM.isBeforeInTranslationUnit(Where(A), Where(B));
  });
}

} // namespace

//===----------------------------------------------------------------------===//
// Wake-ups
//===----------------------------------------------------------------------===//

/// Whether \p Value is an empty item: nullptr, nullopt, `{}`, `T()`.
static bool isEmptyValue(const Expr *Value) {
  Value = ignoreWrappers(Value);
  if (isa<CXXNullPtrLiteralExpr, CXXScalarValueInitExpr, ImplicitValueInitExpr,
          GNUNullExpr>(Value))
    return true;
  if (const auto *List = dyn_cast<InitListExpr>(Value))
    return List->getNumInits() == 0;
  // `""`: a string made from it is empty (`q.put("")`).
  if (const auto *Literal = dyn_cast<clang::StringLiteral>(Value))
    return Literal->getLength() == 0;
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(Value)) {
    if (Construct->getNumArgs() == 0 ||
        isa<CXXDefaultArgExpr>(Construct->getArg(0)))
      return true;
    // Defaulted arguments after the first (an allocator) change nothing.
    unsigned Given = Construct->getNumArgs();
    while (Given > 1 && isa<CXXDefaultArgExpr>(Construct->getArg(Given - 1)))
      --Given;
    if (Given == 1 && Construct->getNumArgs() > 1)
      return isEmptyValue(Construct->getArg(0));
    if (Construct->getNumArgs() == 1)
      if (const CXXRecordDecl *Arg =
              Construct->getArg(0)->getType()->getAsCXXRecordDecl())
        return Arg->getName() == "nullopt_t" || Arg->getName() == "nullptr_t";
    if (Construct->getNumArgs() == 1)
      return isEmptyValue(Construct->getArg(0));
  }
  if (const auto *Ref = dyn_cast<DeclRefExpr>(Value))
    return Ref->getDecl()->getName() == "nullopt";
  return false;
}

/// Whether \p Value is an item with \p Flag set: `Job{.stop = true}`,
/// `Batch{{}, {}, true}`, or a local whose flag \p F sets to true
/// (`Job j; j.stop = true; q.push(j)`). None when it cannot tell.
static std::optional<bool> setsFlag(const Expr *Value, const FieldDecl *Flag,
                                    const FunctionDecl *F) {
  Value = ignoreWrappers(Value);
  auto IsTrue = [](const Expr *E) {
    // A field left to its default member initialiser (`bool last = false;`).
    if (const auto *Default =
            dyn_cast_or_null<CXXDefaultInitExpr>(E ? ignoreWrappers(E) : E))
      E = Default->getExpr();
    if (!E)
      return false;
    if (const auto *Bool = dyn_cast<CXXBoolLiteralExpr>(ignoreWrappers(E)))
      return Bool->getValue();
    return !isEmptyValue(E); // A non-empty string, a set pointer.
  };
  if (const auto *List = dyn_cast<InitListExpr>(Value)) {
    if (const InitListExpr *Semantic = List->getSemanticForm())
      List = Semantic;
    unsigned Index = Flag->getFieldIndex();
    if (Index >= List->getNumInits())
      return false; // Left at its default.
    return IsTrue(List->getInit(Index));
  }
  const auto *Ref = dyn_cast<DeclRefExpr>(Value);
  const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
  if (!Var || !F || !F->getBody())
    return std::nullopt;
  if (const Expr *Init = Var->getInit())
    if (isa<InitListExpr>(ignoreWrappers(Init)))
      if (std::optional<bool> Set = setsFlag(Init, Flag, F); Set && *Set)
        return true;
  bool Set = false;
  forEachDescendant(F->getBody(), [&](const Stmt *S) {
    if (const Expr *Assigned = assignedToField(S, Var, Flag);
        Assigned && IsTrue(Assigned))
      Set = true;
  });
  return Set;
}

/// The value \p Item's \p Field holds when \p At runs: its initialiser
/// in a braced list (of the item, or of the variable it names), or the
/// last assignment to it before \p At in \p F's body (`block.count = 0;`).
/// Null when unknown.
static const Expr *fieldValueAt(const Expr *Item, const FieldDecl *Field,
                                const Stmt *At, const FunctionDecl *F) {
  Item = ignoreWrappers(Item);
  if (const auto *Address = dyn_cast<UnaryOperator>(Item);
      Address && Address->getOpcode() == UO_AddrOf)
    Item = ignoreWrappers(Address->getSubExpr());
  if (const auto *List = dyn_cast<InitListExpr>(Item)) {
    if (const InitListExpr *Semantic = List->getSemanticForm())
      List = Semantic;
    unsigned Index = Field->getFieldIndex();
    return Index < List->getNumInits() ? List->getInit(Index) : nullptr;
  }
  const auto *Ref = dyn_cast<DeclRefExpr>(Item);
  const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
  if (!Var || !F || !F->getBody())
    return nullptr;
  const SourceManager &SM = F->getASTContext().getSourceManager();
  const Expr *Last = nullptr;
  if (const Expr *Init = Var->getInit();
      Init && isa<InitListExpr>(ignoreWrappers(Init)))
    Last = fieldValueAt(Init, Field, At, F); // `Block stop = {0, -1};`
  // The last assignment before At, unless a call given the item's address
  // after it (`read(&block)`) may have written it again.
  auto Before = [&](const Stmt *S) {
    return SM.isBeforeInTranslationUnit(S->getBeginLoc(), At->getBeginLoc());
  };
  SourceLocation AddressTaken;
  forEachDescendant(F->getBody(), [&](const Stmt *S) {
    if (!Before(S))
      return;
    if (const Expr *Value = assignedToField(S, Var, Field))
      Last = Value;
    const auto *Address = dyn_cast<UnaryOperator>(S);
    const auto *Ref =
        Address && Address->getOpcode() == UO_AddrOf
            ? dyn_cast<DeclRefExpr>(ignoreWrappers(Address->getSubExpr()))
            : nullptr;
    if (Ref && Ref->getDecl() == Var &&
        (AddressTaken.isInvalid() ||
         SM.isBeforeInTranslationUnit(AddressTaken, Address->getBeginLoc())))
      AddressTaken = Address->getBeginLoc();
  });
  if (Last && AddressTaken.isValid() &&
      SM.isBeforeInTranslationUnit(Last->getBeginLoc(), AddressTaken))
    return nullptr;
  return Last;
}

bool RoleAnalysis::isMarkerPush(const ReachedOp &Op,
                                const MarkerSpec *Markers) {
  const CallExpr *Call = Op.Op.Call;
  // What is pushed: the first argument, or a C-style queue function's
  // first argument after the queue (`put(&q, &block)`).
  const Expr *Arg = nullptr;
  for (const Expr *Given : Call->arguments())
    if (!Op.Op.FreeFunction || Given != Op.Op.Object) {
      Arg = Given;
      break;
    }
  // A push without arguments pushes what the queue itself decides: an end
  // marker (`push_end_of_stream()`).
  if (!Arg)
    return true;
  const FunctionDecl *Holder = Op.Holder;
  const ParentMap &Parents = S.parents(Holder);
  for (int Steps = 0; Steps < 4; ++Steps) {
    Arg = ignoreWrappers(Arg);
    if (const auto *Move = dyn_cast<CallExpr>(Arg);
        Move && Move->isCallToStdMove() && Move->getNumArgs() == 1) {
      Arg = Move->getArg(0);
      continue;
    }
    if (const auto *Copy = dyn_cast<CXXConstructExpr>(Arg);
        Copy && Copy->getNumArgs() == 1 &&
        Copy->getConstructor()->isCopyOrMoveConstructor()) {
      Arg = Copy->getArg(0);
      continue;
    }
    // A const local holds what it was initialised with (`const auto item =
    // std::string(); q.try_put(item);`).
    if (const auto *Ref = dyn_cast<DeclRefExpr>(Arg))
      if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
          Var && Var->isLocalVarDecl() && Var->getType().isConstQualified() &&
          Var->getInit() && !Var->getType()->isReferenceType()) {
        Arg = Var->getInit();
        continue;
      }
    break;
  }
  // What the consumers stop on says which pushes are its markers.
  if (Markers && Markers->What == MarkerSpec::Kind::EmptyValue) {
    if (!Markers->Flag)
      return isEmptyValue(Arg);
    // An item whose field is empty: `Chunk{offset, std::string()}`, or the
    // field left at its default.
    if (const auto *List = dyn_cast<InitListExpr>(Arg)) {
      if (const InitListExpr *Semantic = List->getSemanticForm())
        List = Semantic;
      unsigned Index = Markers->Flag->getFieldIndex();
      return Index >= List->getNumInits() || isEmptyValue(List->getInit(Index));
    }
    return false;
  }
  if (Markers && Markers->What == MarkerSpec::Kind::Flag && Markers->Flag)
    if (std::optional<bool> Set = setsFlag(Arg, Markers->Flag, Holder))
      return *Set;
  if (Markers && Markers->What == MarkerSpec::Kind::Equals && Markers->Value &&
      Markers->Flag) {
    // The item's field holds the marker's value: `block.count = 0;` before
    // `put(q, &block)`, or `Block{0}`.
    ASTContext &Ctx = S.context();
    std::optional<int64_t> Want = evaluateInt(Markers->Value, Ctx);
    const Expr *Field = fieldValueAt(Arg, Markers->Flag, Call, Holder);
    std::optional<int64_t> Got = Field ? evaluateInt(Field, Ctx) : std::nullopt;
    return Want && Got && *Want == *Got;
  }
  if (Markers && Markers->What == MarkerSpec::Kind::Equals && Markers->Value) {
    ASTContext &Ctx = S.context();
    std::optional<int64_t> Want = evaluateInt(Markers->Value, Ctx);
    std::optional<int64_t> Got = evaluateInt(Arg, Ctx);
    if (Want && Got)
      return *Want == *Got;
    const auto *WantRef = dyn_cast<DeclRefExpr>(ignoreWrappers(Markers->Value));
    const auto *GotRef = dyn_cast<DeclRefExpr>(Arg);
    if (WantRef && GotRef)
      return WantRef->getDecl()->getCanonicalDecl() ==
             GotRef->getDecl()->getCanonicalDecl();
  }
  // The loops around the push: what changes from one iteration to the next
  // is what they declare or write.
  SmallVector<const Stmt *, 2> Loops;
  for (const Stmt *P = Parents.getParent(Call); P; P = Parents.getParent(P))
    if (isLoop(P))
      Loops.push_back(P);
  SmallPtrSet<const VarDecl *, 8> Varying;
  for (const Stmt *Loop : Loops)
    forEachDescendant(Loop, [&](const Stmt *Node) {
      if (const auto *DS = dyn_cast<DeclStmt>(Node))
        for (const Decl *D : DS->decls())
          if (const auto *Var = dyn_cast<VarDecl>(D))
            Varying.insert(Var);
      const Expr *Written = writtenBy(Node);
      if (const auto *Call = dyn_cast<CallExpr>(Node); Call && !Written)
        // Arguments passed by non-const reference may be written.
        for (unsigned I = 0; I < Call->getNumArgs(); ++I)
          if (const FunctionDecl *Callee = Call->getDirectCallee();
              Callee && I < Callee->getNumParams() &&
              Callee->getParamDecl(I)->getType()->isReferenceType() &&
              !Callee->getParamDecl(I)
                   ->getType()
                   .getNonReferenceType()
                   .isConstQualified())
            if (const auto *Ref =
                    dyn_cast<DeclRefExpr>(ignoreWrappers(Call->getArg(I))))
              if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl()))
                Varying.insert(Var);
      if (const auto *Ref =
              dyn_cast_or_null<DeclRefExpr>(ignoreWrappers(Written)))
        if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl()))
          Varying.insert(Var);
    });
  bool ReadsVarying = false, ReadsParam = false;
  auto Visit = [&](const Stmt *Node) {
    if (const auto *Ref = dyn_cast<DeclRefExpr>(Node))
      if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl())) {
        if (Varying.contains(Var))
          ReadsVarying = true;
        // A parameter is the caller's data (`add(q, item)`), unless const
        // data of the program (a global).
        if (isa<ParmVarDecl>(Var) && !Var->getType().isConstQualified())
          ReadsParam = true;
      }
  };
  Visit(Arg);
  forEachDescendant(Arg, Visit);
  return !ReadsVarying && !ReadsParam;
}

bool RoleAnalysis::guardWakes(const VarDecl *Var, const FunctionDecl *F,
                              const AccessPath &Queue, QueueSide Side,
                              const MarkerSpec *Markers) {
  if (!Var || Var->getType()->isReferenceType())
    return false;
  auto OpWakes = [&](const ReachedOp &Op) {
    if (Op.Op.Role == QueueRole::Close)
      return Op.Op.Api->closeWakes(Op.Op.MethodName, Side);
    return Markers && Side == QueueSide::Consumers &&
           (Op.Op.Role == QueueRole::BlockingPush ||
            Op.Op.Role == QueueRole::NonBlockingPush) &&
           isMarkerPush(Op, Markers);
  };
  // A scope guard given a lambda that closes (also when the guard keeps it
  // in a std::function, which hides the call).
  if (const Expr *Init = Var->getInit()) {
    bool Wakes = false;
    auto Visit = [&](const Stmt *Node) {
      const auto *Lambda = dyn_cast<LambdaExpr>(Node);
      // Or a lambda variable it is given (`Guard g{sendEndMarkers};`).
      if (const auto *Ref = dyn_cast<DeclRefExpr>(Node))
        if (const auto *Named = dyn_cast<VarDecl>(Ref->getDecl());
            Named && Named != Var && Named->getInit())
          Lambda = dyn_cast<LambdaExpr>(ignoreWrappers(Named->getInit()));
      if (Lambda)
        for (const ReachedOp &Op : S.opsOf(Lambda->getCallOperator()))
          if (OpWakes(Op) && normalize(Op.Queue, F) == Queue)
            Wakes = true;
    };
    Visit(ignoreWrappers(Init));
    forEachDescendant(Init, Visit);
    if (Wakes)
      return true;
  }
  // An object whose destructor closes the queue it was given.
  const CXXRecordDecl *Record = Var->getType()->getAsCXXRecordDecl();
  const CXXDestructorDecl *Destructor =
      Record && Record->hasDefinition() ? Record->getDestructor() : nullptr;
  if (!Destructor || !Destructor->hasBody())
    return false;
  CallBindings Bindings;
  Bindings.Caller = F;
  Bindings.This = AccessPath::var(Var);
  for (const ReachedOp &Op : S.opsOf(Destructor))
    if (OpWakes(Op) &&
        normalize(substitute(Op.Queue, Bindings, Destructor), F) == Queue)
      return true;
  return false;
}

/// Whether \p Cond tests and sets a flag at once, and which way only the
/// first thread to set it finds it: true for
/// `stop.compare_exchange_strong(expected, true)`, `!stop.exchange(true)`,
/// `!flag.test_and_set()`; false for `flag.test_and_set()` (every thread but
/// the first); nullopt when it sets no flag.
static std::optional<bool> firstSetterFinds(const Expr *Cond) {
  bool Negated = false;
  Cond = ignoreWrappers(Cond);
  while (const auto *Not = dyn_cast<UnaryOperator>(Cond)) {
    if (Not->getOpcode() != UO_LNot)
      return false;
    Negated = !Negated;
    Cond = ignoreWrappers(Not->getSubExpr());
  }
  const auto *Call = dyn_cast<CXXMemberCallExpr>(Cond);
  if (!Call)
    return std::nullopt;
  StringRef Name = calleeName(Call);
  if (Name.starts_with("compare_exchange") && Call->getNumArgs() >= 2)
    return !Negated;
  if ((Name == "exchange" && Call->getNumArgs() >= 1) || Name == "test_and_set")
    return Negated;
  return std::nullopt;
}

/// Whether only the first thread to set a flag finds \p Cond true.
static bool isOnceGuard(const Expr *Cond) {
  return firstSetterFinds(Cond).value_or(false);
}

/// Whether \p Call runs after the function raised a flag: in the branch
/// only the first to set it takes, or after a statement of its block that
/// sets a flag (`stop = true;`, `stop.store(true);`).
static bool afterRaisedFlag(const CallExpr *Call, const ParentMap &Parents) {
  const Stmt *Child = Call;
  for (const Stmt *P = Parents.getParent(Call); P;
       Child = P, P = Parents.getParent(P)) {
    if (const auto *If = dyn_cast<IfStmt>(P);
        If && If->getThen() == Child && isOnceGuard(If->getCond()))
      return true;
    const auto *Block = dyn_cast<CompoundStmt>(P);
    if (!Block)
      continue;
    for (const Stmt *Before : Block->body()) {
      if (Before == Child)
        break;
      const Expr *E = dyn_cast<Expr>(Before);
      E = E ? ignoreWrappers(E) : nullptr;
      const Expr *Value = nullptr;
      const auto *Store = dyn_cast_or_null<CXXMemberCallExpr>(E);
      if (!assignmentTarget(E, Value) && Store &&
          calleeName(Store) == "store" && Store->getNumArgs() >= 1)
        Value = Store->getArg(0);
      if (const auto *True = dyn_cast_or_null<CXXBoolLiteralExpr>(
              Value ? ignoreWrappers(Value) : nullptr);
          True && True->getValue())
        return true;
    }
  }
  return false;
}

bool RoleAnalysis::wakesAt(const CFGElement &Element, const FunctionDecl *F,
                           const AccessPath &Queue, QueueSide Side,
                           const MarkerSpec *Markers) {
  if (std::optional<CFGAutomaticObjDtor> Dtor =
          Element.getAs<CFGAutomaticObjDtor>())
    return guardWakes(Dtor->getVarDecl(), F, Queue, Side, Markers);
  std::optional<CFGStmt> Statement = Element.getAs<CFGStmt>();
  if (!Statement)
    return false;
  // Supposed: a throw that leaves a function closing on its way out.
  if (const auto *Throw = dyn_cast<CXXThrowExpr>(Statement->getStmt()))
    return closesOnUnwind(F) && !S.caughtWithin(Throw, S.parents(F));
  const auto *Call = dyn_cast<CallExpr>(Statement->getStmt());
  if (!Call)
    return false;
  if (const FunctionDecl *Callee = Call->getDirectCallee();
      Callee && Callee->isNoReturn())
    return true; // The process ends; nothing is left waiting.
  if (std::optional<QueueOperation> Op = S.queues().classify(Call)) {
    if (pathOf(Op->Object, F) != Queue)
      return false;
    if (Op->Role == QueueRole::Close)
      return Op->Api->closeWakes(Op->MethodName, Side);
    if (Op->Role == QueueRole::StoreError)
      return StoredErrorsWake && Side == QueueSide::Consumers;
    // Emptying the queue wakes the blocked push once; it stays woken when
    // the consumer first raised a flag for the producer to stop on.
    if (Op->Role == QueueRole::Drain)
      return Side == QueueSide::Producers &&
             afterRaisedFlag(Call, S.parents(F));
    if (Markers && (Op->Role == QueueRole::BlockingPush ||
                    Op->Role == QueueRole::NonBlockingPush))
      for (const ReachedOp &Reached : S.opsOf(F))
        if (Reached.Op.Call == Call && Reached.Via.empty())
          return isMarkerPush(Reached, Markers);
    return false;
  }
  // A helper that closes on every path: a function, or a lambda held in a
  // variable (`auto fail = [&] { q.close(); }; fail();`); its close may be
  // a guard's, which no summary lists.
  const FunctionDecl *Callee = S.followedCallee(Call);
  if (!Callee)
    return false;
  AccessPath Inner = calleePath(Call, Callee, F, Queue);
  return Inner.valid() && closesOnAllPaths(Callee, Inner, Side, Markers);
}

AccessPath RoleAnalysis::calleePath(const CallExpr *Call,
                                    const FunctionDecl *Callee,
                                    const FunctionDecl *F,
                                    const AccessPath &Queue) {
  for (const ReachedOp &Reached : S.opsOf(F))
    if (!Reached.Via.empty() && Reached.Via.front() == Call &&
        Reached.Queue == Queue && Reached.Inner)
      return Reached.Inner->Queue;
  // Through the bindings: the parameter (or `this`) the queue, or an object
  // holding it, is passed as.
  CallBindings Bindings = bindingsAt(Call, Callee, F);
  for (unsigned I = 0; I < Bindings.Params.size(); ++I) {
    AccessPath Passed = normalize(Bindings.Params[I], F);
    if (Passed.valid() && Queue.startsWith(Passed))
      return AccessPath::param(I).withFields(Queue.fieldsAfter(Passed));
  }
  AccessPath This = normalize(Bindings.This, F);
  if (This.valid() && Queue.startsWith(This))
    return AccessPath::thisObject().withFields(Queue.fieldsAfter(This));
  if (Queue.base() == AccessPath::BaseKind::Var &&
      !isLocalTo(Queue.variable(), F))
    return Queue; // A global, or a variable a lambda of F's caller names.
  return {};
}

ProducerRole
RoleAnalysis::producerIfStoredErrorsWoke(const FunctionDecl *F,
                                         const AccessPath &Queue,
                                         const ProducerQuestion &Question) {
  StoredErrorsWake = true;
  ProducerRole Role = producer(F, Queue, Question);
  StoredErrorsWake = false;
  return Role;
}

ProducerRole RoleAnalysis::producerIfUnwindingCloses(
    const FunctionDecl *F, const AccessPath &Queue,
    const ProducerQuestion &Question, ArrayRef<const FunctionDecl *> Aborting) {
  for (const FunctionDecl *Wrapped : Aborting)
    ClosesOnUnwind.insert(Wrapped->getCanonicalDecl());
  ProducerRole Role = producer(F, Queue, Question);
  ClosesOnUnwind.clear();
  // What was learnt under the supposition holds only under it.
  auto Forget = [](auto &Memo) {
    SmallVector<typename std::decay_t<decltype(Memo)>::key_type, 8> Supposed;
    for (const auto &Entry : Memo)
      if (std::get<1>(Entry.first) & HypothesisKey)
        Supposed.push_back(Entry.first);
    for (const auto &Key : Supposed)
      Memo.erase(Key);
  };
  Forget(AllPathCloses);
  Forget(UnwokenThrows);
  return Role;
}

bool RoleAnalysis::closesOnAllPaths(const FunctionDecl *F,
                                    const AccessPath &Queue, QueueSide Side,
                                    const MarkerSpec *Markers) {
  auto Key = std::make_tuple(std::make_pair(F, Queue), sideKey(Side), Markers);
  if (auto It = AllPathCloses.find(Key); It != AllPathCloses.end())
    return It->second;
  AllPathCloses[Key] = false; // Recursion: assume not while looking.
  const CFG *Graph = S.cfg(F);
  if (!Graph || Depth > Summaries::MaxCallDepth)
    return false;
  ++Depth;
  DenseSet<std::pair<unsigned, unsigned>> ToldClosed;
  if (Side == QueueSide::Consumers)
    producerToldClosed(F, Queue, Markers, ToldClosed);
  auto Effect = [&](const CFGElement &Element) {
    return wakesAt(Element, F, Queue, Side, Markers) ? FlowEffect::Wake
                                                     : FlowEffect::None;
  };
  auto Told = [&](const CFGBlock &Block, unsigned Succ) {
    return ToldClosed.contains({Block.getBlockID(), Succ});
  };
  FlowResult Flow(*Graph, {Effect, Told});
  --Depth;
  bool Result = !Flow.exitReachableUnwoken();
  AllPathCloses[Key] = Result;
  return Result;
}

bool RoleAnalysis::throwsUnwoken(const FunctionDecl *F, const AccessPath &Queue,
                                 QueueSide Side, const MarkerSpec *Markers) {
  auto Key = std::make_tuple(std::make_pair(F, Queue), sideKey(Side), Markers);
  if (auto It = UnwokenThrows.find(Key); It != UnwokenThrows.end())
    return It->second;
  UnwokenThrows[Key] = false; // Recursion: assume not while looking.
  const CFG *Graph = S.cfg(F);
  if (!Graph || !S.mayThrow(F) || closesOnUnwind(F) ||
      Depth > Summaries::MaxCallDepth)
    return false;
  ++Depth;
  const ParentMap &Parents = S.parents(F);
  auto Effect = [&](const CFGElement &Element) {
    return wakesAt(Element, F, Queue, Side, Markers) ? FlowEffect::Wake
                                                     : FlowEffect::None;
  };
  // Edges that leave nobody to wake: a push said closed, a loop that woke
  // each queue of a container of them.
  DenseSet<std::pair<unsigned, unsigned>> ToldClosed;
  if (Side == QueueSide::Consumers)
    producerToldClosed(F, Queue, Markers, ToldClosed);
  auto Told = [&](const CFGBlock &Block, unsigned Succ) {
    return ToldClosed.contains({Block.getBlockID(), Succ});
  };
  FlowResult Flow(*Graph, {Effect, Told});
  bool Result = false;
  forEachDescendant(F->getBody(), [&](const Stmt *Node) {
    if (Result || S.caughtWithin(Node, Parents))
      return;
    bool Throws = isa<CXXThrowExpr>(Node);
    if (const auto *Call = dyn_cast<CallExpr>(Node)) {
      if (std::optional<QueueOperation> Op = S.queues().classify(Call);
          Op && pathOf(Op->Object, F) == Queue)
        return;
      const FunctionDecl *Callee = S.followedCallee(Call);
      AccessPath Inner =
          Callee ? calleePath(Call, Callee, F, Queue) : AccessPath();
      Throws = Inner.valid() ? throwsUnwoken(Callee, Inner, Side, Markers)
                             : S.callMayThrow(Call);
    } else if (const auto *Construct = dyn_cast<CXXConstructExpr>(Node)) {
      Throws = S.constructMayThrow(Construct);
    }
    if (!Throws)
      return;
    std::optional<FlowPoint> Point = Flow.pointOf(Node);
    Result = Point && Flow.reachedUnwokenBefore(*Point);
  });
  --Depth;
  UnwokenThrows[Key] = Result;
  return Result;
}

void RoleAnalysis::producerToldClosed(
    const FunctionDecl *F, const AccessPath &Queue, const MarkerSpec *Markers,
    DenseSet<std::pair<unsigned, unsigned>> &Out) {
  const CFG *Graph = S.cfg(F);
  if (!Graph)
    return;
  const ParentMap &Parents = S.parents(F);
  std::vector<const ReachedOp *> Ops = S.opsOn(F, Queue);
  // The calls whose result says the queue took the item or is closed: its
  // pushes, and helpers that push and report (`if (!parseBlock(b, q))`).
  SmallPtrSet<const CallExpr *, 4> Verdicts;
  for (const ReachedOp *Op : Ops) {
    if (Op->Op.Role != QueueRole::BlockingPush &&
        Op->Op.Role != QueueRole::NonBlockingPush)
      continue;
    if (Op->Via.empty())
      Verdicts.insert(Op->Op.Call);
    else if (const FunctionDecl *Callee = Op->Via.front()->getDirectCallee();
             Callee && !Callee->getReturnType()->isVoidType())
      Verdicts.insert(Op->Via.front());
  }
  bool ClosesHere = any_of(Ops, [](const ReachedOp *Op) {
    return Op->Op.Role == QueueRole::Close &&
           Op->Op.Api->closeWakes(Op->Op.MethodName, QueueSide::Consumers);
  });
  auto ReadsCountDown = [](const Expr *Cond) {
    bool Found = false;
    auto Visit = [&](const Stmt *Node) {
      if (const auto *Call = dyn_cast<CallExpr>(Node)) {
        StringRef Name = calleeName(Call);
        Found |= Name == "fetch_sub" || Name == "fetch_add";
      }
      if (const auto *Unary = dyn_cast<UnaryOperator>(Node))
        Found |= Unary->isIncrementDecrementOp();
      if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Node))
        Found |= Op->getOperator() == OO_MinusMinus ||
                 Op->getOperator() == OO_PlusPlus ||
                 Op->getOperator() == OO_MinusEqual;
    };
    Visit(Cond);
    forEachDescendant(Cond, Visit);
    return Found;
  };
  for (const CFGBlock *Block : *Graph) {
    if (Block->succ_size() != 2)
      continue;
    // A loop that sends one marker per consumer, or closes each queue of a
    // container of them, wakes them all however often it runs (no
    // consumers, no iterations): leaving it is no stranding.
    if (const Stmt *Loop = Block->getTerminatorStmt();
        Loop && isLoop(Loop) &&
        (Markers || is_contained(Queue.fields(), nullptr)) &&
        any_of(Ops, [&](const ReachedOp *Op) {
          const Stmt *At = Op->Via.empty()
                               ? static_cast<const Stmt *>(Op->Op.Call)
                               : Op->Via.front();
          bool ThrowsWoken = !Op->Via.empty() && Op->InnerFunction &&
                             !throwsUnwoken(Op->InnerFunction, Op->Inner->Queue,
                                            QueueSide::Consumers, Markers);
          if (!runsEachIteration(Loop, At, Parents, ThrowsWoken))
            return false;
          bool Wakes = Op->Op.Role == QueueRole::Close
                           ? Op->Op.Api->closeWakes(Op->Op.MethodName,
                                                    QueueSide::Consumers)
                           : Markers && Op->Op.Role != QueueRole::BlockingPop &&
                                 Op->Op.Role != QueueRole::NonBlockingPop &&
                                 isMarkerPush(*Op, Markers);
          // Through a call, only if that call wakes on every path.
          return Wakes &&
                 (Op->Via.empty() ||
                  (Op->InnerFunction &&
                   closesOnAllPaths(Op->InnerFunction, Op->Inner->Queue,
                                    QueueSide::Consumers, Markers)));
        }))
      Out.insert({Block->getBlockID(), 1});
    const Expr *Cond = branchCondition(*Block);
    if (!Cond)
      continue;
    // `if (finishing_.test_and_set()) return;`: a later call leaves the
    // close to the first, which this function's close is on the way of.
    if (std::optional<bool> FirstFinds = firstSetterFinds(Cond);
        FirstFinds && ClosesHere) {
      Out.insert({Block->getBlockID(), *FirstFinds ? 1u : 0u});
      continue;
    }
    // The last producer closes (`if (--active == 0) q.close();`): the
    // others leave it to that one.
    if (ReadsCountDown(Cond)) {
      Out.insert({Block->getBlockID(), 0});
      Out.insert({Block->getBlockID(), 1});
      continue;
    }
    bool Negated = false;
    const Expr *E = ignoreWrappers(Cond);
    while (const auto *Not = dyn_cast<UnaryOperator>(E)) {
      if (Not->getOpcode() != UO_LNot)
        break;
      Negated = !Negated;
      E = ignoreWrappers(Not->getSubExpr());
    }
    // `if (worker_.joinable()) { q.close(); worker_.join(); }`: where no
    // thread runs, there is nobody to wake.
    if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E);
        Call && Call->getNumArgs() == 0 && calleeName(Call) == "joinable") {
      Out.insert({Block->getBlockID(), Negated ? 0u : 1u});
      continue;
    }
    bool TestsPush = false;
    auto Visit = [&](const Stmt *Node) {
      if (const auto *Call = dyn_cast<CallExpr>(Node))
        TestsPush |= Verdicts.contains(Call);
    };
    Visit(E);
    forEachDescendant(E, Visit);
    if (!TestsPush)
      continue;
    // `if (!q.push(x))`: the false result is the closed queue; a status
    // comparison says which way; either way the branch that stops is the
    // told-closed one, and the other goes on pushing.
    if (const auto *Call = dyn_cast<CallExpr>(E);
        Call && Verdicts.contains(Call))
      Out.insert({Block->getBlockID(), Negated ? 0u : 1u});
    else {
      Out.insert({Block->getBlockID(), 0});
      Out.insert({Block->getBlockID(), 1});
    }
  }
}

//===----------------------------------------------------------------------===//
// The consumer question
//===----------------------------------------------------------------------===//

/// One run of the consumer question on one function.
struct RoleAnalysis::ConsumerRun {
  RoleAnalysis &Roles;
  Summaries &S;
  const FunctionDecl *F;
  AccessPath Queue;
  const CallerContext *Caller;
  const ParentMap &Parents;
  const SourceManager &SM;
  ConsumerRole Result;

  /// The calls that deliver items: the pops on the queue made here, or the
  /// call to a function that pops once (`while (next(q, item))`).
  SmallPtrSet<const CallExpr *, 4> PopCalls;
  SmallPtrSet<const VarDecl *, 4> PoppedVariables;
  /// Calls to functions that drain the queue, with their answers.
  SmallVector<std::pair<const CallExpr *, const ConsumerRole *>, 2> Draining;
  enum class LoopEnd { WhenClosed, OnStopFlag, OnOwnCondition };
  LoopEnd PopLoopEnd = LoopEnd::WhenClosed;
  bool SawSentinel = false;
  bool UsedRangeSentinel = false;
  MarkerSpec Marker;
  /// A sentinel test seen in the branch being classified; it is the
  /// consumer's end only if its branch leaves the pop loop.
  std::optional<MarkerSpec> PendingMarker;
  void noteMarker(MarkerSpec::Kind Kind, const Expr *Value,
                  const FieldDecl *Flag) {
    PendingMarker = MarkerSpec{Kind, Flag, Value};
  }
  void commitMarker() {
    SawSentinel = true;
    if (Marker.What == MarkerSpec::Kind::None)
      Marker = *PendingMarker;
  }
  bool leavesLoopFrom(const CFGBlock *Block) const;
  bool wokenWithin(const Stmt *S) const;

  ConsumerRun(RoleAnalysis &Roles, const FunctionDecl *F, AccessPath Queue,
              const CallerContext *Caller)
      : Roles(Roles), S(Roles.S), F(F), Queue(std::move(Queue)), Caller(Caller),
        Parents(S.parents(F)), SM(S.context().getSourceManager()) {}

  bool findPopLoop();
  void collectPopped();
  bool classifyPopLoop();
  std::optional<bool> closedWhenTrue(const Expr *Cond, bool Whole);
  bool isPopCall(const Expr *E) const;
  bool isPoppedValue(const Expr *E) const;
  bool leavesPopLoop(const Stmt *Jump) const;
  bool unwindingWakes(const Stmt *Throw, const Stmt *UpTo) const;
  void run();
};

bool RoleAnalysis::ConsumerRun::isPopCall(const Expr *E) const {
  const auto *Call = dyn_cast_or_null<CallExpr>(ignoreWrappers(E));
  return Call && PopCalls.contains(Call);
}

/// `*item`, `item->`: the value an optional or a pointer holds.
static bool isDereference(const Expr *E) {
  E = ignoreWrappers(E);
  if (const auto *Op = dyn_cast_or_null<CXXOperatorCallExpr>(E))
    return (Op->getOperator() == OO_Arrow || Op->getOperator() == OO_Star) &&
           Op->getNumArgs() == 1;
  const auto *Unary = dyn_cast_or_null<UnaryOperator>(E);
  return Unary && Unary->getOpcode() == UO_Deref;
}

bool RoleAnalysis::ConsumerRun::isPoppedValue(const Expr *E) const {
  E = ignoreWrappers(E);
  // `frame.eos`, `msg.kind`, `job->valid`: a part of what was popped.
  while (const auto *Member = dyn_cast_or_null<MemberExpr>(E))
    E = ignoreWrappers(Member->getBase());
  if (const auto *Op = dyn_cast_or_null<CXXOperatorCallExpr>(E);
      Op && (Op->getOperator() == OO_Arrow || Op->getOperator() == OO_Star) &&
      Op->getNumArgs() == 1)
    E = ignoreWrappers(Op->getArg(0));
  if (const auto *Unary = dyn_cast_or_null<UnaryOperator>(E);
      Unary && Unary->getOpcode() == UO_Deref)
    E = ignoreWrappers(Unary->getSubExpr());
  if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(E))
    if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl()))
      return PoppedVariables.contains(Var);
  return false;
}

bool RoleAnalysis::ConsumerRun::findPopLoop() {
  std::vector<const ReachedOp *> Ops = S.opsOn(F, Queue);
  // A pop in a loop of this function.
  for (const ReachedOp *Op : Ops) {
    if (Op->Op.Role != QueueRole::BlockingPop)
      continue;
    const CallExpr *Call = Op->callHere();
    const Stmt *Loop = enclosingLoop(Call, Parents);
    if (Op->Via.empty()) {
      if (!Loop)
        continue;
      Result.Pop = Op->Op;
      Result.PopLoop = Loop;
      Result.LoopFunction = F;
      break;
    }
  }
  if (Result.PopLoop) {
    for (const ReachedOp *Op : Ops)
      if (Op->Via.empty() && (Op->Op.Role == QueueRole::BlockingPop ||
                              Op->Op.Role == QueueRole::NonBlockingPop))
        PopCalls.insert(Op->Op.Call);
    return true;
  }
  // Calls to functions that drain it.
  for (const ReachedOp *Op : Ops) {
    if (Op->Op.Role != QueueRole::BlockingPop || Op->Via.empty() ||
        !Op->InnerFunction)
      continue;
    const CallExpr *Call = Op->Via.front();
    if (any_of(Draining, [&](const auto &D) { return D.first == Call; }))
      continue;
    const ConsumerRole &Sub =
        Roles.consumer(Op->InnerFunction, Op->Inner->Queue);
    if (Sub.Drains) {
      Draining.push_back({Call, &Sub});
      continue;
    }
    // A function that pops once, called in a loop here: this loop is the
    // pop loop, and what the call returns says whether it got an item.
    if (const Stmt *Loop = enclosingLoop(Call, Parents);
        Loop && !Result.PopLoop) {
      Result.Pop = Op->Op;
      Result.PopLoop = Loop;
      Result.LoopFunction = F;
      PopCalls.insert(Call);
    }
  }
  if (!Draining.empty()) {
    llvm::sort(Draining, [&](const auto &A, const auto &B) {
      return SM.isBeforeInTranslationUnit(A.first->getBeginLoc(),
                                          B.first->getBeginLoc());
    });
    const ConsumerRole &First = *Draining.front().second;
    Result.Pop = First.Pop;
    Result.PopLoop = First.PopLoop;
    Result.LoopFunction = First.LoopFunction;
    Result.ViaToLoop.push_back(Draining.front().first);
    Result.ViaToLoop.append(First.ViaToLoop.begin(), First.ViaToLoop.end());
    Result.EndsOnSentinel = First.EndsOnSentinel;
    Result.Marker = First.Marker;
    Result.EndsOnOwnCondition = First.EndsOnOwnCondition;
    Result.EndsOnStopFlag = First.EndsOnStopFlag;
    Result.UsesRangeSentinel = First.UsesRangeSentinel;
    return true;
  }
  return Result.PopLoop != nullptr;
}

/// What the pops deliver and what they report: `q.pop(item)`,
/// `auto item = q.pop()`, `bool ok = q.pop(x)`, `x = q.pull()`.
void RoleAnalysis::ConsumerRun::collectPopped() {
  for (const CallExpr *Call : PopCalls) {
    for (const Expr *Arg : Call->arguments())
      if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(stripAccess(Arg)))
        if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl()))
          if (!(pathOf(Arg, F) == Queue))
            PoppedVariables.insert(Var);
    for (const Stmt *P = Parents.getParent(Call); P; P = Parents.getParent(P)) {
      if (const auto *DS = dyn_cast<DeclStmt>(P)) {
        for (const Decl *D : DS->decls())
          if (const auto *Var = dyn_cast<VarDecl>(D))
            PoppedVariables.insert(Var);
        break;
      }
      const Expr *Target = nullptr;
      if (const auto *Assign = dyn_cast<BinaryOperator>(P);
          Assign && Assign->isAssignmentOp())
        Target = Assign->getLHS();
      else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(P);
               Op && Op->getOperator() == OO_Equal && Op->getNumArgs() == 2)
        Target = Op->getArg(0);
      if (Target) {
        if (const auto *Ref =
                dyn_cast_or_null<DeclRefExpr>(ignoreWrappers(Target)))
          if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl()))
            PoppedVariables.insert(Var);
        break;
      }
      if (!isa<Expr>(P))
        break;
    }
  }
}

bool RoleAnalysis::ConsumerRun::classifyPopLoop() {
  const Stmt *Loop = Result.PopLoop;
  if (isa<CXXForRangeStmt>(Loop))
    return true;
  if (!isa<WhileStmt, DoStmt, ForStmt>(Loop))
    return false;
  const Expr *Cond = loopCondition(Loop);
  if (!Cond)
    return true;
  if (std::optional<int64_t> Value = evaluateInt(Cond, S.context()))
    return *Value != 0;
  bool TestsPop = false;
  auto Visit = [&](const Stmt *Node) {
    if (const auto *E = dyn_cast<Expr>(Node))
      TestsPop = TestsPop || isPopCall(E) || isPoppedValue(E);
  };
  Visit(Cond);
  forEachDescendant(Cond, Visit);
  if (const auto *While = dyn_cast<WhileStmt>(Loop))
    if (const VarDecl *CondVar = While->getConditionVariable())
      TestsPop = TestsPop || PoppedVariables.contains(CondVar);
  if (!TestsPop)
    PopLoopEnd =
        isStopFlagTest(Cond) ? LoopEnd::OnStopFlag : LoopEnd::OnOwnCondition;
  return true;
}

/// Whether \p Cond tests that the queue reported closed (or that the
/// producer sent an end marker): the branch it returns leads to a drained
/// exit.
std::optional<bool> RoleAnalysis::ConsumerRun::closedWhenTrue(const Expr *Cond,
                                                              bool Whole) {
  bool Negated = false;
  bool AsksEmpty = false; // Through `x.empty()`: the marker is empty.
  const Expr *E = Cond;
  const QueueApi *Api = Result.Pop.Api;
  for (int Steps = 0; E && Steps < 8; ++Steps) {
    E = ignoreWrappers(E);
    if (const auto *Unary = dyn_cast<UnaryOperator>(E);
        Unary && Unary->getOpcode() == UO_LNot) {
      Negated = !Negated;
      E = Unary->getSubExpr();
      continue;
    }
    // `v.has_value()`, `bool(v)`, `v.operator bool()`, and, for a pop that
    // reports the close with an empty or invalid value, any yes/no question
    // asked of that value (`job.valid()`, `!task.isValid()`).
    if (const auto *Member = dyn_cast<CXXMemberCallExpr>(E);
        Member && Member->getNumArgs() == 0 && !isPopCall(Member) &&
        isPoppedValue(Member->getImplicitObjectArgument())) {
      const CXXMethodDecl *Method = Member->getMethodDecl();
      StringRef Name = calleeName(Member);
      bool Conversion = isa_and_nonnull<CXXConversionDecl>(Method);
      // Asked through `->` or `*`, the question is about the item inside
      // (`line->empty()` of an optional string), not whether there is one.
      bool Validity =
          Method && Method->getReturnType()->isBooleanType() &&
          !isDereference(Member->getImplicitObjectArgument()) &&
          (Name.contains_insensitive("valid") ||
           (Api && Api->OnClosedPop == ClosedPopResult::EmptyValue));
      if (Name == "has_value" || Conversion || Validity) {
        E = Member->getImplicitObjectArgument();
        continue;
      }
      if (Name == "empty" || Name.contains_insensitive("null")) {
        Negated = !Negated;
        AsksEmpty = true;
        E = Member->getImplicitObjectArgument();
        continue;
      }
    }
    break;
  }
  if (!E)
    return std::nullopt;
  if (isPopCall(E))
    return Negated; // Truthy means an item was delivered.
  if (isPoppedValue(E)) {
    // A flag of the popped item (`frame.eos`) is the producer's end marker;
    // so is an empty item (`if (!item)`) when the queue never hands out
    // empty values itself to say it is closed.
    const auto *Member = dyn_cast<MemberExpr>(ignoreWrappers(E));
    if (Member && Member->getType()->isBooleanType()) {
      noteMarker(MarkerSpec::Kind::Flag, nullptr,
                 dyn_cast<FieldDecl>(Member->getMemberDecl()));
      return !Negated;
    }
    // A field of the item that is empty (`chunk.bytes.empty()`), or set.
    if (Member)
      noteMarker(AsksEmpty ? MarkerSpec::Kind::EmptyValue
                           : MarkerSpec::Kind::Flag,
                 nullptr, dyn_cast<FieldDecl>(Member->getMemberDecl()));
    else if (!Api || Api->OnClosedPop != ClosedPopResult::EmptyValue ||
             (AsksEmpty && isDereference(E)))
      noteMarker(MarkerSpec::Kind::EmptyValue, nullptr, nullptr);
    return Negated;
  }

  const Expr *LHS = nullptr, *RHS = nullptr;
  bool Equal = false, Relational = false;
  if (const auto *Binary = dyn_cast<BinaryOperator>(E)) {
    LHS = Binary->getLHS();
    RHS = Binary->getRHS();
    Equal = Binary->getOpcode() == BO_EQ;
    Relational = Binary->isRelationalOp();
    if (!Binary->isEqualityOp() && !Relational)
      return std::nullopt;
  } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
             Op && Op->getNumArgs() == 2 &&
             (Op->getOperator() == OO_EqualEqual ||
              Op->getOperator() == OO_ExclaimEqual)) {
    LHS = Op->getArg(0);
    RHS = Op->getArg(1);
    Equal = Op->getOperator() == OO_EqualEqual;
  } else {
    return std::nullopt;
  }
  if (isPopCall(RHS) || isPoppedValue(RHS))
    std::swap(LHS, RHS);
  // `item == nullptr`: an empty value reports the close, or is the marker.
  if (isPoppedValue(LHS) && isa<CXXNullPtrLiteralExpr>(ignoreWrappers(RHS)) &&
      !Relational) {
    if (!Api || Api->OnClosedPop != ClosedPopResult::EmptyValue)
      noteMarker(MarkerSpec::Kind::EmptyValue, nullptr, nullptr);
    return Equal != Negated;
  }
  if (isPopCall(LHS) && !Relational) {
    // A status: `q.wait_pull(x) == queue_op_status::closed`, `!= success`,
    // `ring_get(r, &item) == 0` when 0 is what the pop returns with an item.
    if (Api && Api->PopSuccessStatus)
      if (std::optional<int64_t> Value = evaluateInt(RHS, S.context()))
        return ((*Value == *Api->PopSuccessStatus) != Equal) != Negated;
    bool NamesClosed = mentionsName(RHS, "closed") ||
                       mentionsName(RHS, "cancel") ||
                       mentionsName(RHS, "shutdown");
    bool NamesSuccess = mentionsName(RHS, "success") || mentionsName(RHS, "ok");
    if (!NamesClosed && !NamesSuccess)
      return std::nullopt;
    return (NamesClosed == Equal) != Negated;
  }
  // A sentinel: the branch condition, all of it, compares the delivered
  // value with a constant (`item == kStop`, `item < 0`): a message from the
  // producer. Part of a larger condition (`v > 100 && !process(v)`), it tests
  // the data instead.
  if (isPoppedValue(LHS) && !hasCall(RHS) && (Whole || Equal)) {
    if (!Equal && Relational) {
      if (Roles.RangeSentinelsAreData)
        return std::nullopt;
      UsedRangeSentinel = true;
    }
    // `block.count == 0`: the field that holds the marker's value.
    const auto *Member = dyn_cast<MemberExpr>(ignoreWrappers(LHS));
    noteMarker(Equal ? MarkerSpec::Kind::Equals : MarkerSpec::Kind::None, RHS,
               Member ? dyn_cast<FieldDecl>(Member->getMemberDecl()) : nullptr);
    return (Equal || Relational) != Negated;
  }
  return std::nullopt;
}

/// Whether a call within \p S wakes the producer.
bool RoleAnalysis::ConsumerRun::wokenWithin(const Stmt *S) const {
  bool Woken = false;
  auto Visit = [&](const Stmt *Node) {
    if (const auto *Call = dyn_cast<CallExpr>(Node); Call && !Woken)
      Woken = Roles.wakesAt(CFGStmt(const_cast<CallExpr *>(Call)), F, Queue,
                            QueueSide::Producers, nullptr);
  };
  Visit(S);
  forEachDescendant(S, Visit);
  return Woken;
}

/// Whether the code from \p Block leaves the pop loop before doing much: it
/// is after the loop, or jumps out of it.
bool RoleAnalysis::ConsumerRun::leavesLoopFrom(const CFGBlock *Block) const {
  const Stmt *Loop = Result.PopLoop;
  for (int Steps = 0; Block && Steps < 4; ++Steps) {
    if (const Stmt *T = Block->getTerminatorStmt()) {
      if (isa<BreakStmt, GotoStmt>(T))
        return leavesPopLoop(T) || !isWithin(Loop, T, Parents);
      if (!isWithin(Loop, T, Parents))
        return true;
    }
    for (const CFGElement &Element : *Block)
      if (std::optional<CFGStmt> Statement = Element.getAs<CFGStmt>()) {
        if (isa<ReturnStmt, CXXThrowExpr>(Statement->getStmt()))
          return true;
        if (!isWithin(Loop, Statement->getStmt(), Parents))
          return true;
      }
    if (Block->succ_size() != 1)
      return false;
    Block = Block->succ_begin()->getReachableBlock();
  }
  return false;
}

bool RoleAnalysis::ConsumerRun::leavesPopLoop(const Stmt *Jump) const {
  const Stmt *Loop = Result.PopLoop;
  if (!isWithin(Loop, Jump, Parents))
    return false;
  if (isa<BreakStmt>(Jump)) {
    for (const Stmt *P = Parents.getParent(Jump); P; P = Parents.getParent(P))
      if (isLoop(P) || isa<SwitchStmt>(P))
        return P == Loop;
    return false;
  }
  if (const auto *Goto = dyn_cast<GotoStmt>(Jump))
    return Goto->getLabel() && Goto->getLabel()->getStmt() &&
           !isWithin(Loop, Goto->getLabel()->getStmt(), Parents);
  return false;
}

/// Unwinding from a throw runs the destructors of the locals in scope, which
/// clang's CFG does not show: a guard declared before the throw, in a block
/// around it (up to \p UpTo, the try that catches it), that wakes \p Side.
/// Locals are destroyed innermost block first, each block's in reverse
/// order of declaration: a thread handle declared after the queue is joined
/// before the queue's own destructor can wake anyone.
bool RoleAnalysis::unwindingWakes(
    const Stmt *Throw, const Stmt *UpTo, const FunctionDecl *F,
    const AccessPath &Queue, QueueSide Side, const MarkerSpec *Markers,
    function_ref<bool(const VarDecl *)> WaitsOnDestruction) {
  const ParentMap &Parents = S.parents(F);
  const Stmt *Child = Throw;
  for (const Stmt *P = Parents.getParent(Throw); P && P != UpTo;
       Child = P, P = Parents.getParent(P)) {
    const auto *Block = dyn_cast<CompoundStmt>(P);
    if (!Block)
      continue;
    SmallVector<const VarDecl *, 8> InScope;
    for (const Stmt *Item : Block->body()) {
      if (Item == Child)
        break;
      if (const auto *DS = dyn_cast<DeclStmt>(Item))
        for (const Decl *D : DS->decls())
          if (const auto *Var = dyn_cast<VarDecl>(D);
              Var && !Var->isStaticLocal())
            InScope.push_back(Var);
    }
    for (const VarDecl *Var : reverse(InScope)) {
      if (WaitsOnDestruction && WaitsOnDestruction(Var))
        return false;
      if (guardWakes(Var, F, Queue, Side, Markers))
        return true;
    }
  }
  return false;
}

bool RoleAnalysis::ConsumerRun::unwindingWakes(const Stmt *Throw,
                                               const Stmt *UpTo) const {
  auto WaitsOnDestruction = [&](const VarDecl *Var) {
    return Caller && Caller->IsWaitOnProducer(CFGAutomaticObjDtor(Var, Throw));
  };
  return Roles.unwindingWakes(Throw, UpTo, F, Queue, QueueSide::Producers,
                              nullptr, WaitsOnDestruction);
}

void RoleAnalysis::ConsumerRun::run() {
  const Stmt *Body = F->getBody();
  if (!Body || F->isInvalidDecl() || containsErrors(Body))
    return;
  if (!findPopLoop())
    return;
  bool OwnLoop = Result.LoopFunction == F && Draining.empty();
  if (OwnLoop) {
    collectPopped();
    if (!classifyPopLoop())
      return;
  }
  const CFG *Graph = S.cfg(F);
  if (!Graph)
    return;
  Result.Drains = true;

  // Where each candidate sits; exits before the pop loop count too (a
  // consumer that gives up before consuming strands the producer as well).
  const Stmt *Loop = OwnLoop ? Result.PopLoop : nullptr;
  const CallExpr *FirstDrain =
      Draining.empty() ? nullptr : Draining.front().first;
  const CallExpr *LastDrain =
      Draining.empty() ? nullptr : Draining.back().first;
  auto BeforeEnd = [&](const Stmt *Node, bool UpToLast) {
    if (Caller && Caller->NotBefore.isValid() &&
        SM.isBeforeInTranslationUnit(Node->getBeginLoc(), Caller->NotBefore))
      return false;
    if (Loop)
      return isWithin(Loop, Node, Parents) ||
             SM.isBeforeInTranslationUnit(Node->getBeginLoc(),
                                          Loop->getBeginLoc());
    const CallExpr *Until = UpToLast ? LastDrain : FirstDrain;
    return SM.isBeforeInTranslationUnit(Node->getBeginLoc(),
                                        Until->getBeginLoc());
  };
  const Expr *LoopCond = Loop ? loopCondition(Loop) : nullptr;

  // Told-closed edges and loop-condition exits, from the CFG's branches.
  DenseSet<std::pair<unsigned, unsigned>> ToldClosed;
  SmallVector<std::tuple<const CFGBlock *, unsigned, const Expr *>, 2>
      ConditionExits;
  const CFGBlock *LoopExit = nullptr;
  if (Loop)
    for (const CFGBlock *Block : *Graph)
      if (Block->getTerminatorStmt() == Loop && Block->succ_size() == 2)
        LoopExit = Block->succ_begin()[1].getReachableBlock();
  for (const CFGBlock *Block : *Graph) {
    const Stmt *Terminator = Block->getTerminatorStmt();
    if (!Terminator || Block->succ_size() != 2)
      continue;
    const Expr *Cond = branchCondition(*Block);
    if (!Cond)
      continue;
    bool Whole = isa<IfStmt, WhileStmt, DoStmt, ForStmt>(Terminator) &&
                 Cond == ignoreWrappers(dyn_cast_or_null<Expr>(
                             Block->getTerminatorCondition()));
    // Only the first to set the flag wakes the producer: the others find it
    // set, the wake-up done already.
    if (const auto *If = dyn_cast<IfStmt>(Terminator);
        If && isOnceGuard(Cond) && wokenWithin(If->getThen())) {
      ToldClosed.insert({Block->getBlockID(), 1u});
      continue;
    }
    PendingMarker.reset();
    if (std::optional<bool> ClosedOnTrue = closedWhenTrue(Cond, Whole)) {
      unsigned Succ = *ClosedOnTrue ? 0u : 1u;
      ToldClosed.insert({Block->getBlockID(), Succ});
      if (PendingMarker &&
          leavesLoopFrom(Block->succ_begin()[Succ].getReachableBlock()))
        commitMarker();
      continue;
    }
    if (!Loop || !LoopExit || PopLoopEnd != LoopEnd::WhenClosed)
      continue;
    bool InLoopCondition =
        Terminator == Loop ||
        (LoopCond && isWithin(LoopCond, Terminator, Parents));
    if (!InLoopCondition)
      continue;
    for (unsigned I = 0; I < 2; ++I)
      if (Block->succ_begin()[I].getReachableBlock() == LoopExit)
        ConditionExits.push_back({Block, I, Cond});
  }

  auto Effect = [&](const CFGElement &Element) {
    if (Caller && Caller->IsWaitOnProducer(Element))
      return FlowEffect::Sink;
    return Roles.wakesAt(Element, F, Queue, QueueSide::Producers, nullptr)
               ? FlowEffect::Wake
               : FlowEffect::None;
  };
  auto Told = [&](const CFGBlock &Block, unsigned Succ) {
    return ToldClosed.contains({Block.getBlockID(), Succ});
  };
  FlowResult Flow(*Graph, {Effect, Told});

  // An exception at Node: caught here, it goes on from the handler; else it
  // leaves the function.
  auto AddThrow = [&](const Stmt *Node, ExitKind Kind,
                      std::vector<RoleExit> Inner) {
    std::optional<FlowPoint> Point = Flow.pointOf(Node);
    if (!Point || !Flow.reachedUnwokenBefore(*Point))
      return;
    const CXXCatchStmt *Handler = nullptr;
    if (S.caughtWithin(Node, Parents, &Handler)) {
      const Stmt *Try = Parents.getParent(Handler);
      if (unwindingWakes(Node, Try))
        return;
      // A throw statement is in the CFG; a call's exception is not.
      bool Continues =
          isa<CXXThrowExpr>(Node)
              ? Flow.endReachableAfter(*Point)
              : Flow.endReachableFromStart(Flow.handlerBlock(Handler));
      if (Continues)
        Result.Exits.push_back(
            {Node, Kind, F, Queue, std::move(Inner), Handler});
      return;
    }
    if (!unwindingWakes(Node, nullptr))
      Result.ThrowExits.push_back(
          {Node, Kind, F, Queue, std::move(Inner), nullptr});
  };
  auto AddNormal = [&](const Stmt *Node, ExitKind Kind,
                       std::vector<RoleExit> Inner) {
    std::optional<FlowPoint> Point = Flow.pointOf(Node);
    if (Point && Flow.reachedUnwoken(*Point) && Flow.endReachableAfter(*Point))
      Result.Exits.push_back({Node, Kind, F, Queue, std::move(Inner), nullptr});
  };

  forEachDescendant(Body, [&](const Stmt *Node) {
    if (isa<ReturnStmt>(Node) && BeforeEnd(Node, false)) {
      AddNormal(Node, ExitKind::Return, {});
    } else if (isa<CXXThrowExpr>(Node) && BeforeEnd(Node, true)) {
      AddThrow(Node, ExitKind::Throw, {});
    } else if (Loop && isa<BreakStmt>(Node) && leavesPopLoop(Node)) {
      AddNormal(Node, ExitKind::Break, {});
    } else if (Loop && isa<GotoStmt>(Node) && leavesPopLoop(Node)) {
      AddNormal(Node, ExitKind::Goto, {});
    } else if (const auto *Call = dyn_cast<CallExpr>(Node)) {
      auto Drain =
          find_if(Draining, [&](const auto &D) { return D.first == Call; });
      if (Drain != Draining.end()) {
        if (!Drain->second->Exits.empty())
          AddNormal(Call, ExitKind::ViaCall, Drain->second->Exits);
        if (!Drain->second->ThrowExits.empty())
          AddThrow(Call, ExitKind::ViaCall, Drain->second->ThrowExits);
        return;
      }
      if (PopCalls.contains(Call) || !BeforeEnd(Call, true))
        return;
      if (std::optional<QueueOperation> Op = S.queues().classify(Call);
          Op && pathOf(Op->Object, F) == Queue)
        return;
      // A callee that touches the queue may close it before it throws.
      const FunctionDecl *Callee = S.followedCallee(Call);
      AccessPath Inner =
          Callee ? Roles.calleePath(Call, Callee, F, Queue) : AccessPath();
      if (Inner.valid() && !S.opsOn(Callee, Inner).empty()
              ? Roles.throwsUnwoken(Callee, Inner, QueueSide::Producers,
                                    nullptr)
              : S.callMayThrow(Call))
        AddThrow(Call, ExitKind::ThrowingCall, {});
    } else if (const auto *Construct = dyn_cast<CXXConstructExpr>(Node);
               Construct && BeforeEnd(Construct, true) &&
               S.constructMayThrow(Construct)) {
      AddThrow(Construct, ExitKind::ThrowingCall, {});
    }
  });
  for (auto [Block, Succ, Cond] : ConditionExits)
    if (Flow.reachedUnwoken({Block, -1}) &&
        Flow.endReachableAfter({Block, -1}, Succ))
      Result.Exits.push_back(
          {Cond, ExitKind::LoopCondition, F, Queue, {}, nullptr});

  if (OwnLoop) {
    Result.EndsOnSentinel = SawSentinel;
    Result.UsesRangeSentinel = UsedRangeSentinel;
    Result.Marker = Marker;
    Result.EndsOnOwnCondition = PopLoopEnd == LoopEnd::OnOwnCondition;
    Result.EndsOnStopFlag = PopLoopEnd == LoopEnd::OnStopFlag;
  }
  sortExits(Result.Exits, SM);
  sortExits(Result.ThrowExits, SM);
}

ConsumerRole RoleAnalysis::analyzeConsumer(const FunctionDecl *F,
                                           const AccessPath &Queue,
                                           const CallerContext *Caller) {
  ConsumerRun Run(*this, F, Queue, Caller);
  Run.run();
  return std::move(Run.Result);
}

const ConsumerRole &RoleAnalysis::consumer(const FunctionDecl *F,
                                           const AccessPath &Queue) {
  if (const FunctionDecl *Def = F->getDefinition())
    F = Def;
  Key K{F, Queue};
  auto &Memo = RangeSentinelsAreData ? DataTestingConsumers : Consumers;
  if (auto It = Memo.find(K); It != Memo.end())
    return *It->second;
  // Recursion or depth: nothing is known while looking.
  Memo[K] = std::make_unique<ConsumerRole>();
  if (Depth > Summaries::MaxCallDepth)
    return *Memo[K];
  ++Depth;
  auto Role =
      std::make_unique<ConsumerRole>(analyzeConsumer(F, Queue, nullptr));
  --Depth;
  auto &Stored = Memo[K];
  Stored = std::move(Role);
  return *Stored;
}

ConsumerRole RoleAnalysis::consumerTestingData(const FunctionDecl *F,
                                               const AccessPath &Queue,
                                               const CallerContext *Caller) {
  RangeSentinelsAreData = true;
  ConsumerRole Role =
      Caller ? callerConsumer(F, Queue, *Caller) : consumer(F, Queue);
  RangeSentinelsAreData = false;
  return Role;
}

ConsumerRole RoleAnalysis::callerConsumer(const FunctionDecl *F,
                                          const AccessPath &Queue,
                                          const CallerContext &Caller) {
  return analyzeConsumer(F, Queue, &Caller);
}

//===----------------------------------------------------------------------===//
// The producer question
//===----------------------------------------------------------------------===//

/// The declaration of \p Queue when it is a local variable of \p F:
/// `auto in = std::make_shared<Queue>();` in the loop that fills it.
static const DeclStmt *declarationOf(const AccessPath &Queue,
                                     const FunctionDecl *F) {
  const auto *Var = dyn_cast_or_null<VarDecl>(Queue.variable());
  if (Queue.base() != AccessPath::BaseKind::Var || !Queue.fields().empty() ||
      !Var || isa<ParmVarDecl>(Var) || !Var->hasLocalStorage() ||
      Var->getDeclContext() != F)
    return nullptr;
  const DeclStmt *Found = nullptr;
  forEachDescendant(F->getBody(), [&](const Stmt *S) {
    if (const auto *Decl = dyn_cast<DeclStmt>(S);
        Decl && !Found && Decl->isSingleDecl() && Decl->getSingleDecl() == Var)
      Found = Decl;
  });
  return Found;
}

ProducerRole RoleAnalysis::producer(const FunctionDecl *F,
                                    const AccessPath &Queue,
                                    const ProducerQuestion &Question) {
  ProducerRole Result;
  const Stmt *Body = F->getBody();
  const CFG *Graph = S.cfg(F);
  if (!Body || !Graph || containsErrors(Body))
    return Result;
  const ParentMap &Parents = S.parents(F);
  const SourceManager &SM = S.context().getSourceManager();
  std::vector<const ReachedOp *> Ops = S.opsOn(F, Queue);
  for (const ReachedOp *Op : Ops) {
    if (Op->Op.Role == QueueRole::BlockingPush ||
        Op->Op.Role == QueueRole::NonBlockingPush)
      Result.Produces = true;
    if (Op->Op.Role == QueueRole::Close ||
        (Question.Markers && Op->Op.Role != QueueRole::BlockingPop &&
         Op->Op.Role != QueueRole::NonBlockingPop &&
         isMarkerPush(*Op, Question.Markers)))
      Result.EverCloses = true;
  }
  if (!Result.Produces && !Result.EverCloses)
    return Result;

  // Edges taken when a push reports the queue closed, when the consumers
  // have said they are gone, or past the markers.
  DenseSet<std::pair<unsigned, unsigned>> ToldClosed;
  producerToldClosed(F, Queue, Question.Markers, ToldClosed);
  if (Question.SaysConsumersGone)
    for (const CFGBlock *Block : *Graph)
      if (Block->succ_size() == 2)
        if (const Expr *Cond = branchCondition(*Block);
            Cond && Question.SaysConsumersGone(Cond)) {
          ToldClosed.insert({Block->getBlockID(), 0});
          ToldClosed.insert({Block->getBlockID(), 1});
        }
  auto Effect = [&](const CFGElement &Element) {
    return wakesAt(Element, F, Queue, QueueSide::Consumers, Question.Markers)
               ? FlowEffect::Wake
               : FlowEffect::None;
  };
  auto Told = [&](const CFGBlock &Block, unsigned Succ) {
    return ToldClosed.contains({Block.getBlockID(), Succ});
  };
  FlowResult Flow(*Graph, {Effect, Told, declarationOf(Queue, F)});
  for (const CFGBlock *Block : *Graph)
    if (Flow.firstWake(Block) >= 0)
      Result.EverCloses = true;
  auto Counts = [&](const Stmt *Node) {
    return !Question.NotBefore.isValid() ||
           !SM.isBeforeInTranslationUnit(Node->getBeginLoc(),
                                         Question.NotBefore);
  };
  auto UnwindingWakes = [&](const Stmt *Node, const Stmt *UpTo) {
    return unwindingWakes(Node, UpTo, F, Queue, QueueSide::Consumers,
                          Question.Markers);
  };
  auto AddThrow = [&](const Stmt *Node, ExitKind Kind) {
    // A call may wake when it returns and still throw before it does:
    // what matters is that nothing woke before it.
    std::optional<FlowPoint> Point = Flow.pointOf(Node);
    if (!Point || !Flow.reachedUnwokenBefore(*Point) || !Counts(Node))
      return;
    const CXXCatchStmt *Handler = nullptr;
    if (S.caughtWithin(Node, Parents, &Handler)) {
      if (UnwindingWakes(Node, Parents.getParent(Handler)))
        return;
      bool Continues =
          isa<CXXThrowExpr>(Node)
              ? Flow.endReachableAfter(*Point)
              : Flow.endReachableFromStart(Flow.handlerBlock(Handler));
      if (Continues)
        Result.Exits.push_back({Node, Kind, F, Queue, {}, Handler});
      return;
    }
    if (!closesOnUnwind(F) && !UnwindingWakes(Node, nullptr))
      Result.ThrowExits.push_back({Node, Kind, F, Queue, {}, nullptr});
  };
  bool SawViaCall = false;
  forEachDescendant(Body, [&](const Stmt *Node) {
    if (isa<ReturnStmt>(Node)) {
      std::optional<FlowPoint> Point = Flow.pointOf(Node);
      if (Point && Counts(Node) && Flow.reachedUnwoken(*Point) &&
          Flow.endReachableAfter(*Point))
        Result.Exits.push_back({Node, ExitKind::Return, F, Queue, {}, nullptr});
    } else if (isa<CXXThrowExpr>(Node)) {
      AddThrow(Node, ExitKind::Throw);
    } else if (const auto *Call = dyn_cast<CallExpr>(Node)) {
      if (std::optional<QueueOperation> Op = S.queues().classify(Call);
          Op && pathOf(Op->Object, F) == Queue)
        return; // A push throws only once the queue is closed.
      // A helper that closes (or sends the markers) on some paths only: its
      // other ways out.
      for (const ReachedOp *Op : Ops)
        if (!Op->Via.empty() && Op->Via.front() == Call && Op->InnerFunction &&
            (Op->Op.Role == QueueRole::Close ||
             (Question.Markers && Op->Op.Role != QueueRole::BlockingPop &&
              Op->Op.Role != QueueRole::NonBlockingPop &&
              isMarkerPush(*Op, Question.Markers)))) {
          std::optional<FlowPoint> Point = Flow.pointOf(Call);
          if (!Point || !Flow.reachedUnwoken(*Point) ||
              !Flow.endReachableAfter(*Point) || !Counts(Call))
            break;
          ProducerQuestion InnerQuestion;
          InnerQuestion.Markers = Question.Markers;
          ProducerRole Inner =
              producer(Op->InnerFunction, Op->Inner->Queue, InnerQuestion);
          if (!Inner.Exits.empty()) {
            Result.Exits.push_back({Call, ExitKind::ViaCall, F, Queue,
                                    std::move(Inner.Exits), nullptr});
            SawViaCall = true;
          }
          break;
        }
      // A callee that touches the queue may close it before it throws.
      const FunctionDecl *Callee = S.followedCallee(Call);
      AccessPath Inner =
          Callee ? calleePath(Call, Callee, F, Queue) : AccessPath();
      if (Inner.valid() && !S.opsOn(Callee, Inner).empty()
              ? throwsUnwoken(Callee, Inner, QueueSide::Consumers,
                              Question.Markers)
              : S.callMayThrow(Call))
        AddThrow(Call, ExitKind::ThrowingCall);
    } else if (const auto *Construct = dyn_cast<CXXConstructExpr>(Node);
               Construct && S.constructMayThrow(Construct)) {
      AddThrow(Construct, ExitKind::ThrowingCall);
    }
  });
  // Reaching the closing brace: the exit entered from a block that does not
  // end in a return or throw.
  if (!SawViaCall)
    for (const CFGBlock *Pred : Graph->getExit().preds()) {
      if (!Pred || !Flow.reachedUnwoken({Pred, -1}))
        continue;
      // Only through an edge that is not taken once the consumers are told.
      unsigned SuccIndex = 0;
      bool Open = false;
      for (const CFGBlock::AdjacentBlock &Succ : Pred->succs()) {
        if (Succ.getReachableBlock() == &Graph->getExit() &&
            !Told(*Pred, SuccIndex))
          Open = true;
        ++SuccIndex;
      }
      if (!Open)
        continue;
      const Stmt *Last = nullptr;
      for (const CFGElement &Element : *Pred)
        if (std::optional<CFGStmt> Statement = Element.getAs<CFGStmt>())
          Last = Statement->getStmt();
      if (isa_and_nonnull<ReturnStmt, CXXThrowExpr>(Last))
        continue;
      // A noreturn call or a handler that rethrows is no falling off.
      if (const auto *Call = dyn_cast_or_null<CallExpr>(Last);
          Call && Call->getDirectCallee() &&
          Call->getDirectCallee()->isNoReturn())
        continue;
      Result.Exits.push_back({Body, ExitKind::FallOff, F, Queue, {}, nullptr});
      break;
    }
  sortExits(Result.Exits, SM);
  sortExits(Result.ThrowExits, SM);
  return Result;
}

//===----------------------------------------------------------------------===//
// Counting pushes
//===----------------------------------------------------------------------===//

/// An upper bound of the pushes of one run of \p F when its pushing
/// statements (\p Weight: the most each pushes) repeat only in loops of a
/// constant trip count (`for (int c = 0; c < kCommands; ++c) q.put(...)`):
/// each weighed by the trips of the loops around it. Nullopt when a loop
/// around one has no constant count, or the bound is large.
static std::optional<unsigned>
countedLoopPushes(const DenseMap<const Stmt *, std::optional<unsigned>> &Weight,
                  const ParentMap &Parents, ASTContext &Ctx) {
  uint64_t Total = 0;
  for (const auto &[Push, Most] : Weight) {
    if (!Most)
      return std::nullopt;
    uint64_t Times = *Most;
    for (const Stmt *Loop = enclosingLoop(Push, Parents); Loop;
         Loop = enclosingLoop(Loop, Parents)) {
      std::optional<int64_t> Trips = constantTripCount(Loop, Ctx);
      if (!Trips || *Trips > (1 << 20))
        return std::nullopt;
      Times *= *Trips;
      if (Times > (1u << 20))
        return std::nullopt;
    }
    Total += Times;
  }
  if (Total > (1u << 20))
    return std::nullopt;
  return static_cast<unsigned>(Total);
}

std::optional<unsigned> RoleAnalysis::maxPushes(const FunctionDecl *F,
                                                const AccessPath &Queue) {
  Key K{F, Queue};
  if (auto It = PushCounts.find(K); It != PushCounts.end())
    return It->second;
  PushCounts[K] = std::nullopt; // Recursion: unbounded.
  const CFG *Graph = S.cfg(F);
  if (!Graph || Depth > Summaries::MaxCallDepth)
    return std::nullopt;
  // What each element pushes.
  DenseMap<const Stmt *, std::optional<unsigned>> Weight;
  for (const ReachedOp &Op : S.opsOf(F)) {
    if (Op.Queue != Queue || (Op.Op.Role != QueueRole::BlockingPush &&
                              Op.Op.Role != QueueRole::NonBlockingPush))
      continue;
    if (Op.Via.empty()) {
      Weight[Op.Op.Call] = 1;
      continue;
    }
    ++Depth;
    std::optional<unsigned> Inner =
        Op.InnerFunction ? maxPushes(Op.InnerFunction, Op.Inner->Queue)
                         : std::nullopt;
    --Depth;
    Weight[Op.Via.front()] = Inner;
  }
  // Longest path, where a block that pushes and lies on a cycle makes it
  // unbounded. Blocks in reverse post order (back edges ignored once we
  // know no pushing block is on a cycle).
  const unsigned N = Graph->getNumBlockIDs();
  std::vector<std::optional<unsigned>> BlockWeight(N, 0u);
  bool Unbounded = false;
  for (const CFGBlock *Block : *Graph) {
    unsigned Total = 0;
    for (const CFGElement &Element : *Block)
      if (std::optional<CFGStmt> Statement = Element.getAs<CFGStmt>())
        if (auto It = Weight.find(Statement->getStmt()); It != Weight.end()) {
          if (!It->second)
            Unbounded = true;
          else
            Total += *It->second;
        }
    BlockWeight[Block->getBlockID()] = Total;
  }
  // A pushing block that reaches itself repeats.
  for (const CFGBlock *Block : *Graph) {
    if (Unbounded || !*BlockWeight[Block->getBlockID()])
      continue;
    std::vector<char> Seen(N, 0);
    SmallVector<const CFGBlock *, 16> Work;
    for (const CFGBlock::AdjacentBlock &Succ : Block->succs())
      if (const CFGBlock *Next = Succ.getReachableBlock())
        Work.push_back(Next);
    while (!Work.empty() && !Unbounded) {
      const CFGBlock *Next = Work.pop_back_val();
      if (Next == Block)
        Unbounded = true;
      if (Seen[Next->getBlockID()]++)
        continue;
      for (const CFGBlock::AdjacentBlock &Succ : Next->succs())
        if (const CFGBlock *After = Succ.getReachableBlock())
          Work.push_back(After);
    }
  }
  std::optional<unsigned> Result;
  if (!Unbounded) {
    // No pushing block on a cycle: the most pushes on a path is the
    // longest path in the graph with cycles contracted, computed by
    // relaxing in topological order of the acyclic part.
    std::vector<int> Best(N, -1);
    std::vector<unsigned> Order;
    std::vector<char> State(N, 0);
    // Iterative DFS for a post order from the entry.
    SmallVector<std::pair<const CFGBlock *, unsigned>, 32> Stack;
    Stack.push_back({&Graph->getEntry(), 0});
    State[Graph->getEntry().getBlockID()] = 1;
    while (!Stack.empty()) {
      auto &[Block, Next] = Stack.back();
      if (Next < Block->succ_size()) {
        const CFGBlock *Succ = Block->succ_begin()[Next++].getReachableBlock();
        if (Succ && !State[Succ->getBlockID()]) {
          State[Succ->getBlockID()] = 1;
          Stack.push_back({Succ, 0});
        }
        continue;
      }
      Order.push_back(Block->getBlockID());
      Stack.pop_back();
    }
    std::vector<const CFGBlock *> ById(N, nullptr);
    for (const CFGBlock *Block : *Graph)
      ById[Block->getBlockID()] = Block;
    Best[Graph->getEntry().getBlockID()] =
        *BlockWeight[Graph->getEntry().getBlockID()];
    unsigned Max = 0;
    for (auto It = Order.rbegin(); It != Order.rend(); ++It) {
      const CFGBlock *Block = ById[*It];
      if (!Block || Best[*It] < 0)
        continue;
      Max = std::max<unsigned>(Max, Best[*It]);
      for (const CFGBlock::AdjacentBlock &Succ : Block->succs())
        if (const CFGBlock *Next = Succ.getReachableBlock()) {
          int Candidate = Best[*It] + *BlockWeight[Next->getBlockID()];
          Best[Next->getBlockID()] =
              std::max(Best[Next->getBlockID()], Candidate);
        }
    }
    Result = Max;
  } else {
    Result = countedLoopPushes(Weight, S.parents(F), S.context());
  }
  PushCounts[K] = Result;
  return Result;
}

} // namespace fanout
