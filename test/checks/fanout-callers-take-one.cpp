// RUN: %check_clang_tidy %s fanout-stranded-producer,fanout-stranded-consumer,fanout-join-before-drain %t -- -- -std=c++20 -isystem %S/Inputs

// A class whose producer thread fills a bounded queue member while its
// callers take one item a call (`next()`): the callers decide how many they
// take, and can stop at any time. A producer that goes on until it is
// stopped (`while (running_)`, `for (;;)`) is then woken only by the class:
// lowering a flag before the join does not reach a push asleep on the full
// queue; a close before the join does. A producer that ends the stream
// itself (it closes the queue) leaves the callers to drain it: no warning.
#include "queues.h"

#include <atomic>
#include <thread>

int compute(int i);

class Prefetcher {
public:
  Prefetcher() : worker_([this] { fill(); }) {}
  ~Prefetcher() {
    running_ = false;
    worker_.join();
  }
  int next() {
    int v = 0;
    queue_.pop(v);
    return v;
  }

private:
  void fill() {
    for (int i = 0; running_; ++i)
      queue_.push(compute(i));
  }
  std::atomic<bool> running_{true};
  BoundedQueue<int> queue_{8};
  std::thread worker_;
};
// CHECK-MESSAGES: :[[@LINE-6]]:14: warning: producer can block forever in 'push' on bounded queue 'queue_' (BoundedQueue<int>, capacity 8): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-MESSAGES: :[[@LINE-4]]:21: note: queue 'queue_' declared here
// CHECK-MESSAGES: :[[@LINE-15]]:5: note: callers of 'next' take one item of 'queue_' a call, and can stop calling it at any time
// CHECK-MESSAGES: :[[@LINE-20]]:5: note: fix: close 'queue_' before the class joins its producer, so that a producer blocked in 'push' wakes up
// CHECK-FIXES: queue_.close();
// CHECK-FIXES-NEXT: worker_.join();
// CHECK-FIXES: if (!queue_.push(compute(i))) break;

// The destructor closes before it joins: the blocked push wakes and fails.
class ClosingPrefetcher {
public:
  ClosingPrefetcher() : worker_([this] { fill(); }) {}
  ~ClosingPrefetcher() {
    queue_.close();
    worker_.join();
  }
  int next() {
    int v = 0;
    queue_.pop(v);
    return v;
  }

private:
  void fill() {
    for (int i = 0;; ++i)
      if (!queue_.push(compute(i)))
        return;
  }
  BoundedQueue<int> queue_{8};
  std::thread worker_;
};

// A reader of a finite stream: the producer closes the queue when it is
// done, and the callers' next() says when nothing is left.
class LineReader {
public:
  explicit LineReader(int lines) : lines_(lines), worker_([this] { read(); }) {}
  ~LineReader() { worker_.join(); }
  bool next(int &line) { return queue_.pop(line); }

private:
  void read() {
    for (int i = 0; i < lines_; ++i)
      queue_.push(compute(i));
    queue_.close();
  }
  int lines_;
  BoundedQueue<int> queue_{8};
  std::thread worker_;
};
