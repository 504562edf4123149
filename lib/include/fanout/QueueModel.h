//===- QueueModel.h - What a queue is to the analysis ---------------------===//
//
// A queue is described by data: which of its methods block while it is full
// or empty, which close it, what a push does once it is closed, and where its
// capacity comes from. Known library APIs are rows of a table, user options
// add rows, and hand-written classes are described by reading their code
// (QueueInference). Adding an API is adding a row.
//
//===----------------------------------------------------------------------===//
#ifndef FANOUT_QUEUEMODEL_H
#define FANOUT_QUEUEMODEL_H

#include "fanout/Options.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/Expr.h"
#include "llvm/ADT/DenseMap.h"
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fanout {

/// What a call on a queue does.
enum class QueueRole {
  None,
  BlockingPush,    ///< Sleeps while the queue is full.
  BlockingPop,     ///< Sleeps while the queue is empty.
  NonBlockingPush, ///< try/timed push: returns instead of sleeping forever.
  NonBlockingPop,
  Close,       ///< Wakes sleepers; pushes fail from then on.
  SetCapacity, ///< Makes a queue bounded (tbb's set_capacity).
  /// Empties the queue and wakes the pushes asleep at that moment (a
  /// `clear()` that notifies): room once, not a close.
  Drain,
  /// Keeps an error for the consumers (`setException(e)` storing an
  /// exception_ptr) without waking a pop: the pop's wait ignores it.
  StoreError,
};

/// The two sides a close can wake.
enum class QueueSide { Producers, Consumers };

/// What a blocking pop returns once the queue is closed and empty.
enum class ClosedPopResult {
  Unknown,
  ReturnsFalse, ///< bool pop(T &) returns false.
  EmptyValue,   ///< An empty optional, a null pointer, an invalid object.
  Status,       ///< A status value.
  Throws,
};

/// What a push does once the queue has been closed.
enum class ClosedPushResult {
  Unknown,
  ReturnsFalse,  ///< bool push() returns false.
  ReturnsStatus, ///< Returns a status value (`ClosedStatus`).
  Throws,        ///< Throws `ClosedException`.
  Ignored,       ///< Returns normally; the item is dropped or stored.
};

struct QueueApi {
  /// Qualified name, matched against a class and its namespaces; for
  /// inferred queues the class's own name.
  std::string TypeName;
  /// Bounded as constructed (false: only after `SetCapacity`, or never).
  bool BoundedByDefault = true;
  /// Unbounded queues never strand a producer; kept so that they are known.
  bool CanBeBounded = true;
  /// Index of the constructor argument that is the capacity, or -1.
  int CapacityCtorArg = -1;
  /// The field holding the capacity of an inferred queue, if found.
  const clang::FieldDecl *CapacityField = nullptr;

  std::vector<std::string> BlockingPush, BlockingPop, NonBlockingPush,
      NonBlockingPop, Close, SetCapacity, Drain;
  /// Methods that store an error the blocking pop's wait does not watch, and
  /// the field they store it in (an inferred queue's std::exception_ptr).
  std::vector<std::string> StoreError;
  const clang::FieldDecl *StoredErrorField = nullptr;

  ClosedPushResult OnClosedPush = ClosedPushResult::Unknown;
  std::string ClosedException; ///< Spelled as code, for a catch clause.
  std::string ClosedStatus;    ///< Spelled as code, for a comparison.
  std::string ClosedHeader;    ///< Include that declares the above.
  /// Whether a producer already asleep in a blocking push wakes on close.
  bool CloseWakesBlockedPush = true;
  /// Which close methods wake each side: a close that sets a flag only the
  /// pop's wait watches wakes consumers, not a producer asleep in push.
  /// Only read when CloseSidesKnown; otherwise every close wakes both.
  std::vector<std::string> CloseWakingPush, CloseWakingPop;
  bool CloseSidesKnown = false;
  /// How a blocking pop reports that the queue is closed and drained.
  ClosedPopResult OnClosedPop = ClosedPopResult::Unknown;
  /// For a pop that returns a status: the value that means "got an item".
  std::optional<int64_t> PopSuccessStatus;
  /// Whether close affects later pushes too (tbb's abort() only wakes the
  /// callers asleep at that moment, so a later push blocks again).
  bool CloseIsPermanent = true;
  /// Whether this row came from reading a hand-written class.
  bool Inferred = false;
  /// A C-style queue: its operations are functions taking the queue (the
  /// struct, by pointer or reference) as an argument, not members.
  bool FreeFunctions = false;
  /// A push that gives up instead of sleeping forever, as code for the
  /// stop-signal fix: {0} is the object and accessor (`q.`, `p->`), {1} the
  /// pushed arguments. Empty: none known (a non-blocking push of the class
  /// with the blocking push's parameters is then looked for).
  std::string RetryPush;
  /// Whether RetryPush itself waits a while for room (a timed push);
  /// otherwise the fix sleeps between attempts.
  bool RetryPushWaits = false;

  bool isBounded() const { return CanBeBounded; }
  bool hasReliableClose() const {
    return !reliableCloseFor(QueueSide::Producers).empty();
  }
  /// Whether calling close method \p Method wakes, for good, the threads
  /// asleep on \p Side (and makes their later calls return).
  bool closeWakes(llvm::StringRef Method, QueueSide Side) const;
  /// The first close method that wakes \p Side, or empty.
  llvm::StringRef reliableCloseFor(QueueSide Side) const;
  QueueRole roleOf(llvm::StringRef Method) const;
};

/// A call recognised as an operation on a queue.
struct QueueOperation {
  const QueueApi *Api = nullptr;
  QueueRole Role = QueueRole::None;
  const clang::CallExpr *Call = nullptr;
  /// The expression denoting the queue object (`q`, `this->q_`, `*p`).
  const clang::Expr *Object = nullptr;
  /// Whether the call was spelled with `->`.
  bool Arrow = false;
  llvm::StringRef MethodName;
  /// For a C-style queue, the argument the queue is passed as (also
  /// Object).
  bool FreeFunction = false;
};

class QueueModel {
public:
  explicit QueueModel(const AnalysisOptions &Options);
  ~QueueModel();

  /// The queue API of \p Record, or null when it is not a queue.
  const QueueApi *apiFor(const clang::CXXRecordDecl *Record);
  /// Recognises \p Call as an operation on a queue.
  std::optional<QueueOperation> classify(const clang::CallExpr *Call);

  /// The table of library APIs known without configuration.
  static const std::vector<QueueApi> &knownApis();

  /// The queue API of a C-style queue \p Record, read from the functions of
  /// its translation unit that take it by pointer or reference; null when it
  /// is not one.
  const QueueApi *functionApiFor(const clang::RecordDecl *Record);

private:
  const QueueApi *lookupConfigured(const clang::CXXRecordDecl *Record);
  void indexFunctions(const clang::ASTContext &Ctx);
  /// The functions of the translation unit taking a struct by pointer or
  /// reference, and at which parameter, by struct.
  llvm::DenseMap<const clang::RecordDecl *,
                 std::vector<std::pair<const clang::FunctionDecl *, unsigned>>>
      FunctionsTaking;
  bool Indexed = false;
  llvm::DenseMap<const clang::RecordDecl *, const QueueApi *> FunctionApis;
  const AnalysisOptions &Options;
  std::vector<QueueApi> ConfiguredApis;
  llvm::DenseMap<const clang::CXXRecordDecl *, const QueueApi *> Cache;
  /// Inferred descriptions, by the class (or class template) read.
  llvm::DenseMap<const clang::CXXRecordDecl *, const QueueApi *>
      InferredByDefinition;
  std::vector<std::unique_ptr<QueueApi>> InferredApis;
};

/// Whether \p Record's name (and, in order, its namespaces) match the
/// qualified \p Pattern; namespaces in the record that the pattern does not
/// name are skipped, so "tbb::concurrent_bounded_queue" matches
/// tbb::detail::d2::concurrent_bounded_queue.
bool matchesQualifiedName(const clang::NamedDecl *Decl,
                          llvm::StringRef Pattern);

/// The default value a constructor of \p Queue gives its capacity parameter
/// \p Index (`explicit WorkQueue(std::size_t maxSize = 0)`), when constant.
std::optional<int64_t> defaultCapacity(const clang::CXXRecordDecl *Queue,
                                       int Index);

/// Reads a hand-written class and describes it as a queue, or returns null
/// when it does not behave as a bounded blocking queue.
std::unique_ptr<QueueApi> inferQueueApi(const clang::CXXRecordDecl *Record);
/// The same for a C-style queue: a struct and the functions that take it.
std::unique_ptr<QueueApi> inferFunctionQueueApi(
    const clang::RecordDecl *Record,
    llvm::ArrayRef<std::pair<const clang::FunctionDecl *, unsigned>> Functions);

} // namespace fanout

#endif
