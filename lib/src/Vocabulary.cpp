//===- Vocabulary.cpp - Tables of known library APIs ----------------------===//
#include "fanout/Vocabulary.h"
#include "fanout/QueueModel.h"
#include "clang/AST/DeclCXX.h"

using namespace clang;
using namespace llvm;

namespace fanout {

// Each row states the library's real behaviour, checked against its headers.
static const ThreadTypeRow ThreadTypes[] = {
    {"std::thread", "thread", false, false},
    {"std::jthread", "std::jthread", true, true},
    {"boost::thread", "thread", false, false},
};

using Owner = SpawnFunctionRow::Owner;
static const SpawnFunctionRow SpawnFunctions[] = {
    // async(policy?, f, args...): the future's destructor waits, and keeps
    // what the body throws.
    {"std::async", "std::async", -1, -1, EscapingException::EndsTask,
     Owner::Result},
    // pthread_create(&t, attr, body, arg): body(arg).
    {"pthread_create", "pthread", 2, 3, EscapingException::Terminates,
     Owner::FirstArg},
    // asio: an exception from a handler leaves the pool's run() and thread.
    {"boost::asio::post", "task", -1, -1, EscapingException::Terminates,
     Owner::FirstArg},
    {"boost::asio::dispatch", "task", -1, -1, EscapingException::Terminates,
     Owner::FirstArg},
    {"boost::asio::defer", "task", -1, -1, EscapingException::Terminates,
     Owner::FirstArg},
    // tbb::task_group keeps the exception and rethrows it from wait().
    {"tbb::task_group::run", "task", -1, -1, EscapingException::EndsTask,
     Owner::Object},
    {"tbb::task_arena::enqueue", "task", -1, -1, EscapingException::EndsTask,
     Owner::Object},
    {"boost::thread_group::create_thread", "thread", -1, -1,
     EscapingException::Terminates, Owner::Object},
};

static const WaitRow Waits[] = {
    {"std::thread", "join"},
    {"std::jthread", "join"},
    {"std::jthread", ""},
    {"boost::thread", "join"},
    {"std::future", "get"},
    {"std::future", "wait"},
    {"std::shared_future", "get"},
    {"std::shared_future", "wait"},
    {"boost::asio::thread_pool", "join"},
    {"boost::asio::thread_pool", "wait"},
    {"boost::asio::thread_pool", ""},
    {"tbb::task_group", "wait"},
    {"boost::thread_group", "join_all"},
};

static const InPlaceCallRow InPlaceCalls[] = {
    {"std::for_each", true},
    {"std::for_each_n", true},
    {"std::transform", true},
    {"std::generate", true},
    {"std::generate_n", true},
    {"std::all_of", true},
    {"std::any_of", true},
    {"std::none_of", true},
    {"std::find_if", true},
    {"std::count_if", true},
    {"std::call_once", false},
    {"std::invoke", false},
    {"std::apply", false},
    {"std::ranges::for_each", true},
    {"std::ranges::transform", true},
};

// Library calls that report bad data by throwing: a consumer that meets
// such data leaves by exception.
static const StringRef ThrowingLibraryFunctions[] = {
    "std::stoi",
    "std::stol",
    "std::stoll",
    "std::stoul",
    "std::stoull",
    "std::stof",
    "std::stod",
    "std::stold",
    "std::vector::at",
    "std::deque::at",
    "std::array::at",
    "std::basic_string::at",
    "std::basic_string::substr",
    "std::map::at",
    "std::unordered_map::at",
    "std::optional::value",
    "std::any_cast",
    "std::get",
    "std::rethrow_exception",
    "std::bitset::to_ulong",
    "std::basic_regex::basic_regex",
    "std::filesystem::file_size",
    "std::filesystem::create_directory",
    "std::filesystem::create_directories",
    "std::filesystem::remove",
    "std::filesystem::rename",
    "std::filesystem::copy_file",
    "boost::lexical_cast",
    "boost::any_cast",
};

static const StringRef LatchTypes[] = {"latch", "barrier"};

ArrayRef<ThreadTypeRow> threadTypes() { return ThreadTypes; }
ArrayRef<SpawnFunctionRow> spawnFunctions() { return SpawnFunctions; }
ArrayRef<WaitRow> waitRows() { return Waits; }
ArrayRef<InPlaceCallRow> inPlaceCalls() { return InPlaceCalls; }
ArrayRef<StringRef> throwingLibraryFunctions() {
  return ThrowingLibraryFunctions;
}
ArrayRef<StringRef> latchTypes() { return LatchTypes; }

const ThreadTypeRow *threadTypeRow(const CXXRecordDecl *Record) {
  if (!Record)
    return nullptr;
  for (const ThreadTypeRow &Row : ThreadTypes)
    if (matchesQualifiedName(Record, Row.Name))
      return &Row;
  return nullptr;
}

const SpawnFunctionRow *spawnFunctionRow(const FunctionDecl *Callee) {
  if (!Callee || !Callee->getIdentifier())
    return nullptr;
  for (const SpawnFunctionRow &Row : SpawnFunctions)
    if (matchesQualifiedName(Callee, Row.Name))
      return &Row;
  return nullptr;
}

bool isThrowingLibraryFunction(const FunctionDecl *Callee) {
  if (!Callee)
    return false;
  const NamedDecl *Named = Callee;
  // Constructors are named after their class.
  if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(Callee))
    Named = Ctor->getParent();
  if (!Named->getIdentifier())
    return false;
  for (StringRef Name : ThrowingLibraryFunctions) {
    if (isa<CXXConstructorDecl>(Callee)) {
      if (Name.ends_with("::" + Named->getName().str()) &&
          matchesQualifiedName(Named, Name.rsplit("::").first))
        return true;
      continue;
    }
    // `std::get` names a function of the namespace, not every member
    // called get of a class in it.
    if (isa<CXXMethodDecl>(Callee) && Name.count("::") < 2)
      continue;
    if (matchesQualifiedName(Callee, Name))
      return true;
  }
  return false;
}

const InPlaceCallRow *inPlaceCallRow(const FunctionDecl *Callee) {
  if (!Callee || !Callee->getIdentifier())
    return nullptr;
  for (const InPlaceCallRow &Row : InPlaceCalls)
    if (matchesQualifiedName(Callee, Row.Name))
      return &Row;
  return nullptr;
}

} // namespace fanout
