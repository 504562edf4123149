// RUN: %check_clang_tidy %s fanout-stranded-producer,fanout-stranded-consumer,fanout-join-before-drain %t -- -- -std=c++20 -isystem %S/Inputs

// A constructor given the caller's queue (`Reader r(queue)`) that starts a
// thread the object keeps starts that thread in the caller: the caller's
// own code is the other side, and the object's destructor is the wait.
#include "queues.h"
#include <thread>

bool accept(int v);

// The thread is started in a member initialiser; its loop can leave early.
class Checker {
public:
  explicit Checker(BoundedQueue<int> &in) : in_(in), worker_([this] { run(); }) {}
  ~Checker() { worker_.join(); }

private:
  void run() {
    int v;
    while (in_.pop(v))
      if (!accept(v))
        return;
  }
  BoundedQueue<int> &in_;
  std::thread worker_;
};

void feedChecker(int n) {
  BoundedQueue<int> queue(4);
  Checker checker(queue);
  for (int i = 0; i < n; ++i)
    queue.push(i);
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: producer can block forever in 'push' on bounded queue 'queue' (BoundedQueue<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
  queue.close();
}

// Correct: the thread, started in the constructor's body through a
// pointer, closes the queue when it gives up.
class ClosingChecker {
public:
  explicit ClosingChecker(BoundedQueue<int> *in) : in_(in) {
    worker_ = std::thread([this] { run(); });
  }
  ~ClosingChecker() { worker_.join(); }

private:
  void run() {
    int v;
    while (in_->pop(v))
      if (!accept(v)) {
        in_->close();
        return;
      }
  }
  BoundedQueue<int> *in_;
  std::thread worker_;
};

void feedClosingChecker(int n) {
  BoundedQueue<int> queue(4);
  ClosingChecker checker(&queue);
  for (int i = 0; i < n; ++i)
    if (!queue.push(i))
      break;
  queue.close();
}

// Correct: a class that makes its own queue is a fan-out of its own; its
// caller only hands it items through a member that stops on the close.
class OwnQueue {
public:
  explicit OwnQueue(int room) : jobs_(room), worker_([this] { run(); }) {}
  ~OwnQueue() {
    jobs_.close();
    worker_.join();
  }
  bool add(int v) { return jobs_.push(v); }

private:
  void run() {
    int v;
    while (jobs_.pop(v))
      if (!accept(v)) {
        jobs_.close();
        return;
      }
  }
  BoundedQueue<int> jobs_;
  std::thread worker_;
};

void feedOwnQueue(int n) {
  OwnQueue own(4);
  for (int i = 0; i < n; ++i)
    if (!own.add(i))
      break;
}
