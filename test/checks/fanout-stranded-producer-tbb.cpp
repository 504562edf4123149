// REQUIRES: tbb
// RUN: %check_clang_tidy %s fanout-stranded-producer %t -- -- -std=c++20

// tbb::concurrent_bounded_queue is unbounded until set_capacity(); abort()
// only wakes the callers asleep at that moment, so it is no reliable
// cancellation and no fix-it is offered.
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
// CHECK-NOTES: :[[@LINE-22]]:9: note: no automatic fix: 'abort' only wakes callers already waiting, so a later push blocks again; use a timed or non-blocking push in a loop that also stops when a flag set on every consumer exit is raised

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
