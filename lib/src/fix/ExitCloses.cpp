//===- ExitCloses.cpp - A close on each way out of each consumer ----------===//
#include "fanout/AstHelpers.h"
#include "fanout/Edits.h"
#include "fanout/FixStrategies.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/StmtCXX.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/Support/FormatVariadic.h"

using namespace clang;
using namespace llvm;

namespace fanout {
namespace {

/// Where the calling thread waits for the producer by destroying a thread
/// handle (a jthread, a pool), a guard declared first would be destroyed
/// after that wait, too late. It goes instead in the handle's block, before
/// the statement that holds \p Exit, so that it is destroyed first.
bool guardBeforeScopeWait(const FixContext &Fx, const RoleExit &Exit,
                          const std::string &Guard,
                          std::vector<FixItHint> &Out) {
  const ParentMap &Parents = Fx.S.parents(Exit.In);
  const VarDecl *Handle = Fx.Case.ProducerWait->Destroyed;
  if (!Handle->getDeclContext()->Equals(Exit.In))
    return false;
  const Stmt *Child = Exit.At;
  for (const Stmt *P = Parents.getParent(Child); P;
       Child = P, P = Parents.getParent(P)) {
    const auto *Block = dyn_cast<CompoundStmt>(P);
    if (!Block || none_of(Block->body(), [&](const Stmt *Item) {
          const auto *DS = dyn_cast<DeclStmt>(Item);
          return DS && llvm::is_contained(DS->decls(), Handle);
        }))
      continue;
    return Fx.insertBefore(Child, Exit.In, Guard, Out);
  }
  return false;
}

/// An exception from a call leaves no statement to put the close before
/// (unless a handler of the function catches it): a guard declared first
/// closes on every way out instead. Adds the guards to \p Out and the
/// functions they guard to \p Guarded; false where one is needed and cannot
/// be written.
bool guardThrowingCalls(const FixContext &Fx, ArrayRef<const RoleExit *> Exits,
                        bool GuardWhenCallsThrow,
                        SmallPtrSetImpl<const FunctionDecl *> &Guarded,
                        std::vector<FixItHint> &Out) {
  for (const RoleExit *Exit : Exits) {
    if (Exit->Kind != ExitKind::ThrowingCall || Exit->CaughtBy)
      continue;
    if (!GuardWhenCallsThrow)
      return false;
    if (!Guarded.insert(Exit->In).second)
      continue;
    QueueName Named = Fx.nameIn(Exit->In, Exit->Queue);
    StringRef Close = Fx.Case.Api->reliableCloseFor(QueueSide::Producers);
    if (Exit->In == Fx.Case.Spawner && Fx.Case.ProducerWait &&
        Fx.Case.ProducerWait->Destroyed) {
      std::string Code =
          closeGuardCode(Named.Object, Named.Arrow, Close, Fx.Ctx);
      if (Code.empty() || !guardBeforeScopeWait(Fx, *Exit, Code, Out))
        return false;
      continue;
    }
    std::optional<FixItHint> Guard =
        Named.Object ? closeGuardInsertion(Exit->In->getBody(), Named.Object,
                                           Named.Arrow, Close, Fx.Ctx)
                     : std::nullopt;
    if (!Guard)
      return false;
    Out.push_back(*Guard);
  }
  return true;
}

/// Runs \p Code once \p Loop, the consumer's pop loop, ends, however it
/// ends.
bool insertAfterLoop(const FixContext &Fx, const Stmt *Loop,
                     const FunctionDecl *In, const std::string &Code,
                     std::vector<FixItHint> &Out) {
  const ParentMap &Parents = Fx.S.parents(In);
  SourceLocation After = afterStatement(Loop, Fx.Ctx);
  if (After.isInvalid() || isInMacro(Loop->getSourceRange()) ||
      !isa_and_nonnull<CompoundStmt>(Parents.getParent(Loop)))
    return false;
  Out.push_back(FixItHint::CreateInsertion(
      After, "\n" + indentationOf(Loop->getBeginLoc(), Fx.SM) + Code));
  return true;
}

/// Runs \p Code first thing in the handler that catches the exit: that is
/// where this way out goes on.
bool insertInHandler(const FixContext &Fx, const RoleExit &Exit,
                     const std::string &Code, std::vector<FixItHint> &Out) {
  const auto *Block =
      dyn_cast_or_null<CompoundStmt>(Exit.CaughtBy->getHandlerBlock());
  if (!Block || isInMacro(Block->getSourceRange()))
    return false;
  if (Block->body_empty()) {
    Out.push_back(FixItHint::CreateInsertion(
        Block->getLBracLoc().getLocWithOffset(1), " " + Code + " "));
    return true;
  }
  return Fx.insertBefore(Block->body_front(), Exit.In, Code, Out);
}

} // namespace

bool planExitStatements(
    const FixContext &Fx,
    function_ref<std::string(const FunctionDecl *, const AccessPath &)> CodeFor,
    bool GuardWhenCallsThrow, std::vector<FixItHint> &Out) {
  for (const ConsumerCase &Consumer : Fx.Case.Consumers) {
    std::vector<const RoleExit *> Exits;
    flattenExits(Consumer.Exits, Exits);
    // Callers that stop taking items leave no statement to close at.
    if (any_of(Exits, [](const RoleExit *Exit) {
          return Exit->Kind == ExitKind::CallersStop;
        }))
      return false;
    SmallPtrSet<const FunctionDecl *, 2> Guarded;
    if (!guardThrowingCalls(Fx, Exits, GuardWhenCallsThrow, Guarded, Out))
      return false;
    SmallPtrSet<const Stmt *, 4> Done;
    for (const RoleExit *Exit : Exits) {
      if (Guarded.contains(Exit->In) || !Done.insert(Exit->At).second)
        continue;
      std::string Code = CodeFor(Exit->In, Exit->Queue);
      if (Code.empty())
        return false;
      bool Inserted;
      if (Exit->Kind == ExitKind::LoopCondition)
        Inserted =
            insertAfterLoop(Fx, Consumer.Role.PopLoop, Exit->In, Code, Out);
      else if (Exit->CaughtBy && Exit->Kind == ExitKind::ThrowingCall)
        Inserted = insertInHandler(Fx, *Exit, Code, Out);
      else
        Inserted = Fx.insertBefore(Exit->At, Exit->In, Code, Out);
      if (!Inserted)
        return false;
    }
  }
  return true;
}

std::optional<StrategyPlan> planExitCloses(const FixContext &Fx) {
  StrategyPlan Plan;
  if (!planExitStatements(
          Fx,
          [&](const FunctionDecl *F, const AccessPath &Queue) {
            return Fx.closeCode(F, Queue);
          },
          /*GuardWhenCallsThrow=*/true, Plan.Edits))
    return std::nullopt;
  // The note sits at the first close, where the fix is read.
  Plan.NoteAt = Fx.firstEdit(Plan.Edits);
  Plan.Summary = formatv("close '{0}' on each consumer exit", Fx.Name).str();
  return Plan;
}

} // namespace fanout
