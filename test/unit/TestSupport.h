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
/// headers would make each test take a second.
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

template <typename T> class Queue {
public:
  explicit Queue(std::size_t capacity) : cap_(capacity) {}
  bool push(T v) {
    std::unique_lock<std::mutex> lk(m_);
    full_.wait(lk, [&] { return closed_ || items_.size() < cap_; });
    if (closed_) return false;
    items_.push_back(v);
    empty_.notify_one();
    return true;
  }
  bool pop(T &out) {
    std::unique_lock<std::mutex> lk(m_);
    empty_.wait(lk, [&] { return closed_ || !items_.empty(); });
    if (items_.empty()) return false;
    out = items_.front();
    items_.pop_front();
    full_.notify_one();
    return true;
  }
  void close() {
    std::lock_guard<std::mutex> lk(m_);
    closed_ = true;
    full_.notify_all();
    empty_.notify_all();
  }
private:
  std::mutex m_;
  std::condition_variable full_, empty_;
  std::deque<T> items_;
  std::size_t cap_;
  bool closed_ = false;
};
bool process(int);
)cpp";
}

inline std::unique_ptr<clang::ASTUnit> parse(const std::string &Code) {
  return clang::tooling::buildASTFromCodeWithArgs(
      std::string(prelude()) + Code, {"-std=c++20", "-fsyntax-only"},
      "input.cpp");
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
