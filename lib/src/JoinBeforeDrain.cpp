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
#include "fanout/Edits.h"
#include "fanout/FanOut.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/Support/FormatVariadic.h"

using namespace clang;
using namespace llvm;

namespace fanout {
namespace {

/// How many results the workers can push: a constant, or a bound written
/// as the loop bound of the spawns (`n` in `for (i = 0; i < n; ++i)`).
struct ResultCount {
  std::optional<int64_t> Value;
  const Expr *Bound = nullptr; ///< Symbolic: one per spawn-loop iteration.
  bool Unknown = false;
};

/// Whether a worker pushes at most once: the push is in no loop, or is
/// directly followed by leaving that loop (`push(err); return;`).
bool pushesAtMostOnce(const CallExpr *Push, const FunctionDecl *Body) {
  ParentMap Parents(Body->getBody());
  const Stmt *Loop = enclosingLoop(Push, Parents);
  if (!Loop)
    return true;
  const Stmt *Statement = Push;
  for (const Stmt *P = Parents.getParent(Statement); P;
       Statement = P, P = Parents.getParent(P))
    if (!isa<Expr>(P))
      break;
  const auto *Block =
      dyn_cast_or_null<CompoundStmt>(Parents.getParent(Statement));
  if (!Block)
    return false;
  for (auto It = Block->body_begin(); It != Block->body_end(); ++It)
    if (*It == Statement && std::next(It) != Block->body_end())
      return isa<ReturnStmt, BreakStmt, CXXThrowExpr>(*std::next(It));
  return false;
}

/// The `for (int i = 0; i < N; ++i)` loop around \p S, and its bound.
const Expr *spawnLoopBound(const Stmt *Loop) {
  const auto *For = dyn_cast_or_null<ForStmt>(Loop);
  if (!For || !For->getCond())
    return nullptr;
  const auto *Cond =
      dyn_cast<BinaryOperator>(For->getCond()->IgnoreParenImpCasts());
  if (!Cond || Cond->getOpcode() != BO_LT)
    return nullptr;
  return Cond->getRHS()->IgnoreParenImpCasts();
}

/// `B` or `B + k` (k >= 0) where B is spelled like \p Bound.
bool atLeast(const Expr *Capacity, const Expr *Bound, ASTContext &Ctx) {
  std::string BoundText = sourceText(Bound, Ctx);
  if (BoundText.empty())
    return false;
  const Expr *E = Capacity->IgnoreParenImpCasts();
  if (sourceText(E, Ctx) == BoundText)
    return true;
  if (const auto *Sum = dyn_cast<BinaryOperator>(E);
      Sum && Sum->getOpcode() == BO_Add) {
    for (auto [Side, Other] : {std::pair(Sum->getLHS(), Sum->getRHS()),
                               std::pair(Sum->getRHS(), Sum->getLHS())})
      if (sourceText(Side->IgnoreParenImpCasts(), Ctx) == BoundText)
        if (std::optional<int64_t> K = evaluateInt(Other, Ctx); K && *K >= 0)
          return true;
  }
  return false;
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
  Analysis(const FunctionDecl *Spawner, ASTContext &Ctx, QueueModel &Model,
           const AnalysisOptions &Options)
      : Ctx(Ctx), SM(Ctx.getSourceManager()),
        Model(Spawner, Ctx, Model, Options) {}

  std::vector<Finding> run() {
    std::vector<Finding> Findings;
    if (Model.empty())
      return Findings;
    for (const auto &Entry : Model.queues())
      analyzeQueue(Entry.first, Findings);
    return Findings;
  }

private:
  void analyzeQueue(const ValueDecl *Queue, std::vector<Finding> &Findings);
  std::vector<FixItHint> planJoinerThread(const WaitSite &Wait,
                                          const CallExpr *Drain,
                                          const ValueDecl *Queue);
  bool before(const Stmt *A, const Stmt *B) const {
    return SM.isBeforeInTranslationUnit(A->getBeginLoc(), B->getBeginLoc());
  }

  ASTContext &Ctx;
  const SourceManager &SM;
  FanOut Model;
};

/// For `<wait>; q.close(); [declarations;] <drain>;` in one block: the wait
/// and the close move to a joiner thread, this thread drains meanwhile and
/// joins the joiner afterwards.
std::vector<FixItHint> Analysis::planJoinerThread(const WaitSite &Wait,
                                                  const CallExpr *Drain,
                                                  const ValueDecl *Queue) {
  const Stmt *Body = Model.threads().Function->getBody();
  ParentMap Parents(const_cast<Stmt *>(Body));
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
  std::optional<QueueOperation> CloseOp = Model.operationOn(Close, Queue, 0);
  if (!CloseOp || CloseOp->Role != QueueRole::Close)
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

void Analysis::analyzeQueue(const ValueDecl *Queue,
                            std::vector<Finding> &Findings) {
  if (!Model.isBounded(Queue))
    return;
  ArrayRef<OperationAt> Ops = Model.queues().find(Queue)->second;
  ArrayRef<Actor> Actors = Model.actors();

  // Workers: spawned threads with a blocking push. Anyone else popping
  // (another thread) drains concurrently.
  SmallVector<const OperationAt *, 4> WorkerPushes;
  for (const OperationAt &At : Ops) {
    if (At.Actor == 0)
      continue;
    if (At.Op.Role == QueueRole::BlockingPop ||
        At.Op.Role == QueueRole::NonBlockingPop)
      return;
    if (At.Op.Role == QueueRole::BlockingPush)
      WorkerPushes.push_back(&At);
  }
  if (WorkerPushes.empty())
    return;

  // The first wait on a worker, and the spawner's first pop after it; a pop
  // before the wait drains while the workers run.
  const WaitSite *Wait = nullptr;
  for (const OperationAt *At : WorkerPushes)
    if (const WaitSite *W = Model.waitOn(Actors[At->Actor].Spawn);
        W && (!Wait || SM.isBeforeInTranslationUnit(W->Loc, Wait->Loc)))
      Wait = W;
  if (!Wait)
    return;
  const CallExpr *Drain = nullptr;
  for (const OperationAt &At : Ops) {
    if (At.Actor != 0 || (At.Op.Role != QueueRole::BlockingPop &&
                          At.Op.Role != QueueRole::NonBlockingPop))
      continue;
    if (SM.isBeforeInTranslationUnit(At.Op.Call->getBeginLoc(), Wait->Loc))
      return; // Drained before (or while) waiting.
    if (!Drain)
      Drain = At.Op.Call;
  }
  if (!Drain)
    return;

  // Can the workers push more than the queue holds?
  QueueCapacity Capacity = Model.capacity(Queue);
  ResultCount Count;
  int64_t Total = 0;
  for (const OperationAt *At : WorkerPushes) {
    const SpawnSite *Spawn = Actors[At->Actor].Spawn;
    if (!pushesAtMostOnce(At->Op.Call, Actors[At->Actor].Function)) {
      Count.Unknown = true;
      break;
    }
    if (!Spawn->InLoop) {
      ++Total;
      continue;
    }
    ParentMap Parents(Model.threads().Function->getBody());
    const Stmt *Loop = enclosingLoop(Spawn->Expr, Parents);
    if (std::optional<int64_t> Trips = constantTripCount(Loop, Ctx)) {
      Total += *Trips;
    } else if (const Expr *Bound = spawnLoopBound(Loop);
               Bound && WorkerPushes.size() == 1) {
      Count.Bound = Bound;
    } else {
      Count.Unknown = true;
      break;
    }
  }
  if (!Count.Unknown && !Count.Bound)
    Count.Value = Total;
  if (Capacity.Value && Count.Value && *Count.Value <= *Capacity.Value)
    return;
  if (Capacity.Expr && Count.Bound && atLeast(Capacity.Expr, Count.Bound, Ctx))
    return;

  StringRef Name = Queue->getName();
  const QueueOperation &Push = WorkerPushes.front()->Op;
  Finding F;
  F.Loc = Wait->Loc;
  F.Message = formatv("this wait can block forever: workers push into "
                      "bounded queue {0}, which is drained only after it; "
                      "once the queue is full they block in '{1}'",
                      Model.describe(Queue), Push.MethodName)
                  .str();
  auto Note = [&](SourceLocation Loc, std::string Message) {
    F.Notes.push_back({Loc, std::move(Message), {}});
  };
  Note(Queue->getLocation(), formatv("queue '{0}' declared here", Name));
  Note(Push.Call->getExprLoc(),
       formatv("workers block here once '{0}' is full", Name));
  for (const OperationAt *At : WorkerPushes) {
    const SpawnSite *Spawn = Actors[At->Actor].Spawn;
    Note(Spawn->Expr->getBeginLoc(),
         formatv("worker thread{0} spawned here{1}", Spawn->InLoop ? "s" : "",
                 Spawn->InLoop ? " in a loop" : ""));
    break;
  }
  Note(Drain->getExprLoc(),
       formatv("'{0}' is drained only here, after the wait", Name));
  F.Fixes = planJoinerThread(*Wait, Drain, Queue);
  Note(Wait->Loc,
       F.Fixes.empty()
           ? "drain the queue while waiting (pop in this thread while another "
             "joins the workers and then closes the queue), or before waiting"
           : "fix: join the workers and close the queue on a joiner thread "
             "while this thread drains it");
  // The alternative when every result is counted: room for all of them.
  if (Count.Value && Capacity.Expr &&
      !isInMacro(Capacity.Expr->getSourceRange()) &&
      (!Capacity.Value || *Count.Value > *Capacity.Value)) {
    FindingNote Enlarge{
        Capacity.Expr->getBeginLoc(),
        formatv("alternatively, give '{0}' room for all {1} results", Name,
                *Count.Value),
        {FixItHint::CreateReplacement(Capacity.Expr->getSourceRange(),
                                      std::to_string(*Count.Value))}};
    F.Notes.push_back(std::move(Enlarge));
  }
  Findings.push_back(std::move(F));
}

} // namespace

std::vector<Finding> findJoinsBeforeDrain(const FunctionDecl *Spawner,
                                          ASTContext &Ctx, QueueModel &Model,
                                          const AnalysisOptions &Options) {
  if (!isAnalysableSpawner(Spawner))
    return {};
  return Analysis(Spawner, Ctx, Model, Options).run();
}

} // namespace fanout
