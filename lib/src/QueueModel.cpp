//===- QueueModel.cpp - Known queue APIs and lookup -----------------------===//
#include "fanout/QueueModel.h"
#include "fanout/AstHelpers.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"

using namespace clang;
using namespace llvm;

namespace fanout {

QueueRole QueueApi::roleOf(StringRef Method) const {
  auto In = [&](const std::vector<std::string> &Names) {
    return is_contained(Names, Method);
  };
  if (In(BlockingPush))
    return QueueRole::BlockingPush;
  if (In(BlockingPop))
    return QueueRole::BlockingPop;
  if (In(NonBlockingPush))
    return QueueRole::NonBlockingPush;
  if (In(NonBlockingPop))
    return QueueRole::NonBlockingPop;
  if (In(Close))
    return QueueRole::Close;
  if (In(SetCapacity))
    return QueueRole::SetCapacity;
  if (In(Drain))
    return QueueRole::Drain;
  if (In(StoreError))
    return QueueRole::StoreError;
  return QueueRole::None;
}

bool QueueApi::closeWakes(StringRef Method, QueueSide Side) const {
  if (!is_contained(Close, Method))
    return false;
  if (Side == QueueSide::Producers) {
    if (!CloseWakesBlockedPush || !CloseIsPermanent)
      return false;
    return !CloseSidesKnown || is_contained(CloseWakingPush, Method);
  }
  // A close that is not permanent still fails the pops asleep at that
  // moment, but a consumer that comes back to pop sleeps again.
  if (!CloseIsPermanent)
    return false;
  return !CloseSidesKnown || is_contained(CloseWakingPop, Method);
}

StringRef QueueApi::reliableCloseFor(QueueSide Side) const {
  for (const std::string &Method : Close)
    if (closeWakes(Method, Side))
      return Method;
  return {};
}

// The library APIs recognised without configuration. Each row states the real
// semantics of the library, checked against its headers.
static std::vector<QueueApi> makeKnownApis() {
  std::vector<QueueApi> Apis;
  {
    // Boost.Thread: push blocks while full and throws sync_queue_is_closed
    // once closed (also when woken by close); wait_push_back blocks as long
    // and reports it as queue_op_status::closed.
    QueueApi Boost;
    Boost.TypeName = "boost::concurrent::sync_bounded_queue";
    Boost.CapacityCtorArg = 0;
    Boost.BlockingPush = {"push", "push_back", "wait_push", "wait_push_back"};
    Boost.BlockingPop = {"pull", "pull_front", "wait_pull", "wait_pull_front"};
    Boost.NonBlockingPush = {"try_push", "try_push_back", "nonblocking_push",
                             "nonblocking_push_back"};
    Boost.NonBlockingPop = {"try_pull", "try_pull_front", "nonblocking_pull",
                            "nonblocking_pull_front"};
    Boost.Close = {"close"};
    Boost.OnClosedPush = ClosedPushResult::Throws;
    Boost.OnClosedPop = ClosedPopResult::Status;
    Boost.PopSuccessStatus = 0; // queue_op_status::success
    Boost.ClosedException = "boost::sync_queue_is_closed";
    Boost.ClosedHeader = "boost/thread/concurrent_queues/queue_op_status.hpp";
    Apis.push_back(Boost);

    QueueApi Unbounded = Boost;
    Unbounded.TypeName = "boost::concurrent::sync_queue";
    Unbounded.CanBeBounded = false;
    Unbounded.CapacityCtorArg = -1;
    Apis.push_back(Unbounded);
  }
  {
    // oneTBB: bounded only after set_capacity(); abort() makes the callers
    // asleep at that moment throw tbb::user_abort, but a later push on a full
    // queue sleeps again, so abort() is no reliable cancellation.
    QueueApi Tbb;
    Tbb.TypeName = "tbb::concurrent_bounded_queue";
    Tbb.BoundedByDefault = false;
    Tbb.BlockingPush = {"push", "emplace"};
    Tbb.BlockingPop = {"pop"};
    Tbb.NonBlockingPush = {"try_push", "try_emplace"};
    Tbb.NonBlockingPop = {"try_pop"};
    Tbb.Close = {"abort"};
    Tbb.SetCapacity = {"set_capacity"};
    Tbb.OnClosedPush = ClosedPushResult::Throws;
    Tbb.ClosedException = "tbb::user_abort";
    Tbb.ClosedHeader = "tbb/concurrent_queue.h";
    Tbb.CloseIsPermanent = false;
    Tbb.RetryPush = "{0}try_push({1})";
    Apis.push_back(Tbb);
  }
  {
    // moodycamel (Debian libreaderwriterqueue-dev): a single-producer,
    // single-consumer ring; wait_enqueue sleeps on a slot semaphore and there
    // is no way to wake it but a dequeue.
    QueueApi Ring;
    Ring.TypeName = "moodycamel::BlockingReaderWriterCircularBuffer";
    Ring.CapacityCtorArg = 0;
    Ring.BlockingPush = {"wait_enqueue"};
    Ring.BlockingPop = {"wait_dequeue"};
    Ring.NonBlockingPush = {"try_enqueue", "wait_enqueue_timed"};
    Ring.NonBlockingPop = {"try_dequeue", "wait_dequeue_timed"};
    Ring.RetryPush =
        "{0}wait_enqueue_timed({1}, std::chrono::milliseconds(10))";
    Ring.RetryPushWaits = true;
    Apis.push_back(Ring);
    for (const char *Unbounded : {"moodycamel::BlockingReaderWriterQueue",
                                  "moodycamel::BlockingConcurrentQueue"}) {
      QueueApi Queue = Ring;
      Queue.TypeName = Unbounded;
      Queue.CanBeBounded = false;
      Queue.CapacityCtorArg = -1;
      Queue.BlockingPush = {"enqueue"};
      Queue.NonBlockingPush = {"try_enqueue"};
      Apis.push_back(Queue);
    }
  }
  {
    // Boost.Fiber channels: push blocks (the fiber, and so its thread) while
    // full and returns channel_op_status::closed once closed. An unbuffered
    // channel holds nothing: every push waits for a pop.
    QueueApi Channel;
    Channel.TypeName = "boost::fibers::buffered_channel";
    Channel.CapacityCtorArg = 0;
    Channel.BlockingPush = {"push"};
    Channel.BlockingPop = {"pop", "value_pop"};
    Channel.NonBlockingPush = {"try_push", "push_wait_for", "push_wait_until"};
    Channel.NonBlockingPop = {"try_pop", "pop_wait_for", "pop_wait_until"};
    Channel.Close = {"close"};
    Channel.OnClosedPush = ClosedPushResult::ReturnsStatus;
    Channel.OnClosedPop = ClosedPopResult::Status;
    Channel.PopSuccessStatus = 0; // channel_op_status::success
    Channel.ClosedStatus = "boost::fibers::channel_op_status::closed";
    Apis.push_back(Channel);
    QueueApi Unbuffered = Channel;
    Unbuffered.TypeName = "boost::fibers::unbuffered_channel";
    Unbuffered.CapacityCtorArg = -1;
    Apis.push_back(Unbuffered);
  }
  {
    // folly: no close at all; blockingWrite sleeps until a reader makes room.
    QueueApi Mpmc;
    Mpmc.TypeName = "folly::MPMCQueue";
    Mpmc.CapacityCtorArg = 0;
    Mpmc.BlockingPush = {"blockingWrite"};
    Mpmc.BlockingPop = {"blockingRead"};
    Mpmc.NonBlockingPush = {"write", "writeIfNotFull", "tryWriteUntil"};
    Mpmc.NonBlockingPop = {"read", "tryReadUntil"};
    Mpmc.RetryPush = "{0}tryWriteUntil(std::chrono::steady_clock::now() + "
                     "std::chrono::milliseconds(10), {1})";
    Mpmc.RetryPushWaits = true;
    Apis.push_back(Mpmc);
    QueueApi Dynamic;
    Dynamic.TypeName = "folly::DynamicBoundedQueue";
    Dynamic.CapacityCtorArg = 0;
    Dynamic.BlockingPush = {"enqueue"};
    Dynamic.BlockingPop = {"dequeue"};
    Dynamic.NonBlockingPush = {"try_enqueue", "try_enqueue_until",
                               "try_enqueue_for"};
    Dynamic.NonBlockingPop = {"try_dequeue", "try_dequeue_until",
                              "try_dequeue_for"};
    Dynamic.RetryPush =
        "{0}try_enqueue_for({1}, std::chrono::milliseconds(10))";
    Dynamic.RetryPushWaits = true;
    Apis.push_back(Dynamic);
  }
  return Apis;
}

const std::vector<QueueApi> &QueueModel::knownApis() {
  static const std::vector<QueueApi> Apis = makeKnownApis();
  return Apis;
}

bool matchesQualifiedName(const NamedDecl *Decl, StringRef Pattern) {
  Pattern.consume_front("::");
  SmallVector<StringRef, 4> Parts;
  Pattern.split(Parts, "::");
  if (Parts.empty() || !Decl->getIdentifier() ||
      Decl->getName() != Parts.back())
    return false;
  // Walk the enclosing contexts outwards, consuming pattern parts in order.
  auto Remaining = ArrayRef<StringRef>(Parts).drop_back();
  for (const DeclContext *Ctx = Decl->getDeclContext();
       Ctx && !Remaining.empty(); Ctx = Ctx->getParent()) {
    const auto *Named = dyn_cast<NamedDecl>(Ctx);
    if (!Named || !Named->getIdentifier())
      continue;
    if (Named->getName() == Remaining.back())
      Remaining = Remaining.drop_back();
  }
  return Remaining.empty();
}

QueueModel::QueueModel(const AnalysisOptions &Options) : Options(Options) {
  // Each configured type becomes a row with the configured methods that name
  // it, or name no type at all.
  for (const std::string &Type : Options.QueueTypes) {
    QueueApi Api;
    Api.TypeName = Type;
    auto Collect = [&](const std::vector<MethodName> &Methods,
                       std::vector<std::string> &Into) {
      for (const MethodName &M : Methods)
        if (M.Type.empty() || M.Type == Type)
          Into.push_back(M.Method);
    };
    Collect(Options.BlockingPushMethods, Api.BlockingPush);
    Collect(Options.BlockingPopMethods, Api.BlockingPop);
    Collect(Options.CloseMethods, Api.Close);
    Collect(Options.NonBlockingPushMethods, Api.NonBlockingPush);
    if (Api.BlockingPush.empty())
      Api.BlockingPush = {"push"};
    if (Api.BlockingPop.empty())
      Api.BlockingPop = {"pop"};
    ConfiguredApis.push_back(std::move(Api));
  }
}

QueueModel::~QueueModel() = default;

const QueueApi *QueueModel::lookupConfigured(const CXXRecordDecl *Record) {
  for (const QueueApi &Api : ConfiguredApis)
    if (matchesQualifiedName(Record, Api.TypeName))
      return &Api;
  for (const QueueApi &Api : knownApis())
    if (matchesQualifiedName(Record, Api.TypeName))
      return &Api;
  return nullptr;
}

/// The class whose code describes \p Record: for a template instantiation,
/// the template itself, whose members all have bodies.
static const CXXRecordDecl *describingClass(const CXXRecordDecl *Record) {
  if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(Record))
    if (const ClassTemplateDecl *Template = Spec->getSpecializedTemplate())
      if (!isa<ClassTemplatePartialSpecializationDecl>(Spec))
        return Template->getTemplatedDecl();
  return Record;
}

const QueueApi *QueueModel::apiFor(const CXXRecordDecl *Record) {
  if (!Record)
    return nullptr;
  Record = Record->getCanonicalDecl();
  auto [It, Inserted] = Cache.try_emplace(Record, nullptr);
  if (!Inserted)
    return It->second;
  const QueueApi *Api = lookupConfigured(Record);
  // The standard library has no blocking queue: reading std::vector's or
  // std::thread's members to find one would only cost time.
  if (!Api && Options.InferQueues && !Record->isInStdNamespace()) {
    const CXXRecordDecl *Described = describingClass(Record);
    if (const CXXRecordDecl *Def = Described->getDefinition()) {
      // Several instantiations share one template: infer it once.
      auto [DefIt, DefInserted] =
          InferredByDefinition.try_emplace(Def->getCanonicalDecl(), nullptr);
      if (DefInserted) {
        if (std::unique_ptr<QueueApi> Inferred = inferQueueApi(Def)) {
          InferredApis.push_back(std::move(Inferred));
          DefIt->second = InferredApis.back().get();
        }
      }
      Api = DefIt->second;
    }
  }
  Cache[Record] = Api;
  return Api;
}

/// The record a parameter takes by pointer or reference, when it is a
/// struct of the user's.
static const RecordDecl *structTaken(const ParmVarDecl *Param) {
  QualType T = Param->getType();
  if (!T->isPointerType() && !T->isReferenceType())
    return nullptr;
  const RecordDecl *Record = T->getPointeeType()->getAsRecordDecl();
  if (!Record || Record->isInStdNamespace() || !Record->getDefinition())
    return nullptr;
  return Record->getDefinition();
}

void QueueModel::indexFunctions(const ASTContext &Ctx) {
  Indexed = true;
  const SourceManager &SM = Ctx.getSourceManager();
  SmallVector<const DeclContext *, 8> Work{Ctx.getTranslationUnitDecl()};
  while (!Work.empty()) {
    const DeclContext *Context = Work.pop_back_val();
    for (const Decl *D : Context->decls()) {
      if (isa<NamespaceDecl, LinkageSpecDecl>(D)) {
        Work.push_back(cast<DeclContext>(D));
        continue;
      }
      const auto *Function = dyn_cast<FunctionDecl>(D);
      if (!Function || isa<CXXMethodDecl>(Function) ||
          !Function->doesThisDeclarationHaveABody() ||
          SM.isInSystemHeader(Function->getLocation()))
        continue;
      for (const ParmVarDecl *Param : Function->parameters())
        if (const RecordDecl *Record = structTaken(Param)) {
          FunctionsTaking[Record].push_back(
              {Function, Param->getFunctionScopeIndex()});
          break;
        }
    }
  }
}

const QueueApi *QueueModel::functionApiFor(const RecordDecl *Record) {
  if (!Record || !Options.InferQueues)
    return nullptr;
  Record = Record->getDefinition();
  if (!Record)
    return nullptr;
  auto [It, Inserted] = FunctionApis.try_emplace(Record, nullptr);
  if (!Inserted)
    return It->second;
  if (!Indexed)
    indexFunctions(Record->getASTContext());
  auto Functions = FunctionsTaking.find(Record);
  if (Functions == FunctionsTaking.end())
    return nullptr;
  std::unique_ptr<QueueApi> Api =
      inferFunctionQueueApi(Record, Functions->second);
  if (!Api)
    return nullptr;
  InferredApis.push_back(std::move(Api));
  return FunctionApis[Record] = InferredApis.back().get();
}

std::optional<QueueOperation> QueueModel::classify(const CallExpr *Call) {
  bool Arrow = false;
  const Expr *Object = calleeObject(Call, &Arrow);
  if (!Object) {
    // `ring_put(&r, item)`: a C-style queue's function.
    const FunctionDecl *Callee = Call->getDirectCallee();
    if (!Callee || isa<CXXMethodDecl>(Callee) || !Callee->getIdentifier())
      return std::nullopt;
    for (const ParmVarDecl *Param : Callee->parameters()) {
      const RecordDecl *Record = structTaken(Param);
      if (!Record)
        continue;
      unsigned Index = Param->getFunctionScopeIndex();
      const QueueApi *Api = functionApiFor(Record);
      if (!Api || Index >= Call->getNumArgs())
        return std::nullopt;
      QueueRole Role = Api->roleOf(Callee->getName());
      if (Role == QueueRole::None)
        return std::nullopt;
      QueueOperation Op{
          Api, Role, Call, Call->getArg(Index), false, Callee->getName()};
      Op.FreeFunction = true;
      return Op;
    }
    return std::nullopt;
  }
  const CXXRecordDecl *Record = pointeeRecord(Object->getType());
  if (!Record && Arrow)
    return std::nullopt;
  const QueueApi *Api = apiFor(Record);
  if (!Api)
    return std::nullopt;
  StringRef Name = calleeName(Call);
  QueueRole Role = Api->roleOf(Name);
  if (Role == QueueRole::None)
    return std::nullopt;
  return QueueOperation{Api, Role, Call, Object, Arrow, Name};
}

} // namespace fanout
