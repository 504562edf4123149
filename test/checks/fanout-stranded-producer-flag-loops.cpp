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

// A counted consumer (found missing on real code: readerwriterqueue's tests
// pop a fixed number of items): its early return strands the producer, its
// loop's own end does not.
void countedConsumer(int n) {
  BoundedQueue<int> q(4);
  std::thread consumer([&] {
    for (int i = 0; i != n; ++i) {
      int v;
      q.pop(v);
      if (!process(v))
        return;
    }
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  consumer.join();
}
// CHECK-MESSAGES: :[[@LINE-3]]:7: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-FIXES: {{^}}      if (!process(v)) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}        q.close();{{$}}

// Negative: a counted consumer with no early exit takes all it was meant to.
void countedConsumerTakesAll(int n) {
  BoundedQueue<int> q(4);
  std::thread consumer([&] {
    int v;
    for (int i = 0; i < n; ++i) {
      q.pop(v);
      process(v);
    }
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  consumer.join();
}

// Negative: a counted sampler next to a consumer that always drains.
void samplerAndDrainer(int n) {
  BoundedQueue<int> q(4);
  std::thread sampler([&] {
    int v;
    for (int i = 0; i < 10; ++i) {
      q.pop(v);
      if (v < 0)
        return;
    }
  });
  std::thread drainer([&] {
    int v;
    while (q.pop(v))
      process(v);
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  sampler.join();
  drainer.join();
}
