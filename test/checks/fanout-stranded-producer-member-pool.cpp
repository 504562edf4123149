// RUN: %check_clang_tidy %s fanout-stranded-producer %t -- -- -std=c++20 -isystem %S/Inputs

// A pool class: its constructor starts the workers, another member feeds
// them (`submit`), called from any thread. When every worker can leave
// early without closing the queue, the callers of submit() block forever.
#include "queues.h"

#include <functional>
#include <thread>
#include <vector>

bool run(int job);

class Pool {
public:
  explicit Pool(int workers) : jobs_(16) {
    for (int w = 0; w < workers; ++w)
      threads_.emplace_back([this] { work(); });
  }
  ~Pool() {
    jobs_.close();
    for (auto &t : threads_)
      t.join();
  }
  void submit(int job) { jobs_.push(job); }

private:
  void work() {
    int job;
    while (jobs_.pop(job))
      if (!run(job))
        return;
  }
  BoundedQueue<int> jobs_;
  std::vector<std::thread> threads_;
};
// CHECK-MESSAGES: :[[@LINE-12]]:32: warning: callers of 'submit' can block forever in 'push' on bounded queue 'jobs_' (BoundedQueue<int>, capacity 16): every worker thread can exit without closing it, and nothing else wakes them [fanout-stranded-producer]
// The push returns once the queue is closed: submit() stays as it is.
// CHECK-FIXES: {{^}}  void submit(int job) { jobs_.push(job); }{{$}}
// CHECK-FIXES: {{^}}      if (!run(job)) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}        jobs_.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}        return;{{$}}

// A submit that returns whether it queued the job reports the closed queue.
class ReportingPool {
public:
  ReportingPool() : jobs_(4), worker_([this] {
    int job;
    for (;;) {
      if (!jobs_.pop(job))
        return;
      if (!run(job))
        break;
    }
  }) {}
  ~ReportingPool() {
    jobs_.close();
    worker_.join();
  }
  bool submit(int job) {
    jobs_.push(job);
    return true;
  }

private:
  BoundedQueue<int> jobs_;
  std::thread worker_;
};
// CHECK-MESSAGES: :[[@LINE-8]]:11: warning: callers of 'submit' can block forever in 'push' {{.*}}
// CHECK-FIXES: {{^}}      if (!run(job)) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}        jobs_.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}        break;{{$}}

// Negative: the workers drain until the queue is closed.
class DrainingPool {
public:
  DrainingPool() : jobs_(16) {
    for (int w = 0; w < 4; ++w)
      threads_.emplace_back([this] {
        int job;
        while (jobs_.pop(job))
          run(job);
      });
  }
  ~DrainingPool() {
    jobs_.close();
    for (auto &t : threads_)
      t.join();
  }
  void submit(int job) { jobs_.push(job); }

private:
  BoundedQueue<int> jobs_;
  std::vector<std::thread> threads_;
};

// Negative: a worker that fails closes the queue for everyone.
class ClosingPool {
public:
  ClosingPool() : jobs_(16) {
    for (int w = 0; w < 4; ++w)
      threads_.emplace_back([this] {
        int job;
        while (jobs_.pop(job))
          if (!run(job)) {
            jobs_.close();
            return;
          }
      });
  }
  ~ClosingPool() {
    jobs_.close();
    for (auto &t : threads_)
      t.join();
  }
  void submit(int job) { jobs_.push(job); }

private:
  BoundedQueue<int> jobs_;
  std::vector<std::thread> threads_;
};

// Negative: submit never blocks (a non-blocking push).
class TryPool {
public:
  TryPool() : jobs_(16), worker_([this] {
    int job;
    while (jobs_.pop(job))
      if (!run(job))
        return;
  }) {}
  ~TryPool() {
    jobs_.close();
    worker_.join();
  }
  bool submit(int job) { return jobs_.try_push(job); }

private:
  BoundedQueue<int> jobs_;
  std::thread worker_;
};
