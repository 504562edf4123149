//===- TestSupport.h - Parsing snippets for lib/ unit tests ---------------===//
#ifndef FANOUT_TEST_TESTSUPPORT_H
#define FANOUT_TEST_TESTSUPPORT_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/DeclCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "clang/Frontend/ASTUnit.h"
#include "clang/Tooling/Tooling.h"
#include <memory>
#include <string>

namespace fanout::test {

/// Just enough of the standard library for the analyses: parsing the real
/// headers would make each test take a second. Then the project's one
/// hand-written bounded queue, examples/bounded_queue.h (BoundedQueue<T>:
/// push, pop, try_push, close; the capacity is the constructor's argument
/// and the field capacity_).
inline const char *prelude() {
  return R"cpp(
namespace std {
using size_t = decltype(sizeof(0));
template <class T> T &&move(T &t);
template <class T> struct reference_wrapper { T *p; };
template <class T> reference_wrapper<T> ref(T &t);
struct mutex { void lock(); void unlock(); };
template <class M> struct unique_lock { explicit unique_lock(M &); ~unique_lock(); };
template <class M> struct lock_guard { explicit lock_guard(M &); ~lock_guard(); };
struct condition_variable {
  void notify_one(); void notify_all();
  void wait(unique_lock<mutex> &);
  template <class P> void wait(unique_lock<mutex> &, P pred);
};
template <class T> struct deque {
  bool empty() const; size_t size() const;
  void push_back(T); T &front(); void pop_front();
};
template <class T> struct vector {
  template <class... A> void emplace_back(A &&...) {}
  T *begin(); T *end();
};
struct thread {
  template <class F, class... A> explicit thread(F &&, A &&...) {}
  thread(thread &&); ~thread(); void join();
};
template <class T, class... A> T *make_fake(A...);
} // namespace std

// The bounded queue of the examples and the lit tests, BoundedQueue<T>, read
// from the source tree: its standard headers are empty files (parse()), the
// names it uses being declared above.
#include "bounded_queue.h"
bool process(int);
)cpp";
}

#ifndef FANOUT_EXAMPLES_DIR
#error "FANOUT_EXAMPLES_DIR must name the examples/ directory"
#endif

/// The prelude, then \p Code. The standard headers that bounded_queue.h
/// includes are served from memory, empty: the prelude declared their names.
inline std::unique_ptr<clang::ASTUnit> parse(const std::string &Code) {
  clang::tooling::FileContentMappings Files;
  for (const char *Header :
       {"condition_variable", "cstddef", "deque", "mutex", "utility"})
    Files.emplace_back(std::string("/fanout-unit-std/") + Header, "");
  return clang::tooling::buildASTFromCodeWithArgs(
      std::string(prelude()) + Code,
      {"-std=c++20", "-fsyntax-only", "-nostdinc", "-isystem",
       "/fanout-unit-std", "-I", FANOUT_EXAMPLES_DIR},
      "input.cpp", "fanout-unit-tests",
      std::make_shared<clang::PCHContainerOperations>(),
      clang::tooling::getClangStripDependencyFileAdjuster(), Files);
}

/// The first definition of a function or method named \p Name.
inline const clang::FunctionDecl *findFunction(clang::ASTContext &Ctx,
                                               llvm::StringRef Name) {
  using namespace clang::ast_matchers;
  auto Matches =
      match(functionDecl(hasName(Name), isDefinition()).bind("f"), Ctx);
  return Matches.empty() ? nullptr
                         : Matches.front().getNodeAs<clang::FunctionDecl>("f");
}

inline const clang::CXXRecordDecl *findClass(clang::ASTContext &Ctx,
                                             llvm::StringRef Name) {
  using namespace clang::ast_matchers;
  auto Matches =
      match(cxxRecordDecl(hasName(Name), isDefinition()).bind("c"), Ctx);
  return Matches.empty() ? nullptr
                         : Matches.front().getNodeAs<clang::CXXRecordDecl>("c");
}

} // namespace fanout::test

#endif
