//===- FanOut.cpp - Actors and queues of one spawning function ------------===//
#include "fanout/FanOut.h"
#include "fanout/AstHelpers.h"
#include "fanout/Compat.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/Support/FormatVariadic.h"

using namespace clang;
using namespace llvm;

namespace fanout {

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

FanOut::FanOut(const FunctionDecl *Spawner, Summaries &S) : S(S) {
  Threads = S.spawns().collect(Spawner);
  if (Threads.Spawns.empty())
    return;
  for (const SpawnSite &Spawn : Threads.Spawns)
    for (const auto &[Field, Given] : Spawn.Bindings.ThisFieldPaths)
      if (Spawn.Bindings.This.valid() && Given.valid())
        StartedFields.push_back(
            {Spawn.Bindings.This.withField(Field), normalize(Given, Spawner)});
  Actor Caller;
  Caller.Role = Actor::Kind::Caller;
  Caller.Function = Spawner;
  addActor(std::move(Caller));
  for (const SpawnSite &Spawn : Threads.Spawns) {
    Actor A;
    A.Role = Actor::Kind::Spawned;
    A.Function = Spawn.Body;
    A.Spawn = &Spawn;
    A.Bindings = Spawn.Bindings;
    addActor(std::move(A));
  }
  // A fan-out that spans a class: the members that touch the queues the
  // threads use run on their callers' threads.
  const auto *Method = dyn_cast<CXXMethodDecl>(Spawner);
  if (!Method || !Method->isInstance())
    return;
  bool UsesMembers = false;
  for (const auto &Entry : Uses)
    UsesMembers |= Entry.first.base() == AccessPath::BaseKind::This;
  if (!UsesMembers)
    return;
  // Members the threads, the spawner or other members call run as part of
  // those: they are no actors of their own.
  const CXXRecordDecl *Class = Method->getParent();
  SmallVector<const FunctionDecl *, 8> Candidates;
  for (const Decl *D : Class->decls()) {
    const auto *Member = dyn_cast<CXXMethodDecl>(D);
    if (const auto *Template = dyn_cast<FunctionTemplateDecl>(D))
      Member = dyn_cast<CXXMethodDecl>(Template->getTemplatedDecl());
    if (Member && Member->getDefinition())
      Candidates.push_back(Member->getDefinition());
  }
  SmallPtrSet<const FunctionDecl *, 8> Reached;
  auto AddReached = [&](const FunctionDecl *F) {
    for (const ReachedOp &Op : S.opsOf(F))
      for (const ReachedOp *Level = &Op; Level; Level = Level->Inner)
        if (Level->InnerFunction &&
            Level->InnerFunction->getCanonicalDecl() != F->getCanonicalDecl())
          Reached.insert(Level->InnerFunction->getCanonicalDecl());
  };
  for (const Actor &A : Actors)
    AddReached(A.Function);
  for (const FunctionDecl *Candidate : Candidates)
    AddReached(Candidate);
  for (const Decl *D : Class->decls()) {
    const auto *Member = dyn_cast<CXXMethodDecl>(D);
    if (const auto *Template = dyn_cast<FunctionTemplateDecl>(D))
      Member = dyn_cast<CXXMethodDecl>(Template->getTemplatedDecl());
    if (!Member || Member->isStatic() || Member->isImplicit() ||
        isa<CXXConstructorDecl>(Member))
      continue;
    const FunctionDecl *Def = Member->getDefinition();
    if (!Def || !Def->hasBody() || Def == Spawner ||
        Def->isDependentContext() ||
        Reached.contains(Def->getCanonicalDecl()) ||
        any_of(Actors, [&](const Actor &A) { return A.Function == Def; }))
      continue;
    Actor A;
    A.Role = Actor::Kind::Member;
    A.Function = Def;
    A.Bindings.Caller = Spawner;
    A.Bindings.This = AccessPath::thisObject();
    addActor(std::move(A));
  }
}

void FanOut::addActor(Actor A) {
  unsigned Index = Actors.size();
  const FunctionDecl *Function = A.Function;
  Actors.push_back(std::move(A));
  const Actor &Added = Actors.back();
  const SourceManager &SM = S.context().getSourceManager();
  SourceLocation Start = firstSpawnLoc();
  for (const ReachedOp &Op : S.opsOf(Function)) {
    AccessPath Queue;
    if (Added.Role == Actor::Kind::Caller) {
      // The calling thread's part starts at its first spawn.
      const Stmt *At = Op.callHere();
      Queue = normalize(Op.Queue, Threads.Function);
      if (SM.isBeforeInTranslationUnit(At->getBeginLoc(), Start)) {
        // Set-up before the threads start: only the capacity matters.
        if (Op.Op.Role == QueueRole::SetCapacity && Queue.valid())
          CapacitySetters[Queue] = Op.Op.Call;
        continue;
      }
    } else {
      Queue = normalize(substitute(Op.Queue, Added.Bindings, Function),
                        Threads.Function);
    }
    Queue = resolveStarted(std::move(Queue));
    if (!Queue.valid())
      continue;
    Uses[Queue].push_back({Index, &Op});
  }
}

AccessPath FanOut::resolveStarted(AccessPath Queue) const {
  for (const auto &[Field, Given] : StartedFields)
    if (Queue.startsWith(Field))
      return Given.withFields(Queue.fieldsAfter(Field));
  return Queue;
}

SourceLocation FanOut::firstSpawnLoc() const {
  const SpawnSite *First = nullptr;
  const SourceManager &SM = S.context().getSourceManager();
  for (const SpawnSite &Spawn : Threads.Spawns)
    if (!First || SM.isBeforeInTranslationUnit(Spawn.Expr->getBeginLoc(),
                                               First->Expr->getBeginLoc()))
      First = &Spawn;
  if (!First)
    return {};
  // In a loop that spawns, the whole body runs after a spawn from the
  // second round on (`ScopeGuard g([&] { in->finish(); }); pool.add(...)`).
  const Stmt *Start = First->Expr;
  const ParentMap &Parents = S.parents(Threads.Function);
  for (const Stmt *Loop = enclosingLoop(Start, Parents); Loop;
       Loop = enclosingLoop(Loop, Parents))
    Start = Loop;
  return Start->getBeginLoc();
}

const QueueApi *FanOut::api(const AccessPath &Queue) const {
  auto It = Uses.find(Queue);
  if (It == Uses.end() || It->second.empty())
    return nullptr;
  return It->second.front().Op->Op.Api;
}

bool FanOut::isBounded(const AccessPath &Queue) const {
  const QueueApi *Api = api(Queue);
  if (!Api || !Api->isBounded())
    return false;
  // A capacity of 0 is no limit: nothing could go into a queue of no room.
  if (std::optional<int64_t> Value = capacity(Queue).Value;
      Value && *Value == 0)
    return false;
  if (Api->BoundedByDefault || CapacitySetters.count(Queue))
    return true;
  return any_of(Uses.find(Queue)->second, [](const QueueUse &Use) {
    return Use.Op->Op.Role == QueueRole::SetCapacity;
  });
}

const Stmt *FanOut::siteOf(const QueueUse &Use) { return Use.Op->callHere(); }

bool FanOut::callerUsesAfter(const AccessPath &Queue, const WaitSite *Wait,
                             function_ref<bool(const QueueUse &)> Which) const {
  auto It = Uses.find(Queue);
  if (!Wait || It == Uses.end())
    return false;
  const SourceManager &SM = S.context().getSourceManager();
  bool Any = false;
  for (const QueueUse &Use : It->second) {
    if (Actors[Use.Actor].Role != Actor::Kind::Caller || !Which(Use))
      continue;
    Any = true;
    if (SM.isBeforeInTranslationUnit(siteOf(Use)->getBeginLoc(), Wait->Loc))
      return false;
  }
  return Any;
}

const WaitSite *FanOut::waitOn(const SpawnSite *Spawn) const {
  return Threads.waitOn(Spawn, S.context().getSourceManager());
}

const ValueDecl *FanOut::declOf(const AccessPath &Queue) const {
  if (const ValueDecl *Decl = Queue.leafDecl())
    return Decl;
  if (Queue.base() == AccessPath::BaseKind::Param && Queue.fields().empty() &&
      Queue.paramIndex() < Threads.Function->getNumParams())
    return Threads.Function->getParamDecl(Queue.paramIndex());
  return nullptr;
}

std::string FanOut::nameOf(const AccessPath &Queue) const {
  if (const ValueDecl *Decl = declOf(Queue); Decl && Decl->getIdentifier())
    return Decl->getNameAsString();
  return "queue";
}

namespace {

/// The initialiser of the object \p Queue names: a variable's, a field's
/// in-class one, or the spawner's constructor's member initialiser.
const Expr *initializerOf(const AccessPath &Queue, const ValueDecl *Decl,
                          const FunctionDecl *Spawner) {
  if (const auto *Var = dyn_cast_or_null<VarDecl>(Decl))
    return Var->getInit();
  const auto *Field = dyn_cast_or_null<FieldDecl>(Decl);
  if (!Field)
    return nullptr;
  auto FromCtor = [&](const CXXConstructorDecl *Ctor) -> const Expr * {
    for (const CXXCtorInitializer *Init : Ctor->inits())
      if (Init->isWritten() && Init->getMember() &&
          Init->getMember()->getCanonicalDecl() == Field->getCanonicalDecl())
        return Init->getInit();
    return nullptr;
  };
  if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(Spawner))
    if (const Expr *Init = FromCtor(Ctor))
      return Init;
  if (const auto *Parent = dyn_cast<CXXRecordDecl>(Field->getParent()))
    for (const CXXConstructorDecl *Ctor : Parent->ctors())
      if (const CXXConstructorDecl *Def =
              dyn_cast_or_null<CXXConstructorDecl>(Ctor->getDefinition()))
        if (const Expr *Init = FromCtor(Def))
          return Init;
  return Field->getInClassInitializer();
}

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
  if (T->isPointerType())
    T = T->getPointeeType().getUnqualifiedType();
  return T.getAsString(Policy);
}

} // namespace

QueueCapacity FanOut::capacity(const AccessPath &Queue) const {
  QueueCapacity Result;
  const QueueApi *Api = api(Queue);
  if (!Api)
    return Result;
  const Expr *CapacityExpr = nullptr;
  if (const Expr *Init =
          initializerOf(Queue, declOf(Queue), Threads.Function)) {
    Init = ignoreWrappers(Init);
    if (const auto *New = dyn_cast<CXXNewExpr>(Init))
      Init = ignoreWrappers(New->getConstructExpr());
    // `std::make_shared<Q>(cap)`: the arguments are the constructor's.
    SmallVector<const Expr *, 4> Args;
    if (const auto *Construct = dyn_cast_or_null<CXXConstructExpr>(Init))
      Args.append(Construct->arg_begin(), Construct->arg_end());
    else if (const auto *Call = dyn_cast_or_null<CallExpr>(Init)) {
      StringRef Name = calleeName(Call);
      if (Name == "make_shared" || Name == "make_unique")
        Args.append(Call->arg_begin(), Call->arg_end());
    } else if (const auto *List = dyn_cast_or_null<InitListExpr>(Init))
      for (const Expr *Arg : List->inits())
        Args.push_back(Arg);
    else if (const auto *Parens = dyn_cast_or_null<ParenListExpr>(Init))
      for (unsigned I = 0; I < Parens->getNumExprs(); ++I)
        Args.push_back(Parens->getExpr(I));
    int Index = Api->CapacityCtorArg;
    if (Index >= 0 && unsigned(Index) < Args.size())
      CapacityExpr = Args[Index];
  }
  // `q.set_capacity(n)` wins over the constructor.
  if (const CallExpr *Setter = CapacitySetters.lookup(Queue);
      Setter && Setter->getNumArgs())
    CapacityExpr = Setter->getArg(0);
  for (const QueueUse &Use : Uses.find(Queue)->second)
    if (Use.Op->Op.Role == QueueRole::SetCapacity &&
        Use.Op->Op.Call->getNumArgs())
      CapacityExpr = Use.Op->Op.Call->getArg(0);
  // Nothing given where it is made (`std::make_shared<Q>()`): the
  // constructor's default, if it has one.
  if (!CapacityExpr) {
    if (const ValueDecl *Decl = declOf(Queue))
      Result.Value =
          defaultCapacity(pointeeRecord(Decl->getType()), Api->CapacityCtorArg);
    return Result;
  }
  // The constructor's default: its value counts, but it has no text here.
  if (const auto *Default = dyn_cast<CXXDefaultArgExpr>(CapacityExpr)) {
    Result.Value = evaluateInt(Default->getExpr(), S.context());
    return Result;
  }
  Result.Expr = CapacityExpr;
  Result.Text = sourceText(CapacityExpr, S.context());
  Result.Value = evaluateInt(CapacityExpr, S.context());
  return Result;
}

std::string FanOut::describe(const AccessPath &Queue) const {
  const ValueDecl *Decl = declOf(Queue);
  std::string Detail = Decl ? queueTypeName(Decl, S.context()) : "queue";
  QueueCapacity Capacity = capacity(Queue);
  if (!Capacity.Text.empty()) {
    Detail += ", capacity " + Capacity.Text;
    if (Capacity.Value && std::to_string(*Capacity.Value) != Capacity.Text)
      Detail += " = " + std::to_string(*Capacity.Value);
  }
  return formatv("'{0}' ({1})", nameOf(Queue), Detail).str();
}

} // namespace fanout
