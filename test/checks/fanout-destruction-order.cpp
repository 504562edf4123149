// RUN: %check_clang_tidy %s fanout-stranded-producer,fanout-stranded-consumer,fanout-join-before-drain %t -- -- -std=c++20 -isystem %S/Inputs

// A queue whose destructor closes it wakes its blocked producers only if it
// is destroyed before they are waited for. Locals go in reverse order of
// declaration: thread handles declared after the queue (a jthread, a vector
// of them, a pool that joins in its destructor) are joined first when an
// exception unwinds the calling thread, and the queue's own close never
// runs (qlever issue #3092). A close that runs before the joins — a guard
// declared after the handles, a handler that closes — wakes them.
#include "queues.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

// Other names, the same protocol, closing in its destructor too: take()
// reports the seal through a pointer result, put() through its bool.
class Postbox {
public:
  explicit Postbox(int most) : most_(most) {}
  ~Postbox() { seal(); }
  bool put(int v) {
    std::unique_lock<std::mutex> lock(mu_);
    while (static_cast<int>(items_.size()) >= most_ && !sealed_)
      changed_.wait(lock);
    if (sealed_)
      return false;
    items_.push_back(v);
    changed_.notify_all();
    return true;
  }
  const int *take(int &slot) {
    std::unique_lock<std::mutex> lock(mu_);
    while (items_.empty() && !sealed_)
      changed_.wait(lock);
    if (items_.empty())
      return nullptr;
    slot = items_.front();
    items_.pop_front();
    changed_.notify_all();
    return &slot;
  }
  void seal() {
    std::lock_guard<std::mutex> lock(mu_);
    sealed_ = true;
    changed_.notify_all();
  }

private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<int> items_;
  int most_;
  bool sealed_ = false;
};

void store(const std::string &line) {
  if (line.empty())
    throw std::runtime_error("disk full");
}

// Positive: the jthreads are declared after the pipe, so they are joined
// before the pipe's destructor can close it.
void parseAll(const std::vector<std::string> &blocks) {
  Pipe<std::string> parsed(2);
  std::atomic<int> active{3};
  std::vector<std::jthread> parsers;
  for (int t = 0; t < 3; ++t)
    parsers.emplace_back([&] {
      for (const std::string &block : blocks)
        if (!parsed.send(block))
          // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: producer can block forever in 'send' on bounded queue 'parsed' {{.*}} [fanout-stranded-producer]
          return;
      if (active.fetch_sub(1) == 1)
        parsed.close();
    });
  while (std::optional<std::string> line = parsed.receive())
    store(*line);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: note: an exception from 'store' ends the consumer here without closing 'parsed'
}
// CHECK-MESSAGES: :[[@LINE-1]]:1: note: the producer is waited for here, at the end of its handle's scope; this never returns once it is stuck

int checked(int v) {
  if (v > 5)
    throw std::out_of_range("too large");
  return v;
}

// Positive, spelled differently: one jthread, its body a function.
void fill(Postbox &box, int count) {
  for (int i = 0; i < count; ++i)
    if (!box.put(i))
      // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: producer can block forever in 'put' on bounded queue 'box' {{.*}} [fanout-stranded-producer]
      return;
  box.seal();
}
int sumUntilNegative(int count) {
  Postbox box(1);
  std::jthread filler(fill, std::ref(box), count);
  int slot = 0, sum = 0;
  while (const int *v = box.take(slot))
    sum += checked(*v);
  // CHECK-MESSAGES: :[[@LINE-1]]:12: note: an exception from 'checked' ends the consumer here without closing 'box'

  return sum;
}

// Positive, a third way: a member function whose consumer loop is a helper
// it calls; the helper's exception unwinds the member's jthreads first.
void storeAll(Pipe<std::string> &pipe) {
  while (std::optional<std::string> line = pipe.receive())
    store(*line);
}
struct Indexer {
  void build(const std::vector<std::string> &blocks) {
    Pipe<std::string> out(2);
    std::atomic<int> active{2};
    std::vector<std::jthread> workers;
    for (int t = 0; t < 2; ++t)
      workers.emplace_back([&] {
        for (const std::string &block : blocks)
          if (!out.send(block))
            // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: producer can block forever in 'send' on bounded queue 'out' {{.*}} [fanout-stranded-producer]
            // The note, printed after the warning, is on storeAll's loop:
            // CHECK-MESSAGES: :[[@LINE-13]]:5: note: an exception from 'store' ends the consumer here without closing 'out'
            return;
        if (active.fetch_sub(1) == 1)
          out.close();
      });
    storeAll(out);
  }
};

// Negative: a guard declared after the handles closes before they are
// joined.
void parseGuarded(const std::vector<std::string> &blocks) {
  Pipe<std::string> parsed(2);
  std::atomic<int> active{3};
  std::vector<std::jthread> parsers;
  for (int t = 0; t < 3; ++t)
    parsers.emplace_back([&] {
      for (const std::string &block : blocks)
        if (!parsed.send(block))
          return;
      if (active.fetch_sub(1) == 1)
        parsed.close();
    });
  struct Closer {
    Pipe<std::string> &pipe;
    ~Closer() { pipe.close(); }
  } closer{parsed};
  while (std::optional<std::string> line = parsed.receive())
    store(*line);
}

// Negative: the handler closes the mailbox and rethrows; the joins come
// after.
int sumOrSeal(int count) {
  Postbox box(1);
  std::jthread filler(fill, std::ref(box), count);
  int slot = 0, sum = 0;
  try {
    while (const int *v = box.take(slot))
      sum += checked(*v);
  } catch (...) {
    box.seal();
    throw;
  }
  return sum;
}
