// RUN: %check_clang_tidy %s fanout-stranded-producer %t -- -- -std=c++20 -isystem %S/Inputs

// Worker loops that run while a stop flag allows (`while (running)`): the
// loop's own end is a stop someone asked for, but an early return or break
// inside still leaves the producer alone.
#include "queues.h"

#include <atomic>
#include <stop_token>
#include <thread>
#include <vector>

bool process(int item);

void atomicFlag(int n) {
  BoundedQueue<int> q(4);
  std::atomic<bool> running{true};
  std::vector<std::thread> workers;
  for (int w = 0; w < 2; ++w)
    workers.emplace_back([&] {
      int v;
      while (running.load()) {
        if (!q.pop(v))
          break;
        if (!process(v))
          return;
      }
    });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  running = false;
  for (auto &t : workers)
    t.join();
}
// CHECK-MESSAGES: :[[@LINE-6]]:7: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-FIXES: {{^}}        if (!process(v)) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}          q.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}          return;{{$}}

struct Server {
  BoundedQueue<int> requests{8};
  bool running_ = true;
  void serve(int n) {
    std::jthread worker([this](std::stop_token stop) {
      int v;
      while (!stop.stop_requested()) {
        if (!requests.pop(v) || !process(v))
          break;
      }
    });
    for (int i = 0; i < n; ++i)
      requests.push(i);
    requests.close();
  }
};
// CHECK-MESSAGES: :[[@LINE-4]]:16: warning: producer can block forever in 'push' on bounded queue 'requests' {{.*}}

// Negative: the only way out of the flag loop is the queue saying closed.
void drainsUntilClosed(int n) {
  BoundedQueue<int> q(4);
  bool running = true;
  std::thread worker([&] {
    int v;
    while (running) {
      if (!q.pop(v))
        return;
      process(v);
    }
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  worker.join();
}

// Negative: the worker closes the queue on its early exit.
void closesOnExit(int n) {
  BoundedQueue<int> q(4);
  std::atomic<bool> running{true};
  std::thread worker([&] {
    int v;
    while (running) {
      if (!q.pop(v))
        return;
      if (!process(v)) {
        q.close();
        return;
      }
    }
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  worker.join();
}
