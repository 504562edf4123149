// REQUIRES: tbb
// RUN: %check_clang_tidy %s fanout-stranded-producer %t -- -- -std=c++20

// tbb::concurrent_bounded_queue is unbounded until set_capacity(); abort()
// only wakes the callers asleep at that moment, so it is no reliable
// cancellation: the fix raises a flag on the exits and pushes with try_push
// until there is room or the flag is raised.
#include <tbb/concurrent_queue.h>
#include <thread>

bool process(int item);

void sentinelAndEarlyReturn(int n) {
  tbb::concurrent_bounded_queue<int> q;
  q.set_capacity(4);
  std::thread producer([&] {
    for (int i = 0; i < n; ++i)
      q.push(i);
    q.push(-1);
  });
  std::thread consumer([&] {
    int item;
    while (true) {
      q.pop(item);
      if (item == -1)
        break;
      if (!process(item))
        return;
    }
  });
  consumer.join();
  producer.join();
}
// CHECK-NOTES: :[[@LINE-16]]:9: warning: producer can block forever in 'push' on bounded queue 'q' (tbb::concurrent_bounded_queue<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-21]]:38: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-8]]:9: note: consumer returns here without closing 'q'
// CHECK-NOTES: :[[@LINE-16]]:15: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-22]]:15: note: producer thread spawned here
// CHECK-NOTES: :[[@LINE-7]]:3: note: this wait never returns once the producer is stuck
// CHECK-NOTES: :[[@LINE-26]]:40: note: fix: 'q' cannot be closed reliably; raise 'qClosed' on each consumer exit, and push with 'try_push' until there is room or 'qClosed' is raised
// CHECK-FIXES: {{^}}#include <thread>{{$}}
// CHECK-FIXES-NEXT: {{^}}#include <atomic>{{$}}
// CHECK-FIXES-NEXT: {{^}}#include <chrono>{{$}}
// CHECK-FIXES: {{^}}  tbb::concurrent_bounded_queue<int> q;{{$}}
// CHECK-FIXES-NEXT: {{^}}  std::atomic<bool> qClosed{false};{{$}}
// CHECK-FIXES: {{^}}    for (int i = 0; i < n; ++i) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}      while (!q.try_push(i) && !qClosed){{$}}
// CHECK-FIXES-NEXT: {{^}}        std::this_thread::sleep_for(std::chrono::milliseconds(1));{{$}}
// CHECK-FIXES-NEXT: {{^}}      if (qClosed){{$}}
// CHECK-FIXES-NEXT: {{^}}        break;{{$}}
// CHECK-FIXES-NEXT: {{^}}    }{{$}}
// CHECK-FIXES-NEXT: {{^}}    while (!q.try_push(-1) && !qClosed){{$}}
// CHECK-FIXES-NEXT: {{^}}      std::this_thread::sleep_for(std::chrono::milliseconds(1));{{$}}
// CHECK-FIXES: {{^}}      if (!process(item)) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}        qClosed = true;{{$}}

// Negative: without set_capacity the queue is unbounded.
void unbounded(int n) {
  tbb::concurrent_bounded_queue<int> q;
  std::thread consumer([&] {
    int item;
    while (true) {
      q.pop(item);
      if (item == -1 || !process(item))
        return;
    }
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.push(-1);
  consumer.join();
}

// Negative: the consumer only stops on the sentinel.
void drainsToSentinel(int n) {
  tbb::concurrent_bounded_queue<int> q;
  q.set_capacity(2);
  std::thread consumer([&] {
    int item;
    for (;;) {
      q.pop(item);
      if (item < 0)
        break;
      process(item);
    }
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.push(-1);
  consumer.join();
}
