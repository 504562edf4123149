//===- Vocabulary.h - The library APIs the analysis knows by name ---------===//
//
// What the standard library, Boost, oneTBB and pthreads offer for starting
// threads, waiting for them and failing with an exception, as rows of
// tables. Hand-written pools, thread classes and queues are read from their
// own code instead (Spawns.cpp, QueueInference.cpp); CheckOptions add rows.
//
//===----------------------------------------------------------------------===//
#ifndef FANOUT_VOCABULARY_H
#define FANOUT_VOCABULARY_H

#include "clang/AST/Decl.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace fanout {

/// How a thread started by a spawn API ends when its body throws.
enum class EscapingException {
  Terminates, ///< std::thread, pthread: the process ends; nothing hangs.
  EndsTask,   ///< std::async, task groups: kept for whoever waits.
};

/// A thread type: constructing it with a callable starts a thread.
struct ThreadTypeRow {
  llvm::StringRef Name; ///< Qualified.
  llvm::StringRef Kind; ///< For messages and for the fixes.
  bool DestructorJoins; ///< std::jthread
  bool TakesStopToken;  ///< The body may take a std::stop_token first.
};

/// A function or method that runs one of its arguments on another thread.
struct SpawnFunctionRow {
  llvm::StringRef Name; ///< Qualified: `std::async`, `tbb::task_group::run`.
  llvm::StringRef Kind;
  /// The callable's argument index; -1: the first callable argument.
  int CallableArg;
  /// The first argument passed to the callable; -1: the ones after it.
  int FirstBoundArg;
  EscapingException Exceptions;
  /// Who owns the task: the object called, the first argument (`post(pool,
  /// f)`, `pthread_create(&t, ...)`), or what the result initialises.
  enum class Owner { Object, FirstArg, Result } TaskOwner;
};

/// A type whose objects wait for the tasks they own.
struct WaitRow {
  llvm::StringRef Type;   ///< Qualified.
  llvm::StringRef Method; ///< Empty: the destructor waits.
};

/// A standard algorithm that calls a function argument where it is called,
/// perhaps many times (`std::for_each`): its lambda runs on this thread.
struct InPlaceCallRow {
  llvm::StringRef Name;
  bool Repeats;
};

llvm::ArrayRef<ThreadTypeRow> threadTypes();
llvm::ArrayRef<SpawnFunctionRow> spawnFunctions();
llvm::ArrayRef<WaitRow> waitRows();
llvm::ArrayRef<InPlaceCallRow> inPlaceCalls();
/// Library functions that throw on bad input (`std::stoi`, `.at()`,
/// `std::optional::value`): a call is a way out of a consumer.
llvm::ArrayRef<llvm::StringRef> throwingLibraryFunctions();
/// Names of the types that count down or wait for a group of threads.
llvm::ArrayRef<llvm::StringRef> latchTypes();

/// The row for \p Record (a thread type), or null.
const ThreadTypeRow *threadTypeRow(const clang::CXXRecordDecl *Record);
/// The row for \p Callee, or null.
const SpawnFunctionRow *spawnFunctionRow(const clang::FunctionDecl *Callee);
/// Whether \p Callee is a library function known to throw on bad data.
bool isThrowingLibraryFunction(const clang::FunctionDecl *Callee);
const InPlaceCallRow *inPlaceCallRow(const clang::FunctionDecl *Callee);

} // namespace fanout

#endif
