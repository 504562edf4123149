//===- QueueInference.cpp - Reading a hand-written queue's own code -------===//
//
// A class is a bounded blocking queue when one of its methods sleeps before it
// adds an element (the push) and another sleeps before it removes one (the
// pop). Sleeping is waiting on a condition variable (std, _any, boost,
// pthread), acquiring a semaphore, or a sleep-poll loop. A close is a method
// that sets a flag the waits watch and wakes the sleepers; whether it wakes a
// producer asleep in push depends on whether push's wait watches that flag.
//
//===----------------------------------------------------------------------===//
#include "fanout/AstHelpers.h"
#include "fanout/Compat.h"
#include "fanout/QueueModel.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/StmtCXX.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace clang;
using namespace llvm;

namespace fanout {
namespace {

/// The record a (possibly dependent) object expression has, by name only.
StringRef typeNameOf(const Expr *E) {
  QualType T = compat::withoutSpellingSugar(E->getType().getNonReferenceType());
  if (const auto *Pointer = T->getAs<PointerType>())
    T = Pointer->getPointeeType();
  if (const CXXRecordDecl *Record = T->getAsCXXRecordDecl())
    return Record->getName();
  if (const auto *Spec = T->getAs<TemplateSpecializationType>())
    if (TemplateDecl *Template = Spec->getTemplateName().getAsTemplateDecl())
      return Template->getName();
  return {};
}

bool isConditionVariable(StringRef Name) {
  return Name.contains("condition_variable") || Name == "condition";
}

bool isSemaphore(StringRef Name) { return Name.contains("semaphore"); }

bool isNotifyName(StringRef Name) {
  return Name == "notify_all" || Name == "notify_one" ||
         Name == "pthread_cond_broadcast" || Name == "pthread_cond_signal" ||
         Name == "release";
}

/// For a C-style queue (a struct and the functions that take a pointer to
/// it), the parameter of the function being read that plays `this`.
thread_local const ParmVarDecl *Subject = nullptr;

/// Reads one function of a C-style queue with \p Param as its `this`.
struct SubjectScope {
  const ParmVarDecl *Saved;
  explicit SubjectScope(const ParmVarDecl *Param) : Saved(Subject) {
    Subject = Param;
  }
  ~SubjectScope() { Subject = Saved; }
};

bool isSubject(const Expr *Base) {
  Base = Base->IgnoreParenImpCasts();
  if (isa<CXXThisExpr>(Base))
    return true;
  if (const auto *Deref = dyn_cast<UnaryOperator>(Base);
      Deref && Deref->getOpcode() == UO_Deref)
    Base = Deref->getSubExpr()->IgnoreParenImpCasts();
  const auto *Ref = dyn_cast<DeclRefExpr>(Base);
  return Subject && Ref && Ref->getDecl() == Subject;
}

/// The field a (possibly dependent) expression reads, when it is one of ours.
const FieldDecl *fieldOf(const Expr *E) {
  E = ignoreWrappers(E);
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E))
    // `flag_.load()` reads the flag.
    if (calleeName(Call) == "load")
      return fieldOf(Call->getImplicitObjectArgument());
  if (const auto *Member = dyn_cast<MemberExpr>(E))
    if (isSubject(Member->getBase()))
      return dyn_cast<FieldDecl>(Member->getMemberDecl());
  return nullptr;
}

/// The field a write through \p E changes: a member, an element of one
/// (`finished_[i] |= DONE`), or a local reference bound to either
/// (`int &finished = finished_[i];`).
const FieldDecl *writtenFieldOf(const Expr *E, int Depth = 0) {
  E = ignoreWrappers(E);
  if (!E || Depth > 3)
    return nullptr;
  if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(E))
    return writtenFieldOf(Subscript->getBase(), Depth + 1);
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
      Op && Op->getOperator() == OO_Subscript && Op->getNumArgs() == 2)
    return writtenFieldOf(Op->getArg(0), Depth + 1);
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
    if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
        Var && Var->getType()->isReferenceType() && Var->hasLocalStorage() &&
        !isa<ParmVarDecl>(Var) && Var->getInit())
      return writtenFieldOf(Var->getInit(), Depth + 1);
  return fieldOf(E);
}

bool isFlagType(QualType T) {
  T = T.getNonReferenceType().getUnqualifiedType();
  if (T->isBooleanType())
    return true;
  if (const CXXRecordDecl *Record = T->getAsCXXRecordDecl())
    if (Record->getName() == "atomic")
      if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(Record))
        return Spec->getTemplateArgs().size() == 1 &&
               Spec->getTemplateArgs()[0].getKind() == TemplateArgument::Type &&
               Spec->getTemplateArgs()[0].getAsType()->isBooleanType();
  return T->isAtomicType() &&
         T->castAs<AtomicType>()->getValueType()->isBooleanType();
}

/// A condition under which a method sleeps.
struct Wait {
  const Expr *Condition = nullptr; ///< May be null: unknown.
  bool Timed = false;              ///< Gives up after a timeout.
  /// For a semaphore acquire: the semaphore member slept on.
  const FieldDecl *Semaphore = nullptr;
  /// The condition is the loop's (`while (full) cv.wait(lk);`): the thread
  /// sleeps while it holds. Otherwise it is a predicate: until it holds.
  bool WhileHolds = false;
};

/// When a wait lets its thread go on, read as the queue's fill level: a
/// push goes on once there is room, a pop once there are items.
enum class Proceeds {
  Unknown, ///< The condition mentions the level in ways that disagree.
  Never,   ///< The condition does not mention the level (a flag, a token).
  Room,    ///< The level is below the bound (`count_ < cap_`, `!full()`).
  Items,   ///< There is something (`!empty()`, `count_ > 0`).
  Drained, ///< Nothing is left (`empty()`, `count_ == 0`).
  Full,    ///< The level reached the bound (`full()`, `count_ >= cap_`).
};

Proceeds negated(Proceeds P) {
  switch (P) {
  case Proceeds::Room:
    return Proceeds::Full;
  case Proceeds::Full:
    return Proceeds::Room;
  case Proceeds::Items:
    return Proceeds::Drained;
  case Proceeds::Drained:
    return Proceeds::Items;
  default:
    return P;
  }
}

/// Both conditions together (`closed_ || !items_.empty()`): a part that does
/// not mention the level says nothing; parts that disagree say Unknown.
Proceeds combined(Proceeds A, Proceeds B) {
  if (A == Proceeds::Never)
    return B;
  if (B == Proceeds::Never || A == B)
    return A;
  return Proceeds::Unknown;
}

/// What one method does, read from its body.
struct MethodFacts {
  /// A member function; for a C-style queue, a function whose Subject
  /// parameter is the queue.
  const FunctionDecl *Method = nullptr;
  const ParmVarDecl *Subject = nullptr;
  SmallVector<Wait, 2> Waits;
  bool Adds = false;
  bool Removes = false;
  bool Notifies = false;
  /// Fields given a value that says "stop": a flag set true, an error or
  /// status stored (not reset to false or zero).
  SmallPtrSet<const FieldDecl *, 4> FlagsSet;
  SmallPtrSet<const FieldDecl *, 4> Counted; ///< Incremented/decremented.
  /// Empties a container member of its own (`items_.clear()`).
  bool Clears = false;
  /// Semaphore members released (`free_.release(n)`): their sleepers wake.
  SmallPtrSet<const FieldDecl *, 2> Released;
  /// A call that forwards to a queue held in a field (`inner_.push(x)`):
  /// the inner queue, the field, the role there and the call, once.
  const QueueApi *ForwardApi = nullptr;
  const FieldDecl *ForwardField = nullptr;
  QueueRole ForwardRole = QueueRole::None;
  const CallExpr *ForwardCall = nullptr;
  /// More than one role forwarded, or one in a loop: not a plain wrapper.
  bool ForwardsOddly = false;
  /// A method of the same class this one calls (`push_end_of_stream() {
  /// push(std::nullopt); }`): without waits of its own, it plays that role.
  StringRef DelegatesTo;
};

std::unique_ptr<QueueApi> inferAt(const CXXRecordDecl *Record, int Depth);

/// The class of the object a field holds: directly, by reference, pointer or
/// smart pointer; in a template, the pattern of a dependent specialization
/// (`detail::Queue<T> inner_`).
const CXXRecordDecl *heldRecord(const FieldDecl *Field) {
  QualType T = Field->getType();
  if (T.isNull())
    return nullptr;
  if (const CXXRecordDecl *Record = pointeeRecord(T))
    return Record;
  T = compat::withoutSpellingSugar(T.getNonReferenceType());
  if (const auto *Pointer = T->getAs<PointerType>())
    T = compat::withoutSpellingSugar(Pointer->getPointeeType());
  if (const auto *Spec = T->getAs<TemplateSpecializationType>())
    if (const auto *Template = dyn_cast_or_null<ClassTemplateDecl>(
            Spec->getTemplateName().getAsTemplateDecl()))
      return Template->getTemplatedDecl();
  return nullptr;
}

/// The code that describes \p Record: a template instantiation is read from
/// its template, whose members all have bodies.
const CXXRecordDecl *patternOf(const CXXRecordDecl *Record) {
  if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(Record))
    if (const ClassTemplateDecl *Template = Spec->getSpecializedTemplate())
      if (!isa<ClassTemplatePartialSpecializationDecl>(Spec))
        return Template->getTemplatedDecl();
  return Record;
}

bool isConditionWait(const CallExpr *Call, bool &Timed) {
  StringRef Name = calleeName(Call);
  if (Name == "pthread_cond_wait" || Name == "pthread_cond_timedwait") {
    Timed = Name == "pthread_cond_timedwait";
    return true;
  }
  if (Name != "wait" && Name != "wait_for" && Name != "wait_until")
    return false;
  const Expr *Object = calleeObject(Call, nullptr);
  if (!Object || !isConditionVariable(typeNameOf(Object)))
    return false;
  Timed = Name != "wait";
  return true;
}

/// `notFull_.wait()` on a member whose class wraps a condition variable
/// (muduo's `Condition`): the method called sleeps on one itself, one level
/// down. Returns whether it sleeps, and through \p Timed whether only with a
/// timeout; \p Notifies is set when the method wakes sleepers instead.
bool wrapperSleeps(const CallExpr *Call, bool &Timed, bool &Notifies) {
  const auto *Method =
      dyn_cast_or_null<CXXMethodDecl>(Call ? Call->getDirectCallee() : nullptr);
  if (!Method || Method->getParent()->isInStdNamespace())
    return false;
  const FunctionDecl *Definition = Method->getDefinition();
  const Stmt *Body = Definition ? Definition->getBody() : nullptr;
  if (!Body)
    return false;
  bool Sleeps = false, AllTimed = true;
  forEachDescendant(Body, [&](const Stmt *S) {
    const auto *Inner = dyn_cast<CallExpr>(S);
    if (!Inner)
      return;
    bool InnerTimed = false;
    if (isConditionWait(Inner, InnerTimed)) {
      Sleeps = true;
      AllTimed &= InnerTimed;
    } else if (isNotifyName(calleeName(Inner))) {
      Notifies = true;
    }
  });
  Timed = AllTimed;
  return Sleeps;
}

/// The \p Index-th argument a member initialiser passes to the member's
/// constructor (`inner_(cap)`, `inner_{cap}`, or unresolved in a template).
const Expr *initArgument(const Expr *Init, unsigned Index) {
  if (!Init)
    return nullptr;
  Init = Init->IgnoreImplicit();
  if (const auto *Cleanups = dyn_cast<ExprWithCleanups>(Init))
    Init = Cleanups->getSubExpr()->IgnoreImplicit();
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(Init))
    return Index < Construct->getNumArgs() ? Construct->getArg(Index) : nullptr;
  if (const auto *List = dyn_cast<ParenListExpr>(Init))
    return Index < List->getNumExprs() ? List->getExpr(Index) : nullptr;
  if (const auto *List = dyn_cast<InitListExpr>(Init))
    return Index < List->getNumInits() ? List->getInit(Index) : nullptr;
  if (const auto *Unresolved = dyn_cast<CXXUnresolvedConstructExpr>(Init))
    return Index < Unresolved->getNumArgs() ? Unresolved->getArg(Index)
                                            : nullptr;
  return Index == 0 ? Init : nullptr;
}

/// Which constructor parameter of \p Record reaches the \p Index-th
/// constructor argument of \p Field: `Channel(size_t cap) : inner_(cap)`.
int ctorParamFor(const CXXRecordDecl *Record, const FieldDecl *Field,
                 unsigned Index) {
  for (const CXXConstructorDecl *Ctor : Record->ctors()) {
    if (Ctor->isCopyOrMoveConstructor())
      continue;
    for (const CXXCtorInitializer *Init : Ctor->inits()) {
      if (Init->getMember() != Field)
        continue;
      const Expr *Arg = ignoreWrappers(initArgument(Init->getInit(), Index));
      if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(Arg))
        if (const auto *Param = dyn_cast<ParmVarDecl>(Ref->getDecl()))
          return Param->getFunctionScopeIndex();
    }
  }
  return -1;
}

/// Whether a constructor of \p Record, or an in-class initialiser, gives
/// \p Field a value of its own.
bool initializedIn(const CXXRecordDecl *Record, const FieldDecl *Field) {
  if (Field->hasInClassInitializer())
    return true;
  for (const CXXConstructorDecl *Ctor : Record->ctors())
    for (const CXXCtorInitializer *Init : Ctor->inits())
      if (Init->isWritten() && Init->getMember() == Field)
        return true;
  return false;
}

class ClassReader {
public:
  ClassReader(const CXXRecordDecl *Record, int Depth)
      : Record(Record), Depth(Depth) {}
  std::unique_ptr<QueueApi> read();
  /// A C-style queue: \p Functions each take the struct as their
  /// \p Subjects[i]-th parameter.
  std::unique_ptr<QueueApi>
  readFunctions(ArrayRef<std::pair<const FunctionDecl *, unsigned>> Functions);

private:
  std::unique_ptr<QueueApi> classify();
  /// The methods that keep an error for the consumers in a field the
  /// blocking pop's wait does not watch (\p PopFlags).
  void readStoredErrors(QueueApi &Api,
                        const SmallPtrSetImpl<const FieldDecl *> &PopFlags);
  void readMethod(const FunctionDecl *Method,
                  const ParmVarDecl *Subject = nullptr);
  const QueueApi *innerQueueOf(const FieldDecl *Field);
  void forwardSemantics(QueueApi &Api, const MethodFacts &Push);
  const Expr *inlinePredicate(const Expr *E, int Depth = 0);
  void collectFields(const Expr *Cond, SmallPtrSetImpl<const FieldDecl *> &Out,
                     int Depth = 0);
  bool mentionsEmptiness(const Expr *Cond, int Depth = 0);
  bool mentionsFullness(const Expr *Cond, int Depth = 0);
  int levelWeight(const Expr *E, int Depth);
  Proceeds comparisonProceeds(BinaryOperatorKind Op, const Expr *LHS,
                              const Expr *RHS, int Depth);
  Proceeds proceedsOf(const Expr *Cond, int Depth = 0);
  Proceeds proceedsOf(const MethodFacts &Facts);
  const FieldDecl *capacityFieldIn(const Expr *Cond, int Depth = 0);
  ClosedPopResult closedPopResult(const MethodFacts &Pop,
                                  const SmallPtrSetImpl<const FieldDecl *> &);
  std::optional<int64_t> successStatus(const MethodFacts &Pop);
  ClosedPushResult closedPushResult(const MethodFacts &Push,
                                    const SmallPtrSetImpl<const FieldDecl *> &,
                                    std::string &Detail);
  int capacityCtorArg(const FieldDecl *Field);

  const CXXRecordDecl *Record;
  int Depth;
  SmallVector<MethodFacts, 8> Methods;
  SmallPtrSet<const FieldDecl *, 8> CountedFields;
  /// Queues held in fields, read once per field.
  DenseMap<const FieldDecl *, const QueueApi *> InnerApis;
  std::vector<std::unique_ptr<QueueApi>> OwnedInnerApis;
};

const CXXMethodDecl *memberMethodCalled(const Expr *E,
                                        const CXXRecordDecl *Record) {
  const auto *Call = dyn_cast_or_null<CallExpr>(ignoreWrappers(E));
  if (!Call || Call->getNumArgs() != 0)
    return nullptr;
  bool Arrow = false;
  const Expr *Object = calleeObject(Call, &Arrow);
  if (Object && !isa<CXXThisExpr>(Object->IgnoreParenImpCasts()))
    return nullptr;
  if (const auto *Method =
          dyn_cast_or_null<CXXMethodDecl>(Call->getDirectCallee()))
    if (Method->getParent() == Record)
      return Method;
  // In a template, `full()` may be left unresolved; find it by name.
  StringRef Name = calleeName(Call);
  if (Name.empty())
    return nullptr;
  for (const CXXMethodDecl *Method : Record->methods())
    if (Method->getIdentifier() && Method->getName() == Name)
      return Method;
  return nullptr;
}

/// The expression a one-line predicate method returns (`bool full() const
/// { return n_ == cap_; }`), so conditions are read through helpers.
const Expr *ClassReader::inlinePredicate(const Expr *E, int Depth) {
  if (Depth > 2)
    return nullptr;
  const CXXMethodDecl *Method = memberMethodCalled(E, Record);
  if (!Method || !Method->hasBody())
    return nullptr;
  const auto *Body = dyn_cast<CompoundStmt>(Method->getBody());
  if (!Body || Body->body_empty())
    return nullptr;
  // `if (maxSize_ == 0) return false; return queue_.size() >= maxSize_;`:
  // guards that answer early narrow the predicate, the last return is it.
  for (const Stmt *Guard : llvm::drop_end(Body->body())) {
    const auto *If = dyn_cast<IfStmt>(Guard);
    const Stmt *Then = If ? If->getThen() : nullptr;
    if (const auto *Block = dyn_cast_or_null<CompoundStmt>(Then);
        Block && Block->size() == 1)
      Then = Block->body_front();
    const auto *Early = dyn_cast_or_null<ReturnStmt>(Then);
    if (!Early || If->getElse() || !Early->getRetValue() ||
        !isa<CXXBoolLiteralExpr>(ignoreWrappers(Early->getRetValue())))
      return nullptr;
  }
  if (const auto *Return = dyn_cast<ReturnStmt>(Body->body_back()))
    return Return->getRetValue();
  return nullptr;
}

void ClassReader::collectFields(const Expr *Cond,
                                SmallPtrSetImpl<const FieldDecl *> &Out,
                                int Depth) {
  if (!Cond || Depth > 2)
    return;
  auto Visit = [&](const Stmt *S) {
    if (const auto *E = dyn_cast<Expr>(S)) {
      if (const FieldDecl *Field = fieldOf(E))
        Out.insert(Field);
      // A local reference to a member's element stands for the member.
      else if (const FieldDecl *Field =
                   isa<DeclRefExpr>(E) ? writtenFieldOf(E) : nullptr)
        Out.insert(Field);
      if (const Expr *Inlined = inlinePredicate(E, Depth))
        collectFields(Inlined, Out, Depth + 1);
    }
  };
  Visit(Cond);
  forEachDescendant(Cond, Visit);
}

bool namedSize(StringRef Name) {
  return Name == "size" || Name == "count" || Name == "length" ||
         Name == "size_approx" || Name == "Size" || Name == "Count";
}

bool isZero(const Expr *E) {
  E = ignoreWrappers(E);
  if (const auto *Literal = dyn_cast<IntegerLiteral>(E))
    return Literal->getValue() == 0;
  return false;
}

bool ClassReader::mentionsEmptiness(const Expr *Cond, int Depth) {
  if (!Cond || Depth > 2)
    return false;
  bool Found = false;
  auto Visit = [&](const Stmt *S) {
    if (const auto *Call = dyn_cast<CallExpr>(S)) {
      if (calleeName(Call) == "empty")
        Found = true;
      else if (const Expr *Inlined = inlinePredicate(Call, Depth))
        Found |= mentionsEmptiness(Inlined, Depth + 1);
    }
    // `count_ == 0`, `size() != 0`; but not `maxSize_ != 0`, a capacity
    // that no method counts (a bounded-or-not switch).
    auto IsCapacity = [&](const Expr *E) {
      const FieldDecl *Field = fieldOf(E);
      return Field && !CountedFields.contains(Field) &&
             !isa<CallExpr>(ignoreWrappers(E));
    };
    if (const auto *Binary = dyn_cast<BinaryOperator>(S))
      if (Binary->isEqualityOp() &&
          ((isZero(Binary->getLHS()) && !IsCapacity(Binary->getRHS())) ||
           (isZero(Binary->getRHS()) && !IsCapacity(Binary->getLHS()))))
        Found = true;
    if (const auto *Unary = dyn_cast<UnaryOperator>(S))
      if (Unary->getOpcode() == UO_LNot) {
        const Expr *Sub = ignoreWrappers(Unary->getSubExpr());
        // `!count_`, `!items_.size()`: nothing in the queue.
        if (const FieldDecl *Field = fieldOf(Sub))
          Found |= Field->getType()->isIntegerType() &&
                   !Field->getType()->isBooleanType() && !IsCapacity(Sub);
        if (const auto *Call = dyn_cast<CallExpr>(Sub))
          Found |= calleeName(Call) == "size";
      }
  };
  Visit(Cond);
  forEachDescendant(Cond, Visit);
  return Found;
}

bool ClassReader::mentionsFullness(const Expr *Cond, int Depth) {
  if (!Cond || Depth > 2)
    return false;
  bool Found = false;
  auto Visit = [&](const Stmt *S) {
    if (const auto *Binary = dyn_cast<BinaryOperator>(S))
      if ((Binary->isRelationalOp() || Binary->isEqualityOp()) &&
          !isZero(Binary->getLHS()) && !isZero(Binary->getRHS()))
        Found = true;
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S))
      if (Op->isComparisonOp())
        Found = true;
    if (const auto *Call = dyn_cast<CallExpr>(S)) {
      StringRef Name = calleeName(Call);
      if (Name == "full" || Name == "is_full")
        Found = true;
      else if (const Expr *Inlined = inlinePredicate(Call, Depth))
        Found |= mentionsFullness(Inlined, Depth + 1);
    }
  };
  Visit(Cond);
  forEachDescendant(Cond, Visit);
  return Found;
}

/// How surely \p E measures the fill level: 2 when it reads a member some
/// method counts up or down (`count_`, `pushes_ - pops_`), 1 when it reads a
/// size (`items_.size()`), 0 otherwise (a capacity, a constant, a parameter).
int ClassReader::levelWeight(const Expr *E, int Depth) {
  if (!E || Depth > 2)
    return 0;
  int Weight = 0;
  auto Visit = [&](const Stmt *S) {
    const auto *Sub = dyn_cast<Expr>(S);
    if (!Sub)
      return;
    if (const FieldDecl *Field = fieldOf(Sub);
        Field && CountedFields.contains(Field))
      Weight = 2;
    if (const auto *Call = dyn_cast<CallExpr>(Sub)) {
      if (const Expr *Inlined = inlinePredicate(Call, Depth))
        Weight = std::max(Weight, levelWeight(Inlined, Depth + 1));
      else if (namedSize(calleeName(Call)))
        Weight = std::max(Weight, 1);
    }
  };
  Visit(E);
  forEachDescendant(E, Visit);
  return Weight;
}

/// `level OP bound`, either way round: `count_ < cap_` is room, `size() > 0`
/// items, `count_ == 0` drained, `pushes_ - pops_ >= batch` (a parameter)
/// items, `size() >= max_` full.
Proceeds ClassReader::comparisonProceeds(BinaryOperatorKind Op, const Expr *LHS,
                                         const Expr *RHS, int Depth) {
  int Left = levelWeight(LHS, Depth), Right = levelWeight(RHS, Depth);
  if (Left == Right)
    return Left == 0 ? Proceeds::Never : Proceeds::Unknown;
  if (Right > Left) {
    std::swap(LHS, RHS);
    if (BinaryOperator::isRelationalOp(Op))
      Op = BinaryOperator::reverseComparisonOp(Op);
  }
  const Expr *Bound = ignoreWrappers(RHS);
  bool Zero = isZero(Bound);
  const auto *BoundRef = dyn_cast<DeclRefExpr>(Bound);
  // A parameter is how much the caller wants (a batch), not the capacity.
  bool Wanted = BoundRef && isa<ParmVarDecl>(BoundRef->getDecl());
  switch (Op) {
  case BO_EQ:
    return Zero ? Proceeds::Drained : Proceeds::Full;
  case BO_NE:
    return Zero ? Proceeds::Items : Proceeds::Room;
  case BO_LT:
  case BO_LE:
    if (Zero)
      return Op == BO_LE ? Proceeds::Drained : Proceeds::Unknown;
    return Wanted ? Proceeds::Drained : Proceeds::Room;
  case BO_GT:
  case BO_GE:
    if (Zero)
      return Op == BO_GT ? Proceeds::Items : Proceeds::Unknown;
    return Wanted ? Proceeds::Items : Proceeds::Full;
  default:
    return Proceeds::Unknown;
  }
}

/// When \p Cond, read as a predicate, holds: see Proceeds.
Proceeds ClassReader::proceedsOf(const Expr *Cond, int Depth) {
  if (!Cond || Depth > 4)
    return Proceeds::Unknown;
  const Expr *E = ignoreWrappers(Cond);
  if (const auto *Unary = dyn_cast<UnaryOperator>(E);
      Unary && Unary->getOpcode() == UO_LNot)
    return negated(proceedsOf(Unary->getSubExpr(), Depth + 1));
  if (const auto *Binary = dyn_cast<BinaryOperator>(E)) {
    if (Binary->isLogicalOp())
      return combined(proceedsOf(Binary->getLHS(), Depth + 1),
                      proceedsOf(Binary->getRHS(), Depth + 1));
    if (Binary->isComparisonOp())
      return comparisonProceeds(Binary->getOpcode(), Binary->getLHS(),
                                Binary->getRHS(), Depth);
    return Proceeds::Unknown;
  }
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E)) {
    if (Op->isComparisonOp() && Op->getNumArgs() == 2)
      return comparisonProceeds(
          BinaryOperator::getOverloadedOpcode(Op->getOperator()), Op->getArg(0),
          Op->getArg(1), Depth);
    if (Op->getOperator() == OO_Exclaim && Op->getNumArgs() == 1)
      return negated(proceedsOf(Op->getArg(0), Depth + 1));
    return Proceeds::Never;
  }
  if (const auto *Call = dyn_cast<CallExpr>(E)) {
    StringRef Name = calleeName(Call);
    if (Name.equals_insensitive("empty") ||
        Name.equals_insensitive("isempty") ||
        Name.equals_insensitive("is_empty"))
      return Proceeds::Drained;
    if (Name.equals_insensitive("full") || Name.equals_insensitive("isfull") ||
        Name.equals_insensitive("is_full"))
      return Proceeds::Full;
    if (const Expr *Inlined = inlinePredicate(Call, Depth / 2))
      return proceedsOf(Inlined, Depth + 2);
    return levelWeight(Call, Depth / 2) ? Proceeds::Items : Proceeds::Never;
  }
  // `while (!count_)`: a counted member read as a truth value.
  if (const FieldDecl *Field = fieldOf(E); Field &&
                                           CountedFields.contains(Field) &&
                                           !Field->getType()->isBooleanType())
    return Proceeds::Items;
  return Proceeds::Never;
}

/// When the method's waits all let it go on; Unknown when they do not say.
Proceeds ClassReader::proceedsOf(const MethodFacts &Facts) {
  Proceeds Result = Proceeds::Never;
  for (const Wait &W : Facts.Waits) {
    if (!W.Condition)
      return Proceeds::Unknown;
    Proceeds One = proceedsOf(W.Condition);
    Result = combined(Result, W.WhileHolds ? negated(One) : One);
  }
  return Result == Proceeds::Never ? Proceeds::Unknown : Result;
}

/// In `size() >= cap_`, `count_ == capacity_`: the field that bounds the
/// size, i.e. the integer field that no method counts up or down.
const FieldDecl *ClassReader::capacityFieldIn(const Expr *Cond, int Depth) {
  if (!Cond || Depth > 2)
    return nullptr;
  const FieldDecl *Found = nullptr;
  auto Visit = [&](const Stmt *S) {
    if (Found)
      return;
    const Expr *Sides[2] = {nullptr, nullptr};
    if (const auto *Binary = dyn_cast<BinaryOperator>(S);
        Binary && (Binary->isRelationalOp() || Binary->isEqualityOp())) {
      Sides[0] = Binary->getLHS();
      Sides[1] = Binary->getRHS();
    } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S);
               Op && Op->isComparisonOp() && Op->getNumArgs() == 2) {
      Sides[0] = Op->getArg(0);
      Sides[1] = Op->getArg(1);
    } else if (const auto *Call = dyn_cast<CallExpr>(S)) {
      Found = capacityFieldIn(inlinePredicate(Call, Depth), Depth + 1);
      return;
    }
    // The bound is a number the level is compared with, not a state
    // (`state_ != running_state::running` is no capacity).
    for (unsigned I = 0; I < 2; ++I)
      if (const FieldDecl *Field = Sides[I] ? fieldOf(Sides[I]) : nullptr)
        if (Field->getType()->isIntegerType() &&
            !Field->getType()->isBooleanType() &&
            !Field->getType()->isEnumeralType() &&
            !CountedFields.contains(Field) &&
            levelWeight(Sides[1 - I], Depth) > 0)
          Found = Field;
  };
  Visit(Cond);
  forEachDescendant(Cond, Visit);
  return Found;
}

/// In `while (queue_.full())`: the container that knows its own capacity
/// (a circular buffer), whose constructor argument is then the capacity.
const FieldDecl *fullContainerIn(const Expr *Cond) {
  const FieldDecl *Found = nullptr;
  auto Visit = [&](const Stmt *S) {
    const auto *Call = dyn_cast<CallExpr>(S);
    if (!Call || Found)
      return;
    StringRef Name = calleeName(Call);
    if (Name != "full" && Name != "is_full")
      return;
    if (const Expr *Object = calleeObject(Call, nullptr))
      Found = fieldOf(Object);
  };
  if (Cond) {
    Visit(Cond);
    forEachDescendant(Cond, Visit);
  }
  return Found;
}

bool isAddName(StringRef Name) {
  return Name == "push_back" || Name == "emplace_back" || Name == "push" ||
         Name == "emplace" || Name == "push_front" || Name == "emplace_front" ||
         Name == "insert" || Name == "enqueue" || Name == "splice";
}

bool isRemoveName(StringRef Name) {
  return Name == "pop_front" || Name == "pop_back" || Name == "pop" ||
         Name == "erase" || Name == "dequeue";
}

bool isFalseLiteral(const Expr *E) {
  E = ignoreWrappers(E);
  if (const auto *Bool = dyn_cast<CXXBoolLiteralExpr>(E))
    return !Bool->getValue();
  if (const auto *Int = dyn_cast<IntegerLiteral>(E))
    return Int->getValue() == 0;
  return isa<CXXNullPtrLiteralExpr>(E);
}

bool isTrueLiteral(const Expr *E) {
  E = ignoreWrappers(E);
  if (const auto *Bool = dyn_cast<CXXBoolLiteralExpr>(E))
    return Bool->getValue();
  if (const auto *Int = dyn_cast<IntegerLiteral>(E))
    return Int->getValue() != 0;
  return false;
}

/// Whether a statement that leaves the method (return, throw, break out of
/// the loop) is below \p S.
bool leavesBelow(const Stmt *S) {
  if (!S)
    return false;
  bool Found = isa<ReturnStmt, CXXThrowExpr, BreakStmt, GotoStmt>(S);
  forEachDescendant(S, [&](const Stmt *Child) {
    Found |= isa<ReturnStmt, CXXThrowExpr, BreakStmt, GotoStmt>(Child);
  });
  return Found;
}

/// Whether the result of the timed wait \p Wait can make its method give
/// up: it is returned, stored, or tested by a branch or loop that leaves.
/// A wait whose result is dropped, or tested only to log, retries for ever.
bool timeoutLeaves(const CallExpr *Wait, const ParentMap &Parents) {
  const Stmt *Child = Wait;
  for (const Stmt *P = Parents.getParent(Wait); P;
       Child = P, P = Parents.getParent(P)) {
    if (isa<CompoundStmt>(P))
      return false; // A statement of its own: the result is dropped.
    if (const auto *If = dyn_cast<IfStmt>(P))
      return If->getCond() == Child &&
             (leavesBelow(If->getThen()) || leavesBelow(If->getElse()));
    if (const auto *While = dyn_cast<WhileStmt>(P))
      return While->getCond() == Child && leavesBelow(While->getBody());
    if (const auto *Do = dyn_cast<DoStmt>(P))
      return Do->getCond() == Child && leavesBelow(Do->getBody());
    if (const auto *For = dyn_cast<ForStmt>(P))
      return For->getCond() == Child && leavesBelow(For->getBody());
    if (isa<ReturnStmt, DeclStmt>(P))
      return true;
    if (const auto *Assign = dyn_cast<BinaryOperator>(P);
        Assign && Assign->isAssignmentOp())
      return true;
    if (!isa<Expr>(P))
      return true;
  }
  return true;
}

/// Whether \p Object (the thing a call is made on) is a member of the queue:
/// its container, its counters.
bool isOwnMember(const Expr *Object) {
  if (!Object)
    return true; // Implicit `this->`.
  return fieldOf(Object) != nullptr ||
         isa<CXXThisExpr>(Object->IgnoreParenImpCasts());
}

void ClassReader::readMethod(const FunctionDecl *Method,
                             const ParmVarDecl *SubjectParam) {
  const Stmt *Body = Method->getBody();
  if (!Body)
    return;
  SubjectScope Scope(SubjectParam);
  MethodFacts Facts;
  Facts.Method = Method;
  Facts.Subject = SubjectParam;
  ParentMap Parents(const_cast<Stmt *>(Body));

  // The condition of the loop around a wait that has no predicate.
  auto LoopCondition = [&](const Stmt *S) -> const Expr * {
    const Stmt *Loop = enclosingLoop(S, Parents);
    if (const auto *While = dyn_cast_or_null<WhileStmt>(Loop))
      return While->getCond();
    if (const auto *Do = dyn_cast_or_null<DoStmt>(Loop))
      return Do->getCond();
    if (const auto *For = dyn_cast_or_null<ForStmt>(Loop))
      return For->getCond();
    return nullptr;
  };

  forEachDescendant(Body, [&](const Stmt *S) {
    if (const auto *Unary = dyn_cast<UnaryOperator>(S);
        Unary && Unary->isIncrementDecrementOp()) {
      if (const FieldDecl *Field = fieldOf(Unary->getSubExpr());
          Field && Field->getType()->isIntegerType()) {
        Facts.Counted.insert(Field);
        (Unary->isIncrementOp() ? Facts.Adds : Facts.Removes) = true;
      }
      return;
    }
    if (const auto *Assign = dyn_cast<BinaryOperator>(S)) {
      const Expr *LHS = ignoreWrappers(Assign->getLHS());
      if (Assign->getOpcode() == BO_Assign) {
        if (const FieldDecl *Field = fieldOf(LHS);
            Field && !isFalseLiteral(Assign->getRHS()) &&
            (!isFlagType(Field->getType()) || isTrueLiteral(Assign->getRHS())))
          Facts.FlagsSet.insert(Field);
        // `buf_[tail_] = x`: storing into the queue's array.
        if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(LHS))
          Facts.Adds |= fieldOf(Subscript->getBase()) != nullptr;
      }
      // `finished |= FINISHED_RECV`: a bit raised in a state word.
      if (Assign->getOpcode() == BO_OrAssign)
        if (const FieldDecl *Field = writtenFieldOf(LHS);
            Field && !isZero(Assign->getRHS()))
          Facts.FlagsSet.insert(Field);
      if (Assign->getOpcode() == BO_AddAssign ||
          Assign->getOpcode() == BO_SubAssign)
        if (const FieldDecl *Field = fieldOf(LHS);
            Field && Field->getType()->isIntegerType() &&
            !Field->getType()->isBooleanType()) {
          Facts.Counted.insert(Field);
          (Assign->getOpcode() == BO_AddAssign ? Facts.Adds : Facts.Removes) =
              true;
        }
      return;
    }
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S)) {
      // `stop_ = true` on a std::atomic<bool>, `error_ = current_exception()`.
      if (Op->getOperator() == OO_Equal && Op->getNumArgs() == 2)
        if (const FieldDecl *Field = fieldOf(Op->getArg(0));
            Field && !isFalseLiteral(Op->getArg(1)) &&
            (!isFlagType(Field->getType()) || isTrueLiteral(Op->getArg(1))))
          Facts.FlagsSet.insert(Field);
      // `buf_[tail_] = x` on a std::array / std::vector member.
      if (Op->getOperator() == OO_Equal && Op->getNumArgs() == 2) {
        const Expr *Target = ignoreWrappers(Op->getArg(0));
        if (const auto *Subscript = dyn_cast<CXXOperatorCallExpr>(Target))
          Facts.Adds |= Subscript->getOperator() == OO_Subscript &&
                        fieldOf(Subscript->getArg(0));
        else if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(Target))
          Facts.Adds |= fieldOf(Subscript->getBase()) != nullptr;
      }
    }
    const auto *Call = dyn_cast<CallExpr>(S);
    if (!Call)
      return;
    StringRef Name = calleeName(Call);
    bool Arrow = false;
    const Expr *Object = calleeObject(Call, &Arrow);
    StringRef ObjectType = Object ? typeNameOf(Object) : StringRef();
    if ((!Object || isa<CXXThisExpr>(Object->IgnoreParenImpCasts())) &&
        Facts.DelegatesTo.empty() && !Name.empty() && !SubjectParam &&
        Name != Method->getName())
      for (const CXXMethodDecl *Own : Record->methods())
        if (Own->getIdentifier() && Own->getName() == Name) {
          Facts.DelegatesTo = Own->getName();
          break;
        }

    if (const FieldDecl *Field = Object ? fieldOf(Object) : nullptr) {
      // A queue held in a field: the call forwards to it (`inner_.push(x)`).
      if (const QueueApi *Inner = innerQueueOf(Field)) {
        QueueRole Role = Inner->roleOf(Name);
        if (Role != QueueRole::None) {
          if ((Facts.ForwardApi &&
               (Facts.ForwardRole != Role || Facts.ForwardField != Field)) ||
              enclosingLoop(S, Parents))
            Facts.ForwardsOddly = true;
          Facts.ForwardApi = Inner;
          Facts.ForwardField = Field;
          Facts.ForwardRole = Role;
          Facts.ForwardCall = Call;
          return;
        }
      }
      // A member that wraps a condition variable (muduo's `Condition`):
      // waiting on it is waiting on the condition variable.
      bool Timed = false, Notifies = false;
      if (!isConditionVariable(ObjectType) &&
          wrapperSleeps(Call, Timed, Notifies)) {
        if (const Expr *Cond = LoopCondition(S))
          Facts.Waits.push_back(Wait{Cond, false, nullptr, true});
        else
          Facts.Waits.push_back(Wait{nullptr, Timed});
        return;
      }
      Facts.Notifies |= Notifies;
    }

    if (Name == "store" && Object && Call->getNumArgs() >= 1)
      if (const FieldDecl *Field = fieldOf(Object);
          Field && isFlagType(Field->getType()) &&
          isTrueLiteral(Call->getArg(0)))
        Facts.FlagsSet.insert(Field);
    if (isNotifyName(Name))
      Facts.Notifies = true;
    if (Name == "release" && Object && isSemaphore(ObjectType))
      if (const FieldDecl *Field = fieldOf(Object))
        Facts.Released.insert(Field);

    // Condition-variable waits.
    bool CvWait =
        (Name == "wait" || Name == "wait_for" || Name == "wait_until") &&
        Object && isConditionVariable(ObjectType);
    bool PthreadWait =
        Name == "pthread_cond_wait" || Name == "pthread_cond_timedwait";
    if (CvWait || PthreadWait) {
      Wait W;
      W.Timed = Name != "wait" && Name != "pthread_cond_wait";
      // The predicate comes last: `wait(lk, pred)`, `wait_for(lk, d, pred)`,
      // and with a stop token before it (condition_variable_any).
      unsigned PredicateArg = Name == "wait" ? 1 : 2;
      if (CvWait && Call->getNumArgs() > PredicateArg) {
        const Expr *Predicate =
            ignoreWrappers(Call->getArg(Call->getNumArgs() - 1));
        if (const auto *Lambda = dyn_cast<LambdaExpr>(Predicate)) {
          const auto *PredBody = dyn_cast<CompoundStmt>(Lambda->getBody());
          if (PredBody && PredBody->size() == 1)
            if (const auto *Return =
                    dyn_cast<ReturnStmt>(PredBody->body_front()))
              W.Condition = Return->getRetValue();
        }
      } else if (const Expr *Cond = LoopCondition(S)) {
        // `while (full) cv.wait_for(lk, d);` retries until there is room:
        // it sleeps as long as a plain wait does.
        W.Condition = Cond;
        W.Timed = false;
        W.WhileHolds = true;
      }
      // A timed wait retried in a loop that nothing but room ends (the
      // timeout only logs) sleeps for ever too.
      if (W.Timed && enclosingLoop(S, Parents) &&
          !timeoutLeaves(Call, Parents)) {
        W.Timed = false;
        if (!W.Condition) {
          W.Condition = LoopCondition(S);
          W.WhileHolds = true;
        }
      }
      Facts.Waits.push_back(W);
      return;
    }
    // Semaphore slots: acquire sleeps until a slot is free.
    if ((Name == "acquire") && Object && isSemaphore(ObjectType)) {
      Facts.Waits.push_back(Wait{nullptr, false, fieldOf(Object)});
      return;
    }
    if ((Name == "try_acquire_for" || Name == "try_acquire_until") && Object &&
        isSemaphore(ObjectType)) {
      Facts.Waits.push_back(Wait{nullptr, true});
      return;
    }
    // Sleep-poll loops: `while (size() >= max_) sleep_for(...)`.
    if (Name == "sleep_for" || Name == "sleep_until" || Name == "yield" ||
        Name == "usleep" || Name == "nanosleep") {
      // The loop's own condition says what it waits for; a `for (;;)` that
      // stores and returns once there is room waits as long.
      if (enclosingLoop(S, Parents))
        Facts.Waits.push_back(Wait{LoopCondition(S), false, nullptr, true});
      return;
    }
    if (Object && !isOwnMember(Object))
      return;
    if (isAddName(Name) && Object)
      Facts.Adds = true;
    else if (isRemoveName(Name) && Object)
      Facts.Removes = true;
    else if (Name == "clear" && Object && Call->getNumArgs() == 0)
      Facts.Clears = true;
  });
  for (const FieldDecl *Field : Facts.Counted)
    CountedFields.insert(Field);
  Methods.push_back(std::move(Facts));
}

/// What push does once closed: read from the statements that test a close
/// flag (`if (closed_) return false;` / `throw` / `return;`).
ClosedPushResult
ClassReader::closedPushResult(const MethodFacts &Push,
                              const SmallPtrSetImpl<const FieldDecl *> &Flags,
                              std::string &Detail) {
  SubjectScope Scope(Push.Subject);
  ClosedPushResult Result = ClosedPushResult::Unknown;
  forEachDescendant(Push.Method->getBody(), [&](const Stmt *S) {
    const auto *If = dyn_cast<IfStmt>(S);
    if (!If || Result != ClosedPushResult::Unknown)
      return;
    SmallPtrSet<const FieldDecl *, 4> Tested;
    collectFields(If->getCond(), Tested);
    if (none_of(Tested, [&](const FieldDecl *F) { return Flags.contains(F); }))
      return;
    const Stmt *Then = If->getThen();
    if (const auto *Compound = dyn_cast<CompoundStmt>(Then);
        Compound && !Compound->body_empty())
      Then = Compound->body_back();
    if (const auto *Throw = dyn_cast<CXXThrowExpr>(Then)) {
      Result = ClosedPushResult::Throws;
      if (const Expr *Thrown = Throw->getSubExpr()) {
        PrintingPolicy Policy = Record->getASTContext().getPrintingPolicy();
        Policy.SuppressTagKeyword = true;
        Policy.FullyQualifiedName = true;
        Detail = compat::withoutSpellingSugar(Thrown->getType())
                     .getUnqualifiedType()
                     .getAsString(Policy);
      }
    } else if (const auto *Return = dyn_cast<ReturnStmt>(Then)) {
      const Expr *Value = Return->getRetValue();
      if (!Value)
        Result = ClosedPushResult::Ignored;
      else if (Value->getType()->isBooleanType())
        Result = ClosedPushResult::ReturnsFalse;
      else
        Result = ClosedPushResult::ReturnsStatus;
    }
  });
  if (Result == ClosedPushResult::Unknown) {
    QualType Ret = Push.Method->getReturnType();
    Result = Ret->isBooleanType() ? ClosedPushResult::ReturnsFalse
                                  : ClosedPushResult::Ignored;
  }
  return Result;
}

/// How the pop reports the closed queue: what the branch taken once it is
/// closed (a flag the pop's wait watches is set, or nothing is left)
/// returns: false, an empty value (`{}`, nullopt, nullptr, `T()`), a status,
/// or an exception. A pop with no such branch never reports it.
ClosedPopResult
ClassReader::closedPopResult(const MethodFacts &Pop,
                             const SmallPtrSetImpl<const FieldDecl *> &Flags) {
  auto IsEmptyValue = [](const Expr *Value) {
    Value = ignoreWrappers(Value);
    if (isa<CXXNullPtrLiteralExpr, CXXScalarValueInitExpr,
            ImplicitValueInitExpr>(Value))
      return true;
    if (const auto *List = dyn_cast<InitListExpr>(Value))
      return List->getNumInits() == 0;
    if (const auto *Construct = dyn_cast<CXXConstructExpr>(Value)) {
      if (Construct->getNumArgs() == 0)
        return true;
      if (Construct->getNumArgs() == 1)
        if (const CXXRecordDecl *Arg =
                Construct->getArg(0)->getType()->getAsCXXRecordDecl())
          return Arg->getName() == "nullopt_t" || Arg->getName() == "nullptr_t";
    }
    return false;
  };
  SubjectScope Scope(Pop.Subject);
  ClosedPopResult Result = ClosedPopResult::Unknown;
  forEachDescendant(Pop.Method->getBody(), [&](const Stmt *S) {
    const auto *If = dyn_cast<IfStmt>(S);
    if (!If || Result != ClosedPopResult::Unknown)
      return;
    SmallPtrSet<const FieldDecl *, 4> Tested;
    collectFields(If->getCond(), Tested);
    bool TestsFlag = any_of(Tested, [&](const FieldDecl *F) {
      return Flags.contains(F) && !CountedFields.contains(F);
    });
    if (!TestsFlag && !mentionsEmptiness(If->getCond()))
      return;
    const Stmt *Then = If->getThen();
    if (const auto *Compound = dyn_cast<CompoundStmt>(Then);
        Compound && !Compound->body_empty())
      Then = Compound->body_back();
    const auto *ThenExpr = dyn_cast<Expr>(Then);
    const auto *Rethrow =
        ThenExpr ? dyn_cast<CallExpr>(ignoreWrappers(ThenExpr)) : nullptr;
    if (isa<CXXThrowExpr>(Then) ||
        (Rethrow && calleeName(Rethrow) == "rethrow_exception")) {
      Result = ClosedPopResult::Throws;
      return;
    }
    const auto *Return = dyn_cast<ReturnStmt>(Then);
    const Expr *Value = Return ? Return->getRetValue() : nullptr;
    if (!Value)
      return;
    QualType T = Value->getType();
    if (T->isBooleanType())
      Result = ClosedPopResult::ReturnsFalse;
    else if (IsEmptyValue(Value))
      Result = ClosedPopResult::EmptyValue;
    else if (T->isIntegerType() || T->isEnumeralType())
      Result = ClosedPopResult::Status;
    // A status object (`return {StatusCode::kCancelled, "closed"};`): its
    // yes/no questions (`ok()`) say whether an item came, as an invalid
    // object's do.
    else if (T->isRecordType() && Pop.Method->getReturnType()->isRecordType())
      Result = ClosedPopResult::EmptyValue;
  });
  return Result;
}

/// The status a pop returns when it hands out an item: the value of its
/// last return statement, the path that took one.
std::optional<int64_t> ClassReader::successStatus(const MethodFacts &Pop) {
  const auto *Body = dyn_cast_or_null<CompoundStmt>(Pop.Method->getBody());
  const ReturnStmt *Last = nullptr, *AfterRemoval = nullptr;
  auto Removes = [](const Stmt *S) {
    bool Found = false;
    auto Visit = [&](const Stmt *Node) {
      if (const auto *Call = dyn_cast<CallExpr>(Node))
        Found |= isRemoveName(calleeName(Call));
    };
    Visit(S);
    forEachDescendant(S, Visit);
    return Found;
  };
  if (Body)
    forEachDescendant(Body, [&](const Stmt *S) {
      if (const auto *Return = dyn_cast<ReturnStmt>(S))
        Last = Return;
      // The return right after the item is taken out, in the same block:
      // `fifo_.pop_front(); return 0;` inside a wait loop that also returns
      // an end-of-stream status.
      if (const auto *Block = dyn_cast<CompoundStmt>(S);
          Block && !AfterRemoval) {
        bool Removed = false;
        for (const Stmt *Child : Block->body()) {
          if (const auto *Return = dyn_cast<ReturnStmt>(Child);
              Return && Removed) {
            AfterRemoval = Return;
            break;
          }
          Removed |= Removes(Child);
        }
      }
    });
  const ReturnStmt *Success = AfterRemoval ? AfterRemoval : Last;
  if (!Success || !Success->getRetValue())
    return std::nullopt;
  return evaluateInt(Success->getRetValue(), Record->getASTContext());
}

/// Which constructor argument initialises \p Field (`cap_(capacity)`, or the
/// first argument of a container's `queue_(maxSize)`).
int ClassReader::capacityCtorArg(const FieldDecl *Field) {
  return ctorParamFor(Record, Field, 0);
}

const QueueApi *ClassReader::innerQueueOf(const FieldDecl *Field) {
  if (auto It = InnerApis.find(Field); It != InnerApis.end())
    return It->second;
  InnerApis[Field] = nullptr; // Also while reading it: no cycles.
  const CXXRecordDecl *Held = heldRecord(Field);
  if (!Held || Held->isInStdNamespace() || Held->isLambda())
    return nullptr;
  for (const QueueApi &Known : QueueModel::knownApis())
    if (matchesQualifiedName(Held, Known.TypeName))
      return InnerApis[Field] = &Known;
  // Hand-written inner queues are read like any other, a bounded number of
  // wrappers deep.
  const CXXRecordDecl *Pattern = patternOf(Held);
  if (Depth >= 2 || Pattern->getCanonicalDecl() == Record->getCanonicalDecl())
    return nullptr;
  std::unique_ptr<QueueApi> Inner = inferAt(Pattern, Depth + 1);
  if (!Inner)
    return nullptr;
  OwnedInnerApis.push_back(std::move(Inner));
  return InnerApis[Field] = OwnedInnerApis.back().get();
}

/// A wrapper whose push forwards to an inner queue's blocking push behaves
/// as the inner queue does: bounded or not, what close wakes, and what a push
/// reports once closed, unless the wrapper changes that itself.
void ClassReader::forwardSemantics(QueueApi &Api, const MethodFacts &Push) {
  const QueueApi &Inner = *Push.ForwardApi;
  Api.CanBeBounded = Inner.CanBeBounded;
  Api.BoundedByDefault = Inner.BoundedByDefault;
  Api.CloseWakesBlockedPush = Inner.CloseWakesBlockedPush;
  Api.CloseIsPermanent = Inner.CloseIsPermanent;
  QualType FieldType = Push.ForwardField->getType();
  // Only a queue the wrapper owns takes its capacity from the wrapper's
  // constructor.
  if (Inner.CapacityCtorArg >= 0 && !FieldType->isReferenceType() &&
      !FieldType->isPointerType()) {
    Api.CapacityCtorArg =
        ctorParamFor(Record, Push.ForwardField, Inner.CapacityCtorArg);
    // Built with the inner queue's default capacity, and that is 0: no
    // limit (a queue with no room at all could take nothing).
    if (Api.CapacityCtorArg < 0 && !initializedIn(Record, Push.ForwardField) &&
        defaultCapacity(heldRecord(Push.ForwardField), Inner.CapacityCtorArg) ==
            0)
      Api.BoundedByDefault = false;
  }

  auto CopyInner = [&] {
    Api.OnClosedPush = Inner.OnClosedPush;
    Api.ClosedException = Inner.ClosedException;
    Api.ClosedStatus = Inner.ClosedStatus;
    Api.ClosedHeader = Inner.ClosedHeader;
  };
  const Stmt *Body = Push.Method->getBody();
  bool ReturnsInner = false;
  const CXXThrowExpr *Throw = nullptr;
  forEachDescendant(Body, [&](const Stmt *S) {
    if (const auto *Return = dyn_cast<ReturnStmt>(S))
      ReturnsInner |= ignoreWrappers(Return->getRetValue()) == Push.ForwardCall;
    if (const auto *T = dyn_cast<CXXThrowExpr>(S); T && !Throw)
      Throw = T;
  });
  if (ReturnsInner) {
    CopyInner();
  } else if (Throw && Throw->getSubExpr()) {
    // `if (!inner_.push(x)) throw Closed{};`
    Api.OnClosedPush = ClosedPushResult::Throws;
    PrintingPolicy Policy = Record->getASTContext().getPrintingPolicy();
    Policy.SuppressTagKeyword = true;
    Policy.FullyQualifiedName = true;
    Api.ClosedException =
        compat::withoutSpellingSugar(Throw->getSubExpr()->getType())
            .getUnqualifiedType()
            .getAsString(Policy);
    Api.ClosedHeader.clear();
  } else if (Inner.OnClosedPush == ClosedPushResult::Throws) {
    CopyInner(); // The inner exception passes through.
  } else if (Push.Method->getReturnType()->isVoidType()) {
    Api.OnClosedPush = ClosedPushResult::Ignored;
  } else if (Push.Method->getReturnType()->isBooleanType()) {
    Api.OnClosedPush = ClosedPushResult::ReturnsFalse;
  }
}

std::unique_ptr<QueueApi> ClassReader::read() {
  for (const Decl *D : Record->decls()) {
    const auto *Method = dyn_cast<CXXMethodDecl>(D);
    if (const auto *Template = dyn_cast<FunctionTemplateDecl>(D))
      Method = dyn_cast<CXXMethodDecl>(Template->getTemplatedDecl());
    if (Method && Method->getIdentifier() && !Method->isStatic())
      readMethod(Method);
  }
  return classify();
}

std::unique_ptr<QueueApi> ClassReader::readFunctions(
    ArrayRef<std::pair<const FunctionDecl *, unsigned>> Functions) {
  for (auto [Function, Index] : Functions)
    readMethod(Function, Function->getParamDecl(Index));
  std::unique_ptr<QueueApi> Api = classify();
  if (Api)
    Api->FreeFunctions = true;
  return Api;
}

/// Whether \p T is std::exception_ptr (libstdc++ declares it in a namespace
/// nested in std, libc++ in an inline one).
bool isExceptionPtr(QualType T) {
  const CXXRecordDecl *Record = T.isNull() ? nullptr : T->getAsCXXRecordDecl();
  if (!Record || Record->getName() != "exception_ptr")
    return false;
  for (const DeclContext *Outer = Record->getDeclContext(); Outer;
       Outer = Outer->getParent())
    if (Outer->isStdNamespace())
      return true;
  return false;
}

void ClassReader::readStoredErrors(
    QueueApi &Api, const SmallPtrSetImpl<const FieldDecl *> &PopFlags) {
  if (Api.BlockingPop.empty())
    return;
  for (const MethodFacts &Facts : Methods) {
    if (!Facts.Waits.empty() || Facts.Adds || Facts.Removes ||
        is_contained(Api.CloseWakingPop, Facts.Method->getName()))
      continue;
    for (const FieldDecl *Field : Facts.FlagsSet) {
      if (PopFlags.contains(Field) || !isExceptionPtr(Field->getType()))
        continue;
      if (Api.StoredErrorField && Api.StoredErrorField != Field)
        continue;
      Api.StoredErrorField = Field;
      Api.StoreError.push_back(Facts.Method->getName().str());
      break;
    }
  }
}

std::unique_ptr<QueueApi> ClassReader::classify() {
  auto Api = std::make_unique<QueueApi>();
  Api->TypeName = Record->getQualifiedNameAsString();
  Api->Inferred = true;

  // Roles: a wait that watches fullness (or precedes an add) is a push; one
  // that watches emptiness (or precedes a remove) is a pop.
  SmallPtrSet<const FieldDecl *, 4> PushFlags, PopFlags;
  // The semaphore members the push and the pop sleep on.
  SmallPtrSet<const FieldDecl *, 2> PushSemaphores, PopSemaphores;
  const MethodFacts *FirstPush = nullptr, *FirstPop = nullptr;
  SmallVector<const MethodFacts *, 4> Forwarders;
  for (const MethodFacts &Facts : Methods) {
    SubjectScope Scope(Facts.Subject);
    StringRef Name = Facts.Method->getName();
    if (Facts.Waits.empty() && Facts.ForwardApi) {
      if (!Facts.ForwardsOddly)
        Forwarders.push_back(&Facts);
      continue;
    }
    if (Facts.Waits.empty()) {
      // Empties the queue and wakes the sleepers, handing nothing out.
      if (Facts.Clears && Facts.Notifies && !Facts.Adds &&
          Facts.Method->getReturnType()->isVoidType() &&
          Facts.Method->getNumParams() == (Facts.Subject ? 1u : 0u)) {
        Api->Drain.push_back(Name.str());
        continue;
      }
      if (Facts.Adds && !Facts.Removes)
        Api->NonBlockingPush.push_back(Name.str());
      else if (Facts.Removes && !Facts.Adds)
        Api->NonBlockingPop.push_back(Name.str());
      continue;
    }
    bool Timed = all_of(Facts.Waits, [](const Wait &W) { return W.Timed; });
    bool Empty = false, Full = false;
    for (const Wait &W : Facts.Waits) {
      Empty |= mentionsEmptiness(W.Condition);
      Full |= mentionsFullness(W.Condition) && !mentionsEmptiness(W.Condition);
    }
    // The direction of the wait decides when it is readable: a push waits
    // for room, a pop for items, whatever else the condition watches
    // (`state_ == stopped` is a flag, not a level).
    Proceeds Direction = proceedsOf(Facts);
    if (Direction == Proceeds::Room) {
      Full = true;
      Empty = false;
    } else if (Direction == Proceeds::Items) {
      Full = false;
      Empty = true;
    }
    bool IsPush = Full || (!Empty && Facts.Adds && !Facts.Removes);
    // A method that sleeps and then hands something out (a return value or
    // an out-parameter) without storing is a pop too: `T take()` of a
    // semaphore ring that only advances its read index.
    bool HandsOut =
        (!Facts.Method->getReturnType()->isVoidType() && !Facts.Subject) ||
        any_of(Facts.Method->parameters(), [&](const ParmVarDecl *P) {
          QualType T = P->getType();
          if (P == Facts.Subject)
            return false;
          if (Facts.Subject && T->isPointerType())
            return !T->getPointeeType().isConstQualified();
          return T->isLValueReferenceType() &&
                 !T.getNonReferenceType().isConstQualified();
        });
    bool IsPop = !IsPush && (Empty || (Facts.Removes && !Facts.Adds) ||
                             (!Facts.Adds && !Full && HandsOut));
    if (IsPush && !Facts.Adds && !Empty) {
      // A method that waits for room but stores nothing is a wait helper
      // (`wait_until_not_full`); not a push on its own.
      IsPush = false;
    }
    if (IsPush) {
      (Timed ? Api->NonBlockingPush : Api->BlockingPush).push_back(Name.str());
      for (const Wait &W : Facts.Waits) {
        collectFields(W.Condition, PushFlags);
        if (W.Semaphore)
          PushSemaphores.insert(W.Semaphore);
        if (!Api->CapacityField)
          Api->CapacityField = capacityFieldIn(W.Condition);
        if (!Api->CapacityField)
          Api->CapacityField = fullContainerIn(W.Condition);
      }
      if (!Timed && !FirstPush)
        FirstPush = &Facts;
    } else if (IsPop) {
      if (!Timed && !FirstPop)
        FirstPop = &Facts;
      (Timed ? Api->NonBlockingPop : Api->BlockingPop).push_back(Name.str());
      for (const Wait &W : Facts.Waits) {
        collectFields(W.Condition, PopFlags);
        if (W.Semaphore)
          PopSemaphores.insert(W.Semaphore);
      }
    }
  }
  // A wrapper (`Channel<T>` over `detail::Queue<T>`): its methods that
  // forward to the inner queue take the inner roles. One inner queue: the
  // one the blocking push (else the blocking pop) forwards to.
  const MethodFacts *ForwardedPush = nullptr;
  const FieldDecl *InnerField = nullptr;
  for (QueueRole Role : {QueueRole::BlockingPush, QueueRole::BlockingPop})
    for (const MethodFacts *Facts : Forwarders)
      if (!InnerField && Facts->ForwardRole == Role) {
        InnerField = Facts->ForwardField;
        if (Role == QueueRole::BlockingPush)
          ForwardedPush = Facts;
      }
  for (const MethodFacts *Facts : Forwarders) {
    if (Facts->ForwardField != InnerField)
      continue;
    std::string Name = Facts->Method->getName().str();
    switch (Facts->ForwardRole) {
    case QueueRole::BlockingPush:
      Api->BlockingPush.push_back(Name);
      break;
    case QueueRole::BlockingPop:
      Api->BlockingPop.push_back(Name);
      break;
    case QueueRole::NonBlockingPush:
      Api->NonBlockingPush.push_back(Name);
      break;
    case QueueRole::NonBlockingPop:
      Api->NonBlockingPop.push_back(Name);
      break;
    case QueueRole::Close: {
      Api->Close.push_back(Name);
      StringRef InnerClose = calleeName(Facts->ForwardCall);
      if (Facts->ForwardApi->closeWakes(InnerClose, QueueSide::Producers))
        Api->CloseWakingPush.push_back(Name);
      if (Facts->ForwardApi->closeWakes(InnerClose, QueueSide::Consumers))
        Api->CloseWakingPop.push_back(Name);
      break;
    }
    case QueueRole::SetCapacity:
      Api->SetCapacity.push_back(Name);
      break;
    case QueueRole::Drain:
      Api->Drain.push_back(Name);
      break;
    case QueueRole::StoreError:
    case QueueRole::None:
      break;
    }
  }
  // A class that only forwards one side (a producer's facade over a queue
  // member) is no queue of its own.
  bool OwnWaits = any_of(
      Methods, [](const MethodFacts &Facts) { return !Facts.Waits.empty(); });
  bool Pushes = !Api->BlockingPush.empty() || !Api->NonBlockingPush.empty();
  bool Pops = !Api->BlockingPop.empty() || !Api->NonBlockingPop.empty();
  if (!OwnWaits && (!Pushes || !Pops))
    return nullptr;
  // Methods that delegate to another role of the class play it too.
  for (const MethodFacts &Facts : Methods) {
    if (!Facts.Waits.empty() || Facts.DelegatesTo.empty())
      continue;
    std::string Name = Facts.Method->getName().str();
    QueueRole Role = Api->roleOf(Facts.DelegatesTo);
    if (Role != QueueRole::BlockingPush && Role != QueueRole::BlockingPop)
      continue;
    llvm::erase(Api->NonBlockingPush, Name);
    llvm::erase(Api->NonBlockingPop, Name);
    auto &Into =
        Role == QueueRole::BlockingPush ? Api->BlockingPush : Api->BlockingPop;
    if (!is_contained(Into, Name))
      Into.push_back(Name);
  }
  if (Api->BlockingPush.empty() && Api->BlockingPop.empty())
    return nullptr;
  Api->CanBeBounded = !Api->BlockingPush.empty();

  // Close: sets a flag some wait watches and wakes the sleepers. Which side
  // it wakes is which waits watch that flag: a close the push's wait
  // ignores wakes consumers only. A semaphore has no predicate: a method
  // that sets a flag and releases the semaphore a side sleeps on wakes that
  // side, which then reads the flag after its acquire.
  auto StopFlags = [&](const MethodFacts &Facts) {
    SmallVector<const FieldDecl *, 2> Flags;
    for (const FieldDecl *F : Facts.FlagsSet)
      if (!CountedFields.contains(F) && F != Api->CapacityField)
        Flags.push_back(F);
    return Flags;
  };
  auto ReleasesAny = [](const MethodFacts &Facts,
                        const SmallPtrSetImpl<const FieldDecl *> &Sems) {
    return any_of(Facts.Released,
                  [&](const FieldDecl *F) { return Sems.contains(F); });
  };
  for (const MethodFacts &Facts : Methods) {
    if (!Facts.Waits.empty() || Facts.Adds || Facts.Removes)
      continue;
    SmallVector<const FieldDecl *, 2> Flags = StopFlags(Facts);
    if (Flags.empty())
      continue;
    if (ReleasesAny(Facts, PushSemaphores))
      PushFlags.insert(Flags.begin(), Flags.end());
    if (ReleasesAny(Facts, PopSemaphores))
      PopFlags.insert(Flags.begin(), Flags.end());
  }
  bool AnyCloseWakesPush = false;
  for (const MethodFacts &Facts : Methods) {
    if (!Facts.Waits.empty() || !Facts.Notifies || Facts.Adds || Facts.Removes)
      continue;
    auto Watched = [&](const SmallPtrSetImpl<const FieldDecl *> &Flags) {
      return any_of(StopFlags(Facts),
                    [&](const FieldDecl *F) { return Flags.contains(F); });
    };
    bool WakesPush = Watched(PushFlags);
    bool WakesPop = Watched(PopFlags);
    if (!WakesPush && !WakesPop)
      continue;
    std::string Name = Facts.Method->getName().str();
    Api->Close.push_back(Name);
    if (WakesPush)
      Api->CloseWakingPush.push_back(Name);
    if (WakesPop)
      Api->CloseWakingPop.push_back(Name);
    AnyCloseWakesPush |= WakesPush;
  }
  Api->CloseWakesBlockedPush = AnyCloseWakesPush;
  Api->CloseSidesKnown = true;
  readStoredErrors(*Api, PopFlags);
  if (FirstPop) {
    Api->OnClosedPop = closedPopResult(*FirstPop, PopFlags);
    if (Api->OnClosedPop == ClosedPopResult::Status)
      Api->PopSuccessStatus = successStatus(*FirstPop);
  }
  if (FirstPush) {
    SmallPtrSet<const FieldDecl *, 4> Flags;
    for (const FieldDecl *F : PushFlags)
      if (isFlagType(F->getType()))
        Flags.insert(F);
    std::string Detail;
    Api->OnClosedPush = closedPushResult(*FirstPush, Flags, Detail);
    if (Api->OnClosedPush == ClosedPushResult::Throws)
      Api->ClosedException = Detail;
  }
  if (Api->CapacityField)
    Api->CapacityCtorArg = capacityCtorArg(Api->CapacityField);
  if (!FirstPush && ForwardedPush)
    forwardSemantics(*Api, *ForwardedPush);
  return Api;
}

} // namespace

namespace {

bool namedIn(StringRef Name, std::initializer_list<StringRef> Names) {
  return llvm::is_contained(Names, Name);
}

/// clangd parses headers with function bodies skipped (its preamble), so a
/// queue defined in a header has no code to read there. Its declarations
/// still say much: this reads the conventional method names and shapes, and
/// is used only when bodies were skipped; clang-tidy always reads the code.
std::unique_ptr<QueueApi> inferFromDeclarations(const CXXRecordDecl *Record) {
  auto Api = std::make_unique<QueueApi>();
  Api->TypeName = Record->getQualifiedNameAsString();
  Api->Inferred = true;
  const CXXMethodDecl *Push = nullptr;
  for (const Decl *D : Record->decls()) {
    const auto *Method = dyn_cast<CXXMethodDecl>(D);
    if (const auto *Template = dyn_cast<FunctionTemplateDecl>(D))
      Method = dyn_cast<CXXMethodDecl>(Template->getTemplatedDecl());
    if (!Method || !Method->getIdentifier() || Method->isStatic())
      continue;
    StringRef Name = Method->getName();
    bool Timed = Name.starts_with("try_") || Name.ends_with("_for") ||
                 Name.ends_with("_until") || Name.ends_with("_timed");
    unsigned Params = Method->getNumParams();
    if (namedIn(Name, {"push", "push_back", "send", "put", "enqueue", "write",
                       "emplace", "emplace_back"}) &&
        Params >= 1) {
      Api->BlockingPush.push_back(Name.str());
      Push = Push ? Push : Method;
    } else if (namedIn(Name, {"pop", "pop_front", "receive", "recv", "take",
                              "dequeue", "read", "pull"})) {
      Api->BlockingPop.push_back(Name.str());
    } else if (namedIn(Name,
                       {"close", "shutdown", "stop", "abort", "cancel"}) &&
               Params == 0) {
      Api->Close.push_back(Name.str());
    } else if (Timed && Name.contains("push")) {
      Api->NonBlockingPush.push_back(Name.str());
    } else if (Timed && Name.contains("pop")) {
      Api->NonBlockingPop.push_back(Name.str());
    }
  }
  if (Api->BlockingPush.empty() || Api->BlockingPop.empty())
    return nullptr;
  // Bounded: a constructor takes a size, or the template one (Ring<T, N>).
  bool Bounded = false;
  for (const CXXConstructorDecl *Ctor : Record->ctors())
    for (const ParmVarDecl *Param : Ctor->parameters())
      if (!Ctor->isCopyOrMoveConstructor() &&
          Param->getType()->isIntegerType() && !Bounded) {
        Bounded = true;
        Api->CapacityCtorArg = Param->getFunctionScopeIndex();
      }
  if (const ClassTemplateDecl *Template = Record->getDescribedClassTemplate())
    for (const NamedDecl *Param : *Template->getTemplateParameters())
      Bounded |= isa<NonTypeTemplateParmDecl>(Param);
  Api->CanBeBounded = Bounded;
  Api->OnClosedPush = Push->getReturnType()->isBooleanType()
                          ? ClosedPushResult::ReturnsFalse
                          : ClosedPushResult::Unknown;
  return Api;
}

bool ownsThreads(const CXXRecordDecl *Record) {
  auto IsThread = [](const CXXRecordDecl *Type) {
    return Type && Type->getIdentifier() &&
           (matchesQualifiedName(Type, "std::thread") ||
            matchesQualifiedName(Type, "std::jthread") ||
            matchesQualifiedName(Type, "boost::thread"));
  };
  for (const FieldDecl *Field : Record->fields()) {
    const CXXRecordDecl *Type = pointeeRecord(Field->getType());
    if (IsThread(Type))
      return true;
    if (const auto *Spec =
            dyn_cast_or_null<ClassTemplateSpecializationDecl>(Type);
        Spec && Spec->getTemplateArgs().size() > 0 &&
        Spec->getTemplateArgs()[0].getKind() == TemplateArgument::Type &&
        IsThread(pointeeRecord(Spec->getTemplateArgs()[0].getAsType())))
      return true;
  }
  return false;
}

bool bodiesWereSkipped(const CXXRecordDecl *Record) {
  return any_of(Record->methods(), [](const CXXMethodDecl *Method) {
    return Method->hasSkippedBody();
  });
}

} // namespace

namespace {
std::unique_ptr<QueueApi> inferAt(const CXXRecordDecl *Record, int Depth) {
  if (!Record || !Record->hasDefinition() || Record->isInvalidDecl() ||
      Record->isLambda())
    return nullptr;
  const CXXRecordDecl *Definition = Record->getDefinition();
  // A class that owns threads runs work (a pool, a thread class): the
  // queue it may hold inside is its own business.
  if (ownsThreads(Definition))
    return nullptr;
  if (bodiesWereSkipped(Definition))
    return inferFromDeclarations(Definition);
  return ClassReader(Definition, Depth).read();
}
} // namespace

std::unique_ptr<QueueApi> inferQueueApi(const CXXRecordDecl *Record) {
  return inferAt(Record, 0);
}

std::unique_ptr<QueueApi> inferFunctionQueueApi(
    const RecordDecl *Record,
    ArrayRef<std::pair<const FunctionDecl *, unsigned>> Functions) {
  const auto *Class = dyn_cast_or_null<CXXRecordDecl>(Record);
  if (!Class || !Class->hasDefinition() || Functions.empty())
    return nullptr;
  return ClassReader(Class->getDefinition(), 0).readFunctions(Functions);
}

std::optional<int64_t> defaultCapacity(const CXXRecordDecl *Queue, int Index) {
  if (!Queue || Index < 0)
    return std::nullopt;
  const CXXRecordDecl *Pattern = patternOf(Queue);
  if (!Pattern)
    return std::nullopt;
  for (const CXXConstructorDecl *Ctor : Pattern->ctors()) {
    if (Ctor->isCopyOrMoveConstructor() ||
        unsigned(Index) >= Ctor->getNumParams())
      continue;
    const ParmVarDecl *Param = Ctor->getParamDecl(Index);
    if (!Param->hasDefaultArg() || Param->hasUninstantiatedDefaultArg() ||
        Param->hasUnparsedDefaultArg())
      continue;
    if (std::optional<int64_t> Value =
            evaluateInt(Param->getDefaultArg(), Pattern->getASTContext()))
      return Value;
  }
  return std::nullopt;
}

} // namespace fanout
