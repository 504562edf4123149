#include "fanout/QueueModel.h"
#include "TestSupport.h"
#include "gtest/gtest.h"

using namespace fanout;
using namespace fanout::test;

namespace {

const char *HandWrittenQueues = R"cpp(
struct Closed {};
// Explicit wait loops, a counter and an array; push throws once shut.
template <class T, int N> class Ring {
public:
  void send(const T &v) {
    std::unique_lock<std::mutex> g(lock);
    while (count == N && !shut) space.wait(g);
    if (shut) throw Closed{};
    slots[tail] = v; tail = (tail + 1) % N; ++count;
    data.notify_one();
  }
  bool receive(T &v) {
    std::unique_lock<std::mutex> g(lock);
    while (count == 0 && !shut) data.wait(g);
    if (count == 0) return false;
    v = slots[head]; head = (head + 1) % N; --count;
    space.notify_one();
    return true;
  }
  void shutdown() {
    std::lock_guard<std::mutex> g(lock);
    shut = true; space.notify_all(); data.notify_all();
  }
private:
  std::mutex lock; std::condition_variable space, data;
  T slots[N]; int head = 0, tail = 0, count = 0; bool shut = false;
};
// Close wakes readers only.
class ReaderClose {
public:
  explicit ReaderClose(int c) : limit(c) {}
  void put(int v) {
    std::unique_lock<std::mutex> g(m);
    not_full.wait(g, [&] { return (int)items.size() < limit; });
    items.push_back(v);
  }
  bool get(int &v) {
    std::unique_lock<std::mutex> g(m);
    not_empty.wait(g, [&] { return done || !items.empty(); });
    if (items.empty()) return false;
    v = items.front(); items.pop_front();
    return true;
  }
  void close() { done = true; not_empty.notify_all(); }
private:
  std::mutex m; std::condition_variable not_full, not_empty;
  std::deque<int> items; int limit; bool done = false;
};
// Unbounded: push never waits.
class Unbounded {
public:
  void push(int v) { std::lock_guard<std::mutex> g(m); items.push_back(v); cv.notify_one(); }
  bool pop(int &v) {
    std::unique_lock<std::mutex> g(m);
    cv.wait(g, [&] { return !items.empty(); });
    v = items.front(); items.pop_front(); return true;
  }
private:
  std::mutex m; std::condition_variable cv; std::deque<int> items;
};
// Not a queue at all: waits for a flag, stores nothing.
class Latch {
public:
  void wait() { std::unique_lock<std::mutex> g(m); cv.wait(g, [&] { return open; }); }
  void release() { open = true; cv.notify_all(); }
private:
  std::mutex m; std::condition_variable cv; bool open = false;
};
// Wrappers that forward to an inner queue.
template <class T> class Chan {
public:
  Chan(const char *name, int depth) : name_(name), q_(depth) {}
  bool send(T v) { return q_.push(v); }
  bool recv(T &v) { return q_.pop(v); }
  void stop() { q_.close(); }
private:
  const char *name_; BoundedQueue<T> q_;
};
struct Stopped {};
class StrictChan {
public:
  void send(int v) { if (!q_.push(v)) throw Stopped{}; }
  bool recv(int &v) { return q_.pop(v); }
private:
  BoundedQueue<int> q_{8};
};
class ThrowingChan {
public:
  void put(int v) { r_.send(v); }
  bool get(int &v) { return r_.receive(v); }
private:
  Ring<int, 4> r_;
};
class UnboundedChan {
public:
  void send(int v) { q_.push(v); }
  bool recv(int &v) { return q_.pop(v); }
private:
  Unbounded q_;
};
// A pool whose submit blocks at a task limit; its workers live inside.
class Pool {
public:
  bool submit(int task) {
    std::unique_lock<std::mutex> g(m);
    full.wait(g, [&] { return stopped || tasks.size() < max; });
    if (stopped) return false;
    tasks.push_back(task); ready.notify_one(); return true;
  }
  void stop() { stopped = true; full.notify_all(); ready.notify_all(); }
private:
  void work() {
    for (;;) {
      std::unique_lock<std::mutex> g(m);
      ready.wait(g, [&] { return stopped || !tasks.empty(); });
      if (tasks.empty()) return;
      tasks.pop_front(); full.notify_one();
    }
  }
  std::mutex m; std::condition_variable full, ready;
  std::deque<int> tasks; std::size_t max = 8; bool stopped = false;
};
void instantiate() { Ring<int, 4> r; BoundedQueue<int> q(3); }
// The waits compare a run state with constants beside the level.
template <class T, int N> class StateRing {
  enum class State { running, stopped };
public:
  bool produce(T v) {
    std::unique_lock<std::mutex> g(m);
    cv.wait(g, [&] { return state != State::running || used < N; });
    if (state != State::running) return false;
    slots[(front++) % N] = v; ++used;
    cv.notify_all();
    return true;
  }
  template <class F> bool consume_one(F &&f) {
    std::unique_lock<std::mutex> g(m);
    cv.wait(g, [&] { return state == State::stopped || used > 0; });
    if (state == State::stopped) return false;
    f(slots[(back++) % N]); --used;
    cv.notify_all();
    return true;
  }
  void stop() { state = State::stopped; cv.notify_all(); }
private:
  std::mutex m; std::condition_variable cv;
  T slots[N]; int front = 0, back = 0, used = 0;
  State state = State::running;
};
// Counters of pushes and pops; the pop reports the close with a status.
struct Status { int code = 0; bool ok() const { return code == 0; } };
class CountedBatches {
public:
  explicit CountedBatches(int c) : cap(c) {}
  bool reserve(int n) {
    std::unique_lock<std::mutex> g(m);
    cv.wait(g, [&] { return closed || pushes + reserved - pops + n <= cap; });
    reserved += n;
    return !closed;
  }
  void commit(int v) { --reserved; slots[pushes++ % 8] = v; cv.notify_all(); }
  Status take(int want, int *out) {
    std::unique_lock<std::mutex> g(m);
    cv.wait(g, [&] { return closed || pushes - pops >= want; });
    if (closed) return {1};
    for (int i = 0; i < want; ++i) out[i] = slots[pops++ % 8];
    cv.notify_all();
    return {};
  }
  void close() { closed = true; cv.notify_all(); }
private:
  std::mutex m; std::condition_variable cv;
  int slots[8]; int pushes = 0, pops = 0, reserved = 0; int cap;
  bool closed = false;
};
)cpp";

class QueueModelTest : public ::testing::Test {
protected:
  void SetUp() override {
    AST = parse(HandWrittenQueues);
    ASSERT_TRUE(AST);
  }
  std::unique_ptr<QueueApi> infer(llvm::StringRef Name) {
    const clang::CXXRecordDecl *Record = findClass(AST->getASTContext(), Name);
    EXPECT_TRUE(Record) << Name.str();
    return Record ? inferQueueApi(Record) : nullptr;
  }
  std::unique_ptr<clang::ASTUnit> AST;
};

TEST_F(QueueModelTest, PredicateWaitQueue) {
  std::unique_ptr<QueueApi> Api = infer("BoundedQueue");
  ASSERT_TRUE(Api);
  EXPECT_EQ(Api->roleOf("push"), QueueRole::BlockingPush);
  EXPECT_EQ(Api->roleOf("pop"), QueueRole::BlockingPop);
  EXPECT_EQ(Api->roleOf("try_push"), QueueRole::NonBlockingPush);
  EXPECT_EQ(Api->roleOf("close"), QueueRole::Close);
  EXPECT_TRUE(Api->isBounded());
  EXPECT_TRUE(Api->hasReliableClose());
  EXPECT_EQ(Api->OnClosedPush, ClosedPushResult::ReturnsFalse);
  EXPECT_EQ(Api->CapacityCtorArg, 0);
  ASSERT_TRUE(Api->CapacityField);
  EXPECT_EQ(Api->CapacityField->getName(), "capacity_");
}

TEST_F(QueueModelTest, LoopWaitRingThrowsOnClosedPush) {
  std::unique_ptr<QueueApi> Api = infer("Ring");
  ASSERT_TRUE(Api);
  EXPECT_EQ(Api->roleOf("send"), QueueRole::BlockingPush);
  EXPECT_EQ(Api->roleOf("receive"), QueueRole::BlockingPop);
  EXPECT_EQ(Api->roleOf("shutdown"), QueueRole::Close);
  EXPECT_TRUE(Api->hasReliableClose());
  EXPECT_EQ(Api->OnClosedPush, ClosedPushResult::Throws);
  EXPECT_EQ(Api->ClosedException, "Closed");
}

TEST_F(QueueModelTest, SidesAreReadFromWhenTheWaitGoesOn) {
  std::unique_ptr<QueueApi> Api = infer("StateRing");
  ASSERT_TRUE(Api);
  EXPECT_EQ(Api->roleOf("produce"), QueueRole::BlockingPush);
  EXPECT_EQ(Api->roleOf("consume_one"), QueueRole::BlockingPop);
  // The state is a flag that stop() raises, not the capacity.
  EXPECT_EQ(Api->roleOf("stop"), QueueRole::Close);
  EXPECT_TRUE(Api->hasReliableClose());
  EXPECT_FALSE(Api->CapacityField && Api->CapacityField->getName() == "state");
}

TEST_F(QueueModelTest, CountersAgainstABoundAndAStatusObject) {
  std::unique_ptr<QueueApi> Api = infer("CountedBatches");
  ASSERT_TRUE(Api);
  EXPECT_EQ(Api->roleOf("reserve"), QueueRole::BlockingPush);
  EXPECT_EQ(Api->roleOf("take"), QueueRole::BlockingPop);
  EXPECT_EQ(Api->roleOf("close"), QueueRole::Close);
  EXPECT_EQ(Api->OnClosedPop, ClosedPopResult::EmptyValue);
  ASSERT_TRUE(Api->CapacityField);
  EXPECT_EQ(Api->CapacityField->getName(), "cap");
}

TEST_F(QueueModelTest, CloseThatOnlyWakesReadersIsNotReliable) {
  std::unique_ptr<QueueApi> Api = infer("ReaderClose");
  ASSERT_TRUE(Api);
  EXPECT_EQ(Api->roleOf("put"), QueueRole::BlockingPush);
  EXPECT_EQ(Api->roleOf("close"), QueueRole::Close);
  EXPECT_FALSE(Api->CloseWakesBlockedPush);
  EXPECT_FALSE(Api->hasReliableClose());
  EXPECT_EQ(Api->OnClosedPush, ClosedPushResult::Ignored);
}

TEST_F(QueueModelTest, UnboundedQueueCannotStrandProducers) {
  std::unique_ptr<QueueApi> Api = infer("Unbounded");
  ASSERT_TRUE(Api);
  EXPECT_FALSE(Api->isBounded());
  EXPECT_EQ(Api->roleOf("pop"), QueueRole::BlockingPop);
  EXPECT_EQ(Api->roleOf("push"), QueueRole::NonBlockingPush);
}

TEST_F(QueueModelTest, WaitingForAFlagIsNoQueue) {
  EXPECT_FALSE(infer("Latch"));
}

TEST_F(QueueModelTest, WrapperTakesTheInnerRolesAndCapacity) {
  std::unique_ptr<QueueApi> Api = infer("Chan");
  ASSERT_TRUE(Api);
  EXPECT_EQ(Api->roleOf("send"), QueueRole::BlockingPush);
  EXPECT_EQ(Api->roleOf("recv"), QueueRole::BlockingPop);
  EXPECT_EQ(Api->roleOf("stop"), QueueRole::Close);
  EXPECT_TRUE(Api->isBounded());
  EXPECT_TRUE(Api->hasReliableClose());
  EXPECT_EQ(Api->OnClosedPush, ClosedPushResult::ReturnsFalse);
  EXPECT_EQ(Api->CapacityCtorArg, 1); // depth, which initialises q_'s cap.
}

TEST_F(QueueModelTest, WrapperClosedPushIsWhatTheWrapperDoes) {
  std::unique_ptr<QueueApi> Strict = infer("StrictChan");
  ASSERT_TRUE(Strict);
  EXPECT_EQ(Strict->OnClosedPush, ClosedPushResult::Throws);
  EXPECT_EQ(Strict->ClosedException, "Stopped");
  EXPECT_TRUE(Strict->Close.empty());
  std::unique_ptr<QueueApi> Throwing = infer("ThrowingChan");
  ASSERT_TRUE(Throwing);
  EXPECT_EQ(Throwing->roleOf("put"), QueueRole::BlockingPush);
  EXPECT_EQ(Throwing->OnClosedPush, ClosedPushResult::Throws);
  EXPECT_EQ(Throwing->ClosedException, "Closed");
}

TEST_F(QueueModelTest, WrapperOverAnUnboundedQueueIsUnbounded) {
  std::unique_ptr<QueueApi> Api = infer("UnboundedChan");
  ASSERT_TRUE(Api);
  EXPECT_FALSE(Api->isBounded());
  EXPECT_EQ(Api->roleOf("recv"), QueueRole::BlockingPop);
  EXPECT_EQ(Api->roleOf("send"), QueueRole::NonBlockingPush);
}

// The pool reads as a queue (submit = blocking push, stop = close); that its
// consumers are its own workers is what the analysis cannot see.
TEST_F(QueueModelTest, PoolWithATaskLimitReadsAsAQueue) {
  std::unique_ptr<QueueApi> Api = infer("Pool");
  ASSERT_TRUE(Api);
  EXPECT_EQ(Api->roleOf("submit"), QueueRole::BlockingPush);
  EXPECT_EQ(Api->roleOf("stop"), QueueRole::Close);
  EXPECT_TRUE(Api->hasReliableClose());
  EXPECT_EQ(Api->OnClosedPush, ClosedPushResult::ReturnsFalse);
}

TEST_F(QueueModelTest, KnownLibraryRowsCarryTheirSemantics) {
  const auto &Apis = QueueModel::knownApis();
  auto Find = [&](llvm::StringRef Name) -> const QueueApi * {
    for (const QueueApi &Api : Apis)
      if (Api.TypeName == Name)
        return &Api;
    return nullptr;
  };
  const QueueApi *Boost = Find("boost::concurrent::sync_bounded_queue");
  ASSERT_TRUE(Boost);
  EXPECT_TRUE(Boost->hasReliableClose());
  EXPECT_EQ(Boost->OnClosedPush, ClosedPushResult::Throws);
  const QueueApi *Tbb = Find("tbb::concurrent_bounded_queue");
  ASSERT_TRUE(Tbb);
  EXPECT_FALSE(Tbb->BoundedByDefault);
  EXPECT_FALSE(Tbb->hasReliableClose()); // abort() is not permanent.
  const QueueApi *Unbounded = Find("boost::concurrent::sync_queue");
  ASSERT_TRUE(Unbounded);
  EXPECT_FALSE(Unbounded->isBounded());
}

TEST(QualifiedNameTest, SkipsNamespacesThePatternDoesNotName) {
  std::unique_ptr<clang::ASTUnit> AST = clang::tooling::buildASTFromCode(
      "namespace tbb { namespace detail { namespace d2 { class "
      "concurrent_bounded_queue {}; } } }\n"
      "namespace other { class concurrent_bounded_queue {}; }");
  ASSERT_TRUE(AST);
  using namespace clang::ast_matchers;
  auto Matches =
      match(cxxRecordDecl(hasName("concurrent_bounded_queue"), isDefinition())
                .bind("c"),
            AST->getASTContext());
  ASSERT_EQ(Matches.size(), 2u);
  const auto *Tbb = Matches[0].getNodeAs<clang::CXXRecordDecl>("c");
  const auto *Other = Matches[1].getNodeAs<clang::CXXRecordDecl>("c");
  EXPECT_TRUE(matchesQualifiedName(Tbb, "tbb::concurrent_bounded_queue"));
  EXPECT_TRUE(matchesQualifiedName(Tbb, "::tbb::concurrent_bounded_queue"));
  EXPECT_FALSE(matchesQualifiedName(Other, "tbb::concurrent_bounded_queue"));
  EXPECT_TRUE(matchesQualifiedName(Other, "concurrent_bounded_queue"));
}

} // namespace
