// RUN: %check_clang_tidy %s fanout-stranded-producer,fanout-stranded-consumer,fanout-join-before-drain %t -- -- -std=c++20

// Where a queue's life starts and what its capacity is, as the code says:
// - a capacity of 0 is no limit (nothing could go into a queue with no
//   room), also when a wrapper builds its inner queue with that default;
// - a queue made in each round of a loop is new in each round: a way out
//   before it was made (the loop not entered at all) strands nobody, and a
//   guard that closes it at the end of the round closes each one.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

template <typename T> class Pipe {
public:
  explicit Pipe(std::size_t limit = 0) : limit_(limit) {}
  bool write(T v) {
    std::unique_lock<std::mutex> lock(mu_);
    room_.wait(lock, [&] { return sealed_ || !full(); });
    if (sealed_)
      return false;
    items_.push_back(std::move(v));
    ready_.notify_one();
    return true;
  }
  bool read(T &out) {
    std::unique_lock<std::mutex> lock(mu_);
    ready_.wait(lock, [&] { return sealed_ || !items_.empty(); });
    if (items_.empty())
      return false;
    out = std::move(items_.front());
    items_.pop_front();
    room_.notify_one();
    return true;
  }
  void seal() {
    std::lock_guard<std::mutex> lock(mu_);
    sealed_ = true;
    room_.notify_all();
    ready_.notify_all();
  }

private:
  bool full() const { return limit_ != 0 && items_.size() >= limit_; }
  std::mutex mu_;
  std::condition_variable room_, ready_;
  std::deque<T> items_;
  std::size_t limit_;
  bool sealed_ = false;
};

// Counts what it forwards; its pipe has the default capacity.
class Tally {
public:
  void write(int v) {
    ++count_;
    pipe_.write(v);
  }
  bool read(int &v) { return pipe_.read(v); }
  void seal() { pipe_.seal(); }

private:
  Pipe<int> pipe_;
  int count_ = 0;
};

bool wanted(int v);

struct OnExit {
  std::function<void()> run;
  ~OnExit() { run(); }
};

// The reader leaves early, but nothing ever waits for room.
void unboundedByDefault() {
  Pipe<int> q;
  std::thread writer([&] {
    for (int i = 0; i < 100; ++i)
      q.write(i);
    q.seal();
  });
  int v = 0;
  while (q.read(v))
    if (!wanted(v))
      break;
  writer.join();
}

void unboundedInsideAWrapper() {
  Tally tally;
  std::thread writer([&] {
    for (int i = 0; i < 100; ++i)
      tally.write(i);
    tally.seal();
  });
  int v = 0;
  while (tally.read(v))
    if (!wanted(v))
      break;
  writer.join();
}

// The same reader with a pipe of four: the writer waits for room forever.
void boundedWhenGivenRoom() {
  Pipe<int> q(4);
  std::thread writer([&] {
    for (int i = 0; i < 100; ++i)
      q.write(i);
    q.seal();
  });
  int v = 0;
  while (q.read(v))
    if (!wanted(v))
      break;
  writer.join();
}
// CHECK-FIXES: {{^}}    if (!wanted(v)) {{[{]$}}
// CHECK-FIXES-NEXT: {{^}}      q.seal();{{$}}
// CHECK-NOTES: :[[@LINE-11]]:9: warning: producer can block forever in 'write' on bounded queue 'q' (Pipe<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-15]]:13: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-7]]:7: note: consumer breaks out of its pop loop here without closing 'q'
// CHECK-NOTES: :[[@LINE-16]]:15: note: producer thread spawned here
// CHECK-NOTES: :[[@LINE-8]]:3: note: this wait never returns once the producer is stuck
// CHECK-NOTES: :[[@LINE-11]]:20: note: fix: close 'q' on each consumer exit, so that a producer blocked in 'write' wakes up
// CHECK-NOTES: :[[@LINE-20]]:15: note: alternatively, give 'q' room for all 100 items

// A pipe per chunk, sealed by a guard at the end of each round.
void chunkedWithAGuard(int chunks) {
  std::vector<std::thread> readers;
  for (int c = 0; c < chunks; ++c) {
    auto chunk = std::make_shared<Pipe<int>>(8);
    OnExit sealChunk{[&] { chunk->seal(); }};
    readers.emplace_back([chunk] {
      int v = 0;
      while (chunk->read(v)) {
      }
    });
    for (int i = 0; i < 16; ++i)
      chunk->write(i);
  }
  for (auto &r : readers)
    r.join();
}

// A pipe per chunk sealed at the end of the round, unless the round stops
// early: its reader waits for ever.
void chunkedLeavingEarly(int chunks) {
  std::vector<std::jthread> readers;
  for (int c = 0; c < chunks; ++c) {
    auto chunk = std::make_shared<Pipe<int>>(8);
    readers.emplace_back([chunk] {
      int v = 0;
      while (chunk->read(v)) {
      }
    });
    for (int i = 0; i < 16; ++i)
      chunk->write(i);
    if (!wanted(c))
      continue;
    chunk->seal();
  }
}
// CHECK-NOTES: :[[@LINE-10]]:21: warning: consumers can block forever in 'read' on queue 'chunk' (Pipe<int>, capacity 8): the producer can finish without closing it [fanout-stranded-consumer]
// CHECK-NOTES: :[[@LINE-14]]:10: note: queue 'chunk' declared here
// CHECK-NOTES: :[[@LINE-3]]:1: note: producer finishes here without closing 'chunk'
// CHECK-NOTES: :[[@LINE-15]]:5: note: consumer threads spawned here in a loop
// CHECK-NOTES: :[[@LINE-5]]:1: note: the consumers are waited for here, at the end of their handle's scope; this never returns once they are stuck
// CHECK-NOTES: :[[@LINE-11]]:14: note: no automatic fix is certain here; call 'chunk->seal()' on every way out of the producer (an RAII guard covers exceptions too)
