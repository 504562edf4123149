// RUN: %check_clang_tidy %s fanout-stranded-producer %t -- -- -std=c++20 -isystem %S/Inputs

// Thread classes of the code base's own (muduo's `Thread`): constructed with
// a callable, then start()ed and join()ed. Recognised from their code when
// start() is visible: it starts a std::thread or calls pthread_create.

#include "queues.h"

#include <functional>
#include <memory>
#include <pthread.h>
#include <thread>
#include <utility>
#include <vector>

bool process(int item);

// Over std::thread, holding a std::function.
class Thread {
public:
  explicit Thread(std::function<void()> fn, const char *name = "")
      : fn_(std::move(fn)), name_(name) {}
  void start() { impl_ = std::thread([this] { fn_(); }); }
  void join() { impl_.join(); }

private:
  std::function<void()> fn_;
  const char *name_;
  std::thread impl_;
};

// Over pthreads, like muduo's.
class PThread {
public:
  explicit PThread(std::function<void()> fn) : fn_(std::move(fn)) {}
  void start() { pthread_create(&id_, nullptr, &PThread::trampoline, this); }
  int join() { return pthread_join(id_, nullptr); }

private:
  static void *trampoline(void *self) {
    static_cast<PThread *>(self)->fn_();
    return nullptr;
  }
  std::function<void()> fn_;
  pthread_t id_{};
};

void drain(BoundedQueue<int> &q) {
  int v;
  while (q.pop(v))
    if (!process(v))
      return;
}

// `new Thread(lambda)`, then start() and join() through the pointer.
void newThread(int n) {
  BoundedQueue<int> q(4);
  auto *t = new Thread([&q] {
    int v;
    while (q.pop(v))
      if (!process(v))
        return;
  });
  t->start();
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  t->join();
  delete t;
}
// CHECK-NOTES: :[[@LINE-5]]:7: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-15]]:21: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-11]]:9: note: consumer returns here without closing 'q'
// CHECK-NOTES: :[[@LINE-16]]:17: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-14]]:23: note: fix: close 'q' on each consumer exit, so that a producer blocked in 'push' wakes up

// A pool of muduo-like threads in a vector, running a bound helper.
void pthreadPool(int n) {
  BoundedQueue<int> q(8);
  std::vector<std::unique_ptr<PThread>> threads;
  for (int w = 0; w < 3; ++w) {
    threads.emplace_back(new PThread(std::bind(drain, std::ref(q))));
    threads.back()->start();
  }
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  for (auto &t : threads)
    t->join();
}
// CHECK-NOTES: :[[@LINE-5]]:7: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 8): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-13]]:21: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-41]]:7: note: consumer returns here without closing 'q'
// CHECK-NOTES: :[[@LINE-12]]:30: note: consumer threads spawned here in a loop
// CHECK-NOTES: :[[@LINE-44]]:21: note: fix: close 'q' on each consumer exit, so that a producer blocked in 'push' wakes up

// Negatives.

// The consumer closes the queue on its early exit.
void closedOnExit(int n) {
  BoundedQueue<int> q(4);
  Thread t([&q] {
    int v;
    while (q.pop(v))
      if (!process(v)) {
        q.close();
        return;
      }
  });
  t.start();
  for (int i = 0; i < n; ++i)
    if (!q.push(i))
      break;
  q.close();
  t.join();
}

// start() runs the function on the caller's thread: no thread at all.
class InlineTask {
public:
  explicit InlineTask(std::function<void()> fn) : fn_(std::move(fn)) {}
  void start() { fn_(); }
  void join() {}

private:
  std::function<void()> fn_;
};

void inlineTask(int n) {
  BoundedQueue<int> q(4);
  std::thread producer([&] {
    for (int i = 0; i < n; ++i)
      if (!q.push(i))
        return;
  });
  InlineTask consumer([&q] {
    int v;
    while (q.pop(v))
      if (!process(v))
        return;
  });
  consumer.start();
  q.close();
  producer.join();
}

// A class that detaches its thread and has no join(): not a thread handle
// the analysis waits on.
class Detached {
public:
  explicit Detached(std::function<void()> fn) : fn_(std::move(fn)) {}
  void start() { std::thread(fn_).detach(); }

private:
  std::function<void()> fn_;
};

void detached(int n) {
  BoundedQueue<int> q(4);
  Detached consumer([&q] {
    int v;
    while (q.pop(v))
      if (!process(v))
        return;
  });
  consumer.start();
  for (int i = 0; i < n; ++i)
    q.push(i);
}

// The fixes, in file order.
// CHECK-FIXES: {{^}}      q.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}      return;{{$}}
// CHECK-FIXES-NEXT: {{^}}    }{{$}}
// CHECK-FIXES: {{^}}        q.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}        return;{{$}}
// CHECK-FIXES-NEXT: {{^}}      }{{$}}
// CHECK-FIXES: {{^}}    if (!q.push(i)) break;{{$}}
// CHECK-FIXES: {{^}}    if (!q.push(i)) break;{{$}}
