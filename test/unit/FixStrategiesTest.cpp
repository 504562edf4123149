//===- FixStrategiesTest.cpp - Each stranded-producer fix strategy alone --===//
//
// Each strategy of FixStrategies.h run on its own on a snippet's one
// stranded producer: which edits it makes, their text and place, and where
// it declines.
//
//===----------------------------------------------------------------------===//
#include "fanout/FixStrategies.h"
#include "TestSupport.h"
#include "fanout/FanOut.h"
#include "fanout/TUAnalysis.h"
#include "clang/Basic/SourceManager.h"
#include "gtest/gtest.h"

using namespace fanout;
using namespace fanout::test;

namespace {

/// The one stranded producer of the function `spawner` in a snippet, with
/// everything its FixContext points into kept alive.
class OneCase {
public:
  explicit OneCase(const std::string &Code) : AST(parse(Code)) {
    if (!AST)
      return;
    clang::ASTContext &Ctx = AST->getASTContext();
    const clang::FunctionDecl *Spawner = findFunction(Ctx, "spawner");
    if (!Spawner)
      return;
    Analysis = std::make_unique<TUAnalysis>(Ctx, Options);
    Model = std::make_unique<FanOut>(Spawner, Analysis->summaries());
    Cases = findStrandedProducerCases(*Model, Analysis->roles());
    if (Cases.size() == 1)
      Fx = std::make_unique<FixContext>(Cases.front(), Ctx);
  }

  /// Null unless the snippet has exactly one stranded producer.
  const FixContext *context() const { return Fx.get(); }
  const StrandedProducerCase &theCase() const { return Cases.front(); }

  /// An edit as `line:column text`, or `line:column-line:column text` for a
  /// replacement (its end excluded); lines are the snippet's own, `prelude`
  /// for the prelude's.
  std::string show(const clang::FixItHint &Fix) const {
    const clang::SourceManager &SM = AST->getSourceManager();
    auto At = [&](clang::SourceLocation Loc) {
      int Line = lineOf(Loc);
      return (Line > 0 ? std::to_string(Line) : std::string("prelude")) + ":" +
             std::to_string(SM.getSpellingColumnNumber(Loc));
    };
    std::string Where = At(Fix.RemoveRange.getBegin());
    if (Fix.RemoveRange.getBegin() != Fix.RemoveRange.getEnd())
      Where += "-" + At(Fix.RemoveRange.getEnd());
    return Where + " " + Fix.CodeToInsert;
  }
  std::vector<std::string> show(llvm::ArrayRef<clang::FixItHint> Fixes) const {
    std::vector<std::string> Shown;
    for (const clang::FixItHint &Fix : Fixes)
      Shown.push_back(show(Fix));
    return Shown;
  }

  /// The snippet's line of \p Loc (the prelude's lines not counted).
  int lineOf(clang::SourceLocation Loc) const {
    static const int PreludeLines = [] {
      std::string Prelude = prelude();
      return static_cast<int>(std::count(Prelude.begin(), Prelude.end(), '\n'));
    }();
    return static_cast<int>(
               AST->getSourceManager().getSpellingLineNumber(Loc)) -
           PreludeLines;
  }

private:
  AnalysisOptions Options;
  std::unique_ptr<clang::ASTUnit> AST;
  std::unique_ptr<TUAnalysis> Analysis;
  std::unique_ptr<FanOut> Model;
  std::vector<StrandedProducerCase> Cases;
  std::unique_ptr<FixContext> Fx;
};

// The mission's example: consumers joined before the producer, each can
// return early; BoundedQueue::push returns false once the queue is closed.
const char *JoinedFirst = R"cpp(
void spawner(int n) {
  BoundedQueue<int> q(8);
  std::thread producer([&] { for (int i = 0; i < n; ++i) q.push(i); q.close(); });
  std::vector<std::thread> pool;
  for (int w = 0; w < 4; ++w)
    pool.emplace_back([&] { int i; while (q.pop(i)) if (!process(i)) return; });
  for (auto &t : pool) t.join();
  producer.join();
}
)cpp";

// The same, but the producer is waited for before the consumers.
const char *ProducerJoinedFirst = R"cpp(
void spawner(int n) {
  BoundedQueue<int> q(8);
  std::thread producer([&] { for (int i = 0; i < n; ++i) q.push(i); q.close(); });
  std::thread consumer([&] { int i; while (q.pop(i)) if (!process(i)) return; });
  producer.join();
  consumer.join();
}
)cpp";

TEST(JoinSideCloseTest, ClosesOnceBeforeTheProducerIsJoined) {
  OneCase C(JoinedFirst);
  ASSERT_TRUE(C.context());
  std::optional<StrategyPlan> Plan = planJoinSideClose(*C.context());
  ASSERT_TRUE(Plan);
  EXPECT_EQ(C.show(Plan->Edits),
            std::vector<std::string>{"9:3 q.close();\n  "});
  // The note sits at the producer's join.
  EXPECT_EQ(C.lineOf(Plan->NoteAt), 9);
  EXPECT_EQ(Plan->Summary, "close 'q' once the consumers are joined");
}

TEST(JoinSideCloseTest, DeclinesWhenTheProducerIsJoinedFirst) {
  OneCase C(ProducerJoinedFirst);
  ASSERT_TRUE(C.context());
  EXPECT_FALSE(planJoinSideClose(*C.context()));
  // The close on the consumer's exit still works there.
  EXPECT_TRUE(planExitCloses(*C.context()));
}

TEST(JoinSideCloseTest, DeclinesWhenAConsumerIsJoinedAfterTheProducer) {
  OneCase C(R"cpp(
void spawner(int n) {
  BoundedQueue<int> q(8);
  std::thread producer([&] { for (int i = 0; i < n; ++i) q.push(i); q.close(); });
  std::thread a([&] { int i; while (q.pop(i)) if (!process(i)) return; });
  std::thread b([&] { int i; while (q.pop(i)) if (!process(i)) return; });
  a.join();
  producer.join();
  b.join();
}
)cpp");
  ASSERT_TRUE(C.context());
  EXPECT_FALSE(planJoinSideClose(*C.context()));
}

TEST(ExitClosesTest, ClosesOnTheConsumerReturn) {
  OneCase C(ProducerJoinedFirst);
  ASSERT_TRUE(C.context());
  std::optional<StrategyPlan> Plan = planExitCloses(*C.context());
  ASSERT_TRUE(Plan);
  // The lone `return` becomes a block that closes first.
  EXPECT_EQ(C.show(Plan->Edits),
            (std::vector<std::string>{"5:71 { q.close(); ", "5:78  }"}));
  EXPECT_EQ(C.lineOf(Plan->NoteAt), 5);
  EXPECT_EQ(Plan->Summary, "close 'q' on each consumer exit");
}

TEST(ExitClosesTest, ClosesAfterAPopLoopThatStopsOnASentinel) {
  OneCase C(R"cpp(
void spawner(int n) {
  BoundedQueue<int> q(8);
  std::thread consumer([&] {
    int i;
    while (q.pop(i) && i >= 0)
      process(i);
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  consumer.join();
}
)cpp");
  ASSERT_TRUE(C.context());
  std::optional<StrategyPlan> Plan = planExitCloses(*C.context());
  ASSERT_TRUE(Plan);
  EXPECT_EQ(C.show(Plan->Edits),
            std::vector<std::string>{"7:18 \n    q.close();"});
}

TEST(ExitClosesTest, ExitStatementsTakeAnyCode) {
  OneCase C(ProducerJoinedFirst);
  ASSERT_TRUE(C.context());
  std::vector<clang::FixItHint> Edits;
  ASSERT_TRUE(planExitStatements(
      *C.context(),
      [](const clang::FunctionDecl *, const AccessPath &) {
        return std::string("stop();");
      },
      /*GuardWhenCallsThrow=*/false, Edits));
  EXPECT_EQ(C.show(Edits),
            (std::vector<std::string>{"5:71 { stop(); ", "5:78  }"}));
  // A statement that cannot be written declines the whole plan.
  Edits.clear();
  EXPECT_FALSE(planExitStatements(
      *C.context(),
      [](const clang::FunctionDecl *, const AccessPath &) {
        return std::string();
      },
      /*GuardWhenCallsThrow=*/false, Edits));
}

TEST(ProducerStopTest, StopsTheProducerLoopOnAFailedPush) {
  OneCase C(JoinedFirst);
  ASSERT_TRUE(C.context());
  std::optional<std::vector<clang::FixItHint>> Edits =
      planProducerStop(*C.context());
  ASSERT_TRUE(Edits);
  EXPECT_EQ(C.show(*Edits),
            std::vector<std::string>{"4:58-4:68 if (!q.push(i)) break;"});
}

TEST(ProducerStopTest, NothingToDoWhenThePushIsChecked) {
  OneCase C(R"cpp(
void spawner(int n) {
  BoundedQueue<int> q(8);
  std::thread consumer([&] { int i; while (q.pop(i)) if (!process(i)) return; });
  for (int i = 0; i < n; ++i)
    if (!q.push(i))
      break;
  q.close();
  consumer.join();
}
)cpp");
  ASSERT_TRUE(C.context());
  std::optional<std::vector<clang::FixItHint>> Edits =
      planProducerStop(*C.context());
  ASSERT_TRUE(Edits);
  EXPECT_TRUE(Edits->empty());
}

TEST(ProducerStopTest, AHelperLoopBreaksOnAFailedPush) {
  OneCase C(R"cpp(
bool feed(BoundedQueue<int> &q, int n) {
  for (int i = 0; i < n; ++i)
    q.push(i);
  return true;
}
void spawner(int n) {
  BoundedQueue<int> q(8);
  std::thread consumer([&] { int i; while (q.pop(i)) if (!process(i)) return; });
  feed(q, n);
  q.close();
  consumer.join();
}
)cpp");
  ASSERT_TRUE(C.context());
  std::optional<std::vector<clang::FixItHint>> Edits =
      planProducerStop(*C.context());
  ASSERT_TRUE(Edits);
  EXPECT_EQ(C.show(*Edits),
            std::vector<std::string>{"4:5-4:15 if (!q.push(i)) break;"});
}

// A queue with no close at all: a blocking push, a non-blocking one, a pop.
const char *Ring = R"cpp(
template <class T> class Ring {
public:
  explicit Ring(std::size_t cap) : cap_(cap) {}
  void push(T v) {
    std::unique_lock<std::mutex> l(m_);
    full_.wait(l, [&] { return items_.size() < cap_; });
    items_.push_back(std::move(v));
    empty_.notify_one();
  }
  bool try_push(T v) {
    std::lock_guard<std::mutex> l(m_);
    if (items_.size() >= cap_)
      return false;
    items_.push_back(std::move(v));
    empty_.notify_one();
    return true;
  }
  T pop() {
    std::unique_lock<std::mutex> l(m_);
    empty_.wait(l, [&] { return !items_.empty(); });
    T v = std::move(items_.front());
    items_.pop_front();
    full_.notify_one();
    return v;
  }
private:
  std::mutex m_;
  std::condition_variable full_, empty_;
  std::deque<T> items_;
  std::size_t cap_;
};
)cpp";

TEST(StopSignalTest, RaisesAFlagAndRetriesTheNonBlockingPush) {
  OneCase C(std::string(Ring) + R"cpp(
void spawner(int n) {
  Ring<int> q(8);
  std::thread consumer([&q] {
    for (;;)
      if (!process(q.pop()))
        return;
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  consumer.join();
}
)cpp");
  ASSERT_TRUE(C.context());
  std::optional<StrategyPlan> Plan = planStopSignal(*C.context());
  ASSERT_TRUE(Plan);
  EXPECT_EQ(
      C.show(Plan->Edits),
      (std::vector<std::string>{
          "35:18 \n  std::atomic<bool> qClosed{false};",
          // After the prelude's last #include.
          "prelude:1 #include <atomic>\n",
          "36:27 , &qClosed",
          "38:29  {",
          "39:9 qClosed = true;\n        ",
          "39:16 \n      }",
          "41:30  {",
          "42:5-42:15 while (!q.try_push(i) && !qClosed)\n"
          "      std::this_thread::sleep_for(std::chrono::milliseconds(1));\n"
          "    if (qClosed)\n"
          "      break;\n"
          "  }",
          "prelude:1 #include <chrono>\n",
          "prelude:1 #include <thread>\n",
      }));
  EXPECT_EQ(C.lineOf(Plan->NoteAt), 35);
  EXPECT_EQ(Plan->Summary,
            "raise 'qClosed' on each consumer exit, and push with 'try_push' "
            "until there is room or 'qClosed' is raised");
}

TEST(StopSignalTest, UsesTheStopSourceTheFunctionHas) {
  OneCase C(std::string(Ring) + R"cpp(
namespace std {
struct stop_source { bool request_stop(); bool stop_requested() const; };
}
void spawner(int n) {
  Ring<int> q(8);
  std::stop_source stop;
  std::thread consumer([&] {
    for (;;)
      if (!process(q.pop()))
        return;
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  consumer.join();
}
)cpp");
  ASSERT_TRUE(C.context());
  std::optional<StrategyPlan> Plan = planStopSignal(*C.context());
  ASSERT_TRUE(Plan);
  std::vector<std::string> Shown = C.show(Plan->Edits);
  // Nothing declared, nothing captured under [&].
  EXPECT_EQ(Shown.front(), "42:29  {");
  EXPECT_EQ(Shown[1], "43:9 stop.request_stop();\n        ");
  EXPECT_EQ(Plan->Summary,
            "request stop through 'stop' on each consumer exit, and push "
            "with 'try_push' until there is room or stop is requested");
}

TEST(StopSignalTest, AFlagNameInUseGetsANumber) {
  OneCase C(std::string(Ring) + R"cpp(
void spawner(int n) {
  Ring<int> q(8);
  int qClosed = 0;
  std::thread consumer([&] {
    for (;;)
      if (!process(q.pop()))
        return;
  });
  for (int i = 0; i < n; ++i)
    q.push(i + qClosed);
  consumer.join();
}
)cpp");
  ASSERT_TRUE(C.context());
  std::optional<StrategyPlan> Plan = planStopSignal(*C.context());
  ASSERT_TRUE(Plan);
  EXPECT_EQ(C.show(Plan->Edits).front(),
            "35:18 \n  std::atomic<bool> qClosed2{false};");
}

/// The ring less its try_push: nothing to retry until the class gets one.
std::string ringWithoutTryPush() {
  std::string NoTryPush = Ring;
  size_t From = NoTryPush.find("  bool try_push");
  size_t To = NoTryPush.find("  T pop()");
  NoTryPush.erase(From, To - From);
  return NoTryPush;
}

TEST(StopSignalTest, GivesTheQueueAPushThatGivesUp) {
  OneCase C(ringWithoutTryPush() + R"cpp(
void spawner(int n) {
  Ring<int> q(8);
  std::thread consumer([&] {
    for (;;)
      if (!process(q.pop()))
        return;
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  consumer.join();
}
)cpp");
  ASSERT_TRUE(C.context());
  bool Waits = true;
  EXPECT_EQ(retryPushTemplate(*C.context(), Waits), "");
  std::optional<AddedTryPush> Added = planTryPushMethod(*C.context());
  ASSERT_TRUE(Added);
  EXPECT_EQ(Added->Name, "try_push");
  ASSERT_EQ(Added->Edits.size(), 1u);
  // Beside push, its body with the wait turned into a test.
  EXPECT_EQ(C.show(Added->Edits.front()),
            "10:4 \n  // Like push, but returns false instead of waiting for "
            "room.\n  bool try_push(T v) {\n    std::unique_lock<std::mutex> "
            "l(m_);\n    if (!(items_.size() < cap_))\n      return false;\n"
            "    items_.push_back(std::move(v));\n    empty_.notify_one();\n"
            "    return true;\n  }");
  std::optional<StrategyPlan> Plan = planStopSignal(*C.context());
  ASSERT_TRUE(Plan);
  EXPECT_EQ(C.show(Plan->Edits).front(), C.show(Added->Edits.front()));
}

TEST(StopSignalTest, SeveralConsumersAreCountedOut) {
  // A flag raised by the first reader to leave would stop the producer while
  // the others still wait for their share: the push gives up only once every
  // reader has left, each counted out by a guard however it leaves.
  OneCase C(ringWithoutTryPush() + R"cpp(
void spawner(int n) {
  Ring<int> q(8);
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r)
    readers.emplace_back([&] {
      for (;;)
        if (!process(q.pop()))
          return;
    });
  for (int i = 0; i < n; ++i)
    q.push(i);
  for (auto &t : readers)
    t.join();
}
)cpp");
  ASSERT_TRUE(C.context());
  std::optional<StrategyPlan> Plan = planStopSignal(*C.context());
  ASSERT_TRUE(Plan);
  std::vector<std::string> Shown = C.show(Plan->Edits);
  EXPECT_TRUE(
      llvm::is_contained(Shown, "27:18 \n  std::atomic<int> qReaders{4};"));
  EXPECT_TRUE(llvm::is_contained(
      Shown, "31:7 struct LeaveCount {\n        std::atomic<int> &left;\n"
             "        ~LeaveCount() { --left; }\n      } leaveCount{qReaders};"
             "\n      "));
  EXPECT_EQ(
      Plan->Summary,
      "give 'Ring' a 'try_push' that returns false instead of waiting "
      "(the class is otherwise unchanged); count the consumers (4) down "
      "in 'qReaders' as each leaves, and push with 'try_push' until there "
      "is room or every consumer has left");
}

TEST(StopSignalTest, CountsOutConsumersThatPopInACall) {
  // The pop loop and its early exit are in drain(); the guard in the thread
  // body counts the reader out whatever drain() does. The count has the
  // bound's type, so that it is not narrowed.
  OneCase C(std::string(Ring) + R"cpp(
void drain(Ring<int> &q) {
  for (;;)
    if (!process(q.pop()))
      return;
}
void spawner(int n, unsigned readers) {
  Ring<int> q(8);
  std::vector<std::thread> pool;
  for (unsigned r = 0; r < readers; ++r)
    pool.emplace_back([&] { drain(q); });
  for (int i = 0; i < n; ++i)
    q.push(i);
  for (auto &t : pool)
    t.join();
}
)cpp");
  ASSERT_TRUE(C.context());
  std::optional<StrategyPlan> Plan = planStopSignal(*C.context());
  ASSERT_TRUE(Plan);
  std::vector<std::string> Shown = C.show(Plan->Edits);
  EXPECT_TRUE(llvm::is_contained(
      Shown, "40:18 \n  std::atomic<unsigned int> qReaders{readers};"));
  EXPECT_TRUE(llvm::is_contained(
      Shown, "43:29 struct LeaveCount { std::atomic<unsigned int> &left; "
             "~LeaveCount() { --left; } } leaveCount{qReaders}; "));
}

TEST(StopSignalTest, RunsAFunctionObjectConsumerInACountingLambda) {
  // The spawning function cannot name the exits of the object's
  // operator(): the thread runs a lambda holding a copy of the object that
  // counts the reader out however it leaves.
  OneCase C(std::string(Ring) + R"cpp(
struct Reader {
  Ring<int> &q;
  void operator()() {
    for (;;)
      if (!process(q.pop()))
        return;
  }
};
void spawner(int n) {
  Ring<int> q(8);
  std::thread reader(Reader{q});
  for (int i = 0; i < n; ++i)
    q.push(i);
  reader.join();
}
)cpp");
  ASSERT_TRUE(C.context());
  std::optional<StrategyPlan> Plan = planStopSignal(*C.context());
  ASSERT_TRUE(Plan);
  std::vector<std::string> Shown = C.show(Plan->Edits);
  EXPECT_TRUE(
      llvm::is_contained(Shown, "43:18 \n  std::atomic<int> qReaders{1};"));
  EXPECT_TRUE(llvm::is_contained(
      Shown, "44:22-44:30 [&, body = Reader{q}]() mutable { struct LeaveCount "
             "{ std::atomic<int> &left; ~LeaveCount() { --left; } } "
             "leaveCount{qReaders}; body(); }"));
}

TEST(StopSignalTest, DeclinesAFunctionObjectGivenArguments) {
  // The object's operator() takes what the spawn passes after it.
  OneCase C(std::string(Ring) + R"cpp(
struct Reader {
  Ring<int> &q;
  void operator()(int limit) {
    for (int seen = 0;; ++seen)
      if (seen == limit || !process(q.pop()))
        return;
  }
};
void spawner(int n) {
  Ring<int> q(8);
  std::thread reader(Reader{q}, 10);
  for (int i = 0; i < n; ++i)
    q.push(i);
  reader.join();
}
)cpp");
  ASSERT_TRUE(C.context());
  EXPECT_FALSE(planStopSignal(*C.context()));
}

TEST(StopSignalTest, CountsWithAMemberOnlyTheConstructorSets) {
  OneCase C(std::string(Ring) + R"cpp(
struct Loader {
  explicit Loader(int readers) : readers_(readers) {}
  void spawner(int n) {
    Ring<int> q(8);
    std::vector<std::thread> pool;
    for (int r = 0; r < readers_; ++r)
      pool.emplace_back([&] {
        for (;;)
          if (!process(q.pop()))
            return;
      });
    for (int i = 0; i < n; ++i)
      q.push(i);
    for (auto &t : pool)
      t.join();
  }
  int readers_;
};
)cpp");
  ASSERT_TRUE(C.context());
  std::optional<StrategyPlan> Plan = planStopSignal(*C.context());
  ASSERT_TRUE(Plan);
  EXPECT_TRUE(llvm::is_contained(
      C.show(Plan->Edits), "37:20 \n    std::atomic<int> qReaders{readers_};"));
}

TEST(StopSignalTest, DeclinesToCountWithAMemberASetterWrites) {
  OneCase C(std::string(Ring) + R"cpp(
struct Loader {
  void resize(int readers) { readers_ = readers; }
  void spawner(int n) {
    Ring<int> q(8);
    std::vector<std::thread> pool;
    for (int r = 0; r < readers_; ++r)
      pool.emplace_back([&] {
        for (;;)
          if (!process(q.pop()))
            return;
      });
    for (int i = 0; i < n; ++i)
      q.push(i);
    for (auto &t : pool)
      t.join();
  }
  int readers_ = 2;
};
)cpp");
  ASSERT_TRUE(C.context());
  EXPECT_FALSE(planStopSignal(*C.context()));
}

TEST(StopSignalTest, DeclinesToCountConsumersSpawnedInABranch) {
  // How many readers there are is not certain.
  OneCase C(std::string(Ring) + R"cpp(
void spawner(int n, bool two) {
  Ring<int> q(8);
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r)
    if (two || r < 2)
      readers.emplace_back([&] {
        for (;;)
          if (!process(q.pop()))
            return;
      });
  for (int i = 0; i < n; ++i)
    q.push(i);
  for (auto &t : readers)
    t.join();
}
)cpp");
  ASSERT_TRUE(C.context());
  EXPECT_FALSE(planStopSignal(*C.context()));
}

TEST(StopSignalTest, DeclinesToCountWhenTheBoundIsWritten) {
  // `readers` changes after the spawns: the count declared from it would
  // not be the number of threads started.
  OneCase C(std::string(Ring) + R"cpp(
void spawner(int n, int readers) {
  Ring<int> q(8);
  std::vector<std::thread> pool;
  for (int r = 0; r < readers; ++r)
    pool.emplace_back([&] {
      for (;;)
        if (!process(q.pop()))
          return;
    });
  readers = 0;
  for (int i = 0; i < n; ++i)
    q.push(i);
  for (auto &t : pool)
    t.join();
}
)cpp");
  ASSERT_TRUE(C.context());
  EXPECT_FALSE(planStopSignal(*C.context()));
}

TEST(StopSignalTest, AddsNoPushForAWaitItCannotTest) {
  // Two waits in push: which one sleeps for room is not certain.
  std::string TwoWaits = ringWithoutTryPush();
  size_t At = TwoWaits.find("    items_.push_back(std::move(v));");
  TwoWaits.insert(At,
                  "    empty_.wait(l, [&] { return items_.size() < 4; });\n");
  OneCase C(TwoWaits + R"cpp(
void spawner(int n) {
  Ring<int> q(8);
  std::thread consumer([&] {
    for (;;)
      if (!process(q.pop()))
        return;
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  consumer.join();
}
)cpp");
  ASSERT_TRUE(C.context());
  EXPECT_FALSE(planTryPushMethod(*C.context()));
  EXPECT_FALSE(planStopSignal(*C.context()));
}

TEST(StopSignalTest, DeclinesWhenThePushArgumentHasSideEffects) {
  OneCase C(std::string(Ring) + R"cpp(
void spawner(int n) {
  Ring<int> q(8);
  std::thread consumer([&] {
    for (;;)
      if (!process(q.pop()))
        return;
  });
  for (int i = 0; i < n;)
    q.push(i++);
  consumer.join();
}
)cpp");
  ASSERT_TRUE(C.context());
  // Retrying would push a different item each time.
  EXPECT_FALSE(planStopSignal(*C.context()));
}

TEST(FixPlannerTest, TheFixIsTheJoinSideCloseWithTheProducerStop) {
  OneCase C(JoinedFirst);
  ASSERT_TRUE(C.context());
  FixPlan Plan = planStrandedProducerFix(C.theCase(), C.context()->Ctx);
  EXPECT_EQ(C.show(Plan.Fixes),
            (std::vector<std::string>{"9:3 q.close();\n  ",
                                      "4:58-4:68 if (!q.push(i)) break;"}));
  ASSERT_EQ(Plan.Notes.size(), 2u);
  EXPECT_EQ(Plan.Notes[0].Kind, NoteKind::Fix);
  EXPECT_EQ(Plan.Notes[0].FixTitle,
            "close 'q' once the consumers are joined, so that a producer "
            "blocked in 'push' wakes up");
  // The close on each exit is the second choice.
  EXPECT_EQ(Plan.Notes[1].Kind, NoteKind::AlternativeFix);
  EXPECT_EQ(Plan.Notes[1].FixTitle, "close 'q' on each consumer exit");
  EXPECT_FALSE(Plan.Notes[1].Fixes.empty());
}

} // namespace
