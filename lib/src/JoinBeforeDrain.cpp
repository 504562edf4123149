//===- JoinBeforeDrain.cpp - Waits that come before the drain -------------===//
//
// Workers push results into a bounded queue; the spawning function waits for
// the workers and only then pops the results. When there can be more results
// than the queue holds, the workers block in push and the wait never
// returns. Not reported when the queue provably holds every result, when
// something drains concurrently (another thread, or the spawner before the
// wait), or when the workers' push cannot block.
//
//===----------------------------------------------------------------------===//
#include "fanout/JoinBeforeDrain.h"
#include "fanout/AstHelpers.h"
#include "fanout/Edits.h"
#include "fanout/FanOut.h"
#include "fanout/Roles.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/Support/FormatVariadic.h"
#include <functional>

using namespace clang;
using namespace llvm;

namespace fanout {
namespace {

/// How many results the workers can push: a constant, or a bound written
/// as the loop bound of the spawns (`n` in `for (i = 0; i < n; ++i)`).
struct ResultCount {
  std::optional<int64_t> Value;
  const Expr *Bound = nullptr; ///< Symbolic: Factor per spawn-loop iteration.
  unsigned Factor = 1;
  bool Unknown = false;
};

/// The bound of the loop that spawns: `N` of `for (int i = 0; i < N; ++i)`,
/// or the range `R` of `for (auto &x : R)` (one spawn per element).
const Expr *spawnLoopBound(const Stmt *Loop) {
  if (const auto *RangeFor = dyn_cast_or_null<CXXForRangeStmt>(Loop))
    return RangeFor->getRangeInit();
  const auto *For = dyn_cast_or_null<ForStmt>(Loop);
  if (!For || !For->getCond())
    return nullptr;
  const auto *Cond =
      dyn_cast<BinaryOperator>(For->getCond()->IgnoreParenImpCasts());
  if (!Cond || Cond->getOpcode() != BO_LT)
    return nullptr;
  return Cond->getRHS()->IgnoreParenImpCasts();
}

/// Whether \p E counts what \p Bound bounds: spelled like it, or, for a
/// range, its size (`R.size()`, `std::size(R)`).
bool countsBound(const Expr *E, const Expr *Bound, bool IsRange,
                 ASTContext &Ctx) {
  std::string BoundText = sourceText(Bound, Ctx);
  if (BoundText.empty())
    return false;
  E = E->IgnoreParenImpCasts();
  if (!IsRange)
    return sourceText(E, Ctx) == BoundText;
  if (const auto *Size = dyn_cast<CXXMemberCallExpr>(E)) {
    const CXXMethodDecl *Method = Size->getMethodDecl();
    return Method && Method->getName() == "size" &&
           sourceText(Size->getImplicitObjectArgument()->IgnoreParenImpCasts(),
                      Ctx) == BoundText;
  }
  if (const auto *Call = dyn_cast<CallExpr>(E);
      Call && Call->getNumArgs() == 1 && Call->getDirectCallee() &&
      Call->getDirectCallee()->getName() == "size")
    return sourceText(Call->getArg(0)->IgnoreParenImpCasts(), Ctx) == BoundText;
  return false;
}

/// k when \p E is `B` (k = 1), `B * k` or `k * B` where B counts \p Bound.
std::optional<int64_t> multipleOfBound(const Expr *E, const Expr *Bound,
                                       bool IsRange, ASTContext &Ctx) {
  E = E->IgnoreParenImpCasts();
  if (countsBound(E, Bound, IsRange, Ctx))
    return 1;
  const auto *Product = dyn_cast<BinaryOperator>(E);
  if (!Product || Product->getOpcode() != BO_Mul)
    return std::nullopt;
  for (auto [Side, Other] : {std::pair(Product->getLHS(), Product->getRHS()),
                             std::pair(Product->getRHS(), Product->getLHS())})
    if (countsBound(Side, Bound, IsRange, Ctx))
      return evaluateInt(Other, Ctx);
  return std::nullopt;
}

/// `B * m` or `B * m + k` (m >= \p Factor, k >= 0) where B counts \p Bound:
/// room for \p Factor results per unit of the bound.
bool atLeast(const Expr *Capacity, const Expr *Bound, bool IsRange,
             unsigned Factor, ASTContext &Ctx) {
  const Expr *E = Capacity->IgnoreParenImpCasts();
  auto Covers = [&](const Expr *Side) {
    std::optional<int64_t> Times = multipleOfBound(Side, Bound, IsRange, Ctx);
    return Times && *Times >= static_cast<int64_t>(Factor);
  };
  if (Covers(E))
    return true;
  if (const auto *Sum = dyn_cast<BinaryOperator>(E);
      Sum && Sum->getOpcode() == BO_Add) {
    for (auto [Side, Other] : {std::pair(Sum->getLHS(), Sum->getRHS()),
                               std::pair(Sum->getRHS(), Sum->getLHS())})
      if (Covers(Side))
        if (std::optional<int64_t> K = evaluateInt(Other, Ctx); K && *K >= 0)
          return true;
  }
  return false;
}

/// Whether every variable \p E reads is declared before \p At (so that
/// \p E can be written there).
bool declaredBefore(const Expr *E, SourceLocation At, const SourceManager &SM) {
  bool Ok = true;
  auto Visit = [&](const Stmt *Node) {
    if (const auto *Ref = dyn_cast<DeclRefExpr>(Node))
      if (isa<VarDecl>(Ref->getDecl()) &&
          !SM.isBeforeInTranslationUnit(Ref->getDecl()->getLocation(), At))
        Ok = false;
    if (isa<CallExpr>(Node) && !isa<CXXMemberCallExpr>(Node))
      Ok = false; // A call may have effects: only `x.size()` and names.
  };
  Visit(E);
  forEachDescendant(E, Visit);
  return Ok;
}

/// The statement directly inside a block that holds \p S.
const Stmt *statementOf(const Stmt *S, const ParentMap &Parents) {
  const Stmt *Statement = S;
  for (const Stmt *P = Parents.getParent(S); P;
       Statement = P, P = Parents.getParent(P))
    if (isa<CompoundStmt>(P))
      return Statement;
  return nullptr;
}

/// Whether the translation unit declares std::thread (the fix spawns one).
bool declaresStdThread(ASTContext &Ctx) {
  for (const Decl *D : Ctx.getTranslationUnitDecl()->decls())
    if (const auto *NS = dyn_cast<NamespaceDecl>(D); NS && NS->isStdNamespace())
      for (const NamedDecl *Found : NS->lookup(&Ctx.Idents.get("thread")))
        if (isa<CXXRecordDecl>(Found))
          return true;
  return false;
}

class Analysis {
public:
  Analysis(const FanOut &Model, RoleAnalysis &Roles)
      : Model(Model), Roles(Roles), Ctx(Model.context()),
        SM(Ctx.getSourceManager()) {}

  std::vector<Finding> run() {
    std::vector<Finding> Findings;
    if (Model.empty())
      return Findings;
    for (const auto &Entry : Model.queues())
      analyzeQueue(Entry.first, Entry.second, Findings);
    return Findings;
  }

private:
  void analyzeQueue(const AccessPath &Queue, ArrayRef<QueueUse> Uses,
                    std::vector<Finding> &Findings);
  const Stmt *itemsBound(ArrayRef<const QueueUse *> WorkerPushes,
                         const AccessPath &Queue) const;
  std::optional<std::string> roomForAll(const ResultCount &Count,
                                        const QueueCapacity &Capacity,
                                        bool OverRange) const;
  std::vector<FixItHint> planJoinerThread(const WaitSite &Wait,
                                          const CallExpr *Drain,
                                          const AccessPath &Queue);
  std::vector<FixItHint>
  planWaitAfterDrain(const WaitSite &Wait, const CallExpr *Drain,
                     const AccessPath &Queue,
                     ArrayRef<const QueueUse *> WorkerPushes,
                     const ResultCount &Count, const QueueCapacity &Capacity);
  llvm::SmallPtrSet<const VarDecl *, 8>
  writtenByWorkers(ArrayRef<const QueueUse *> WorkerPushes) const;
  bool movableAcrossWait(
      const Stmt *Moved, const VarDecl *QueueVar,
      const llvm::SmallPtrSetImpl<const VarDecl *> &Written) const;
  const Stmt *atOf(const QueueUse &Use) const { return Use.Op->callHere(); }

  const FanOut &Model;
  RoleAnalysis &Roles;
  ASTContext &Ctx;
  const SourceManager &SM;
};

/// When the workers push one result per item they take from another
/// queue that the spawner filled before it started them (`for (u : urls)
/// work.push(u);`), there are at most as many results as items: the loop
/// that filled it (a range or a counted loop), else null.
const Stmt *Analysis::itemsBound(ArrayRef<const QueueUse *> WorkerPushes,
                                 const AccessPath &Queue) const {
  ArrayRef<Actor> Actors = Model.actors();
  const ParentMap &SpawnerParents = Model.summaries().parents(Model.spawner());
  SourceLocation FirstSpawn = Model.firstSpawnLoc();
  auto IsPush = [](const ReachedOp &Op) {
    return Op.Op.Role == QueueRole::BlockingPush ||
           Op.Op.Role == QueueRole::NonBlockingPush;
  };
  const Stmt *Filler = nullptr;
  for (const auto &[Source, SourceUses] : Model.queues()) {
    if (Source == Queue)
      continue;
    // Filled by the spawner, before any worker runs, in one loop, one item
    // an iteration; no worker adds to it.
    if (any_of(SourceUses, [&](const QueueUse &Use) {
          return Actors[Use.Actor].Role != Actor::Kind::Caller &&
                 IsPush(*Use.Op);
        }))
      continue;
    const Stmt *Loop = nullptr;
    bool Filled = true;
    unsigned Pushes = 0;
    for (const ReachedOp *Op :
         Model.summaries().opsOn(Model.spawner(), Source)) {
      if (!IsPush(*Op))
        continue;
      const Stmt *At = Op->callHere();
      const Stmt *Around = enclosingLoop(At, SpawnerParents);
      if (!Around || ++Pushes > 1 || enclosingLoop(Around, SpawnerParents) ||
          !SM.isBeforeInTranslationUnit(At->getBeginLoc(), FirstSpawn)) {
        Filled = false;
        break;
      }
      Loop = Around;
    }
    if (!Filled || !Loop)
      continue;
    // Each worker pushes its results in the loop that takes those items,
    // once an iteration, and nowhere else.
    bool OnePerItem = all_of(WorkerPushes, [&](const QueueUse *Push) {
      const Actor &Worker = Actors[Push->Actor];
      if (!Push->Op->Via.empty())
        return false;
      const ReachedOp *Take = nullptr;
      for (const QueueUse &Use : SourceUses)
        if (Use.Actor == Push->Actor &&
            Use.Op->Op.Role == QueueRole::BlockingPop)
          Take = Use.Op;
      if (!Take)
        return false;
      const ConsumerRole &Role = Roles.consumer(Worker.Function, Take->Queue);
      const ParentMap &Parents = Model.summaries().parents(Worker.Function);
      unsigned Sites = count_if(WorkerPushes, [&](const QueueUse *Other) {
        return Other->Actor == Push->Actor;
      });
      return Role.Drains && Role.PopLoop &&
             Role.LoopFunction == Worker.Function && Sites == 1 &&
             enclosingLoop(Push->Op->Op.Call, Parents) == Role.PopLoop;
    });
    if (OnePerItem)
      Filler = Loop;
  }
  return Filler;
}

/// The capacity that holds every result the workers push, as code to put
/// in place of the queue's capacity: the count, or the spawn loop's bound
/// (`n`, `items.size()`) when it can be written there.
std::optional<std::string> Analysis::roomForAll(const ResultCount &Count,
                                                const QueueCapacity &Capacity,
                                                bool OverRange) const {
  if (!Capacity.Expr || isInMacro(Capacity.Expr->getSourceRange()))
    return std::nullopt;
  if (Count.Value) {
    if (*Count.Value <= 0 || *Count.Value > (1 << 20) ||
        (Capacity.Value && *Count.Value <= *Capacity.Value))
      return std::nullopt;
    return std::to_string(*Count.Value);
  }
  if (!Count.Bound ||
      !declaredBefore(Count.Bound, Capacity.Expr->getBeginLoc(), SM))
    return std::nullopt;
  std::string Text = sourceText(Count.Bound, Ctx);
  if (Text.empty())
    return std::nullopt;
  if (OverRange)
    Text += ".size()";
  if (Count.Factor > 1)
    Text += " * " + std::to_string(Count.Factor);
  return Text;
}

/// For `<wait>; q.close(); [declarations;] <drain>;` in one block: the wait
/// and the close move to a joiner thread, this thread drains meanwhile and
/// joins the joiner afterwards.
std::vector<FixItHint> Analysis::planJoinerThread(const WaitSite &Wait,
                                                  const CallExpr *Drain,
                                                  const AccessPath &Queue) {
  const FunctionDecl *Spawner = Model.spawner();
  const ParentMap &Parents = Model.summaries().parents(Spawner);
  if (Wait.isImplicit())
    return {};
  const Stmt *Joins = statementOf(Wait.Expr, Parents);
  const Stmt *DrainStmt = statementOf(Drain, Parents);
  const auto *Block =
      Joins ? dyn_cast_or_null<CompoundStmt>(Parents.getParent(Joins))
            : nullptr;
  if (!Block || !DrainStmt || Parents.getParent(DrainStmt) != Block ||
      !declaresStdThread(Ctx) || isInMacro(Block->getSourceRange()))
    return {};
  auto It = llvm::find(Block->body(), Joins);
  if (It == Block->body_end() || std::next(It) == Block->body_end())
    return {};
  // The close right after the joins.
  const auto *Close = dyn_cast_or_null<CallExpr>(
      ignoreWrappers(dyn_cast<Expr>(*std::next(It))));
  if (!Close)
    return {};
  std::optional<QueueOperation> CloseOp =
      Model.summaries().queues().classify(Close);
  if (!CloseOp || CloseOp->Role != QueueRole::Close ||
      normalize(pathOf(CloseOp->Object, Spawner), Spawner) != Queue)
    return {};
  // Only declarations between the close and the drain (they may run while
  // the workers are joined).
  for (auto Mid = std::next(It, 2);
       Mid != Block->body_end() && *Mid != DrainStmt; ++Mid)
    if (!isa<DeclStmt>(*Mid))
      return {};
  std::string Indent = indentationOf(Joins->getBeginLoc(), SM);
  SourceLocation AfterClose = afterStatement(Close, Ctx);
  SourceLocation AfterDrain = afterStatement(DrainStmt, Ctx);
  CharSourceRange Moved =
      CharSourceRange::getCharRange(Joins->getBeginLoc(), AfterClose);
  StringRef Text = Lexer::getSourceText(Moved, SM, Ctx.getLangOpts());
  if (Text.empty() || AfterClose.isInvalid() || AfterDrain.isInvalid() ||
      Text.contains("R\"") || Text.contains("joiner"))
    return {};
  std::string Wrapped = "std::thread joiner([&] {\n" + Indent + "  ";
  for (char C : Text) {
    Wrapped += C;
    if (C == '\n')
      Wrapped += "  ";
  }
  Wrapped += "\n" + Indent + "});";
  return {
      FixItHint::CreateReplacement(Moved, Wrapped),
      FixItHint::CreateInsertion(AfterDrain, "\n" + Indent + "joiner.join();")};
}

/// Whether \p Call is given a duration or a time point (a timed pop, which
/// waits, unlike a try-pop).
bool takesTimeout(const CallExpr *Call) {
  return any_of(Call->arguments(), [](const Expr *Arg) {
    const auto *Record = Arg->getType()->getAsCXXRecordDecl();
    return Record && (Record->getName() == "duration" ||
                      Record->getName() == "time_point");
  });
}

/// What the workers may write: every variable their spawns (arguments) and
/// bodies (a lambda's captures) name other than by reading its value.
llvm::SmallPtrSet<const VarDecl *, 8>
Analysis::writtenByWorkers(ArrayRef<const QueueUse *> WorkerPushes) const {
  llvm::SmallPtrSet<const VarDecl *, 8> Written;
  auto CollectWrites = [&](const Stmt *Root, const FunctionDecl *In) {
    const ParentMap &Parents = Model.summaries().parents(In);
    forEachDescendant(Root, [&](const Stmt *Node) {
      const auto *Ref = dyn_cast<DeclRefExpr>(Node);
      const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
      if (!Var)
        return;
      const auto *Cast = dyn_cast_or_null<ImplicitCastExpr>(
          Parents.getParentIgnoreParens(Ref));
      if (!Cast || Cast->getCastKind() != CK_LValueToRValue)
        Written.insert(Var->getCanonicalDecl());
    });
  };
  for (const QueueUse *Use : WorkerPushes) {
    const Actor &Worker = Model.actors()[Use->Actor];
    CollectWrites(Worker.Spawn->Expr, Model.spawner());
    if (Worker.Function && Worker.Function->hasBody())
      CollectWrites(Worker.Function->getBody(), Worker.Function);
  }
  return Written;
}

/// Whether \p Moved can run before the wait instead of after it: it reads
/// nothing the workers can write (no variable in \p Written but the queue,
/// no global, no member), calls only the queue's pops and the standard
/// library, and has no way out of the block that would skip the wait once
/// it follows.
bool Analysis::movableAcrossWait(
    const Stmt *Moved, const VarDecl *QueueVar,
    const llvm::SmallPtrSetImpl<const VarDecl *> &Written) const {
  const FunctionDecl *Spawner = Model.spawner();
  bool Ok = true;
  unsigned LoopDepth = 0;
  std::function<void(const Stmt *)> Visit = [&](const Stmt *Node) {
    if (!Node || !Ok)
      return;
    if (isa<ReturnStmt, GotoStmt, CXXThrowExpr, CoreturnStmt, CXXThisExpr,
            LambdaExpr>(Node) ||
        (isa<BreakStmt, ContinueStmt>(Node) && LoopDepth == 0)) {
      Ok = false;
      return;
    }
    if (const auto *Ref = dyn_cast<DeclRefExpr>(Node))
      if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl())) {
        bool Constant = Var->getType().isConstQualified() || Var->isConstexpr();
        bool Local = Var->getParentFunctionOrMethod() == Spawner &&
                     !Var->isStaticLocal();
        if (!Constant &&
            (!Local || (Var->getCanonicalDecl() != QueueVar &&
                        Written.contains(Var->getCanonicalDecl()))))
          Ok = false;
      }
    if (const auto *Call = dyn_cast<CallExpr>(Node)) {
      // A pop of the queue, or a call whose pop is inside (`get()` over a
      // `read_bytes()`), must wait for an item: a try-pop loop run while
      // the workers still work would end at the first empty moment. Any
      // other call must be the standard library's (or a library's).
      const FunctionDecl *Callee = Call->getDirectCallee();
      const ReachedOp *OnQueue = nullptr;
      for (const ReachedOp &Reached : Model.summaries().opsOf(Spawner))
        if (Reached.callHere() == Call)
          OnQueue = &Reached;
      if (OnQueue)
        Ok &= OnQueue->Op.Role == QueueRole::BlockingPop ||
              (OnQueue->Op.Role == QueueRole::NonBlockingPop &&
               takesTimeout(Call));
      else if (!Callee || !SM.isInSystemHeader(Callee->getLocation()))
        Ok = false;
    }
    // A `break` inside a loop or switch of the moved code stays in it.
    bool Loop = isLoop(Node) || isa<SwitchStmt>(Node);
    LoopDepth += Loop;
    for (const Stmt *Child : Node->children())
      Visit(Child);
    LoopDepth -= Loop;
  };
  Visit(Moved);
  return Ok;
}

/// For `<wait>; [statements;] <drain>;` in one block, where the statements
/// and the drain do not depend on the workers having finished: the wait
/// moves after the drain. The program never hangs where it did not before
/// (a drain that would block after the wait blocks before it too); it
/// stops hanging when the drain takes what does not fit: a loop that pops,
/// or a single pop when there is one result, or one more than the queue
/// holds. Declined where a worker's exception could end it before it
/// pushes (a task whose exception the wait would have rethrown).
std::vector<FixItHint> Analysis::planWaitAfterDrain(
    const WaitSite &Wait, const CallExpr *Drain, const AccessPath &Queue,
    ArrayRef<const QueueUse *> WorkerPushes, const ResultCount &Count,
    const QueueCapacity &Capacity) {
  const FunctionDecl *Spawner = Model.spawner();
  const ParentMap &Parents = Model.summaries().parents(Spawner);
  if (Wait.isImplicit() || !Wait.Expr)
    return {};
  const Stmt *Waits = statementOf(Wait.Expr, Parents);
  const auto *Block =
      Waits ? dyn_cast_or_null<CompoundStmt>(Parents.getParent(Waits))
            : nullptr;
  // The statement of the wait's block that holds the drain (a loop).
  const Stmt *DrainStmt = Drain;
  while (DrainStmt && Parents.getParent(DrainStmt) != Block)
    DrainStmt = Parents.getParent(DrainStmt);
  const auto *WaitExpr = dyn_cast_or_null<Expr>(Waits);
  if (!Block || !DrainStmt || !WaitExpr ||
      ignoreWrappers(WaitExpr) != ignoreWrappers(Wait.Expr) ||
      isInMacro(Block->getSourceRange()))
    return {};
  // The drain takes every result that does not fit.
  bool DrainLoops = isLoop(DrainStmt);
  if (!DrainLoops && !(Count.Value && (*Count.Value <= 1 ||
                                       (Capacity.Value &&
                                        *Count.Value <= *Capacity.Value + 1))))
    return {};
  for (const QueueUse *Use : WorkerPushes)
    if (Model.summaries().mayThrow(Model.actors()[Use->Actor].Function))
      return {};
  // A local queue: what else the moved code may touch is read off the
  // spawner's own variables.
  const auto *QueueVar =
      Queue.base() == AccessPath::BaseKind::Var && Queue.fields().empty()
          ? dyn_cast_or_null<VarDecl>(Queue.variable())
          : nullptr;
  if (!QueueVar)
    return {};
  llvm::SmallPtrSet<const VarDecl *, 8> Written =
      writtenByWorkers(WorkerPushes);
  auto It = llvm::find(Block->body(), Waits);
  for (auto Mid = std::next(It); Mid != Block->body_end(); ++Mid) {
    if (!movableAcrossWait(*Mid, QueueVar->getCanonicalDecl(), Written))
      return {};
    if (*Mid == DrainStmt)
      break;
  }
  return moveStatementAfter(Waits, DrainStmt, Ctx);
}

void Analysis::analyzeQueue(const AccessPath &Queue, ArrayRef<QueueUse> Uses,
                            std::vector<Finding> &Findings) {
  if (!Model.isBounded(Queue))
    return;
  ArrayRef<Actor> Actors = Model.actors();

  // Workers: spawned threads with a blocking push. Anyone else popping
  // (another thread, a member its callers run) drains concurrently.
  SmallVector<const QueueUse *, 4> WorkerPushes;
  for (const QueueUse &Use : Uses) {
    if (Actors[Use.Actor].Role == Actor::Kind::Caller)
      continue;
    if (Use.Op->Op.Role == QueueRole::BlockingPop ||
        Use.Op->Op.Role == QueueRole::NonBlockingPop)
      return;
    if (Actors[Use.Actor].Role == Actor::Kind::Spawned &&
        Use.Op->Op.Role == QueueRole::BlockingPush)
      WorkerPushes.push_back(&Use);
  }
  if (WorkerPushes.empty())
    return;

  // The first wait on a worker, and the spawner's first pop after it; a pop
  // before the wait drains while the workers run.
  const WaitSite *Wait = nullptr;
  for (const QueueUse *Use : WorkerPushes)
    if (const WaitSite *W = Model.waitOn(Actors[Use->Actor].Spawn);
        W && (!Wait || SM.isBeforeInTranslationUnit(W->Loc, Wait->Loc)))
      Wait = W;
  if (!Wait)
    return;
  const QueueUse *DrainUse = nullptr;
  for (const QueueUse &Use : Uses) {
    if (Actors[Use.Actor].Role != Actor::Kind::Caller)
      continue;
    const QueueOperation &Op = Use.Op->Op;
    bool Pops = Op.Role == QueueRole::BlockingPop ||
                Op.Role == QueueRole::NonBlockingPop;
    // A close before the wait wakes the workers' pushes.
    bool Wakes = Op.Role == QueueRole::Close &&
                 Op.Api->closeWakes(Op.MethodName, QueueSide::Producers);
    if (!Pops && !Wakes)
      continue;
    if (SM.isBeforeInTranslationUnit(atOf(Use)->getBeginLoc(), Wait->Loc))
      return; // Drained (or woken) before waiting.
    if (Pops && !DrainUse)
      DrainUse = &Use;
  }
  if (!DrainUse)
    return;
  const CallExpr *Drain = cast<CallExpr>(atOf(*DrainUse));

  // Can the workers push more than the queue holds? Pushes are counted per
  // path: a worker that pushes its error once and returns pushes once.
  QueueCapacity Capacity = Model.capacity(Queue);
  ResultCount Count;
  int64_t Total = 0;
  SmallPtrSet<const SpawnSite *, 4> Counted;
  const ParentMap &SpawnerParents = Model.summaries().parents(Model.spawner());
  bool OneSpawn = all_of(WorkerPushes, [&](const QueueUse *Use) {
    return Actors[Use->Actor].Spawn ==
           Actors[WorkerPushes.front()->Actor].Spawn;
  });
  for (const QueueUse *Use : WorkerPushes) {
    const Actor &Worker = Actors[Use->Actor];
    if (!Counted.insert(Worker.Spawn).second)
      continue;
    std::optional<unsigned> PerRun =
        Roles.maxPushes(Worker.Function, Use->Op->Queue);
    if (!PerRun) {
      Count.Unknown = true;
      break;
    }
    if (!Worker.Spawn->InLoop) {
      Total += *PerRun;
      continue;
    }
    const Stmt *Loop = enclosingLoop(Worker.Spawn->Expr, SpawnerParents);
    if (std::optional<int64_t> Trips = constantTripCount(Loop, Ctx)) {
      Total += *Trips * *PerRun;
    } else if (const Expr *Bound = spawnLoopBound(Loop); Bound && OneSpawn) {
      Count.Bound = Bound;
      Count.Factor = *PerRun;
    } else {
      Count.Unknown = true;
      break;
    }
  }
  bool BoundIsRange = false;
  if (Count.Unknown) {
    // One result per item of a queue filled before the workers started.
    const Stmt *Filler = itemsBound(WorkerPushes, Queue);
    if (std::optional<int64_t> Trips = constantTripCount(Filler, Ctx)) {
      Count = ResultCount();
      Count.Value = *Trips;
    } else if (const Expr *Bound = spawnLoopBound(Filler)) {
      Count = ResultCount();
      Count.Bound = Bound;
      BoundIsRange = isa<CXXForRangeStmt>(Filler);
    }
  } else if (Count.Bound) {
    BoundIsRange = isa<CXXForRangeStmt>(enclosingLoop(
        Actors[WorkerPushes.front()->Actor].Spawn->Expr, SpawnerParents));
  }
  if (!Count.Unknown && !Count.Bound && !Count.Value)
    Count.Value = Total;
  if (Count.Value && *Count.Value == 0)
    return;
  if (Capacity.Value && Count.Value && *Count.Value <= *Capacity.Value)
    return;
  if (Count.Bound && Count.Factor == 0)
    return;
  if (Capacity.Expr && Count.Bound &&
      atLeast(Capacity.Expr, Count.Bound, BoundIsRange, Count.Factor, Ctx))
    return;

  std::string Name = Model.nameOf(Queue);
  const QueueOperation &Push = WorkerPushes.front()->Op->Op;
  Finding F;
  F.Kind = FindingKind::JoinBeforeDrain;
  F.Loc = Wait->Loc;
  F.Range = Wait->Expr ? Wait->Expr->getSourceRange() : SourceRange(Wait->Loc);
  F.Args = {Model.describe(Queue), Push.MethodName.str()};
  std::vector<FindingNote> &Notes = F.Notes;
  if (const ValueDecl *Decl = Model.declOf(Queue))
    Notes.push_back({NoteKind::QueueDeclared, Decl->getLocation(), {Name}});
  Notes.push_back({NoteKind::WorkersBlock, Push.Call->getExprLoc(), {Name}});
  const SpawnSite *Spawn = Actors[WorkerPushes.front()->Actor].Spawn;
  Notes.push_back(
      {NoteKind::WorkerSpawned,
       Spawn->Expr->getBeginLoc(),
       {Spawn->InLoop ? "s" : "", Spawn->InLoop ? " in a loop" : ""}});
  Notes.push_back({NoteKind::DrainedAfter, Drain->getExprLoc(), {Name}});
  F.Fixes = planJoinerThread(*Wait, Drain, Queue);
  // Room for every result, when they are counted: a number, or the bound of
  // the spawn loop where the queue is made.
  std::optional<std::string> Room = roomForAll(Count, Capacity, BoundIsRange);
  FindingNote Fix;
  Fix.Loc = Wait->Loc;
  if (!F.Fixes.empty()) {
    Fix.Kind = NoteKind::Fix;
    Fix.FixTitle = "join the workers and close the queue on a joiner thread "
                   "while this thread drains it";
  } else if (Room) {
    // Every result fits: the workers never wait, the drain is unchanged.
    Fix.Kind = NoteKind::Fix;
    Fix.Loc = Capacity.Expr->getBeginLoc();
    Fix.FixTitle = "give '" + Name + "' room for all " + *Room + " results";
    F.Fixes = {
        FixItHint::CreateReplacement(Capacity.Expr->getSourceRange(), *Room)};
    Room.reset();
  } else if (std::vector<FixItHint> Moved = planWaitAfterDrain(
                 *Wait, Drain, Queue, WorkerPushes, Count, Capacity);
             !Moved.empty()) {
    Fix.Kind = NoteKind::Fix;
    Fix.FixTitle =
        "wait for the workers after draining '" + Name + "', not before";
    F.Fixes = std::move(Moved);
  } else {
    Fix.Kind = NoteKind::NoFix;
    Fix.FixTitle = "drain the queue while waiting (pop in this thread while "
                   "another joins the workers and then closes the queue), or "
                   "before waiting";
  }
  Fix.Args = {Fix.FixTitle};
  Notes.push_back(std::move(Fix));
  // The alternative when every result is counted: room for all of them.
  if (Room) {
    FindingNote Enlarge;
    Enlarge.Kind = NoteKind::AlternativeFix;
    Enlarge.Loc = Capacity.Expr->getBeginLoc();
    Enlarge.FixTitle = "give '" + Name + "' room for all " + *Room + " results";
    Enlarge.Args = {Enlarge.FixTitle};
    Enlarge.Fixes = {
        FixItHint::CreateReplacement(Capacity.Expr->getSourceRange(), *Room)};
    Notes.push_back(std::move(Enlarge));
  }
  Findings.push_back(std::move(F));
}

} // namespace

std::vector<Finding> findJoinsBeforeDrain(const FanOut &Model,
                                          RoleAnalysis &Roles) {
  return Analysis(Model, Roles).run();
}

} // namespace fanout
