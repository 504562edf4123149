//===- ExitAnalysis.cpp - Consumer exits that leave the producer asleep ---===//
//
// A consumer strands the producer when some path from its start reaches its
// end without having been told by the queue that it is closed (a drained
// edge) and without waking the producer. The paths are found on the CFG in
// two linear passes: forwards from the entry, the exits reached with nothing
// woken yet; backwards from the function's end, the points from which the
// end is reached with nothing woken. An exit in both sets strands.
//
//===----------------------------------------------------------------------===//
#include "fanout/ExitAnalysis.h"
#include "fanout/AstHelpers.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Analysis/CFG.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace clang;
using namespace llvm;

namespace fanout {

/// The variable or parameter \p E names, through `&x` and `*p`.
static const ValueDecl *namedObject(const Expr *E) {
  E = ignoreWrappers(E);
  if (const auto *Unary = dyn_cast_or_null<UnaryOperator>(E);
      Unary &&
      (Unary->getOpcode() == UO_AddrOf || Unary->getOpcode() == UO_Deref))
    E = ignoreWrappers(Unary->getSubExpr());
  if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(E))
    return Ref->getDecl();
  return nullptr;
}

/// Whether \p Inner, in the body of \p Callee, closes the parameter that
/// \p Call passes the queue to.
static bool closesPassedQueue(const CallExpr *Inner, const CallExpr *Call,
                              const FunctionDecl *Callee,
                              const Expr *QueueInCaller, const QueueApi *Api) {
  if (!QueueInCaller || !Api || !Api->hasReliableClose() ||
      !is_contained(Api->Close, calleeName(Inner)))
    return false;
  bool Arrow = false;
  const auto *Param =
      dyn_cast_or_null<ParmVarDecl>(namedObject(calleeObject(Inner, &Arrow)));
  if (!Param || Param->getDeclContext() != Callee)
    return false;
  // A lambda called through operator() has the object as argument 0.
  unsigned Index =
      Param->getFunctionScopeIndex() + (isa<CXXOperatorCallExpr>(Call) ? 1 : 0);
  if (Index >= Call->getNumArgs())
    return false;
  const ValueDecl *Passed = namedObject(Call->getArg(Index));
  return Passed && Passed == namedObject(QueueInCaller);
}

bool closesQueue(const CallExpr *Call, QueueOpFinder OnQueue, int Depth,
                 const Expr *QueueInCaller, const QueueApi *Api) {
  if (std::optional<QueueOperation> Op = OnQueue(Call))
    return Op->Role == QueueRole::Close && Op->Api->hasReliableClose();
  if (Depth >= 2)
    return false;
  // A helper that closes: a function of this TU, or a lambda held in a
  // variable (`auto fail = [&] { q.close(); };`).
  const FunctionDecl *Callee = Call->getDirectCallee();
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call);
      Op && Op->getOperator() == OO_Call && Op->getNumArgs() > 0)
    if (const auto *Ref =
            dyn_cast_or_null<DeclRefExpr>(ignoreWrappers(Op->getArg(0))))
      if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl()))
        if (const auto *Lambda =
                dyn_cast_or_null<LambdaExpr>(ignoreWrappers(Var->getInit())))
          Callee = Lambda->getCallOperator();
  if (!Callee || !Callee->hasBody())
    return false;
  bool Closes = false;
  forEachDescendant(Callee->getBody(), [&](const Stmt *S) {
    if (const auto *Inner = dyn_cast<CallExpr>(S))
      Closes = Closes || closesQueue(Inner, OnQueue, Depth + 1) ||
               (Depth == 0 &&
                closesPassedQueue(Inner, Call, Callee, QueueInCaller, Api));
  });
  return Closes;
}

namespace {

/// Whether \p Cond only reads a stop flag: `running_`, `!stop`,
/// `running.load()`, `token.stop_requested()`, an atomic's conversion.
bool isStopFlagTest(const Expr *Cond) {
  const Expr *E = ignoreWrappers(Cond);
  if (const auto *Not = dyn_cast_or_null<UnaryOperator>(E);
      Not && Not->getOpcode() == UO_LNot)
    E = ignoreWrappers(Not->getSubExpr());
  auto IsVariable = [](const Expr *Object) {
    Object = ignoreWrappers(Object);
    if (const auto *Member = dyn_cast_or_null<MemberExpr>(Object))
      return isa<CXXThisExpr>(ignoreWrappers(Member->getBase())) ||
             isa<DeclRefExpr>(ignoreWrappers(Member->getBase()));
    return isa_and_nonnull<DeclRefExpr>(Object);
  };
  if (!E)
    return false;
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E)) {
    const CXXMethodDecl *Method = Call->getMethodDecl();
    if (!Method || !IsVariable(Call->getImplicitObjectArgument()))
      return false;
    if (isa<CXXConversionDecl>(Method))
      return true;
    return Method->getIdentifier() && (Method->getName() == "load" ||
                                       Method->getName() == "stop_requested");
  }
  if (IsVariable(E))
    return E->getType()->isBooleanType();
  return false;
}

class ConsumerAnalyzer {
public:
  /// In producer mode there is no pop loop: every way to the function's
  /// end that skips a close is reported.
  ConsumerAnalyzer(const FunctionDecl *Body, ASTContext &Ctx,
                   QueueOpFinder OnQueue, bool ProducerMode = false)
      : Function(Body), Ctx(Ctx), OnQueue(OnQueue), ProducerMode(ProducerMode) {
  }

  std::optional<ConsumerSummary> run();
  /// Also report calls whose exceptions leave the consumer.
  bool ReportThrowingCalls = false;

private:
  bool mayThrowOut(const FunctionDecl *Callee, int Depth) const;
  bool findPopLoop();
  bool classifyPopLoop();
  std::optional<bool> closedWhenTrue(const Expr *Cond,
                                     bool WholeCondition) const;
  bool isPopCall(const Expr *E) const;
  bool isPoppedVariable(const Expr *E) const;
  bool wakes(const CFGElement &Element) const;
  bool guardCloses(const VarDecl *Var) const;
  bool unwindingCloses(const Stmt *Throw) const;
  void collectCandidates();
  bool leavesPopLoop(const Stmt *Jump) const;
  /// Whether \p Inner is \p Outer or below it: a walk up the parent map,
  /// not down \p Outer's subtree (that made big loops quadratic).
  bool isWithin(const Stmt *Outer, const Stmt *Inner) const {
    for (const Stmt *S = Inner; S; S = Parents->getParent(S))
      if (S == Outer)
        return true;
    return false;
  }

  const FunctionDecl *Function;
  ASTContext &Ctx;
  QueueOpFinder OnQueue;
  bool ProducerMode;
  std::unique_ptr<ParentMap> Parents;
  /// Set when a drained edge came from a sentinel test, not from the queue.
  mutable bool SawSentinel = false;
  /// Whether a function can let an exception out, by definition.
  mutable DenseMap<const FunctionDecl *, bool> ThrowsOut;
  /// What ends the pop loop through its own condition. Only WhenClosed
  /// makes that condition a stranding exit: a stop flag (`while (running_)`)
  /// is a stop someone asked for, and a count (`i != n`) is the design; the
  /// early exits inside still count.
  enum class LoopEnd { WhenClosed, OnStopFlag, OnOwnCondition };
  LoopEnd PopLoopEnd = LoopEnd::WhenClosed;

  const CallExpr *Pop = nullptr;
  /// How this function names the queue (the object of the pop, or of any
  /// operation in producer mode).
  const Expr *QueueObject = nullptr;
  const QueueApi *Api = nullptr;
  const Stmt *PopLoop = nullptr;
  SmallPtrSet<const VarDecl *, 4> PoppedVariables;
  SmallVector<StrandingExit, 4> Candidates;
};

bool ConsumerAnalyzer::isPopCall(const Expr *E) const {
  const auto *Call = dyn_cast_or_null<CallExpr>(ignoreWrappers(E));
  if (!Call)
    return false;
  std::optional<QueueOperation> Op = OnQueue(Call);
  return Op && (Op->Role == QueueRole::BlockingPop ||
                Op->Role == QueueRole::NonBlockingPop);
}

bool ConsumerAnalyzer::isPoppedVariable(const Expr *E) const {
  if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(ignoreWrappers(E)))
    if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl()))
      return PoppedVariables.contains(Var);
  return false;
}

bool ConsumerAnalyzer::findPopLoop() {
  const Stmt *Body = Function->getBody();
  forEachDescendant(Body, [&](const Stmt *S) {
    const auto *Call = dyn_cast<CallExpr>(S);
    if (!Call)
      return;
    std::optional<QueueOperation> Op = OnQueue(Call);
    if (!Op || (Op->Role != QueueRole::BlockingPop))
      return;
    if (!Pop)
      if (const Stmt *Loop = enclosingLoop(Call, *Parents)) {
        Pop = Call;
        Api = Op->Api;
        QueueObject = Op->Object;
        PopLoop = Loop;
      }
  });
  if (!Pop)
    return false;
  // What the pops deliver, and what they report: `q.pop(item)`,
  // `auto item = q.pop()`, `bool ok = q.pop(x)`, `x = q.pull()`.
  forEachDescendant(Body, [&](const Stmt *S) {
    if (const auto *Call = dyn_cast<CallExpr>(S); Call && isPopCall(Call)) {
      for (const Expr *Arg : Call->arguments())
        if (const auto *Ref =
                dyn_cast_or_null<DeclRefExpr>(ignoreWrappers(Arg)))
          if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl()))
            PoppedVariables.insert(Var);
      for (const Stmt *P = Parents->getParent(Call); P;
           P = Parents->getParent(P)) {
        if (const auto *DS = dyn_cast<DeclStmt>(P)) {
          for (const Decl *D : DS->decls())
            if (const auto *Var = dyn_cast<VarDecl>(D))
              PoppedVariables.insert(Var);
          break;
        }
        if (const auto *Assign = dyn_cast<BinaryOperator>(P);
            Assign && Assign->isAssignmentOp()) {
          if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(
                  ignoreWrappers(Assign->getLHS())))
            if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl()))
              PoppedVariables.insert(Var);
          break;
        }
        if (!isa<Expr>(P))
          break;
      }
    }
  });
  return true;
}

/// A pop loop that lasts until the queue is closed: its condition tests the
/// pop (or what it delivered), or it has no condition of its own
/// (`for (;;)`, `while (true)`) and ends from inside. A counted loop
/// (`for (i = 0; i < n; ++i) q.pop(x);`) is not a draining consumer.
/// Whether the pop loop is one to analyse (not `while (false)`), and how its
/// condition ends it.
bool ConsumerAnalyzer::classifyPopLoop() {
  const Expr *Cond = nullptr;
  if (const auto *While = dyn_cast<WhileStmt>(PopLoop))
    Cond = While->getCond();
  else if (const auto *Do = dyn_cast<DoStmt>(PopLoop))
    Cond = Do->getCond();
  else if (const auto *For = dyn_cast<ForStmt>(PopLoop))
    Cond = For->getCond();
  else
    return false;
  if (!Cond)
    return true;
  if (std::optional<int64_t> Value = evaluateInt(Cond, Ctx))
    return *Value != 0;
  if (isStopFlagTest(Cond)) {
    PopLoopEnd = LoopEnd::OnStopFlag;
    return true;
  }
  bool TestsPop = false;
  auto Visit = [&](const Stmt *S) {
    if (const auto *E = dyn_cast<Expr>(S))
      TestsPop = TestsPop || isPopCall(E) || isPoppedVariable(E);
  };
  Visit(Cond);
  forEachDescendant(Cond, Visit);
  if (const auto *While = dyn_cast<WhileStmt>(PopLoop))
    if (const VarDecl *CondVar = While->getConditionVariable())
      TestsPop = TestsPop || PoppedVariables.contains(CondVar);
  if (!TestsPop)
    PopLoopEnd = LoopEnd::OnOwnCondition;
  return true;
}

bool mentionsName(const Expr *E, StringRef Word) {
  if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(ignoreWrappers(E)))
    return Ref->getDecl()->getName().contains_insensitive(Word);
  return false;
}

bool hasCall(const Expr *E) {
  bool Found = isa_and_nonnull<CallExpr>(ignoreWrappers(E)) &&
               !isa_and_nonnull<CXXOperatorCallExpr>(ignoreWrappers(E));
  forEachDescendant(E, [&](const Stmt *S) {
    Found = Found || (isa<CallExpr>(S) && !isa<CXXOperatorCallExpr>(S) &&
                      !isa<CXXMemberCallExpr>(S));
  });
  return Found;
}

/// Whether \p Cond tests that the queue reported closed (or the producer sent
/// a sentinel): the branch it returns leads to a drained exit.
std::optional<bool>
ConsumerAnalyzer::closedWhenTrue(const Expr *Cond, bool WholeCondition) const {
  bool Negated = false;
  const Expr *E = Cond;
  for (int Steps = 0; E && Steps < 8; ++Steps) {
    E = ignoreWrappers(E);
    if (const auto *Unary = dyn_cast<UnaryOperator>(E);
        Unary && Unary->getOpcode() == UO_LNot) {
      Negated = !Negated;
      E = Unary->getSubExpr();
      continue;
    }
    // `v.has_value()`, `bool(v)`, `v.operator bool()`.
    if (const auto *Member = dyn_cast<CXXMemberCallExpr>(E);
        Member && Member->getNumArgs() == 0 &&
        (calleeName(Member) == "has_value" ||
         isa_and_nonnull<CXXConversionDecl>(Member->getMethodDecl())) &&
        !isPopCall(Member)) {
      E = Member->getImplicitObjectArgument();
      continue;
    }
    break;
  }
  if (!E)
    return std::nullopt;
  if (isPopCall(E) || isPoppedVariable(E))
    return Negated; // Truthy means an item was delivered.

  const Expr *LHS = nullptr, *RHS = nullptr;
  bool Equal = false, Relational = false;
  if (const auto *Binary = dyn_cast<BinaryOperator>(E)) {
    LHS = Binary->getLHS();
    RHS = Binary->getRHS();
    Equal = Binary->getOpcode() == BO_EQ;
    Relational = Binary->isRelationalOp();
    if (!Binary->isEqualityOp() && !Relational)
      return std::nullopt;
  } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
             Op && Op->getNumArgs() == 2 &&
             (Op->getOperator() == OO_EqualEqual ||
              Op->getOperator() == OO_ExclaimEqual)) {
    LHS = Op->getArg(0);
    RHS = Op->getArg(1);
    Equal = Op->getOperator() == OO_EqualEqual;
  } else {
    return std::nullopt;
  }
  if (isPopCall(RHS) || isPoppedVariable(RHS))
    std::swap(LHS, RHS);
  if (isPopCall(LHS) && !Relational) {
    // A status: `q.wait_pull(x) == queue_op_status::closed`, or `!= success`.
    bool NamesClosed = mentionsName(RHS, "closed");
    bool NamesSuccess = mentionsName(RHS, "success");
    if (!NamesClosed && !NamesSuccess)
      return std::nullopt;
    return (NamesClosed == Equal) != Negated;
  }
  // A sentinel: the branch condition, all of it, compares the delivered value
  // with a constant (`item == kStop`, `item < 0`): a message from the
  // producer. Part of a larger condition (`v > 100 && !process(v)`), it tests
  // the data instead.
  if (isPoppedVariable(LHS) && !hasCall(RHS) && (WholeCondition || Equal)) {
    SawSentinel = true;
    return (Equal || Relational) != Negated;
  }
  return std::nullopt;
}

bool ConsumerAnalyzer::wakes(const CFGElement &Element) const {
  if (std::optional<CFGStmt> S = Element.getAs<CFGStmt>()) {
    const auto *Call = dyn_cast<CallExpr>(S->getStmt());
    if (!Call)
      return false;
    if (const FunctionDecl *Callee = Call->getDirectCallee();
        Callee && Callee->isNoReturn())
      return true; // The process ends; nothing is left waiting.
    return closesQueue(Call, OnQueue, 0, QueueObject, Api);
  }
  // A guard whose destructor closes the queue: a class that calls a close
  // method in its destructor, or a scope guard given a lambda that closes.
  if (std::optional<CFGAutomaticObjDtor> Dtor =
          Element.getAs<CFGAutomaticObjDtor>())
    return guardCloses(Dtor->getVarDecl());
  return false;
}

bool ConsumerAnalyzer::guardCloses(const VarDecl *Var) const {
  if (const Expr *Init = Var->getInit()) {
    bool Closes = false;
    auto Visit = [&](const Stmt *S) {
      if (const auto *Lambda = dyn_cast<LambdaExpr>(S))
        forEachDescendant(Lambda->getBody(), [&](const Stmt *Inner) {
          if (const auto *Call = dyn_cast<CallExpr>(Inner))
            Closes = Closes || closesQueue(Call, OnQueue);
        });
    };
    Visit(ignoreWrappers(Init));
    forEachDescendant(Init, Visit);
    if (Closes)
      return true;
  }
  const CXXRecordDecl *Record =
      Var->getType().getNonReferenceType()->getAsCXXRecordDecl();
  const CXXDestructorDecl *Destructor =
      Record && Record->hasDefinition() ? Record->getDestructor() : nullptr;
  if (!Destructor || !Destructor->hasBody() || !Api || Api->Close.empty() ||
      Var->getType()->isReferenceType())
    return false;
  bool Closes = false;
  forEachDescendant(Destructor->getBody(), [&](const Stmt *S) {
    if (const auto *Call = dyn_cast<CallExpr>(S))
      Closes = Closes || is_contained(Api->Close, calleeName(Call));
  });
  return Closes && Api->hasReliableClose();
}

/// Unwinding from a throw runs the destructors of the locals in scope, which
/// clang's CFG does not show: a closing guard declared before the throw, in
/// a block around it, wakes the other side.
bool ConsumerAnalyzer::unwindingCloses(const Stmt *Throw) const {
  const Stmt *Child = Throw;
  for (const Stmt *P = Parents->getParent(Throw); P;
       Child = P, P = Parents->getParent(P)) {
    if (isa<CXXTryStmt>(P))
      return false; // Caught here: what happens next is in the CFG.
    const auto *Block = dyn_cast<CompoundStmt>(P);
    if (!Block)
      continue;
    for (const Stmt *S : Block->body()) {
      if (S == Child)
        break;
      if (const auto *DS = dyn_cast<DeclStmt>(S))
        for (const Decl *D : DS->decls())
          if (const auto *Var = dyn_cast<VarDecl>(D);
              Var && !Var->isStaticLocal() && guardCloses(Var))
            return true;
    }
  }
  return false;
}

bool ConsumerAnalyzer::leavesPopLoop(const Stmt *Jump) const {
  if (!isWithin(PopLoop, Jump))
    return false;
  if (isa<BreakStmt>(Jump)) {
    for (const Stmt *P = Parents->getParent(Jump); P; P = Parents->getParent(P))
      if (isLoop(P) || isa<SwitchStmt>(P))
        return P == PopLoop;
    return false;
  }
  if (const auto *Goto = dyn_cast<GotoStmt>(Jump))
    return Goto->getLabel() && Goto->getLabel()->getStmt() &&
           !isWithin(PopLoop, Goto->getLabel()->getStmt());
  return false;
}

/// Whether \p S sits in the try block of a try statement below \p Root
/// (some handler may catch what it throws).
static bool insideTryBlock(const Stmt *S, const ParentMap &Parents) {
  for (const Stmt *Child = S, *P = Parents.getParent(S); P;
       Child = P, P = Parents.getParent(P))
    if (const auto *Try = dyn_cast<CXXTryStmt>(P);
        Try && Try->getTryBlock() == Child)
      return true;
  return false;
}

/// Whether a call to \p Callee can end in an exception that leaves it: a
/// `throw` outside any try block in its body, or such a call (to \p Depth
/// more levels). Unknown bodies, noexcept functions and the system headers'
/// code count as not throwing: reporting is for exceptions the code shows.
bool ConsumerAnalyzer::mayThrowOut(const FunctionDecl *Callee,
                                   int Depth) const {
  const FunctionDecl *Def = Callee ? Callee->getDefinition() : nullptr;
  if (!Def || !Def->getBody() || Def->isInvalidDecl() ||
      Ctx.getSourceManager().isInSystemHeader(Def->getLocation()))
    return false;
  if (const auto *Proto = Def->getType()->getAs<FunctionProtoType>();
      Proto && Proto->isNothrow())
    return false;
  if (auto It = ThrowsOut.find(Def); It != ThrowsOut.end())
    return It->second;
  ThrowsOut[Def] = false; // Recursion: assume not while looking.
  const Stmt *Body = Def->getBody();
  if (containsErrors(Body))
    return false;
  ParentMap CalleeParents(const_cast<Stmt *>(Body));
  bool Throws = false;
  forEachDescendant(Body, [&](const Stmt *S) {
    if (Throws || insideTryBlock(S, CalleeParents))
      return;
    if (isa<CXXThrowExpr>(S))
      Throws = true;
    else if (const auto *Call = dyn_cast<CallExpr>(S); Call && Depth > 0)
      Throws = mayThrowOut(Call->getDirectCallee(), Depth - 1);
  });
  ThrowsOut[Def] = Throws;
  return Throws;
}

void ConsumerAnalyzer::collectCandidates() {
  if (ProducerMode) {
    forEachDescendant(Function->getBody(), [&](const Stmt *S) {
      if (isa<ReturnStmt>(S))
        Candidates.push_back({S, ExitKind::Return});
      else if (isa<CXXThrowExpr>(S))
        Candidates.push_back({S, ExitKind::Throw});
    });
    return;
  }
  // Exits inside the pop loop, or before it starts; those after it are
  // reached only through an exit of the loop that is reported itself.
  const SourceManager &SM = Ctx.getSourceManager();
  auto BeforeLoopEnd = [&](const Stmt *S) {
    for (const Stmt *P = S; P; P = Parents->getParent(P))
      if (P == PopLoop)
        return true;
    return SM.isBeforeInTranslationUnit(S->getBeginLoc(),
                                        PopLoop->getBeginLoc());
  };
  forEachDescendant(Function->getBody(), [&](const Stmt *S) {
    if (isa<ReturnStmt>(S) && BeforeLoopEnd(S))
      Candidates.push_back({S, ExitKind::Return});
    else if (isa<CXXThrowExpr>(S) && BeforeLoopEnd(S))
      Candidates.push_back({S, ExitKind::Throw});
    else if (isa<BreakStmt>(S) && leavesPopLoop(S))
      Candidates.push_back({S, ExitKind::Break});
    else if (isa<GotoStmt>(S) && leavesPopLoop(S))
      Candidates.push_back({S, ExitKind::Goto});
    else if (const auto *Call = dyn_cast<CallExpr>(S);
             Call && ReportThrowingCalls && BeforeLoopEnd(S) &&
             !OnQueue(Call) && !insideTryBlock(Call, *Parents) &&
             mayThrowOut(Call->getDirectCallee(), /*Depth=*/1))
      Candidates.push_back({S, ExitKind::ThrowingCall});
  });
}

std::optional<ConsumerSummary> ConsumerAnalyzer::run() {
  const Stmt *Body = Function->getBody();
  if (!Body || Function->isInvalidDecl() || containsErrors(Body))
    return std::nullopt;
  Parents = std::make_unique<ParentMap>(const_cast<Stmt *>(Body));
  if (ProducerMode) {
    // The API, for guards whose destructor closes: from any operation.
    forEachDescendant(Body, [&](const Stmt *S) {
      if (const auto *Call = dyn_cast<CallExpr>(S); Call && !Api)
        if (std::optional<QueueOperation> Op = OnQueue(Call)) {
          Api = Op->Api;
          QueueObject = Op->Object;
        }
    });
  } else if (!findPopLoop() || !classifyPopLoop()) {
    return std::nullopt;
  }
  collectCandidates();

  CFG::BuildOptions Options;
  Options.AddImplicitDtors = true;
  Options.AddTemporaryDtors = true;
  Options.setAllAlwaysAdd();
  std::unique_ptr<CFG> Graph =
      CFG::buildCFG(Function, const_cast<Stmt *>(Body), &Ctx, Options);
  if (!Graph)
    return std::nullopt;

  const unsigned NumBlocks = Graph->getNumBlockIDs();
  // Edges on which the queue has said it is closed, keyed block*2+successor.
  DenseSet<std::pair<unsigned, unsigned>> Drained;
  // Edges out of the pop loop through a condition that is no drain check.
  SmallVector<std::tuple<const CFGBlock *, unsigned, const Expr *>, 2>
      ConditionExits;
  const CFGBlock *LoopExit = nullptr;
  for (const CFGBlock *Block : *Graph)
    if (PopLoop && Block->getTerminatorStmt() == PopLoop &&
        Block->succ_size() == 2)
      LoopExit = Block->succ_begin()[1].getReachableBlock();

  const Expr *LoopCond = nullptr;
  if (const auto *While = dyn_cast_or_null<WhileStmt>(PopLoop))
    LoopCond = While->getCond();
  else if (const auto *Do = dyn_cast_or_null<DoStmt>(PopLoop))
    LoopCond = Do->getCond();
  else if (const auto *For = dyn_cast_or_null<ForStmt>(PopLoop))
    LoopCond = For->getCond();

  for (const CFGBlock *Block : *Graph) {
    const Stmt *Terminator = Block->getTerminatorStmt();
    if (!Terminator || Block->succ_size() != 2)
      continue;
    const auto *Cond = dyn_cast_or_null<Expr>(Block->getTerminatorCondition());
    if (!Cond)
      continue;
    bool WholeCondition = isa<IfStmt, WhileStmt, DoStmt, ForStmt>(Terminator);
    if (std::optional<bool> ClosedOnTrue =
            closedWhenTrue(Cond, WholeCondition)) {
      Drained.insert({Block->getBlockID(), *ClosedOnTrue ? 0u : 1u});
      continue;
    }
    bool InLoopCondition =
        Terminator == PopLoop || (LoopCond && isWithin(LoopCond, Terminator));
    if (!InLoopCondition || !LoopExit || PopLoopEnd != LoopEnd::WhenClosed)
      continue;
    for (unsigned I = 0; I < 2; ++I)
      if (Block->succ_begin()[I].getReachableBlock() == LoopExit)
        ConditionExits.push_back({Block, I, Cond});
  }

  auto IsDrained = [&](const CFGBlock *Block, unsigned Succ) {
    return Drained.contains({Block->getBlockID(), Succ});
  };

  // Where each candidate sits: (block, element index), or the terminator.
  DenseMap<const Stmt *, std::pair<const CFGBlock *, int>> Position;
  SmallPtrSet<const Stmt *, 8> CandidateStmts;
  for (const StrandingExit &C : Candidates)
    CandidateStmts.insert(C.Stmt);
  for (const CFGBlock *Block : *Graph) {
    int Index = 0;
    for (const CFGElement &Element : *Block) {
      if (std::optional<CFGStmt> S = Element.getAs<CFGStmt>())
        if (CandidateStmts.contains(S->getStmt()))
          Position.try_emplace(S->getStmt(), Block, Index);
      ++Index;
    }
    if (const Stmt *T = Block->getTerminatorStmt();
        T && CandidateStmts.contains(T))
      Position.try_emplace(T, Block, -1);
  }

  // Where each block wakes the other side, computed once: the first and the
  // last waking element (-1: none). wakes() may look into callee bodies, so
  // it must not run again on every round of the passes below.
  std::vector<int> FirstWake(NumBlocks, -1), LastWake(NumBlocks, -1);
  for (const CFGBlock *Block : *Graph) {
    int Index = 0;
    for (const CFGElement &Element : *Block) {
      if (wakes(Element)) {
        if (FirstWake[Block->getBlockID()] < 0)
          FirstWake[Block->getBlockID()] = Index;
        LastWake[Block->getBlockID()] = Index;
      }
      ++Index;
    }
  }
  auto WakesFrom = [&](const CFGBlock *Block, int From) {
    return LastWake[Block->getBlockID()] >= From;
  };

  // Pass 1: from the entry, the blocks entered along unwoken paths; a block
  // that wakes passes nothing on.
  std::vector<char> Entered(NumBlocks, 0);
  SmallVector<const CFGBlock *, 32> Worklist{&Graph->getEntry()};
  Entered[Graph->getEntry().getBlockID()] = 1;
  while (!Worklist.empty()) {
    const CFGBlock *Block = Worklist.pop_back_val();
    int Wake = FirstWake[Block->getBlockID()];
    if (Wake >= 0)
      continue;
    unsigned SuccIndex = 0;
    for (const CFGBlock::AdjacentBlock &Succ : Block->succs()) {
      const CFGBlock *Next = Succ.getReachableBlock();
      if (Next && !IsDrained(Block, SuccIndex) &&
          !Entered[Next->getBlockID()]) {
        Entered[Next->getBlockID()] = 1;
        Worklist.push_back(Next);
      }
      ++SuccIndex;
    }
  }

  // Pass 2: the blocks from whose start the end is reached unwoken.
  std::vector<char> ReachesEnd(NumBlocks, 0);
  bool Changed = true;
  ReachesEnd[Graph->getExit().getBlockID()] = 1;
  for (int Round = 0; Changed && Round < 1000; ++Round) {
    Changed = false;
    for (const CFGBlock *Block : *Graph) {
      if (ReachesEnd[Block->getBlockID()] || WakesFrom(Block, 0))
        continue;
      unsigned SuccIndex = 0;
      for (const CFGBlock::AdjacentBlock &Succ : Block->succs()) {
        const CFGBlock *Next = Succ.getReachableBlock();
        if (Next && !IsDrained(Block, SuccIndex) &&
            ReachesEnd[Next->getBlockID()]) {
          ReachesEnd[Block->getBlockID()] = 1;
          Changed = true;
          break;
        }
        ++SuccIndex;
      }
    }
  }
  auto EndReachableAfter = [&](const CFGBlock *Block, int Index, int OnlySucc) {
    if (Index >= 0 && WakesFrom(Block, Index + 1))
      return false;
    if (Block == &Graph->getExit())
      return true;
    unsigned SuccIndex = 0;
    for (const CFGBlock::AdjacentBlock &Succ : Block->succs()) {
      const CFGBlock *Next = Succ.getReachableBlock();
      if (Next && (OnlySucc < 0 || unsigned(OnlySucc) == SuccIndex) &&
          !IsDrained(Block, SuccIndex) && ReachesEnd[Next->getBlockID()])
        return true;
      ++SuccIndex;
    }
    return false;
  };
  auto ReachedUnwoken = [&](const CFGBlock *Block, int Index) {
    if (!Entered[Block->getBlockID()])
      return false;
    int Wake = FirstWake[Block->getBlockID()];
    return Wake < 0 || (Index >= 0 && Index < Wake);
  };

  ConsumerSummary Summary;
  Summary.Pop = Pop;
  Summary.PopLoop = PopLoop;
  Summary.EndsOnOwnCondition = PopLoopEnd == LoopEnd::OnOwnCondition;
  for (const StrandingExit &C : Candidates) {
    auto It = Position.find(C.Stmt);
    if (It == Position.end())
      continue; // Dead code.
    auto [Block, Index] = It->second;
    // An exception from a call leaves at once: no path in the CFG to follow,
    // only the guards it unwinds.
    if (C.Kind == ExitKind::ThrowingCall) {
      if (ReachedUnwoken(Block, Index) && !unwindingCloses(C.Stmt))
        Summary.Exits.push_back(C);
      continue;
    }
    if (ReachedUnwoken(Block, Index) && EndReachableAfter(Block, Index, -1) &&
        !(C.Kind == ExitKind::Throw && unwindingCloses(C.Stmt)))
      Summary.Exits.push_back(C);
  }
  for (auto [Block, Succ, Cond] : ConditionExits)
    if (ReachedUnwoken(Block, -1) && EndReachableAfter(Block, -1, Succ))
      Summary.Exits.push_back({Cond, ExitKind::LoopCondition});
  // Reaching the closing brace: the exit block entered from a block that
  // does not end in a return or throw.
  if (ProducerMode)
    for (const CFGBlock *Pred : Graph->getExit().preds()) {
      if (!Pred || !ReachedUnwoken(Pred, -1))
        continue;
      const Stmt *Last = nullptr;
      for (const CFGElement &Element : *Pred)
        if (std::optional<CFGStmt> S = Element.getAs<CFGStmt>())
          Last = S->getStmt();
      if (!isa_and_nonnull<ReturnStmt, CXXThrowExpr>(Last)) {
        Summary.Exits.push_back({Body, ExitKind::FallOff});
        break;
      }
    }
  Summary.EndsOnSentinel = SawSentinel;
  const SourceManager &SM = Ctx.getSourceManager();
  auto Where = [](const StrandingExit &E) {
    return E.Kind == ExitKind::FallOff ? E.Stmt->getEndLoc()
                                       : E.Stmt->getBeginLoc();
  };
  llvm::sort(Summary.Exits,
             [&](const StrandingExit &A, const StrandingExit &B) {
               return SM.isBeforeInTranslationUnit(Where(A), Where(B));
             });
  return Summary;
}

} // namespace

std::optional<ConsumerSummary> analyzeConsumer(const FunctionDecl *Body,
                                               ASTContext &Ctx,
                                               QueueOpFinder OnQueue,
                                               bool ExceptionsEndTask) {
  if (!Body || !Body->hasBody())
    return std::nullopt;
  ConsumerAnalyzer Analyzer(
      Body->getDefinition() ? Body->getDefinition() : Body, Ctx, OnQueue);
  Analyzer.ReportThrowingCalls = ExceptionsEndTask;
  return Analyzer.run();
}

std::vector<StrandingExit> findExitsWithoutClose(const FunctionDecl *Body,
                                                 ASTContext &Ctx,
                                                 QueueOpFinder OnQueue) {
  if (!Body || !Body->hasBody())
    return {};
  std::optional<ConsumerSummary> Summary =
      ConsumerAnalyzer(Body->getDefinition() ? Body->getDefinition() : Body,
                       Ctx, OnQueue, /*ProducerMode=*/true)
          .run();
  return Summary ? std::move(Summary->Exits) : std::vector<StrandingExit>();
}

} // namespace fanout
