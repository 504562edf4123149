//===- Flow.h - Paths that leave a function without waking the other side
//--===//
//
// The one engine behind every "can this thread leave without telling the
// other side?" question. On a function's CFG, given what each element means
// (it wakes the other side; it is a wait that hangs if reached unwoken) and
// which edges are taken only once the queue has said it is closed, it
// answers, for any point:
//  - is the point reached from the entry along a path that has woken nothing
//    and not been told "closed"?
//  - from just after the point, is the function's end, or a hanging wait,
//    reached along such a path?
// Two linear worklist passes (forwards from the entry, backwards from the
// end and the waits), no iteration cap.
//
//===----------------------------------------------------------------------===//
#ifndef FANOUT_FLOW_H
#define FANOUT_FLOW_H

#include "clang/AST/ParentMap.h"
#include "clang/Analysis/CFG.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include <optional>
#include <vector>

namespace fanout {

enum class FlowEffect {
  None,
  Wake, ///< Wakes the other side: a close, a guard that closes, the process
        ///< ending.
  Sink, ///< A wait that never returns if reached unwoken.
};

/// A place in a CFG: an element of a block, or its terminator (Index -1).
struct FlowPoint {
  const clang::CFGBlock *Block = nullptr;
  int Index = -1;
};

struct FlowQuestion {
  llvm::function_ref<FlowEffect(const clang::CFGElement &)> EffectOf;
  /// Edge Succ of Block is taken only when the queue has reported itself
  /// closed (or the other side has said it is gone): paths through it are
  /// not stranding.
  llvm::function_ref<bool(const clang::CFGBlock &, unsigned Succ)> ToldClosed;
  /// Where the object asked about comes into being (a local queue's
  /// declaration): paths start there, not at the entry. Before it, there
  /// is nobody to wake.
  const clang::Stmt *Origin = nullptr;
};

class FlowResult {
public:
  FlowResult(const clang::CFG &Graph, FlowQuestion Question);

  /// Where statement \p S is in the graph: the element that evaluates it,
  /// or the block it terminates. None for dead code.
  std::optional<FlowPoint> pointOf(const clang::Stmt *S) const;
  /// The block a catch handler starts.
  const clang::CFGBlock *handlerBlock(const clang::Stmt *Handler) const;

  bool reachedUnwoken(FlowPoint P) const;
  /// The same, counting the element at \p P itself as not yet run: for a
  /// call that wakes when it returns but may throw before.
  bool reachedUnwokenBefore(FlowPoint P) const;
  /// From just after \p P (only through successor \p OnlySucc when it is
  /// not negative), the end or a sink is reached without waking.
  bool endReachableAfter(FlowPoint P, int OnlySucc = -1) const;
  bool endReachableFromStart(const clang::CFGBlock *Block) const;
  /// Whether the function's exit is reached from its entry unwoken: false
  /// means every path wakes (or is told closed).
  bool exitReachableUnwoken() const;
  /// The first element index of \p Block that wakes, or -1.
  int firstWake(const clang::CFGBlock *Block) const;
  const clang::CFG &graph() const { return Graph; }

private:
  const clang::CFG &Graph;
  FlowQuestion Question;
  /// Per block: the first wake and the first sink element (-1: none).
  std::vector<int> FirstWake, FirstSink;
  /// The elements that wake or are sinks, by (block, index).
  llvm::DenseMap<std::pair<unsigned, int>, FlowEffect> Effects;
  std::vector<char> Entered, ReachesEnd;
  llvm::DenseMap<const clang::Stmt *, FlowPoint> Points;
  llvm::DenseMap<const clang::Stmt *, const clang::CFGBlock *> Handlers;
  bool ExitUnwoken = false;
};

} // namespace fanout

#endif
