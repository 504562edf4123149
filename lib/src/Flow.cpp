//===- Flow.cpp - Unwoken paths on a CFG ----------------------------------===//
#include "fanout/Flow.h"

using namespace clang;
using namespace llvm;

namespace fanout {

FlowResult::FlowResult(const CFG &Graph, FlowQuestion Question)
    : Graph(Graph), Question(Question) {
  const unsigned NumBlocks = Graph.getNumBlockIDs();
  FirstWake.assign(NumBlocks, -1);
  FirstSink.assign(NumBlocks, -1);
  Entered.assign(NumBlocks, 0);
  ReachesEnd.assign(NumBlocks, 0);

  // What each element means, computed once: deciding may look into callee
  // summaries, which must not run again in the passes.
  for (const CFGBlock *Block : Graph) {
    unsigned ID = Block->getBlockID();
    int Index = 0;
    for (const CFGElement &Element : *Block) {
      if (std::optional<CFGStmt> S = Element.getAs<CFGStmt>())
        Points.try_emplace(S->getStmt(), FlowPoint{Block, Index});
      FlowEffect Effect = Question.EffectOf(Element);
      if (Effect != FlowEffect::None)
        Effects[{ID, Index}] = Effect;
      if (Effect == FlowEffect::Wake && FirstWake[ID] < 0)
        FirstWake[ID] = Index;
      if (Effect == FlowEffect::Sink && FirstSink[ID] < 0)
        FirstSink[ID] = Index;
      ++Index;
    }
    if (const Stmt *T = Block->getTerminatorStmt())
      Points.try_emplace(T, FlowPoint{Block, -1});
    if (const Stmt *Label = Block->getLabel())
      Handlers.try_emplace(Label, Block);
  }

  auto Closed = [&](const CFGBlock *Block, unsigned Succ) {
    return Question.ToldClosed(*Block, Succ);
  };

  // Forwards: blocks entered along unwoken paths; a block that wakes
  // passes nothing on.
  const CFGBlock *Start = &Graph.getEntry();
  if (std::optional<FlowPoint> Origin =
          Question.Origin ? pointOf(Question.Origin) : std::nullopt)
    Start = Origin->Block;
  SmallVector<const CFGBlock *, 32> Work{Start};
  Entered[Start->getBlockID()] = 1;
  while (!Work.empty()) {
    const CFGBlock *Block = Work.pop_back_val();
    if (FirstWake[Block->getBlockID()] >= 0)
      continue;
    unsigned SuccIndex = 0;
    for (const CFGBlock::AdjacentBlock &Succ : Block->succs()) {
      const CFGBlock *Next = Succ.getReachableBlock();
      if (Next && !Closed(Block, SuccIndex) && !Entered[Next->getBlockID()]) {
        Entered[Next->getBlockID()] = 1;
        Work.push_back(Next);
      }
      ++SuccIndex;
    }
  }
  ExitUnwoken = Entered[Graph.getExit().getBlockID()];

  // Backwards: blocks from whose start the end, or a sink, is reached
  // unwoken. A block decides by itself when it reaches a sink or a wake
  // first; otherwise through its successors.
  auto DecidesItself = [&](unsigned ID, bool &Value) {
    int Wake = FirstWake[ID], Sink = FirstSink[ID];
    if (Sink >= 0 && (Wake < 0 || Sink < Wake)) {
      Value = true;
      return true;
    }
    if (Wake >= 0) {
      Value = false;
      return true;
    }
    return false;
  };
  for (const CFGBlock *Block : Graph) {
    bool Value = false;
    if (DecidesItself(Block->getBlockID(), Value) && Value) {
      ReachesEnd[Block->getBlockID()] = 1;
      Work.push_back(Block);
    }
  }
  ReachesEnd[Graph.getExit().getBlockID()] = 1;
  Work.push_back(&Graph.getExit());
  while (!Work.empty()) {
    const CFGBlock *Block = Work.pop_back_val();
    for (const CFGBlock::AdjacentBlock &Pred : Block->preds()) {
      const CFGBlock *Prev = Pred.getReachableBlock();
      if (!Prev || ReachesEnd[Prev->getBlockID()])
        continue;
      bool Value = false;
      if (DecidesItself(Prev->getBlockID(), Value))
        continue;
      // Through which successor edge is Prev -> Block?
      unsigned SuccIndex = 0;
      bool Open = false;
      for (const CFGBlock::AdjacentBlock &Succ : Prev->succs()) {
        if (Succ.getReachableBlock() == Block && !Closed(Prev, SuccIndex))
          Open = true;
        ++SuccIndex;
      }
      if (!Open)
        continue;
      ReachesEnd[Prev->getBlockID()] = 1;
      Work.push_back(Prev);
    }
  }
}

std::optional<FlowPoint> FlowResult::pointOf(const Stmt *S) const {
  auto It = Points.find(S);
  if (It == Points.end())
    return std::nullopt;
  return It->second;
}

const CFGBlock *FlowResult::handlerBlock(const Stmt *Handler) const {
  return Handlers.lookup(Handler);
}

int FlowResult::firstWake(const CFGBlock *Block) const {
  return FirstWake[Block->getBlockID()];
}

bool FlowResult::reachedUnwoken(FlowPoint P) const {
  if (!P.Block || !Entered[P.Block->getBlockID()])
    return false;
  int Wake = FirstWake[P.Block->getBlockID()];
  if (Wake < 0)
    return true;
  // A terminator comes after every element.
  return P.Index >= 0 && P.Index < Wake;
}

bool FlowResult::reachedUnwokenBefore(FlowPoint P) const {
  if (!P.Block || !Entered[P.Block->getBlockID()])
    return false;
  int Wake = FirstWake[P.Block->getBlockID()];
  return Wake < 0 || (P.Index >= 0 && P.Index <= Wake);
}

bool FlowResult::endReachableAfter(FlowPoint P, int OnlySucc) const {
  if (!P.Block)
    return false;
  if (P.Block == &Graph.getExit())
    return true;
  // The rest of the block: a sink before a wake ends it one way or the
  // other.
  if (P.Index >= 0) {
    unsigned ID = P.Block->getBlockID();
    for (int Index = P.Index + 1, End = P.Block->size(); Index < End; ++Index) {
      auto It = Effects.find({ID, Index});
      if (It == Effects.end())
        continue;
      if (It->second == FlowEffect::Sink)
        return true;
      if (It->second == FlowEffect::Wake)
        return false;
    }
  }
  unsigned SuccIndex = 0;
  for (const CFGBlock::AdjacentBlock &Succ : P.Block->succs()) {
    const CFGBlock *Next = Succ.getReachableBlock();
    if (Next && (OnlySucc < 0 || unsigned(OnlySucc) == SuccIndex) &&
        !Question.ToldClosed(*P.Block, SuccIndex) &&
        ReachesEnd[Next->getBlockID()])
      return true;
    ++SuccIndex;
  }
  return false;
}

bool FlowResult::endReachableFromStart(const CFGBlock *Block) const {
  return Block && ReachesEnd[Block->getBlockID()];
}

bool FlowResult::exitReachableUnwoken() const { return ExitUnwoken; }

} // namespace fanout
