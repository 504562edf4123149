//===- FanOut.cpp - Who touches which queue -------------------------------===//
#include "fanout/FanOut.h"
#include "fanout/Compat.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/Support/FormatVariadic.h"

using namespace clang;
using namespace llvm;

namespace fanout {

/// The number of times `for (int i = A; i < B; ++i)` runs, when constant.
std::optional<int64_t> constantTripCount(const Stmt *Loop, ASTContext &Ctx) {
  const auto *For = dyn_cast_or_null<ForStmt>(Loop);
  if (!For || !For->getCond() || !For->getInit())
    return std::nullopt;
  const auto *Cond =
      dyn_cast<BinaryOperator>(For->getCond()->IgnoreParenImpCasts());
  const auto *Init = dyn_cast<DeclStmt>(For->getInit());
  if (!Cond || !Init || !Init->isSingleDecl())
    return std::nullopt;
  const auto *Var = dyn_cast<VarDecl>(Init->getSingleDecl());
  const auto *Ref =
      dyn_cast_or_null<DeclRefExpr>(ignoreWrappers(Cond->getLHS()));
  if (!Var || !Ref || Ref->getDecl() != Var || !Var->getInit())
    return std::nullopt;
  std::optional<int64_t> Start = evaluateInt(Var->getInit(), Ctx);
  std::optional<int64_t> End = evaluateInt(Cond->getRHS(), Ctx);
  if (!Start || !End)
    return std::nullopt;
  const auto *Inc = dyn_cast_or_null<UnaryOperator>(For->getInc());
  if (!Inc || !Inc->isIncrementOp())
    return std::nullopt;
  if (Cond->getOpcode() == BO_LT)
    return std::max<int64_t>(0, *End - *Start);
  if (Cond->getOpcode() == BO_LE)
    return std::max<int64_t>(0, *End - *Start + 1);
  return std::nullopt;
}

namespace {
std::string queueTypeName(const ValueDecl *Queue, ASTContext &Ctx) {
  PrintingPolicy Policy(Ctx.getLangOpts());
  Policy.SuppressTagKeyword = true;
  QualType T = Queue->getType().getNonReferenceType().getUnqualifiedType();
  // A queue held through a pointer is described by the queue's own type.
  if (const CXXRecordDecl *Record = pointeeRecord(T);
      Record && Record != T->getAsCXXRecordDecl()) {
    Policy.FullyQualifiedName = true;
    return compat::recordType(Ctx, Record).getAsString(Policy);
  }
  // Otherwise as the user wrote it, namespaces included.
  return T.getAsString(Policy);
}

} // namespace

/// The call that is all of \p F's body, to a helper defined in this
/// translation unit outside the system headers; null otherwise.
static const CallExpr *onlyCall(const FunctionDecl *F, ASTContext &Ctx,
                                const FunctionDecl *&Callee) {
  const auto *Body = dyn_cast_or_null<CompoundStmt>(F->getBody());
  if (!Body || Body->size() != 1)
    return nullptr;
  const auto *Call = dyn_cast_or_null<CallExpr>(
      ignoreWrappers(dyn_cast<Expr>(Body->body_front())));
  Callee = Call ? Call->getDirectCallee() : nullptr;
  if (!Callee || !Callee->getDefinition() ||
      Ctx.getSourceManager().isInSystemHeader(Callee->getLocation()))
    return nullptr;
  Callee = Callee->getDefinition();
  if (!Callee->hasBody() || Callee == F)
    return nullptr;
  return Call;
}

/// The thread's work: its body, or the helper the body does nothing but
/// call (`[&] { drain(q); }`, `[this] { run(); }`), followed through
/// helpers that only call another (up to three calls), with the last
/// helper's parameters bound to the arguments (seen through the spawn's
/// bindings and the calls before).
static Actor actorFor(const SpawnSite &Spawn, ASTContext &Ctx) {
  Actor Result;
  Result.Function = Spawn.Body;
  Result.Spawn = &Spawn;
  const ParamBindings *Outer = &Spawn.Bindings;
  ParamBindings Bindings;
  const FunctionDecl *Callee = nullptr;
  while (Result.ViaChain.size() < 3) {
    const CallExpr *Call = onlyCall(Result.Function, Ctx, Callee);
    if (!Call || Callee == Spawn.Body || is_contained(Result.ViaChain, Call))
      break;
    ParamBindings Next;
    for (unsigned I = 0; I < Callee->getNumParams() && I < Call->getNumArgs();
         ++I) {
      const Expr *Arg = Call->getArg(I);
      // An argument that is itself a parameter bound before stands for
      // what it was bound to.
      if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(ignoreWrappers(Arg)))
        if (auto It = Outer->find(Ref->getDecl()); It != Outer->end())
          Arg = It->second;
      Next[Callee->getParamDecl(I)] = Arg;
    }
    Bindings = std::move(Next);
    Outer = &Bindings;
    Result.Function = Callee;
    Result.ViaChain.push_back(Call);
  }
  if (!Result.ViaChain.empty()) {
    Result.Via = Result.ViaChain.front();
    Result.ViaBindings = std::move(Bindings);
  }
  return Result;
}

FanOut::FanOut(const FunctionDecl *Spawner, ASTContext &Ctx, QueueModel &Model,
               const AnalysisOptions &Options)
    : Ctx(Ctx), Model(Model) {
  Threads = collectSpawns(Spawner, Options);
  if (Threads.Spawns.empty())
    return;
  Actor SpawnerActor;
  SpawnerActor.Function = Threads.Function;
  Actors.push_back(std::move(SpawnerActor));
  for (const SpawnSite &Spawn : Threads.Spawns)
    Actors.push_back(actorFor(Spawn, Ctx));
  for (unsigned I = 0; I < Actors.size(); ++I) {
    const Actor &A = Actors[I];
    const Stmt *Body = A.Function ? A.Function->getBody() : nullptr;
    if (!Body || containsErrors(Body))
      continue;
    forEachDescendant(Body, [&](const Stmt *S) {
      const auto *Call = dyn_cast<CallExpr>(S);
      if (!Call)
        return;
      std::optional<QueueOperation> Op = Model.classify(Call);
      if (!Op)
        return;
      if (const ValueDecl *Queue = resolveObject(Op->Object, A.bindings()))
        OpsByQueue[Queue].push_back({I, *Op});
    });
  }
}

std::optional<QueueOperation> FanOut::operationOn(const CallExpr *Call,
                                                  const ValueDecl *Queue,
                                                  unsigned ActorIndex) const {
  std::optional<QueueOperation> Op = Model.classify(Call);
  if (Op && resolveObject(Op->Object, Actors[ActorIndex].bindings()) == Queue)
    return Op;
  return std::nullopt;
}

bool FanOut::isBounded(const ValueDecl *Queue) const {
  auto It = OpsByQueue.find(Queue);
  if (It == OpsByQueue.end())
    return false;
  const QueueApi *Api = It->second.front().Op.Api;
  return Api->isBounded() && (Api->BoundedByDefault ||
                              any_of(It->second, [](const OperationAt &At) {
                                return At.Op.Role == QueueRole::SetCapacity;
                              }));
}

const WaitSite *FanOut::waitOn(const SpawnSite *Spawn) const {
  if (!Spawn)
    return nullptr;
  // The first wait in the source: that is where the thread is first needed.
  const WaitSite *First = nullptr;
  for (const WaitSite &Wait : Threads.Waits)
    if ((Wait.ForSpawn ? Wait.ForSpawn == Spawn
                       : Wait.Handle && Wait.Handle == Spawn->Handle) &&
        (!First || Ctx.getSourceManager().isBeforeInTranslationUnit(
                       Wait.Loc, First->Loc)))
      First = &Wait;
  return First;
}

QueueCapacity FanOut::capacity(const ValueDecl *Queue) const {
  QueueCapacity Result;
  auto It = OpsByQueue.find(Queue);
  if (It == OpsByQueue.end())
    return Result;
  const QueueApi *Api = It->second.front().Op.Api;
  const Expr *CapacityExpr = nullptr;
  const Expr *Init = nullptr;
  if (const auto *Var = dyn_cast<VarDecl>(Queue))
    Init = Var->getInit();
  else if (const auto *Field = dyn_cast<FieldDecl>(Queue))
    Init = Field->getInClassInitializer();
  if (Init) {
    Init = ignoreWrappers(Init);
    // `std::make_shared<Q>(cap)`: the arguments are the constructor's.
    SmallVector<const Expr *, 4> Args;
    if (const auto *Construct = dyn_cast<CXXConstructExpr>(Init))
      Args.append(Construct->arg_begin(), Construct->arg_end());
    else if (const auto *Call = dyn_cast<CallExpr>(Init)) {
      StringRef Name = calleeName(Call);
      if (Name == "make_shared" || Name == "make_unique")
        Args.append(Call->arg_begin(), Call->arg_end());
    } else if (const auto *List = dyn_cast<InitListExpr>(Init))
      for (const Expr *Arg : List->inits())
        Args.push_back(Arg);
    int Index = Api->CapacityCtorArg;
    if (Index >= 0 && unsigned(Index) < Args.size() &&
        !isa<CXXDefaultArgExpr>(Args[Index]))
      CapacityExpr = Args[Index];
  }
  // `q.set_capacity(n)` wins over the constructor.
  for (const OperationAt &At : It->second)
    if (At.Op.Role == QueueRole::SetCapacity && At.Op.Call->getNumArgs())
      CapacityExpr = At.Op.Call->getArg(0);
  if (!CapacityExpr)
    return Result;
  Result.Expr = CapacityExpr;
  Result.Text = sourceText(CapacityExpr, Ctx);
  Result.Value = evaluateInt(CapacityExpr, Ctx);
  return Result;
}

std::string FanOut::describe(const ValueDecl *Queue) const {
  std::string Detail = queueTypeName(Queue, Ctx);
  QueueCapacity Capacity = capacity(Queue);
  if (!Capacity.Text.empty()) {
    Detail += ", capacity " + Capacity.Text;
    if (Capacity.Value && std::to_string(*Capacity.Value) != Capacity.Text)
      Detail += " = " + std::to_string(*Capacity.Value);
  }
  return formatv("'{0}' ({1})", Queue->getName(), Detail).str();
}

} // namespace fanout
