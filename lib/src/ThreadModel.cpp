//===- ThreadModel.cpp - Spawn sites, their bodies, and waits -------------===//
#include "fanout/ThreadModel.h"
#include "fanout/AstHelpers.h"
#include "fanout/Compat.h"
#include "fanout/QueueModel.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/StmtCXX.h"

using namespace clang;
using namespace llvm;

namespace fanout {
namespace {

const char *const BuiltinThreadTypes[] = {"std::thread", "std::jthread",
                                          "boost::thread"};

const CXXRecordDecl *recordOf(QualType T) {
  T = compat::withoutSpellingSugar(T.getNonReferenceType());
  return T->getAsCXXRecordDecl();
}

bool isBuiltinThreadType(const CXXRecordDecl *Record) {
  for (const char *Name : BuiltinThreadTypes)
    if (matchesQualifiedName(Record, Name))
      return true;
  return false;
}

const CXXMethodDecl *methodNamed(const CXXRecordDecl *Record, StringRef Name) {
  for (const CXXMethodDecl *Method : Record->methods())
    if (Method->getIdentifier() && Method->getName() == Name)
      return Method;
  return nullptr;
}

bool isFunctionWrapper(QualType T) {
  const CXXRecordDecl *Record = recordOf(T);
  return Record && Record->getIdentifier() && Record->isInStdNamespace() &&
         (Record->getName() == "function" ||
          Record->getName() == "move_only_function");
}

/// A user class that is a thread (muduo's `Thread`, `new Thread(fn)` then
/// `start()` and `join()`): a constructor takes a callable and stores it in
/// a field, `start()` starts a std::thread or calls pthread_create, and it
/// has a `join()`. Read from its code; a class whose start() is defined in
/// another file is not seen here (the ThreadTypes option names it).
bool isThreadClass(const CXXRecordDecl *Record) {
  if (!Record || Record->isLambda() || Record->isInStdNamespace() ||
      !Record->hasDefinition())
    return false;
  Record = Record->getDefinition();
  const CXXMethodDecl *Start = methodNamed(Record, "start");
  if (!Start || !methodNamed(Record, "join"))
    return false;
  const FunctionDecl *StartDef = Start->getDefinition();
  if (!StartDef || !StartDef->getBody())
    return false;
  bool StartsThread = false;
  forEachDescendant(StartDef->getBody(), [&](const Stmt *S) {
    if (const auto *Construct = dyn_cast<CXXConstructExpr>(S))
      StartsThread |=
          Construct->getNumArgs() > 0 &&
          isBuiltinThreadType(Construct->getConstructor()->getParent());
    if (const auto *Call = dyn_cast<CallExpr>(S))
      StartsThread |= calleeName(Call) == "pthread_create";
  });
  if (!StartsThread)
    return false;
  // A constructor whose first parameter is a callable that a member
  // initialiser stores.
  for (const Decl *D : Record->decls()) {
    const auto *Ctor = dyn_cast<CXXConstructorDecl>(D);
    if (const auto *Template = dyn_cast<FunctionTemplateDecl>(D))
      Ctor = dyn_cast<CXXConstructorDecl>(Template->getTemplatedDecl());
    if (!Ctor || Ctor->getNumParams() == 0 || Ctor->isCopyOrMoveConstructor())
      continue;
    const ParmVarDecl *Param = Ctor->getParamDecl(0);
    QualType T = Param->getType().getNonReferenceType();
    if (!isFunctionWrapper(T) && !T->isTemplateTypeParmType() &&
        !T->isFunctionPointerType())
      continue;
    for (const CXXCtorInitializer *Init : Ctor->inits()) {
      bool Stores = false;
      auto Visit = [&](const Stmt *S) {
        if (const auto *Ref = dyn_cast<DeclRefExpr>(S))
          Stores |= Ref->getDecl() == Param;
      };
      if (Init->getMember() && Init->getInit()) {
        Visit(Init->getInit());
        forEachDescendant(Init->getInit(), Visit);
      }
      if (Stores)
        return true;
    }
  }
  return false;
}

bool isThreadType(const CXXRecordDecl *Record, const AnalysisOptions &Options) {
  if (!Record)
    return false;
  if (isBuiltinThreadType(Record))
    return true;
  for (const std::string &Name : Options.ThreadTypes)
    if (matchesQualifiedName(Record, Name))
      return true;
  return false;
}

/// `std::vector<std::thread>`, `std::array<std::jthread, N>`, ...: a
/// container whose first template argument is a thread (or future) type.
bool holdsThreads(const CXXRecordDecl *Record, const AnalysisOptions &Options) {
  const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(Record);
  if (!Spec || Spec->getTemplateArgs().size() == 0 ||
      Spec->getTemplateArgs()[0].getKind() != TemplateArgument::Type)
    return false;
  const CXXRecordDecl *Element =
      recordOf(Spec->getTemplateArgs()[0].getAsType());
  return isThreadType(Element, Options) ||
         (Element && Element->isInStdNamespace() &&
          (Element->getName() == "future" ||
           Element->getName() == "shared_future"));
}

// Functions (and methods) that run a callable argument on another thread.
const char *const BuiltinSpawnFunctions[] = {
    "std::async",
    "pthread_create",
    "boost::asio::post",
    "boost::asio::dispatch",
    "boost::asio::defer",
    "tbb::task_group::run",
    "boost::thread_group::create_thread",
    "tbb::task_arena::enqueue"};

bool isSpawnFunction(const FunctionDecl *Callee,
                     const AnalysisOptions &Options) {
  if (!Callee || !Callee->getIdentifier())
    return false;
  for (const char *Name : BuiltinSpawnFunctions)
    if (matchesQualifiedName(Callee, Name))
      return true;
  for (const std::string &Name : Options.SpawnFunctions)
    if (matchesQualifiedName(Callee, Name))
      return true;
  return false;
}

/// Whether \p E can be called: a lambda, a function (pointer), a member
/// function pointer or a function object.
bool isCallable(const Expr *E) {
  QualType T = E->getType().getNonReferenceType();
  if (T->isFunctionType() || T->isFunctionPointerType() ||
      T->isMemberFunctionPointerType())
    return true;
  const CXXRecordDecl *Record = recordOf(T);
  if (!Record || !Record->hasDefinition())
    return false;
  if (Record->isLambda())
    return true;
  return any_of(Record->methods(), [](const CXXMethodDecl *M) {
    return M->getOverloadedOperator() == OO_Call;
  });
}

/// Binds the fields of a function object to what it was built from:
/// `Worker{&q}` (aggregate), or `Worker(q)` with `Worker(Q &q) : q_(q)`.
void bindFunctorFields(const Expr *Object, const CXXRecordDecl *Functor,
                       ParamBindings &Bindings) {
  if (const auto *List = dyn_cast<InitListExpr>(Object)) {
    unsigned Index = 0;
    for (const FieldDecl *Field : Functor->fields()) {
      if (Index >= List->getNumInits())
        break;
      Bindings[Field] = List->getInit(Index++);
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
      Bindings[Field] = Construct->getArg(Param->getFunctionScopeIndex());
  }
}

/// The function a callable expression runs, and how its parameters are bound
/// to \p Args (the arguments after the callable).
const FunctionDecl *resolveCallable(const Expr *Callable,
                                    ArrayRef<const Expr *> Args,
                                    ParamBindings &Bindings, int Depth = 0) {
  if (!Callable || Depth > 4)
    return nullptr;
  Callable = ignoreWrappers(Callable);
  if (const auto *Unary = dyn_cast<UnaryOperator>(Callable);
      Unary && Unary->getOpcode() == UO_AddrOf)
    Callable = ignoreWrappers(Unary->getSubExpr());

  // `std::function<void()>(lambda)`: the function runs what it holds.
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(Callable);
      Construct && Construct->getNumArgs() >= 1 &&
      isFunctionWrapper(Construct->getType()))
    return resolveCallable(Construct->getArg(0), Args, Bindings, Depth + 1);
  // `std::bind(f, args...)`: f runs on the bound arguments.
  if (const auto *Call = dyn_cast<CallExpr>(Callable);
      Call && Call->getNumArgs() >= 1 && calleeName(Call) == "bind" &&
      Call->getDirectCallee() && Call->getDirectCallee()->isInStdNamespace()) {
    SmallVector<const Expr *, 4> Bound(std::next(Call->arg_begin()),
                                       Call->arg_end());
    return resolveCallable(Call->getArg(0), Bound, Bindings, Depth + 1);
  }

  const FunctionDecl *Body = nullptr;
  size_t FirstArg = 0;
  if (const auto *Lambda = dyn_cast<LambdaExpr>(Callable)) {
    Body = Lambda->getCallOperator();
  } else if (const auto *Ref = dyn_cast<DeclRefExpr>(Callable)) {
    if (const auto *Method = dyn_cast<CXXMethodDecl>(Ref->getDecl());
        Method && Method->isInstance()) {
      Body = Method; // `&Worker::run, this, args...`
      FirstArg = 1;
    } else if (const auto *Function = dyn_cast<FunctionDecl>(Ref->getDecl())) {
      Body = Function;
    } else if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl())) {
      // `auto worker = [&] {...}; std::thread t(worker);`
      if (Var->getInit())
        return resolveCallable(Var->getInit(), Args, Bindings, Depth + 1);
      return nullptr;
    }
  } else if (const CXXRecordDecl *Functor = recordOf(Callable->getType())) {
    // A function object: its call operator runs, on the fields it was given.
    if (Functor->hasDefinition())
      for (const CXXMethodDecl *Method : Functor->methods())
        if (Method->getOverloadedOperator() == OO_Call) {
          Body = Method;
          break;
        }
    if (Body)
      bindFunctorFields(Callable, Functor, Bindings);
  }
  if (!Body)
    return nullptr;
  if (const FunctionDecl *Definition = Body->getDefinition())
    Body = Definition;
  for (unsigned I = 0; I < Body->getNumParams() && FirstArg + I < Args.size();
       ++I)
    Bindings[Body->getParamDecl(I)] = Args[FirstArg + I];
  return Body;
}

/// The variable that ends up owning what \p E creates: the variable it
/// initialises, or the container it is pushed into.
const VarDecl *owningVariable(const Expr *E, const ParentMap &Parents) {
  const Stmt *Child = E;
  for (const Stmt *P = Parents.getParent(E); P;
       Child = P, P = Parents.getParent(P)) {
    if (const auto *DS = dyn_cast<DeclStmt>(P)) {
      for (const Decl *D : DS->decls())
        if (const auto *Var = dyn_cast<VarDecl>(D))
          if (Var->getInit() && contains(Var->getInit(), Child))
            return Var;
      return nullptr;
    }
    if (const auto *Call = dyn_cast<CallExpr>(P)) {
      if (const Expr *Object = calleeObject(Call, nullptr))
        if (const auto *Var = dyn_cast_or_null<VarDecl>(resolveObject(Object)))
          return Var;
      return nullptr;
    }
    if (const auto *Assign = dyn_cast<BinaryOperator>(P);
        Assign && Assign->getOpcode() == BO_Assign)
      return dyn_cast_or_null<VarDecl>(resolveObject(Assign->getLHS()));
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(P);
        Op && Op->getOperator() == OO_Equal)
      return dyn_cast_or_null<VarDecl>(resolveObject(Op->getArg(0)));
    if (!isa<Expr>(P))
      return nullptr;
  }
  return nullptr;
}

/// A handle whose destructor waits for its thread: std::jthread, a future
/// of std::async, or a container of them.
bool destructorWaits(const VarDecl *Handle, StringRef Kind) {
  const CXXRecordDecl *Record = recordOf(Handle->getType());
  // A container of handles (std::vector<std::jthread>): its elements.
  if (const auto *Spec =
          dyn_cast_or_null<ClassTemplateSpecializationDecl>(Record);
      Spec && Spec->getName() != "future" &&
      Spec->getTemplateArgs().size() > 0 &&
      Spec->getTemplateArgs()[0].getKind() == TemplateArgument::Type)
    Record = recordOf(Spec->getTemplateArgs()[0].getAsType());
  if (!Record || !Record->isInStdNamespace() || !Record->getIdentifier())
    return false;
  return Record->getName() == "jthread" ||
         (Record->getName() == "future" && Kind == "std::async");
}

/// Threads left to a std::jthread or an async future are waited for when
/// the handle goes out of scope: at the closing brace of its block.
void addImplicitWaits(SpawningFunction &Result, const Stmt *Body,
                      const ParentMap &Parents) {
  for (const SpawnSite &Spawn : Result.Spawns) {
    const VarDecl *Handle = Spawn.Handle;
    if (!Handle || !Handle->hasLocalStorage() ||
        !destructorWaits(Handle, Spawn.Kind) ||
        any_of(Result.Waits,
               [&](const WaitSite &W) { return W.Handle == Handle; }))
      continue;
    // The block that declares the handle.
    const Stmt *Block = nullptr;
    forEachDescendant(Body, [&](const Stmt *S) {
      if (const auto *DS = dyn_cast<DeclStmt>(S); DS && !Block)
        for (const Decl *D : DS->decls())
          if (D == Handle || D->getCanonicalDecl() == Handle)
            Block = Parents.getParent(DS);
    });
    if (const auto *Compound = dyn_cast_or_null<CompoundStmt>(Block))
      Result.Waits.push_back({nullptr, Handle, Compound->getRBracLoc()});
  }
}

bool namesSynchronizer(const Expr *Object) {
  QualType T = Object->getType().getNonReferenceType();
  if (const auto *Pointer = T->getAs<PointerType>())
    T = Pointer->getPointeeType();
  const CXXRecordDecl *Record = recordOf(T);
  return Record && Record->getIdentifier() &&
         (Record->getName().contains("latch") ||
          Record->getName().contains("barrier"));
}

/// `done.wait()` on a latch (or barrier) that the threads of one spawn site
/// count down waits for those threads.
void addLatchWaits(SpawningFunction &Result, const Stmt *Body) {
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
    const ValueDecl *Latch = resolveObject(Object);
    if (!Latch)
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
          CountsDown = resolveObject(Call->getImplicitObjectArgument(),
                                     &Spawn.Bindings) == Latch;
      });
      if (CountsDown)
        Result.Waits.push_back(
            {Wait, Spawn.Handle, Wait->getBeginLoc(), &Spawn});
    }
  });
}

} // namespace

bool isSpawnExpr(const Expr *E, const AnalysisOptions &Options) {
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(E))
    return Construct->getNumArgs() > 0 &&
           !Construct->getConstructor()->isCopyOrMoveConstructor() &&
           (isThreadType(Construct->getConstructor()->getParent(), Options) ||
            (isCallable(Construct->getArg(0)) &&
             isThreadClass(Construct->getConstructor()->getParent())));
  if (const auto *Call = dyn_cast<CallExpr>(E)) {
    if (isSpawnFunction(Call->getDirectCallee(), Options))
      return true;
    // `threads.emplace_back(callable, args...)`.
    StringRef Name = calleeName(Call);
    if ((Name == "emplace_back" || Name == "emplace") && Call->getNumArgs() > 0)
      if (const Expr *Object = calleeObject(Call, nullptr))
        return holdsThreads(recordOf(Object->getType()), Options);
  }
  return false;
}

SpawningFunction collectSpawns(const FunctionDecl *F,
                               const AnalysisOptions &Options) {
  SpawningFunction Result;
  Result.Function = F;
  const Stmt *Body = F ? F->getBody() : nullptr;
  if (!Body)
    return Result;
  ParentMap Parents(const_cast<Stmt *>(Body));

  auto VisitSpawn = [&](const Stmt *S) {
    const auto *E = dyn_cast<Expr>(S);
    if (!E || !isSpawnExpr(E, Options))
      return;
    SmallVector<const Expr *, 4> Args;
    StringRef Kind;
    if (const auto *Construct = dyn_cast<CXXConstructExpr>(E)) {
      for (const Expr *Arg : Construct->arguments())
        Args.push_back(Arg);
      Kind = Construct->getConstructor()->getParent()->getName() == "jthread"
                 ? "std::jthread"
                 : "thread";
    } else {
      const auto *Call = cast<CallExpr>(E);
      StringRef Name = calleeName(Call);
      Kind = Name == "async" ? "std::async" : "task";
      if (Name == "pthread_create" && Call->getNumArgs() == 4) {
        // pthread_create(&t, attr, body, arg): body(arg) runs.
        Args = {Call->getArg(2), Call->getArg(3)};
        Kind = "pthread";
      } else {
        // The callable is the first callable argument: executors, pools and
        // launch policies come before it (`post(pool, f)`,
        // `async(policy, f, args...)`).
        auto Callable = find_if(
            Call->arguments(), [](const Expr *Arg) { return isCallable(Arg); });
        for (auto It = Callable; It != Call->arg_end(); ++It)
          Args.push_back(*It);
      }
    }
    if (Args.empty())
      return;
    SpawnSite Site;
    Site.Expr = E;
    Site.Kind = Kind;
    Site.Body = resolveCallable(Args.front(), ArrayRef(Args).drop_front(),
                                Site.Bindings);
    if (!Site.Body || !Site.Body->hasBody())
      return;
    // A std::jthread body that takes a stop_token first gets it from the
    // thread, not from the arguments.
    if (Kind == "std::jthread" && Site.Body->getNumParams() > 0) {
      ParamBindings Shifted;
      for (unsigned I = 1; I < Site.Body->getNumParams(); ++I)
        if (I - 1 + 1 < Args.size())
          Shifted[Site.Body->getParamDecl(I)] = Args[I];
      if (const CXXRecordDecl *First =
              recordOf(Site.Body->getParamDecl(0)->getType());
          First && First->getName() == "stop_token")
        Site.Bindings = std::move(Shifted);
    }
    Site.InLoop = enclosingLoop(E, Parents) != nullptr;
    // `pool.emplace_back(...)` and `group.run(f)` are owned by the object
    // called; `post(pool, f)` and `pthread_create(&t, ...)` by their first
    // argument; anything else by what it initialises or is stored into.
    const auto *Call = dyn_cast<CallExpr>(E);
    const Expr *Owner = Call ? calleeObject(Call, nullptr) : nullptr;
    if (!Owner && Call && Call->getNumArgs() > 0 &&
        !isCallable(Call->getArg(0)) && Kind != "std::async")
      Owner = Call->getArg(0);
    if (Owner)
      Site.Handle = dyn_cast_or_null<VarDecl>(resolveObject(Owner));
    else
      Site.Handle = owningVariable(E, Parents);
    Result.Spawns.push_back(std::move(Site));
  };
  // A constructor also starts threads in its member initialisers
  // (`worker_([this] { run(); })`).
  if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(F))
    for (const CXXCtorInitializer *Init : Ctor->inits())
      if (const Expr *E = Init->isWritten() ? Init->getInit() : nullptr) {
        VisitSpawn(E);
        forEachDescendant(E, VisitSpawn);
      }
  forEachDescendant(Body, VisitSpawn);

  // Waits: `t.join()`, `f.get()`, `f.wait()`, and the same on the element
  // of a range-for over a container of threads.
  forEachDescendant(Body, [&](const Stmt *S) {
    if (const auto *Join = dyn_cast<CallExpr>(S);
        Join && calleeName(Join) == "pthread_join" && Join->getNumArgs() > 0) {
      if (const auto *Handle =
              dyn_cast_or_null<VarDecl>(resolveObject(Join->getArg(0))))
        Result.Waits.push_back({Join, cast<VarDecl>(Handle->getCanonicalDecl()),
                                Join->getBeginLoc()});
      return;
    }
    const auto *Call = dyn_cast<CXXMemberCallExpr>(S);
    if (!Call)
      return;
    StringRef Name = calleeName(Call);
    if (Name != "join" && Name != "get" && Name != "wait" && Name != "join_all")
      return;
    const Expr *Object = ignoreWrappers(Call->getImplicitObjectArgument());
    // `t->join()` on a `std::unique_ptr<Thread> &t` of the loop below.
    if (const auto *Op = dyn_cast_or_null<CXXOperatorCallExpr>(Object);
        Op && Op->getNumArgs() == 1 &&
        (Op->getOperator() == OO_Arrow || Op->getOperator() == OO_Star))
      Object = ignoreWrappers(Op->getArg(0));
    const VarDecl *Handle = nullptr;
    // The loop variable of `for (auto &t : pool)` stands for `pool`.
    if (const auto *Ref = dyn_cast<DeclRefExpr>(Object))
      for (const Stmt *P = Parents.getParent(Call); P && !Handle;
           P = Parents.getParent(P))
        if (const auto *RangeFor = dyn_cast<CXXForRangeStmt>(P);
            RangeFor && RangeFor->getLoopVariable() == Ref->getDecl())
          Handle = dyn_cast_or_null<VarDecl>(
              resolveObject(RangeFor->getRangeInit()));
    if (!Handle)
      Handle = dyn_cast_or_null<VarDecl>(resolveObject(Object));
    if (!Handle)
      return;
    Result.Waits.push_back(
        {Call, cast<VarDecl>(Handle->getCanonicalDecl()), Call->getBeginLoc()});
  });
  addImplicitWaits(Result, Body, Parents);
  addLatchWaits(Result, Body);
  return Result;
}

} // namespace fanout
