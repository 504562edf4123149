//===- Summaries.cpp - Queue operations through calls; exceptions ---------===//
#include "fanout/Summaries.h"
#include "fanout/AstHelpers.h"
#include "fanout/Vocabulary.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"

using namespace clang;
using namespace llvm;

namespace fanout {

Summaries::Summaries(ASTContext &Ctx, QueueModel &Queues, SpawnModel &Spawns)
    : Ctx(Ctx), Queues(Queues), Spawns(Spawns) {
  // One CFG per function: implicit destructors (guards and the waits of
  // jthreads and pools at scope exit), every sub-expression an element.
  Contexts = std::make_unique<AnalysisDeclContextManager>(
      Ctx, /*useUnoptimizedCFG=*/false, /*addImplicitDtors=*/true,
      /*addInitializers=*/true, /*addTemporaryDtors=*/true);
  Contexts->getCFGBuildOptions().setAllAlwaysAdd();
}

Summaries::~Summaries() = default;

AnalysisDeclContext *Summaries::analysisContext(const FunctionDecl *F) {
  if (!F || !F->hasBody())
    return nullptr;
  const FunctionDecl *Def = F->getDefinition();
  return Contexts->getContext(Def ? Def : F);
}

const ParentMap &Summaries::parents(const FunctionDecl *F) {
  return analysisContext(F)->getParentMap();
}

const CFG *Summaries::cfg(const FunctionDecl *F) {
  AnalysisDeclContext *Context = analysisContext(F);
  if (!Context || containsErrors(F->getBody()))
    return nullptr;
  return Context->getCFG();
}

const FunctionDecl *Summaries::followedCallee(const CallExpr *Call) {
  const FunctionDecl *Callee = Call->getDirectCallee();
  if (!Callee)
    return nullptr;
  const FunctionDecl *Def = Callee->getDefinition();
  if (!Def || !Def->hasBody() || Def->isInvalidDecl() ||
      Def->isDependentContext() || Def->isInStdNamespace() ||
      Ctx.getSourceManager().isInSystemHeader(Def->getLocation()))
    return nullptr;
  // A call on a queue is the queue's business, not a role of its own.
  if (Queues.classify(Call))
    return nullptr;
  return Def;
}

void Summaries::addCallee(const CallExpr *Call, const FunctionDecl *Caller,
                          const FunctionDecl *Callee, bool InLoop,
                          bool ThisIsCallers, std::vector<ReachedOp> &Out) {
  ArrayRef<ReachedOp> Inner = opsOf(Callee);
  if (Inner.empty())
    return;
  CallBindings Bindings;
  if (ThisIsCallers) {
    // A lambda called in place names the caller's variables and `this`.
    Bindings.Caller = Caller;
    Bindings.This = AccessPath::thisObject();
  } else {
    Bindings = bindingsAt(Call, Callee, Caller);
  }
  for (const ReachedOp &Op : Inner) {
    AccessPath Queue =
        normalize(substitute(Op.Queue, Bindings, Callee), Caller);
    if (!Queue.valid() || Op.Via.size() + 1 > MaxCallDepth)
      continue;
    ReachedOp Reached;
    Reached.Op = Op.Op;
    Reached.Queue = std::move(Queue);
    Reached.Via.push_back(Call);
    Reached.Via.append(Op.Via.begin(), Op.Via.end());
    Reached.Holder = Op.Holder;
    Reached.Inner = &Op;
    Reached.InnerFunction = Callee;
    Reached.InLoop = Op.InLoop || InLoop;
    Out.push_back(std::move(Reached));
  }
}

void Summaries::summarize(const FunctionDecl *F, std::vector<ReachedOp> &Out) {
  const Stmt *Body = F->getBody();
  if (!Body || containsErrors(Body))
    return;
  const ParentMap &Parents = parents(F);
  forEachDescendant(Body, [&](const Stmt *S) {
    const auto *Call = dyn_cast<CallExpr>(S);
    if (!Call)
      return;
    bool InLoop = enclosingLoop(Call, Parents) != nullptr;
    if (std::optional<QueueOperation> Op = Queues.classify(Call)) {
      AccessPath Queue = pathOf(Op->Object, F);
      if (!Queue.valid())
        return;
      ReachedOp Reached;
      Reached.Op = *Op;
      Reached.Queue = std::move(Queue);
      Reached.Holder = F;
      Reached.InLoop = InLoop;
      Out.push_back(std::move(Reached));
      return;
    }
    if (Spawns.isSpawn(Call))
      return; // What it starts is another thread.
    if (const FunctionDecl *Callee = followedCallee(Call);
        Callee && Callee != F)
      addCallee(Call, F, Callee, InLoop, /*ThisIsCallers=*/false, Out);
    // Lambdas handed to an algorithm run here, maybe many times.
    const InPlaceCallRow *Row = inPlaceCallRow(Call->getDirectCallee());
    if (!Row)
      return;
    for (const Expr *Arg : Call->arguments())
      if (const auto *Lambda = dyn_cast<LambdaExpr>(ignoreWrappers(Arg)))
        addCallee(Call, F, Lambda->getCallOperator(), InLoop || Row->Repeats,
                  /*ThisIsCallers=*/true, Out);
  });
}

ArrayRef<ReachedOp> Summaries::opsOf(const FunctionDecl *F) {
  if (!F)
    return {};
  if (const FunctionDecl *Def = F->getDefinition())
    F = Def;
  if (auto It = Ops.find(F); It != Ops.end())
    return *It->second;
  // Recursion: a function being summarised contributes nothing to itself.
  if (InProgress.contains(F) || Depth >= 64)
    return {};
  InProgress.insert(F);
  ++Depth;
  auto Result = std::make_unique<std::vector<ReachedOp>>();
  summarize(F, *Result);
  --Depth;
  InProgress.erase(F);
  auto &Stored = Ops[F];
  Stored = std::move(Result);
  return *Stored;
}

std::vector<const ReachedOp *> Summaries::opsOn(const FunctionDecl *F,
                                                const AccessPath &Queue) {
  std::vector<const ReachedOp *> Result;
  for (const ReachedOp &Op : opsOf(F))
    if (Op.Queue == Queue)
      Result.push_back(&Op);
  return Result;
}

namespace {
/// Whether \p Catch catches an exception of type \p Thrown (null: unknown,
/// which any handler is taken to catch).
bool handlerCatches(const CXXCatchStmt *Catch, const Type *Thrown) {
  if (!Catch->getExceptionDecl() || !Thrown)
    return true;
  QualType CaughtType = Catch->getCaughtType().getNonReferenceType();
  const CXXRecordDecl *Caught = CaughtType->getAsCXXRecordDecl();
  const CXXRecordDecl *Type = Thrown->getAsCXXRecordDecl();
  if (!Caught && !Type)
    return CaughtType->getUnqualifiedDesugaredType() == Thrown;
  return Caught && Type &&
         (Caught->getCanonicalDecl() == Type->getCanonicalDecl() ||
          (Type->hasDefinition() && Type->isDerivedFrom(Caught)));
}
} // namespace

bool isCaughtWithin(const Stmt *S, const ParentMap &Parents,
                    ArrayRef<const Type *> Types,
                    const CXXCatchStmt **Handler) {
  for (const Stmt *Child = S, *P = Parents.getParent(S); P;
       Child = P, P = Parents.getParent(P)) {
    const auto *Try = dyn_cast<CXXTryStmt>(P);
    if (!Try || Try->getTryBlock() != Child)
      continue;
    for (unsigned I = 0; I < Try->getNumHandlers(); ++I) {
      const CXXCatchStmt *Catch = Try->getHandler(I);
      if (any_of(Types,
                 [&](const Type *T) { return handlerCatches(Catch, T); })) {
        if (Handler)
          *Handler = Catch;
        return true;
      }
    }
  }
  return false;
}

bool isCaughtWithin(const Stmt *S, const ParentMap &Parents,
                    const CXXCatchStmt **Handler) {
  const Type *Thrown = nullptr;
  if (const auto *Throw = dyn_cast<CXXThrowExpr>(S);
      Throw && Throw->getSubExpr())
    Thrown = Throw->getSubExpr()->getType()->getUnqualifiedDesugaredType();
  return isCaughtWithin(S, Parents, ArrayRef<const Type *>(Thrown), Handler);
}

Summaries::ThrownTypes Summaries::thrownBy(const Stmt *S) {
  ThrownTypes Result;
  if (const auto *Throw = dyn_cast<CXXThrowExpr>(S)) {
    if (const Expr *Sub = Throw->getSubExpr())
      Result.Types.push_back(Sub->getType()->getUnqualifiedDesugaredType());
    else
      Result.Any = true; // `throw;` rethrows whatever was caught.
    return Result;
  }
  const FunctionDecl *Visible = nullptr;
  if (const auto *Call = dyn_cast<CallExpr>(S)) {
    if (!callMayThrow(Call))
      return Result;
    Visible = followedCallee(Call);
    if (!Visible)
      if (const FunctionDecl *Callee = Call->getDirectCallee())
        if (!isThrowingLibraryFunction(Callee))
          Visible = Callee->getDefinition();
  } else if (const auto *Construct = dyn_cast<CXXConstructExpr>(S)) {
    if (!constructMayThrow(Construct))
      return Result;
    if (const CXXConstructorDecl *Ctor = Construct->getConstructor();
        Ctor && !isThrowingLibraryFunction(Ctor))
      Visible = Ctor->getDefinition();
  } else {
    return Result;
  }
  if (!Visible || !Visible->hasBody()) {
    Result.Any = true;
    return Result;
  }
  return thrownOutOf(Visible);
}

Summaries::ThrownTypes Summaries::thrownOutOf(const FunctionDecl *F) {
  if (auto It = ThrownOut.find(F); It != ThrownOut.end())
    return It->second;
  ThrownOut[F] = ThrownTypes(); // Recursion: nothing more while looking.
  ThrownTypes Result;
  const ParentMap &Parents = parents(F);
  if (!containsErrors(F->getBody()))
    forEachDescendant(F->getBody(), [&](const Stmt *S) {
      if (Result.Any)
        return;
      ThrownTypes Here = thrownBy(S);
      if (Here.Any &&
          !isCaughtWithin(S, Parents, ArrayRef<const Type *>(nullptr), nullptr))
        Result.Any = true;
      for (const Type *T : Here.Types)
        if (!isCaughtWithin(S, Parents, ArrayRef<const Type *>(T), nullptr) &&
            !is_contained(Result.Types, T))
          Result.Types.push_back(T);
    });
  // Too many to tell apart: any.
  if (Result.Types.size() > 8)
    Result.Any = true;
  // By value: the map may grow (and move) while a caller still reads it.
  ThrownOut[F] = Result;
  return Result;
}

bool Summaries::caughtWithin(const Stmt *S, const ParentMap &Parents,
                             const CXXCatchStmt **Handler) {
  if (!isa<CallExpr, CXXConstructExpr>(S))
    return isCaughtWithin(S, Parents, Handler);
  ThrownTypes Thrown = thrownBy(S);
  if (Thrown.Any || Thrown.Types.empty())
    return isCaughtWithin(S, Parents, Handler);
  return isCaughtWithin(S, Parents, Thrown.Types, Handler);
}

bool Summaries::callMayThrow(const CallExpr *Call) {
  const FunctionDecl *Callee = Call->getDirectCallee();
  if (!Callee)
    return false;
  if (const auto *Proto = Callee->getType()->getAs<FunctionProtoType>();
      Proto && Proto->isNothrow())
    return false;
  if (isThrowingLibraryFunction(Callee))
    return true;
  if (const FunctionDecl *Followed = followedCallee(Call))
    return mayThrow(Followed);
  // Queue operations of the user's queues: their own code decides.
  if (const FunctionDecl *Def = Callee->getDefinition();
      Def && Def->hasBody() && !Def->isInStdNamespace() &&
      !Ctx.getSourceManager().isInSystemHeader(Def->getLocation()))
    return mayThrow(Def);
  return false;
}

bool Summaries::constructMayThrow(const CXXConstructExpr *Construct) {
  const CXXConstructorDecl *Ctor = Construct->getConstructor();
  if (!Ctor)
    return false;
  if (isThrowingLibraryFunction(Ctor))
    return true;
  const FunctionDecl *Def = Ctor->getDefinition();
  if (!Def || !Def->hasBody() || Def->isInStdNamespace() ||
      Ctx.getSourceManager().isInSystemHeader(Def->getLocation()))
    return false;
  return mayThrow(Def);
}

bool Summaries::mayThrow(const FunctionDecl *F) {
  const FunctionDecl *Def = F ? F->getDefinition() : nullptr;
  if (!Def || !Def->getBody() || Def->isInvalidDecl())
    return false;
  if (const auto *Proto = Def->getType()->getAs<FunctionProtoType>();
      Proto && Proto->isNothrow())
    return false;
  if (auto It = Throws.find(Def); It != Throws.end())
    return It->second;
  Throws[Def] = false; // Recursion: assume not while looking.
  const Stmt *Body = Def->getBody();
  if (containsErrors(Body))
    return false;
  const ParentMap &Parents = parents(Def);
  bool Result = false;
  forEachDescendant(Body, [&](const Stmt *S) {
    if (Result)
      return;
    bool Starts = false;
    if (isa<CXXThrowExpr>(S))
      Starts = true;
    else if (const auto *Call = dyn_cast<CallExpr>(S))
      Starts = callMayThrow(Call);
    else if (const auto *Construct = dyn_cast<CXXConstructExpr>(S))
      Starts = constructMayThrow(Construct);
    if (Starts && !caughtWithin(S, Parents))
      Result = true;
  });
  Throws[Def] = Result;
  return Result;
}

} // namespace fanout
