// Members that start a thread their object keeps: their calls are spawns in
// the caller, on that object, with the fields they set from their arguments.
#include "TestSupport.h"
#include "fanout/FanOut.h"
#include "fanout/Spawns.h"
#include "fanout/Summaries.h"
#include "gtest/gtest.h"

using namespace fanout;
using namespace fanout::test;

namespace {

const char *Client = R"cpp(
class Client {
public:
  ~Client() { for (auto &t : workers_) t.join(); }
  void open(BoundedQueue<int> &out) {
    out_ = &out;
    workers_.emplace_back([this] { for (int i = 0; i < 9; ++i) out_->push(i); });
  }
  void runNow(BoundedQueue<int> &out) {
    std::thread t([&out] { out.push(1); });
    t.join();
  }
private:
  BoundedQueue<int> *out_ = nullptr;
  std::vector<std::thread> workers_;
};
void spawner() {
  BoundedQueue<int> q(2);
  Client c;
  c.open(q);
  int v;
  while (q.pop(v)) {}
}
)cpp";

const clang::CXXMethodDecl *method(clang::ASTContext &Ctx,
                                   llvm::StringRef Name) {
  return llvm::dyn_cast_or_null<clang::CXXMethodDecl>(findFunction(Ctx, Name));
}

TEST(StartersTest, AMemberThatKeepsItsThreadIsAStarter) {
  std::unique_ptr<clang::ASTUnit> AST = parse(Client);
  ASSERT_TRUE(AST);
  AnalysisOptions Options;
  SpawnModel Spawns(Options);
  const StarterInfo *Open =
      Spawns.starterInfo(method(AST->getASTContext(), "open"));
  ASSERT_TRUE(Open);
  ASSERT_EQ(Open->Spawns.size(), 1u);
  EXPECT_TRUE(Open->DestructorWaits);
  // `out_ = &out`: the field is what the first argument names.
  ASSERT_EQ(Open->FieldParams.size(), 1u);
  EXPECT_EQ(Open->FieldParams[0].first->getName(), "out_");
  EXPECT_EQ(Open->FieldParams[0].second, 0u);
}

TEST(StartersTest, AMemberThatJoinsWhatItStartsIsNone) {
  std::unique_ptr<clang::ASTUnit> AST = parse(Client);
  ASSERT_TRUE(AST);
  AnalysisOptions Options;
  SpawnModel Spawns(Options);
  EXPECT_FALSE(Spawns.starterInfo(method(AST->getASTContext(), "runNow")));
}

TEST(StartersTest, TheCallerSeesTheThreadOnItsOwnQueue) {
  std::unique_ptr<clang::ASTUnit> AST = parse(Client);
  ASSERT_TRUE(AST);
  clang::ASTContext &Ctx = AST->getASTContext();
  AnalysisOptions Options;
  QueueModel Queues(Options);
  SpawnModel Spawns(Options);
  Summaries S(Ctx, Queues, Spawns);
  FanOut Model(findFunction(Ctx, "spawner"), S);
  ASSERT_EQ(Model.threads().Spawns.size(), 1u);
  // The object's destructor at the end of the scope waits for it.
  EXPECT_TRUE(Model.threads().Spawns[0].DestructorWaits);
  EXPECT_EQ(Model.threads().Waits.size(), 1u);
  // The thread's push on `out_` and the caller's pop are on one queue, `q`.
  ASSERT_EQ(Model.queues().size(), 1u);
  EXPECT_EQ(Model.nameOf(Model.queues().begin()->first), "q");
  EXPECT_EQ(Model.queues().begin()->second.size(), 2u);
}

// Constructors: one that keeps a reference to the caller's queue starts its
// thread in the caller; one given only a copied value is its class's own.
const char *Constructors = R"cpp(
class Reader {
public:
  explicit Reader(BoundedQueue<int> &in) : in_(in), worker_([this] {
    int v; while (in_.pop(v)) if (!process(v)) return; }) {}
  ~Reader() { worker_.join(); }
private:
  BoundedQueue<int> &in_;
  std::thread worker_;
};
class Counter {
public:
  explicit Counter(int limit) : limit_(limit), worker_([this] {
    for (int i = 0; i < limit_; ++i) jobs_.push(i); }) {}
  ~Counter() { worker_.join(); }
private:
  int limit_;
  BoundedQueue<int> jobs_{4};
  std::thread worker_;
};
void spawner(int n) {
  BoundedQueue<int> q(2);
  Reader r(q);
  for (int i = 0; i < n; ++i) q.push(i);
  q.close();
}
void counts() { Counter c(3); }
)cpp";

const clang::CXXConstructorDecl *constructorOf(clang::ASTContext &Ctx,
                                               llvm::StringRef Class) {
  const clang::FunctionDecl *Any = findFunction(Ctx, Class);
  return llvm::dyn_cast_or_null<clang::CXXConstructorDecl>(Any);
}

TEST(StartersTest, AConstructorKeepingTheCallersQueueIsAStarter) {
  std::unique_ptr<clang::ASTUnit> AST = parse(Constructors);
  ASSERT_TRUE(AST);
  clang::ASTContext &Ctx = AST->getASTContext();
  AnalysisOptions Options;
  QueueModel Queues(Options);
  SpawnModel Spawns(Options);
  const clang::CXXConstructorDecl *ReaderCtor = constructorOf(Ctx, "Reader");
  ASSERT_TRUE(ReaderCtor);
  const StarterInfo *Info = Spawns.starterInfo(ReaderCtor);
  ASSERT_TRUE(Info);
  ASSERT_EQ(Info->FieldParams.size(), 1u);
  EXPECT_EQ(Info->FieldParams[0].first->getName(), "in_");
  const clang::CXXConstructorDecl *CounterCtor = constructorOf(Ctx, "Counter");
  ASSERT_TRUE(CounterCtor);
  EXPECT_FALSE(Spawns.starterInfo(CounterCtor));
  // `Reader r(q);` is a spawn in the caller, on the caller's `q`.
  Summaries S(Ctx, Queues, Spawns);
  FanOut Model(findFunction(Ctx, "spawner"), S);
  ASSERT_EQ(Model.threads().Spawns.size(), 1u);
  EXPECT_TRUE(Model.threads().Spawns[0].DestructorWaits);
  ASSERT_EQ(Model.queues().size(), 1u);
  EXPECT_EQ(Model.nameOf(Model.queues().begin()->first), "q");
  FanOut Own(findFunction(Ctx, "counts"), S);
  EXPECT_TRUE(Own.threads().Spawns.empty());
}

} // namespace
