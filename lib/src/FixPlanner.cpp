//===- FixPlanner.cpp - Cancellation fixes for stranded producers ---------===//
//
// The fix wakes the producer and makes it stop cleanly:
//  1. Close the queue where every stranding exit is covered at once: in the
//     spawning function after the consumers are joined and before the
//     producer is waited on (the shape of the upstream Go fix); else on each
//     stranding exit of each consumer, in whatever function the exit is.
//  2. Make the producer handle a closed queue as the API reports it: check a
//     bool result, or catch the exception that a woken push throws.
//  3. For a queue without a close that wakes a blocked push: a stop signal
//     raised on the exits, and the push retried until there is room or the
//     signal is raised.
// Where an edit would land in a macro, or the queue cannot be named where the
// edit goes, no fix-it is offered; a note suggests the code instead.
//
// The strategies are in fix/ (FixStrategies.h); this file chooses among them
// and words the notes.
//
//===----------------------------------------------------------------------===//
#include "fanout/FixStrategies.h"
#include "llvm/Support/FormatVariadic.h"

using namespace clang;
using namespace llvm;

namespace fanout {
namespace {

FindingNote makeNote(NoteKind Kind, SourceLocation Loc, std::string Text) {
  FindingNote Note;
  Note.Kind = Kind;
  Note.Loc = Loc;
  Note.FixTitle = Text;
  Note.Args = {std::move(Text)};
  return Note;
}

/// Why the queue cannot be closed reliably, for the note that offers no fix.
std::string whyNoReliableClose(const FixContext &Fx) {
  const QueueApi &Api = *Fx.Case.Api;
  if (Api.Close.empty())
    return formatv("'{0}' cannot be closed", Fx.Name).str();
  if (!Api.CloseIsPermanent)
    return formatv("'{0}' only wakes callers already waiting, so a later push "
                   "blocks again",
                   Api.Close.front())
        .str();
  return formatv("'{0}' does not wake a producer blocked in '{1}'",
                 Api.Close.front(), Fx.PushName)
      .str();
}

/// A queue without a reliable close: the stop signal, else a note.
FixPlan planWithoutClose(const FixContext &Fx) {
  FixPlan Plan;
  if (std::optional<StrategyPlan> Stop = planRequestStopAfterJoins(Fx)) {
    Plan.Fixes = std::move(Stop->Edits);
    Plan.Notes.push_back(makeNote(NoteKind::Fix, Stop->NoteAt, Stop->Summary));
    return Plan;
  }
  // The producer's own stop flag where it has one, else a signal raised on
  // the consumers' exits.
  for (auto *Strategy : {planStopOnOwnFlag, planStopSignal})
    if (std::optional<StrategyPlan> Stop = Strategy(Fx)) {
      Plan.Fixes = std::move(Stop->Edits);
      Plan.Notes.push_back(
          makeNote(NoteKind::Fix, Stop->NoteAt,
                   formatv("'{0}' cannot be closed reliably; {1}", Fx.Name,
                           Stop->Summary)));
      return Plan;
    }
  Plan.Notes.push_back(makeNote(
      NoteKind::NoFix, Fx.Case.Push->Op.Call->getExprLoc(),
      formatv("no automatic fix: {0}; use a timed or non-blocking push "
              "in a loop that also stops when a flag set on every "
              "consumer exit is raised",
              whyNoReliableClose(Fx))));
  return Plan;
}

/// A close strategy's plan with the producer's handling of the closed queue
/// after its edits; none unless both work.
std::optional<StrategyPlan>
withProducerStop(const FixContext &Fx, std::optional<StrategyPlan> Close) {
  if (!Close)
    return std::nullopt;
  std::optional<std::vector<FixItHint>> Stop = planProducerStop(Fx);
  if (!Stop)
    return std::nullopt;
  llvm::append_range(Close->Edits, *Stop);
  return Close;
}

} // namespace

FixPlan planStrandedProducerFix(const StrandedProducerCase &Case,
                                ASTContext &Ctx) {
  FixContext Fx(Case, Ctx);
  if (!Case.Api->hasReliableClose())
    return planWithoutClose(Fx);
  // The first strategy that works is the fix-it, the second an alternative
  // note with its own fix (a second quick fix in an editor). The note of a
  // fix sits where its close goes, not at the push.
  std::optional<StrategyPlan> AfterJoins =
      withProducerStop(Fx, planJoinSideClose(Fx));
  if (!AfterJoins)
    AfterJoins = withProducerStop(Fx, planOwnerClose(Fx));
  std::optional<StrategyPlan> OnExits =
      withProducerStop(Fx, planExitCloses(Fx));
  std::string Wakes =
      formatv(", so that a producer blocked in '{0}' wakes up", Fx.PushName);
  // A pool's queue closed by a worker stays closed for every later caller.
  if (Case.producerIsMember())
    Wakes += formatv("; later calls of '{0}' then return without queuing",
                     Case.Producer->Function->getNameAsString());
  FixPlan Plan;
  if (AfterJoins) {
    Plan.Fixes = std::move(AfterJoins->Edits);
    Plan.Notes.push_back(makeNote(NoteKind::Fix, AfterJoins->NoteAt,
                                  AfterJoins->Summary + Wakes));
    if (OnExits) {
      FindingNote Alternative =
          makeNote(NoteKind::AlternativeFix, OnExits->NoteAt, OnExits->Summary);
      Alternative.Fixes = std::move(OnExits->Edits);
      Plan.Notes.push_back(std::move(Alternative));
    }
    return Plan;
  }
  if (OnExits) {
    Plan.Fixes = std::move(OnExits->Edits);
    Plan.Notes.push_back(
        makeNote(NoteKind::Fix, OnExits->NoteAt, OnExits->Summary + Wakes));
    return Plan;
  }
  if (std::optional<StrategyPlan> Abort =
          withProducerStop(Fx, planCloseWithException(Fx))) {
    // The woken push throws that exception, and so do later ones.
    std::string Throws = formatv(", so that a producer blocked in '{0}' "
                                 "wakes up and throws it",
                                 Fx.PushName);
    if (Case.producerIsMember())
      Throws += formatv("; later calls of '{0}' throw it too",
                        Case.Producer->Function->getNameAsString());
    Plan.Fixes = std::move(Abort->Edits);
    Plan.Notes.push_back(
        makeNote(NoteKind::Fix, Abort->NoteAt, Abort->Summary + Throws));
    return Plan;
  }
  StringRef Close = Case.Api->reliableCloseFor(QueueSide::Producers);
  std::string CloseCall = Fx.Name + "." + Close.str() + "()";
  Plan.Notes.push_back(
      makeNote(NoteKind::NoFix, Case.Push->Op.Call->getExprLoc(),
               formatv("no automatic fix is certain here; call '{0}' on each "
                       "consumer exit above (or once after the consumers are "
                       "joined), and stop the producer when '{1}' reports the "
                       "queue closed",
                       CloseCall, Fx.PushName)));
  return Plan;
}

} // namespace fanout
