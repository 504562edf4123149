//===- Spawns.cpp - Spawn sites, pools and thread classes, waits ----------===//
#include "fanout/Spawns.h"
#include "fanout/AstHelpers.h"
#include "fanout/Compat.h"
#include "fanout/QueueModel.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace clang;
using namespace llvm;

namespace fanout {
namespace {

const CXXRecordDecl *recordOf(QualType T) {
  if (T.isNull())
    return nullptr;
  T = compat::withoutSpellingSugar(T.getNonReferenceType());
  if (const auto *Pointer = T->getAs<PointerType>())
    T = compat::withoutSpellingSugar(Pointer->getPointeeType());
  return T->getAsCXXRecordDecl();
}

bool isStdNamed(const CXXRecordDecl *Record,
                std::initializer_list<StringRef> Names) {
  return Record && Record->isInStdNamespace() && Record->getIdentifier() &&
         llvm::is_contained(Names, Record->getName());
}

/// std::function and its kin: a value that is a callable.
bool isFunctionWrapper(QualType T) {
  return isStdNamed(recordOf(T), {"function", "move_only_function",
                                  "packaged_task", "copyable_function"});
}

/// The first template argument of a class template specialization.
QualType firstTemplateArg(const CXXRecordDecl *Record) {
  const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(Record);
  if (!Spec || Spec->getTemplateArgs().size() == 0 ||
      Spec->getTemplateArgs()[0].getKind() != TemplateArgument::Type)
    return {};
  return Spec->getTemplateArgs()[0].getAsType();
}

/// Whether a value of type \p T is a task: a std::function, a function
/// pointer, a pointer to a class with operator() or a virtual member.
bool isTaskType(QualType T) {
  if (T.isNull())
    return false;
  T = T.getNonReferenceType();
  if (isFunctionWrapper(T) || T->isFunctionPointerType())
    return true;
  const CXXRecordDecl *Record = pointeeRecord(T);
  if (!Record || !Record->hasDefinition() || Record->isInStdNamespace())
    return false;
  Record = Record->getDefinition();
  for (const CXXMethodDecl *Method : Record->methods())
    if (Method->getOverloadedOperator() == OO_Call || Method->isVirtual())
      return true;
  for (const FieldDecl *Field : Record->fields())
    if (isFunctionWrapper(Field->getType()))
      return true;
  return false;
}

/// A container or queue whose elements are tasks (`std::queue<std::function
/// <void()>>`, `WorkQueue<Task>`), as a pool's task queue is.
bool holdsTasks(QualType T) {
  const CXXRecordDecl *Record = pointeeRecord(T);
  if (!Record)
    return false;
  if (QualType Element = firstTemplateArg(Record); !Element.isNull()) {
    if (isTaskType(Element))
      return true;
    // std::priority_queue<std::pair<int, std::function<void()>>>
    if (const CXXRecordDecl *Pair = recordOf(Element);
        isStdNamed(Pair, {"pair", "tuple"}))
      if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(Pair))
        for (const TemplateArgument &Arg : Spec->getTemplateArgs().asArray())
          if (Arg.getKind() == TemplateArgument::Type &&
              isTaskType(Arg.getAsType()))
            return true;
  }
  return false;
}

/// Binds the fields of a function object to what it was built from:
/// `Worker{&q}` (aggregate), or `Worker(q)` with `Worker(Q &q) : q_(q)`.
void bindFunctorFields(const Expr *Object, const CXXRecordDecl *Functor,
                       CallBindings &Bindings) {
  Object = ignoreWrappers(Object);
  if (const auto *List = dyn_cast<InitListExpr>(Object)) {
    if (const InitListExpr *Semantic = List->getSemanticForm())
      List = Semantic;
    unsigned Index = 0;
    for (const FieldDecl *Field : Functor->fields()) {
      if (Index >= List->getNumInits())
        break;
      Bindings.ThisFields.push_back({Field, List->getInit(Index++)});
    }
    return;
  }
  const auto *Construct = dyn_cast<CXXConstructExpr>(Object);
  if (!Construct)
    return;
  for (const CXXCtorInitializer *Init : Construct->getConstructor()->inits()) {
    const FieldDecl *Field = Init->getMember();
    const auto *Ref =
        Field && Init->getInit()
            ? dyn_cast_or_null<DeclRefExpr>(ignoreWrappers(Init->getInit()))
            : nullptr;
    const auto *Param = Ref ? dyn_cast<ParmVarDecl>(Ref->getDecl()) : nullptr;
    if (Param && Param->getFunctionScopeIndex() < Construct->getNumArgs())
      Bindings.ThisFields.push_back(
          {Field, Construct->getArg(Param->getFunctionScopeIndex())});
  }
}

const FunctionDecl *resolveAt(const Expr *Callable, ArrayRef<const Expr *> Args,
                              const FunctionDecl *Caller,
                              CallBindings &Bindings, int Depth) {
  if (!Callable || Depth > 4)
    return nullptr;
  Callable = ignoreWrappers(Callable);
  if (const auto *Unary = dyn_cast<UnaryOperator>(Callable);
      Unary && Unary->getOpcode() == UO_AddrOf)
    Callable = ignoreWrappers(Unary->getSubExpr());
  // `std::move(task)`, `std::ref(worker)`.
  if (const auto *Call = dyn_cast<CallExpr>(Callable);
      Call && Call->getNumArgs() == 1 && Call->getDirectCallee() &&
      Call->getDirectCallee()->isInStdNamespace() &&
      llvm::is_contained({StringRef("move"), StringRef("ref"),
                          StringRef("cref"), StringRef("forward")},
                         calleeName(Call)))
    return resolveAt(Call->getArg(0), Args, Caller, Bindings, Depth + 1);
  // `std::function<void()>(lambda)`: the function runs what it holds.
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(Callable);
      Construct && Construct->getNumArgs() >= 1 &&
      isFunctionWrapper(Construct->getType()))
    return resolveAt(Construct->getArg(0), Args, Caller, Bindings, Depth + 1);
  // `std::bind(f, args...)`: f runs on the bound arguments.
  if (const auto *Call = dyn_cast<CallExpr>(Callable);
      Call && Call->getNumArgs() >= 1 && calleeName(Call) == "bind" &&
      Call->getDirectCallee() && Call->getDirectCallee()->isInStdNamespace()) {
    SmallVector<const Expr *, 4> Bound(std::next(Call->arg_begin()),
                                       Call->arg_end());
    return resolveAt(Call->getArg(0), Bound, Caller, Bindings, Depth + 1);
  }

  const FunctionDecl *Body = nullptr;
  size_t FirstArg = 0;
  if (const auto *Lambda = dyn_cast<LambdaExpr>(Callable)) {
    // A lambda's body names the spawner's variables and `this` directly.
    Body = Lambda->getCallOperator();
    Bindings.This = AccessPath::thisObject();
  } else if (const auto *Ref = dyn_cast<DeclRefExpr>(Callable)) {
    if (const auto *Method = dyn_cast<CXXMethodDecl>(Ref->getDecl());
        Method && Method->isInstance()) {
      // `&Worker::run, this, args...`
      Body = Method;
      FirstArg = 1;
      if (!Args.empty())
        Bindings.This = pathOf(Args.front(), Caller);
    } else if (const auto *Function = dyn_cast<FunctionDecl>(Ref->getDecl())) {
      Body = Function;
    } else if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl())) {
      // `auto worker = [&] {...}; std::thread t(worker);`
      if (const Expr *Init = Var->getInit();
          Init && (isa<LambdaExpr>(ignoreWrappers(Init)) ||
                   isFunctionWrapper(Var->getType()) ||
                   Var->getType()->isFunctionPointerType()))
        return resolveAt(Init, Args, Caller, Bindings, Depth + 1);
      // A function object variable: its operator() on that object.
      if (const CXXRecordDecl *Functor = recordOf(Var->getType());
          Functor && Functor->hasDefinition() && !Functor->isLambda())
        for (const CXXMethodDecl *Method : Functor->getDefinition()->methods())
          if (Method->getOverloadedOperator() == OO_Call) {
            Body = Method;
            Bindings.This = pathOf(Callable, Caller);
            break;
          }
      if (!Body)
        return nullptr;
    }
  } else if (const CXXRecordDecl *Functor = recordOf(Callable->getType());
             Functor && Functor->hasDefinition()) {
    // A function object built here: its call operator runs, on the fields
    // it was given.
    for (const CXXMethodDecl *Method : Functor->getDefinition()->methods())
      if (Method->getOverloadedOperator() == OO_Call) {
        Body = Method;
        break;
      }
    if (Body) {
      AccessPath Object = pathOf(Callable, Caller);
      if (Object.valid())
        Bindings.This = Object;
      else
        bindFunctorFields(Callable, Functor->getDefinition(), Bindings);
    }
  }
  if (!Body)
    return nullptr;
  if (const FunctionDecl *Definition = Body->getDefinition())
    Body = Definition;
  Bindings.Caller = Caller;
  Bindings.Params.clear();
  for (unsigned I = 0; I < Body->getNumParams(); ++I)
    Bindings.Params.push_back(FirstArg + I < Args.size()
                                  ? pathOf(Args[FirstArg + I], Caller)
                                  : AccessPath());
  return Body;
}

/// The variable that ends up owning what \p E creates: the variable it
/// initialises, or the container it is pushed into, or the one assigned.
AccessPath owningPath(const Expr *E, const ParentMap &Parents,
                      const FunctionDecl *F) {
  const Stmt *Child = E;
  for (const Stmt *P = Parents.getParent(E); P;
       Child = P, P = Parents.getParent(P)) {
    if (const auto *DS = dyn_cast<DeclStmt>(P)) {
      for (const Decl *D : DS->decls())
        if (const auto *Var = dyn_cast<VarDecl>(D))
          if (Var->getInit() && contains(Var->getInit(), Child))
            return AccessPath::var(Var);
      return {};
    }
    // `worker_ = std::thread(...)`, before it is taken for a call.
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(P);
        Op && Op->getOperator() == OO_Equal)
      return pathOf(Op->getArg(0), F);
    if (const auto *Call = dyn_cast<CallExpr>(P)) {
      // `futures.push_back(std::async(...))`
      if (const Expr *Object = calleeObject(Call, nullptr))
        return pathOf(Object, F);
      return {};
    }
    if (const auto *Assign = dyn_cast<BinaryOperator>(P);
        Assign && Assign->getOpcode() == BO_Assign)
      return pathOf(Assign->getLHS(), F);
    if (!isa<Expr>(P))
      return {};
  }
  return {};
}

/// Whether \p Body calls a value that is a task: `task()`, `(*job)()`,
/// `job->run()` on a popped job, `func_()` on a std::function member.
bool callsTaskValue(const Stmt *Body) {
  bool Found = false;
  forEachDescendant(Body, [&](const Stmt *S) {
    if (Found)
      return;
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S);
        Op && Op->getOperator() == OO_Call && Op->getNumArgs() > 0) {
      QualType T = Op->getArg(0)->getType();
      const CXXRecordDecl *Record = recordOf(T);
      Found = isFunctionWrapper(T) ||
              (Record && !Record->isLambda() && !Record->isInStdNamespace());
      return;
    }
    if (const auto *Call = dyn_cast<CallExpr>(S);
        Call && !Call->getDirectCallee()) {
      QualType T = Call->getCallee()->IgnoreParenImpCasts()->getType();
      Found = T->isFunctionPointerType() || T->isFunctionType();
    }
  });
  return Found;
}

/// The fields of \p Record that \p Body mentions.
void fieldsMentioned(const Stmt *Body, const CXXRecordDecl *Record,
                     SmallPtrSetImpl<const FieldDecl *> &Out) {
  forEachDescendant(Body, [&](const Stmt *S) {
    if (const auto *Member = dyn_cast<MemberExpr>(S))
      if (const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl()))
        if (Field->getParent()->getCanonicalDecl() ==
            Record->getCanonicalDecl())
          Out.insert(Field);
    if (const auto *Dependent = dyn_cast<CXXDependentScopeMemberExpr>(S))
      if (Dependent->isImplicitAccess() ||
          isa<CXXThisExpr>(Dependent->getBase()->IgnoreParenImpCasts()))
        for (const FieldDecl *Field : Record->fields())
          if (Field->getIdentifier() &&
              Dependent->getMember().getAsString() == Field->getName())
            Out.insert(Field);
  });
}

const CXXMethodDecl *asMethod(const Decl *D) {
  if (const auto *Template = dyn_cast<FunctionTemplateDecl>(D))
    D = Template->getTemplatedDecl();
  return dyn_cast<CXXMethodDecl>(D);
}

/// The bodies \p Method runs, with the members of its own class it calls
/// (two levels): `~Pool() { stop(); }` joins through stop().
void bodiesOf(const CXXMethodDecl *Method, const CXXRecordDecl *Record,
              SmallVectorImpl<const Stmt *> &Out, int Depth = 0) {
  const FunctionDecl *Def = Method ? Method->getDefinition() : nullptr;
  if (!Def || !Def->getBody() || Depth > 2)
    return;
  Out.push_back(Def->getBody());
  forEachDescendant(Def->getBody(), [&](const Stmt *S) {
    if (const auto *Call = dyn_cast<CXXMemberCallExpr>(S))
      if (const CXXMethodDecl *Callee = Call->getMethodDecl();
          Callee &&
          Callee->getParent()->getCanonicalDecl() ==
              Record->getCanonicalDecl() &&
          Callee != Method)
        bodiesOf(Callee, Record, Out, Depth + 1);
  });
}

/// Whether one of \p Bodies joins threads held in \p ThreadFields (directly
/// or through a range-for over them) or waits on a condition variable or
/// latch for the work to finish.
bool waitsForWorkers(ArrayRef<const Stmt *> Bodies,
                     const SmallPtrSetImpl<const FieldDecl *> &ThreadFields,
                     bool AlsoConditionWaits) {
  bool Found = false;
  for (const Stmt *Body : Bodies)
    forEachDescendant(Body, [&](const Stmt *S) {
      const auto *Call = dyn_cast<CallExpr>(S);
      if (!Call || Found)
        return;
      StringRef Name = calleeName(Call);
      if (Name == "pthread_join") {
        Found = true;
        return;
      }
      if (Name == "join" || Name == "join_all") {
        // On a thread field, or on a loop variable over one.
        Found = true;
        return;
      }
      if (AlsoConditionWaits && Name == "wait" && Call->getNumArgs() >= 1)
        if (const Expr *Object = calleeObject(Call, nullptr))
          if (const CXXRecordDecl *Record = recordOf(Object->getType());
              Record && Record->getIdentifier() &&
              Record->getName().contains("condition_variable"))
            Found = true;
    });
  (void)ThreadFields;
  return Found;
}

} // namespace

bool isCallable(const Expr *E) {
  QualType T = E->getType().getNonReferenceType();
  if (T->isFunctionType() || T->isFunctionPointerType() ||
      T->isMemberFunctionPointerType())
    return true;
  const CXXRecordDecl *Record = recordOf(T);
  if (!Record || !Record->hasDefinition())
    return false;
  if (Record->isLambda() || isFunctionWrapper(T))
    return true;
  return any_of(Record->getDefinition()->methods(), [](const CXXMethodDecl *M) {
    return M->getOverloadedOperator() == OO_Call;
  });
}

const FunctionDecl *resolveCallable(const Expr *Callable,
                                    ArrayRef<const Expr *> Args,
                                    const FunctionDecl *Caller,
                                    CallBindings &Bindings) {
  return resolveAt(Callable, Args, Caller, Bindings, 0);
}

const WaitSite *SpawningFunction::waitOn(const SpawnSite *Spawn,
                                         const SourceManager &SM) const {
  if (!Spawn)
    return nullptr;
  const WaitSite *First = nullptr;
  for (const WaitSite &Wait : Waits)
    if ((Wait.ForSpawn ? Wait.ForSpawn == Spawn
                       : Wait.Handle.valid() && Wait.Handle == Spawn->Handle) &&
        (!First || SM.isBeforeInTranslationUnit(Wait.Loc, First->Loc)))
      First = &Wait;
  return First;
}

SpawnModel::SpawnModel(const AnalysisOptions &Options) : Options(Options) {}
SpawnModel::~SpawnModel() = default;

bool SpawnModel::isThreadType(const CXXRecordDecl *Record) const {
  if (!Record)
    return false;
  if (threadTypeRow(Record))
    return true;
  for (const std::string &Name : Options.ThreadTypes)
    if (matchesQualifiedName(Record, Name))
      return true;
  return false;
}

bool SpawnModel::holdsThreads(const CXXRecordDecl *Record) const {
  QualType Element = firstTemplateArg(Record);
  if (Element.isNull())
    return false;
  const CXXRecordDecl *Held = pointeeRecord(Element);
  return isThreadType(Held) || isStdNamed(Held, {"future", "shared_future"});
}

/// Reads pools and thread classes from their code.
struct SpawnModel::Reader {
  SpawnModel &Model;

  /// The thread fields of \p Record: threads, containers of threads, and
  /// pthread_t handles.
  void threadFields(const CXXRecordDecl *Record,
                    SmallPtrSetImpl<const FieldDecl *> &Out) {
    for (const FieldDecl *Field : Record->fields()) {
      QualType T = Field->getType();
      const CXXRecordDecl *Held = pointeeRecord(T);
      if (Model.isThreadType(Held) || Model.holdsThreads(Held) ||
          Model.holdsThreads(recordOf(T)))
        Out.insert(Field);
      else if (const auto *Typedef = T->getAs<TypedefType>();
               Typedef && Typedef->getDecl()->getName() == "pthread_t")
        Out.insert(Field);
    }
  }

  /// The thread bodies that \p Method starts (lambdas and member
  /// functions), with nothing resolved beyond this class.
  void startedBodies(const CXXMethodDecl *Method,
                     SmallVectorImpl<const FunctionDecl *> &Out) {
    const FunctionDecl *Def = Method->getDefinition();
    if (!Def || !Def->getBody())
      return;
    auto Visit = [&](const Stmt *S) {
      const auto *E = dyn_cast<Expr>(S);
      if (!E)
        return;
      const Expr *Callable = nullptr;
      SmallVector<const Expr *, 4> Args;
      if (const auto *Construct = dyn_cast<CXXConstructExpr>(E);
          Construct && Construct->getNumArgs() > 0 &&
          !Construct->getConstructor()->isCopyOrMoveConstructor() &&
          Model.isThreadType(Construct->getConstructor()->getParent())) {
        Callable = Construct->getArg(0);
        Args.append(std::next(Construct->arg_begin()), Construct->arg_end());
      } else if (const auto *Call = dyn_cast<CallExpr>(E)) {
        StringRef Name = calleeName(Call);
        if ((Name == "emplace_back" || Name == "emplace") &&
            Call->getNumArgs() > 0) {
          if (const Expr *Object = calleeObject(Call, nullptr);
              Object && Model.holdsThreads(recordOf(Object->getType()))) {
            Callable = Call->getArg(0);
            Args.append(std::next(Call->arg_begin()), Call->arg_end());
          }
        } else if (Name == "pthread_create" && Call->getNumArgs() == 4) {
          Callable = Call->getArg(2);
          Args.push_back(Call->getArg(3));
        } else if (Name == "async" && Call->getNumArgs() > 0) {
          for (unsigned I = 0; I < Call->getNumArgs(); ++I)
            if (isCallable(Call->getArg(I))) {
              Callable = Call->getArg(I);
              break;
            }
        }
      }
      if (!Callable)
        return;
      CallBindings Ignored;
      if (const FunctionDecl *Body =
              resolveCallable(Callable, Args, Def, Ignored))
        Out.push_back(Body);
      // A dependent lambda in a template: its call operator still has a body.
      else if (const auto *Lambda =
                   dyn_cast<LambdaExpr>(ignoreWrappers(Callable)))
        Out.push_back(Lambda->getCallOperator());
    };
    if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(Def))
      for (const CXXCtorInitializer *Init : Ctor->inits())
        if (const Expr *E = Init->isWritten() ? Init->getInit() : nullptr) {
          Visit(E);
          forEachDescendant(E, Visit);
        }
    forEachDescendant(Def->getBody(), Visit);
  }

  /// The code to read for \p Record: a template's pattern.
  static const CXXRecordDecl *pattern(const CXXRecordDecl *Record) {
    if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(Record))
      if (const ClassTemplateDecl *Template = Spec->getSpecializedTemplate())
        if (!isa<ClassTemplatePartialSpecializationDecl>(Spec))
          Record = Template->getTemplatedDecl();
    return Record->getDefinition();
  }

  std::unique_ptr<PoolInfo> readPool(const CXXRecordDecl *Record) {
    SmallPtrSet<const FieldDecl *, 4> Threads;
    threadFields(Record, Threads);
    if (Threads.empty())
      return nullptr;
    // Workers: bodies started by a member of this class that run tasks
    // taken from a field holding tasks.
    SmallPtrSet<const FieldDecl *, 4> TaskFields;
    SmallVector<const FunctionDecl *, 4> Workers;
    // A worker (or a member it calls) that catches around the task keeps
    // running after a throw: the task ends, and its exception with it.
    bool CatchesTasks = false;
    for (const Decl *D : Record->decls()) {
      const CXXMethodDecl *Method = asMethod(D);
      if (!Method)
        continue;
      SmallVector<const FunctionDecl *, 4> Bodies;
      startedBodies(Method, Bodies);
      for (const FunctionDecl *Body : Bodies) {
        SmallVector<const Stmt *, 4> Code;
        if (const auto *BodyMethod = dyn_cast<CXXMethodDecl>(Body);
            BodyMethod && BodyMethod->getParent() == Record)
          bodiesOf(BodyMethod, Record, Code);
        else if (Body->getBody()) {
          Code.push_back(Body->getBody());
          forEachDescendant(Body->getBody(), [&](const Stmt *S) {
            if (const auto *Call = dyn_cast<CXXMemberCallExpr>(S))
              if (const CXXMethodDecl *Callee = Call->getMethodDecl();
                  Callee && Callee->getParent()->getCanonicalDecl() ==
                                Record->getCanonicalDecl())
                bodiesOf(Callee, Record, Code, 1);
          });
        }
        bool RunsTasks = any_of(Code, callsTaskValue);
        SmallPtrSet<const FieldDecl *, 8> Mentioned;
        for (const Stmt *S : Code)
          fieldsMentioned(S, Record, Mentioned);
        bool Found = false;
        for (const FieldDecl *Field : Mentioned)
          if (holdsTasks(Field->getType())) {
            TaskFields.insert(Field);
            Found = true;
          }
        if (RunsTasks && Found) {
          Workers.push_back(Body);
          for (const Stmt *Part : Code) {
            CatchesTasks |= isa<CXXTryStmt>(Part);
            forEachDescendant(Part, [&](const Stmt *S) {
              CatchesTasks |= isa<CXXTryStmt>(S);
            });
          }
        }
      }
    }
    if (Workers.empty() || TaskFields.empty())
      return nullptr;
    auto Info = std::make_unique<PoolInfo>();
    Info->Class = Record;
    // Submits: members taking a callable that reach a task field.
    for (const Decl *D : Record->decls()) {
      const CXXMethodDecl *Method = asMethod(D);
      if (!Method || isa<CXXConstructorDecl, CXXDestructorDecl>(Method) ||
          !Method->getIdentifier())
        continue;
      const FunctionDecl *Def = Method->getDefinition();
      if (!Def || !Def->getBody())
        continue;
      for (const ParmVarDecl *Param : Def->parameters()) {
        QualType T = Param->getType().getNonReferenceType();
        bool TakesCallable = isFunctionWrapper(T) ||
                             T->isFunctionPointerType() ||
                             T->isTemplateTypeParmType();
        if (!TakesCallable)
          continue;
        bool UsesParam = false;
        forEachDescendant(Def->getBody(), [&](const Stmt *S) {
          if (const auto *Ref = dyn_cast<DeclRefExpr>(S))
            UsesParam |= Ref->getDecl() == Param;
        });
        SmallPtrSet<const FieldDecl *, 8> Mentioned;
        SmallVector<const Stmt *, 4> Code;
        bodiesOf(Method, Record, Code);
        for (const Stmt *S : Code)
          fieldsMentioned(S, Record, Mentioned);
        bool ReachesTasks = any_of(Mentioned, [&](const FieldDecl *F) {
          return TaskFields.contains(F);
        });
        if (UsesParam && ReachesTasks) {
          Info->Submits.push_back({Method, Param->getFunctionScopeIndex()});
          // A task wrapped in a packaged_task or promise keeps what it
          // throws in the future.
          bool Packaged = false;
          forEachDescendant(Def->getBody(), [&](const Stmt *S) {
            if (const auto *E = dyn_cast<Expr>(S))
              Packaged |= isStdNamed(pointeeRecord(E->getType()),
                                     {"packaged_task", "promise", "future"});
          });
          if (Packaged)
            Info->Exceptions = EscapingException::EndsTask;
          break;
        }
      }
    }
    if (Info->Submits.empty())
      return nullptr;
    if (CatchesTasks)
      Info->Exceptions = EscapingException::EndsTask;
    // Waits: the destructor and members that join the workers or wait for
    // the tasks to be done.
    for (const Decl *D : Record->decls()) {
      const CXXMethodDecl *Method = asMethod(D);
      if (!Method || isa<CXXConstructorDecl>(Method) ||
          any_of(Info->Submits,
                 [&](const auto &S) { return S.first == Method; }) ||
          any_of(Workers, [&](const FunctionDecl *W) { return W == Method; }))
        continue;
      SmallVector<const Stmt *, 4> Code;
      bodiesOf(Method, Record, Code);
      bool IsDestructor = isa<CXXDestructorDecl>(Method);
      if (!waitsForWorkers(Code, Threads, !IsDestructor))
        continue;
      if (IsDestructor)
        Info->DestructorWaits = true;
      else
        Info->WaitMethods.push_back(Method);
    }
    return Info;
  }

  std::unique_ptr<ThreadClassInfo>
  readThreadClass(const CXXRecordDecl *Record) {
    SmallPtrSet<const FieldDecl *, 4> Threads;
    threadFields(Record, Threads);
    if (Threads.empty())
      return nullptr;
    auto Info = std::make_unique<ThreadClassInfo>();
    Info->Class = Record;
    for (const Decl *D : Record->decls()) {
      const CXXMethodDecl *Method = asMethod(D);
      if (!Method || isa<CXXDestructorDecl>(Method))
        continue;
      SmallVector<const FunctionDecl *, 2> Bodies;
      startedBodies(Method, Bodies);
      for (const FunctionDecl *Body : Bodies) {
        SmallVector<const Stmt *, 4> Code;
        if (const auto *BodyMethod = dyn_cast<CXXMethodDecl>(Body);
            BodyMethod && BodyMethod->getParent() == Record)
          bodiesOf(BodyMethod, Record, Code);
        else if (Body->getBody())
          Code.push_back(Body->getBody());
        // A virtual member of this class that the thread calls on itself.
        for (const Stmt *S : Code)
          forEachDescendant(S, [&](const Stmt *Node) {
            if (const auto *Call = dyn_cast<CXXMemberCallExpr>(Node))
              if (const CXXMethodDecl *Callee = Call->getMethodDecl();
                  Callee && Callee->isVirtual() && !Info->Run &&
                  Callee->getParent()->getCanonicalDecl() ==
                      Record->getCanonicalDecl())
                Info->Run = Callee;
          });
        // Or a stored callable, given to a constructor.
        if (!Info->Run && any_of(Code, callsTaskValue))
          for (const CXXConstructorDecl *Ctor : Record->ctors()) {
            if (Ctor->isCopyOrMoveConstructor())
              continue;
            for (const ParmVarDecl *Param : Ctor->parameters())
              if (isCallableParam(Param) && Info->CallableParam < 0)
                Info->CallableParam = Param->getFunctionScopeIndex();
          }
        if (Info->Run || Info->CallableParam >= 0) {
          Info->Start = Method;
          break;
        }
      }
      if (Info->Start)
        break;
    }
    if (!Info->Start)
      return nullptr;
    for (const Decl *D : Record->decls()) {
      const CXXMethodDecl *Method = asMethod(D);
      if (!Method || Method == Info->Start || isa<CXXConstructorDecl>(Method))
        continue;
      SmallVector<const Stmt *, 4> Code;
      bodiesOf(Method, Record, Code);
      if (!waitsForWorkers(Code, Threads, false))
        continue;
      if (isa<CXXDestructorDecl>(Method))
        Info->DestructorWaits = true;
      else
        Info->WaitMethods.push_back(Method);
    }
    return Info;
  }

  static bool isCallableParam(const ParmVarDecl *Param) {
    QualType T = Param->getType().getNonReferenceType();
    return isFunctionWrapper(T) || T->isFunctionPointerType() ||
           T->isTemplateTypeParmType();
  }
};

const PoolInfo *SpawnModel::poolInfo(const CXXRecordDecl *Record) {
  if (!Record || Record->isLambda() || Record->isInStdNamespace() ||
      !Record->hasDefinition())
    return nullptr;
  const CXXRecordDecl *Pattern = Reader::pattern(Record);
  if (!Pattern)
    return nullptr;
  auto [It, Inserted] = Pools.try_emplace(Pattern->getCanonicalDecl());
  if (Inserted)
    It->second = Reader{*this}.readPool(Pattern);
  return It->second.get();
}

const ThreadClassInfo *
SpawnModel::threadClassInfo(const CXXRecordDecl *Record) {
  if (!Record || Record->isLambda() || Record->isInStdNamespace() ||
      !Record->hasDefinition() || isThreadType(Record))
    return nullptr;
  const CXXRecordDecl *Pattern = Reader::pattern(Record);
  if (!Pattern)
    return nullptr;
  auto [It, Inserted] = ThreadClasses.try_emplace(Pattern->getCanonicalDecl());
  if (Inserted) {
    It->second = Reader{*this}.readThreadClass(Pattern);
    // A pool is no thread class, even though it starts threads.
    if (It->second && poolInfo(Pattern))
      It->second.reset();
  }
  if (It->second)
    return It->second.get();
  // A class derived from a thread base class is one too.
  for (const CXXBaseSpecifier &Base : Pattern->bases())
    if (const ThreadClassInfo *Info =
            threadClassInfo(Base.getType()->getAsCXXRecordDecl()))
      return Info;
  return nullptr;
}

/// Whether a field of type \p T refers to another object: a reference, a
/// pointer or a smart pointer.
static bool refersElsewhere(QualType T) {
  if (T->isReferenceType() || T->isPointerType())
    return true;
  const CXXRecordDecl *Record = T->getAsCXXRecordDecl();
  return Record && pointeeRecord(T) && pointeeRecord(T) != Record;
}

/// The parameter \p Value names, when it names one of \p Method's.
static std::optional<unsigned> parameterNamed(const Expr *Value,
                                              const FunctionDecl *Method) {
  AccessPath Path = pathOf(Value, Method);
  if (Path.base() == AccessPath::BaseKind::Param && Path.fields().empty())
    return Path.paramIndex();
  if (Path.base() == AccessPath::BaseKind::Var && Path.fields().empty())
    if (const auto *Param = dyn_cast_or_null<ParmVarDecl>(Path.variable());
        Param && isLocalTo(Param, Method))
      return Param->getFunctionScopeIndex();
  return std::nullopt;
}

const StarterInfo *SpawnModel::starterInfo(const FunctionDecl *Function) {
  const auto *Method = dyn_cast_or_null<CXXMethodDecl>(Function);
  if (!Method || !Method->isInstance() || isa<CXXDestructorDecl>(Method))
    return nullptr;
  const auto *Ctor = dyn_cast<CXXConstructorDecl>(Method);
  if (Ctor && (Ctor->isCopyOrMoveConstructor() || Ctor->getNumParams() == 0))
    return nullptr;
  const auto *Def = dyn_cast_or_null<CXXMethodDecl>(Method->getDefinition());
  if (!Def || !Def->hasBody() || Def->isDependentContext())
    return nullptr;
  const CXXRecordDecl *Class = Def->getParent();
  if (!Class || Class->isLambda() || Class->isInStdNamespace() ||
      isThreadType(Class))
    return nullptr;
  auto [It, Inserted] = Starters.try_emplace(Def);
  if (!Inserted)
    return It->second.get();
  SmallPtrSet<const FieldDecl *, 4> Threads;
  Reader{*this}.threadFields(Class, Threads);
  if (Threads.empty() || poolInfo(Class) || threadClassInfo(Class))
    return nullptr;
  // Reading the starter may meet calls of itself: the entry stays empty
  // until it is known.
  SpawningFunction Own = collect(Def);
  auto Info = std::make_unique<StarterInfo>();
  Info->Method = Def;
  for (const SpawnSite &Spawn : Own.Spawns) {
    bool Kept = Spawn.Handle.base() == AccessPath::BaseKind::This &&
                !Spawn.Handle.fields().empty();
    bool Waited = any_of(Own.Waits, [&](const WaitSite &Wait) {
      return Wait.ForSpawn == &Spawn || Wait.Handle == Spawn.Handle;
    });
    if (Kept && !Waited)
      Info->Spawns.push_back(Spawn);
  }
  if (Info->Spawns.empty())
    return nullptr;
  // `Client(Queue &q) : queue_(q)`: likewise, in the member initialisers,
  // for fields that refer to the caller's object (a copy is the object's).
  if (const auto *DefCtor = dyn_cast<CXXConstructorDecl>(Def))
    for (const CXXCtorInitializer *Init : DefCtor->inits())
      if (const FieldDecl *Field = Init->getMember();
          Field && Init->isWritten() && refersElsewhere(Field->getType()))
        if (std::optional<unsigned> Param =
                parameterNamed(Init->getInit(), Def))
          Info->FieldParams.push_back({Field, *Param});
  // `queue_ = std::move(queue)`: the object refers to what the caller gave.
  forEachDescendant(Def->getBody(), [&](const Stmt *S) {
    const Expr *Value = nullptr;
    const Expr *Target = assignmentTarget(S, Value);
    if (!Target)
      return;
    AccessPath Field = pathOf(Target, Def);
    std::optional<unsigned> Param = parameterNamed(Value, Def);
    if (Param && Field.base() == AccessPath::BaseKind::This &&
        Field.fields().size() == 1 && Field.fields().front())
      Info->FieldParams.push_back({Field.fields().front(), *Param});
  });
  // A constructor starts threads for its caller's fan-out only when it
  // keeps a reference to something of the caller's (`Client c(queue)`); one
  // that makes its own queue is a fan-out of its own class.
  if (Ctor && none_of(Info->FieldParams, [](const auto &Given) {
        return refersElsewhere(Given.first->getType());
      }))
    return nullptr;
  for (const Decl *D : Class->decls()) {
    const CXXMethodDecl *Member = asMethod(D);
    if (!Member || Member == Method || Member == Def ||
        isa<CXXConstructorDecl>(Member))
      continue;
    SmallVector<const Stmt *, 4> Code;
    bodiesOf(Member, Class, Code);
    if (!waitsForWorkers(Code, Threads, false))
      continue;
    if (isa<CXXDestructorDecl>(Member))
      Info->DestructorWaits = true;
    else
      Info->WaitMethods.push_back(Member);
  }
  It = Starters.find(Def);
  It->second = std::move(Info);
  StarterClasses.try_emplace(Class->getCanonicalDecl(), It->second.get());
  return It->second.get();
}

const StarterInfo *SpawnModel::starterOfClass(const CXXRecordDecl *Record) {
  return Record ? StarterClasses.lookup(Record->getCanonicalDecl()) : nullptr;
}

namespace {

/// Whether \p Method is \p Wanted or the instantiation of it.
bool isMethod(const FunctionDecl *Method, const CXXMethodDecl *Wanted) {
  if (!Method || !Wanted)
    return false;
  const FunctionDecl *Pattern = Method->getTemplateInstantiationPattern();
  if (!Pattern)
    Pattern = Method;
  if (Pattern->getCanonicalDecl() == Wanted->getCanonicalDecl())
    return true;
  // A member of a class template specialization has its own declaration.
  return Pattern->getIdentifier() && Wanted->getIdentifier() &&
         Pattern->getName() == Wanted->getName() &&
         Pattern->getNumParams() == Wanted->getNumParams() &&
         isa<CXXMethodDecl>(Pattern) &&
         cast<CXXMethodDecl>(Pattern)->getParent()->getName() ==
             Wanted->getParent()->getName();
}

/// The final overrider of \p Run in \p Derived.
const CXXMethodDecl *overriderIn(const CXXRecordDecl *Derived,
                                 const CXXMethodDecl *Run) {
  if (!Derived || !Derived->hasDefinition() || !Run)
    return nullptr;
  Derived = Derived->getDefinition();
  for (const CXXMethodDecl *Method : Derived->methods())
    if (Method->getIdentifier() && Run->getIdentifier() &&
        Method->getName() == Run->getName() && Method->isVirtual() &&
        Method->getNumParams() == Run->getNumParams())
      return Method;
  for (const CXXBaseSpecifier &Base : Derived->bases())
    if (const CXXMethodDecl *Found =
            overriderIn(Base.getType()->getAsCXXRecordDecl(), Run))
      return Found;
  return nullptr;
}

} // namespace

/// The class `std::make_unique<C>(callable, ...)` (or make_shared) makes,
/// when it is given arguments.
static const CXXRecordDecl *madeThread(const CallExpr *Call) {
  const FunctionDecl *Callee = Call->getDirectCallee();
  if (!Callee || !Callee->isInStdNamespace() || Call->getNumArgs() == 0 ||
      !Callee->getIdentifier() ||
      !is_contained({StringRef("make_unique"), StringRef("make_shared")},
                    Callee->getName()))
    return nullptr;
  return pointeeRecord(Call->getType());
}

bool SpawnModel::isSpawn(const Expr *E) {
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(E)) {
    if (Construct->getNumArgs() == 0 ||
        Construct->getConstructor()->isCopyOrMoveConstructor())
      return false;
    const CXXRecordDecl *Record = Construct->getConstructor()->getParent();
    if (isThreadType(Record) || starterInfo(Construct->getConstructor()))
      return true;
    // A thread class given its callable: the construction is where we can
    // see what it runs (its start() may be called through anything).
    const ThreadClassInfo *Info = threadClassInfo(Record);
    return Info && Info->CallableParam >= 0 &&
           unsigned(Info->CallableParam) < Construct->getNumArgs() &&
           isCallable(Construct->getArg(Info->CallableParam));
  }
  const auto *Call = dyn_cast<CallExpr>(E);
  if (!Call)
    return false;
  if (const CXXRecordDecl *Made = madeThread(Call))
    return isThreadType(Made);
  const FunctionDecl *Callee = Call->getDirectCallee();
  if (spawnFunctionRow(Callee))
    return true;
  for (const std::string &Name : Options.SpawnFunctions)
    if (Callee && matchesQualifiedName(Callee, Name))
      return true;
  StringRef Name = calleeName(Call);
  const Expr *Object = calleeObject(Call, nullptr);
  if ((Name == "emplace_back" || Name == "emplace") && Call->getNumArgs() > 0 &&
      Object && holdsThreads(recordOf(Object->getType())))
    return true;
  const auto *Method = dyn_cast_or_null<CXXMethodDecl>(Callee);
  if (!Method || !Object)
    return false;
  if (const PoolInfo *Pool = poolInfo(recordOf(Object->getType())))
    for (const auto &[Submit, Param] : Pool->Submits)
      if (isMethod(Method, Submit) && Param < Call->getNumArgs())
        return true;
  if (const ThreadClassInfo *Info =
          threadClassInfo(recordOf(Object->getType())))
    if (Info->Run && !isa<CXXConstructorDecl>(Info->Start) &&
        isMethod(Method, Info->Start))
      return true;
  return isa<CXXMemberCallExpr>(Call) && starterInfo(Method);
}

namespace {

struct Collector {
  SpawnModel &Model;
  const AnalysisOptions &Options;
  const FunctionDecl *F;
  const ParentMap &Parents;
  SpawningFunction &Result;

  void add(SpawnSite Site, const Expr *E, const Expr *Callable,
           ArrayRef<const Expr *> Args) {
    Site.Expr = E;
    Site.Body = resolveCallable(Callable, Args, F, Site.Bindings);
    if (!Site.Body || !Site.Body->hasBody())
      return;
    finish(std::move(Site));
  }

  void finish(SpawnSite Site) {
    Site.InLoop = enclosingLoop(Site.Expr, Parents) != nullptr;
    Result.Spawns.push_back(std::move(Site));
  }

  void visit(const Expr *E) {
    if (!Model.isSpawn(E))
      return;
    SpawnSite Site;
    if (const auto *Construct = dyn_cast<CXXConstructExpr>(E)) {
      const CXXRecordDecl *Record = Construct->getConstructor()->getParent();
      SmallVector<const Expr *, 4> Args(Construct->arg_begin(),
                                        Construct->arg_end());
      Site.Handle = owningPath(E, Parents, F);
      if (const StarterInfo *Starter =
              Model.starterInfo(Construct->getConstructor())) {
        // `Client c(queue);`: the constructor starts the object's threads.
        CallBindings Outer;
        Outer.Caller = F;
        Outer.This = Site.Handle;
        for (const Expr *Arg : Args)
          Outer.Params.push_back(isa<CXXDefaultArgExpr>(Arg) ? AccessPath()
                                                             : pathOf(Arg, F));
        addStarted(*Starter, E, Outer, Site.Handle);
        return;
      }
      if (const ThreadTypeRow *Row = threadTypeRow(Record)) {
        Site.Kind = Row->Kind;
        Site.DestructorWaits = Row->DestructorJoins;
        add(std::move(Site), E, Args.front(),
            ArrayRef<const Expr *>(Args).drop_front());
        fixStopToken();
        return;
      }
      if (Model.isThreadType(Record)) {
        Site.Kind = "thread";
        add(std::move(Site), E, Args.front(),
            ArrayRef<const Expr *>(Args).drop_front());
        return;
      }
      const ThreadClassInfo *Info = Model.threadClassInfo(Record);
      Site.Kind = "thread";
      Site.ThreadClass = Info;
      Site.DestructorWaits = Info->DestructorWaits;
      add(std::move(Site), E, Args[Info->CallableParam], {});
      return;
    }
    const auto *Call = cast<CallExpr>(E);
    const FunctionDecl *Callee = Call->getDirectCallee();
    const Expr *Object = calleeObject(Call, nullptr);
    StringRef Name = calleeName(Call);
    SmallVector<const Expr *, 4> Args(Call->arg_begin(), Call->arg_end());
    // `std::make_unique<std::thread>(body, args...)`.
    if (const CXXRecordDecl *Made = madeThread(Call)) {
      const ThreadTypeRow *Row = threadTypeRow(Made);
      Site.Kind = Row ? Row->Kind : StringRef("thread");
      Site.DestructorWaits = Row && Row->DestructorJoins;
      Site.Handle = owningPath(E, Parents, F);
      add(std::move(Site), E, Args.front(),
          ArrayRef<const Expr *>(Args).drop_front());
      fixStopToken();
      return;
    }
    const SpawnFunctionRow *Row = spawnFunctionRow(Callee);
    bool Configured = !Row && Callee &&
                      any_of(Options.SpawnFunctions, [&](const std::string &N) {
                        return matchesQualifiedName(Callee, N);
                      });
    if (Row || Configured) {
      Site.Kind = Row ? Row->Kind : StringRef("task");
      Site.Exceptions = Row ? Row->Exceptions : EscapingException::Terminates;
      int CallableIndex = Row ? Row->CallableArg : -1;
      if (CallableIndex < 0)
        for (unsigned I = 0; I < Args.size(); ++I)
          if (isCallable(Args[I])) {
            CallableIndex = I;
            break;
          }
      if (CallableIndex < 0 || unsigned(CallableIndex) >= Args.size())
        return;
      ArrayRef<const Expr *> Bound =
          Row && Row->FirstBoundArg >= 0
              ? ArrayRef<const Expr *>(Args).slice(
                    std::min<size_t>(Row->FirstBoundArg, Args.size()))
              : ArrayRef<const Expr *>(Args).drop_front(CallableIndex + 1);
      SpawnFunctionRow::Owner Owner =
          Row ? Row->TaskOwner
              : (Object ? SpawnFunctionRow::Owner::Object
                        : SpawnFunctionRow::Owner::Result);
      if (Owner == SpawnFunctionRow::Owner::Object && Object)
        Site.Handle = pathOf(Object, F);
      else if (Owner == SpawnFunctionRow::Owner::FirstArg && CallableIndex > 0)
        Site.Handle = pathOf(Args.front(), F);
      else
        Site.Handle = owningPath(E, Parents, F);
      if (Site.Kind == "std::async")
        Site.DestructorWaits = true;
      if (const CXXRecordDecl *Pool =
              recordOf(Site.Handle.valid() && Site.Handle.leafDecl()
                           ? Site.Handle.leafDecl()->getType()
                           : QualType());
          Pool && matchesQualifiedName(Pool, "boost::asio::thread_pool"))
        Site.DestructorWaits = true;
      add(std::move(Site), E, Args[CallableIndex], Bound);
      return;
    }
    if ((Name == "emplace_back" || Name == "emplace") && Object &&
        Model.holdsThreads(recordOf(Object->getType()))) {
      const CXXRecordDecl *Element =
          pointeeRecord(firstTemplateArg(recordOf(Object->getType())));
      const ThreadTypeRow *Thread = threadTypeRow(Element);
      Site.Kind = Thread ? Thread->Kind : StringRef("thread");
      Site.DestructorWaits = Thread && Thread->DestructorJoins;
      Site.Handle = pathOf(Object, F);
      add(std::move(Site), E, Args.front(),
          ArrayRef<const Expr *>(Args).drop_front());
      fixStopToken();
      return;
    }
    const auto *Method = dyn_cast_or_null<CXXMethodDecl>(Callee);
    const CXXRecordDecl *Class = Object ? recordOf(Object->getType()) : nullptr;
    if (const PoolInfo *Pool = Model.poolInfo(Class)) {
      for (const auto &[Submit, Param] : Pool->Submits) {
        if (!isMethod(Method, Submit) || Param >= Args.size())
          continue;
        Site.Kind = "task";
        Site.Pool = Pool;
        Site.Exceptions = Pool->Exceptions;
        Site.DestructorWaits = Pool->DestructorWaits;
        Site.Handle = pathOf(Object, F);
        add(std::move(Site), E, Args[Param],
            ArrayRef<const Expr *>(Args).drop_front(Param + 1));
        return;
      }
    }
    if (const StarterInfo *Starter = Model.starterInfo(Method);
        Starter && isa<CXXMemberCallExpr>(Call)) {
      addStarted(*Starter, Call, bindingsAt(Call, Starter->Method, F),
                 Object ? pathOf(Object, F) : AccessPath::thisObject());
      return;
    }
    if (const ThreadClassInfo *Info = Model.threadClassInfo(Class)) {
      Site.Kind = "thread";
      Site.ThreadClass = Info;
      Site.DestructorWaits = Info->DestructorWaits;
      Site.Handle = pathOf(Object, F);
      Site.Expr = E;
      if (Info->Run) {
        // The override the object's class has (or `this` class's): the
        // type before the conversion to the base that declares start().
        const CXXRecordDecl *Dynamic =
            recordOf(Object->IgnoreParenImpCasts()->getType());
        if (!Dynamic)
          Dynamic = Class;
        if (isa<CXXThisExpr>(Object->IgnoreParenImpCasts()))
          if (const auto *Own = dyn_cast<CXXMethodDecl>(F))
            Dynamic = Own->getParent();
        const CXXMethodDecl *Run = overriderIn(Dynamic, Info->Run);
        const FunctionDecl *Def = Run ? Run->getDefinition() : nullptr;
        if (!Def || !Def->hasBody())
          return;
        Site.Body = Def;
        Site.Bindings.Caller = F;
        Site.Bindings.This = pathOf(Object, F);
        finish(std::move(Site));
        return;
      }
    }
  }

  /// The threads a call of a starter (\p Outer: its bindings at \p Call)
  /// starts, on the object \p Object.
  void addStarted(const StarterInfo &Starter, const Expr *Call,
                  CallBindings Outer, const AccessPath &Object) {
    for (const auto &[Field, Param] : Starter.FieldParams)
      if (Param < Outer.Params.size())
        Outer.ThisFieldPaths.push_back({Field, Outer.Params[Param]});
    for (const SpawnSite &Inner : Starter.Spawns) {
      SpawnSite Site = Inner;
      Site.Expr = Call;
      Site.Handle = Object;
      Site.Bindings = throughCall(Inner.Bindings, Outer, Starter.Method);
      Site.DestructorWaits = Starter.DestructorWaits;
      finish(std::move(Site));
      Result.Spawns.back().InLoop |= Inner.InLoop;
    }
  }

  /// \p Inner, bindings made in \p Middle, in the terms of \p Outer's
  /// caller.
  static CallBindings throughCall(const CallBindings &Inner,
                                  const CallBindings &Outer,
                                  const FunctionDecl *Middle) {
    CallBindings B;
    B.Caller = Outer.Caller;
    for (const AccessPath &Param : Inner.Params)
      B.Params.push_back(substitute(Param, Outer, Middle));
    B.This = substitute(Inner.This, Outer, Middle);
    // A lambda's `this` is the starter's: so are the fields it set.
    if (Inner.This == AccessPath::thisObject())
      B.ThisFieldPaths = Outer.ThisFieldPaths;
    for (const auto &[Field, Init] : Inner.ThisFields)
      B.ThisFieldPaths.push_back(
          {Field, substitute(pathOf(Init, Middle), Outer, Middle)});
    for (const auto &[Field, Path] : Inner.ThisFieldPaths)
      B.ThisFieldPaths.push_back({Field, substitute(Path, Outer, Middle)});
    return B;
  }

  /// A std::jthread body whose first parameter is a std::stop_token gets
  /// it from the thread: the arguments bind to the parameters after it.
  void fixStopToken() {
    if (Result.Spawns.empty())
      return;
    SpawnSite &Site = Result.Spawns.back();
    if (Site.Kind != "std::jthread" || Site.Body->getNumParams() == 0)
      return;
    const CXXRecordDecl *First =
        recordOf(Site.Body->getParamDecl(0)->getType());
    if (!First || First->getName() != "stop_token")
      return;
    Site.Bindings.Params.insert(Site.Bindings.Params.begin(), AccessPath());
    Site.Bindings.Params.pop_back();
  }
};

bool namesSynchronizer(const Expr *Object) {
  const CXXRecordDecl *Record = recordOf(Object->getType());
  if (!Record || !Record->getIdentifier())
    return false;
  for (StringRef Name : latchTypes())
    if (Record->getName().contains(Name))
      return true;
  return false;
}

} // namespace

SpawningFunction SpawnModel::collect(const FunctionDecl *F) {
  SpawningFunction Result;
  Result.Function = F;
  const Stmt *Body = F ? F->getBody() : nullptr;
  if (!Body)
    return Result;
  ParentMap Parents(const_cast<Stmt *>(Body));
  Collector C{*this, Options, F, Parents, Result};
  auto Visit = [&](const Stmt *S) {
    if (const auto *E = dyn_cast<Expr>(S))
      C.visit(E);
  };
  // A constructor also starts threads in its member initialisers.
  if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(F))
    for (const CXXCtorInitializer *Init : Ctor->inits())
      if (const Expr *E = Init->isWritten() ? Init->getInit() : nullptr) {
        Visit(E);
        forEachDescendant(E, Visit);
        // `worker_([this] {...})` owns what it starts.
        if (!Result.Spawns.empty() && !Result.Spawns.back().Handle.valid() &&
            Init->getMember())
          Result.Spawns.back().Handle =
              AccessPath::thisObject().withField(Init->getMember());
      }
  forEachDescendant(Body, Visit);
  if (Result.Spawns.empty())
    return Result;

  // Waits: `t.join()`, `f.get()`, `pool.wait()`, pthread_join, and the same
  // on the element of a range-for over a container of threads.
  forEachDescendant(Body, [&](const Stmt *S) {
    const auto *Call = dyn_cast<CallExpr>(S);
    if (!Call)
      return;
    StringRef Name = calleeName(Call);
    if (Name == "pthread_join" && Call->getNumArgs() > 0) {
      Result.Waits.push_back({Call, pathOf(Call->getArg(0), F), nullptr,
                              Call->getBeginLoc(), nullptr});
      return;
    }
    const Expr *Object = calleeObject(Call, nullptr);
    if (!Object)
      return;
    const CXXRecordDecl *Class = recordOf(Object->getType());
    const auto *Method =
        dyn_cast_or_null<CXXMethodDecl>(Call->getDirectCallee());
    bool Waits =
        Name == "join" || Name == "get" || Name == "wait" || Name == "join_all";
    if (const PoolInfo *Pool = poolInfo(Class))
      Waits = any_of(Pool->WaitMethods, [&](const CXXMethodDecl *W) {
        return isMethod(Method, W);
      });
    else if (const ThreadClassInfo *Info = threadClassInfo(Class))
      Waits = any_of(Info->WaitMethods, [&](const CXXMethodDecl *W) {
        return isMethod(Method, W);
      });
    else if (const StarterInfo *Starter = starterOfClass(Class))
      Waits |= any_of(Starter->WaitMethods, [&](const CXXMethodDecl *W) {
        return isMethod(Method, W);
      });
    if (!Waits || namesSynchronizer(Object))
      return;
    const Expr *Plain = ignoreWrappers(Object);
    AccessPath Handle;
    // The loop variable of `for (auto &t : pool)` stands for `pool`.
    if (const auto *Ref = dyn_cast<DeclRefExpr>(stripAccess(Plain)))
      for (const Stmt *P = Parents.getParent(Call); P && !Handle.valid();
           P = Parents.getParent(P))
        if (const auto *RangeFor = dyn_cast<CXXForRangeStmt>(P);
            RangeFor && RangeFor->getLoopVariable() == Ref->getDecl())
          Handle = pathOf(RangeFor->getRangeInit(), F);
    if (!Handle.valid())
      Handle = pathOf(Plain, F);
    if (Handle.valid())
      Result.Waits.push_back(
          {Call, Handle, nullptr, Call->getBeginLoc(), nullptr});
  });

  // Handles whose destructor waits, at the end of their scope.
  for (const SpawnSite &Spawn : Result.Spawns) {
    if (!Spawn.DestructorWaits ||
        Spawn.Handle.base() != AccessPath::BaseKind::Var ||
        !Spawn.Handle.fields().empty())
      continue;
    const auto *Handle = dyn_cast<VarDecl>(Spawn.Handle.variable());
    if (!Handle || !Handle->hasLocalStorage() || isa<ParmVarDecl>(Handle) ||
        any_of(Result.Waits, [&](const WaitSite &W) {
          return W.Handle == Spawn.Handle && W.isImplicit();
        }))
      continue;
    const Stmt *Block = nullptr;
    forEachDescendant(Body, [&](const Stmt *S) {
      if (const auto *DS = dyn_cast<DeclStmt>(S); DS && !Block)
        for (const Decl *D : DS->decls())
          if (D->getCanonicalDecl() == Handle->getCanonicalDecl())
            Block = Parents.getParent(DS);
    });
    if (const auto *Compound = dyn_cast_or_null<CompoundStmt>(Block))
      Result.Waits.push_back(
          {nullptr, Spawn.Handle, Handle, Compound->getRBracLoc(), nullptr});
  }

  // `done.wait()` on a latch (or barrier) that the threads of one spawn
  // site count down waits for those threads.
  forEachDescendant(Body, [&](const Stmt *S) {
    const auto *Wait = dyn_cast<CXXMemberCallExpr>(S);
    if (!Wait)
      return;
    StringRef Name = calleeName(Wait);
    if (Name != "wait" && Name != "arrive_and_wait")
      return;
    const Expr *Object = Wait->getImplicitObjectArgument();
    if (!Object || !namesSynchronizer(Object))
      return;
    AccessPath Latch = pathOf(Object, F);
    if (!Latch.valid())
      return;
    for (const SpawnSite &Spawn : Result.Spawns) {
      bool CountsDown = false;
      forEachDescendant(Spawn.Body->getBody(), [&](const Stmt *Inner) {
        const auto *Call = dyn_cast<CXXMemberCallExpr>(Inner);
        if (!Call || CountsDown)
          return;
        StringRef Op = calleeName(Call);
        if (Op == "count_down" || Op == "arrive" || Op == "arrive_and_wait" ||
            Op == "arrive_and_drop")
          CountsDown =
              normalize(substitute(pathOf(Call->getImplicitObjectArgument(),
                                          Spawn.Body),
                                   Spawn.Bindings, Spawn.Body),
                        F) == Latch;
      });
      if (CountsDown)
        Result.Waits.push_back(
            {Wait, Spawn.Handle, nullptr, Wait->getBeginLoc(), &Spawn});
    }
  });
  return Result;
}

} // namespace fanout
