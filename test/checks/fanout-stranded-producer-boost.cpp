// REQUIRES: boost
// RUN: %check_clang_tidy %s fanout-stranded-producer %t -- -- -std=c++20

// boost::concurrent::sync_bounded_queue: push blocks while full and throws
// sync_queue_is_closed once the queue is closed (also when close() wakes it).
#include <boost/thread/concurrent_queues/sync_bounded_queue.hpp>
#include <boost/thread/concurrent_queues/sync_queue.hpp>
#include <thread>
#include <vector>

bool process(int item);

void statusPull(int n) {
  boost::concurrent::sync_bounded_queue<int> q(4);
  std::thread producer([&] {
    for (int i = 0; i < n; ++i)
      q.push(i);
    q.close();
  });
  std::vector<std::thread> workers;
  for (int w = 0; w < 2; ++w)
    workers.emplace_back([&] {
      for (;;) {
        int item;
        if (q.wait_pull_front(item) == boost::concurrent::queue_op_status::closed)
          break;
        if (!process(item))
          return;
      }
    });
  for (auto &t : workers)
    t.join();
  producer.join();
}
// CHECK-NOTES: :[[@LINE-18]]:9: warning: producer can block forever in 'push' on bounded queue 'q' (boost::concurrent::sync_bounded_queue<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-22]]:46: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-9]]:11: note: consumer returns here without closing 'q'
// CHECK-NOTES: :[[@LINE-16]]:5: note: consumer threads spawned here in a loop
// CHECK-NOTES: :[[@LINE-24]]:15: note: producer thread spawned here
// CHECK-NOTES: :[[@LINE-7]]:3: note: this wait never returns once the producer is stuck
// CHECK-NOTES: :[[@LINE-8]]:3: note: fix: close 'q' once the consumers are joined, so that a producer blocked in 'push' wakes up
// CHECK-NOTES: :[[@LINE-15]]:28: note: alternatively, close 'q' on each consumer exit
// CHECK-FIXES: {{^}}    try {{[{]$}}
// CHECK-FIXES-NEXT: {{^}}      for (int i = 0; i < n; ++i){{$}}
// CHECK-FIXES-NEXT: {{^}}        q.push(i);{{$}}
// CHECK-FIXES-NEXT: {{^}}    } catch (const boost::sync_queue_is_closed &) {{[{]$}}
// CHECK-FIXES-NEXT: {{^}}      // The consumers are gone.{{$}}
// CHECK-FIXES-NEXT: {{^}}    }{{$}}
// CHECK-FIXES: {{^}}  q.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}  producer.join();{{$}}

// pull() throws sync_queue_is_closed once closed and empty: the loop ends in
// the catch; the early return still strands the producer.
void throwingPull(int n) {
  boost::concurrent::sync_bounded_queue<int> q(8);
  std::thread consumer([&] {
    try {
      for (;;) {
        int item = q.pull();
        if (!process(item))
          return;
      }
    } catch (const boost::sync_queue_is_closed &) {
    }
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  consumer.join();
}
// CHECK-NOTES: :[[@LINE-4]]:7: warning: producer can block forever in 'push' on bounded queue 'q' (boost::concurrent::sync_bounded_queue<int>, capacity 8): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-17]]:46: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-12]]:11: note: consumer returns here without closing 'q'
// CHECK-NOTES: :[[@LINE-18]]:15: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-15]]:28: note: fix: close 'q' on each consumer exit, so that a producer blocked in 'push' wakes up
// CHECK-FIXES: {{^}}          q.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}          return;{{$}}
// CHECK-FIXES-NEXT: {{^}}        }{{$}}
// CHECK-FIXES: {{^}}  try {{[{]$}}
// CHECK-FIXES-NEXT: {{^}}    for (int i = 0; i < n; ++i){{$}}
// CHECK-FIXES-NEXT: {{^}}      q.push(i);{{$}}
// CHECK-FIXES-NEXT: {{^}}  } catch (const boost::sync_queue_is_closed &) {{[{]$}}

// Negative: closing on the error path wakes the producer.
void closesOnError(int n) {
  boost::concurrent::sync_bounded_queue<int> q(4);
  std::thread consumer([&] {
    int item;
    while (q.wait_pull_front(item) == boost::concurrent::queue_op_status::success)
      if (!process(item)) {
        q.close();
        return;
      }
  });
  try {
    for (int i = 0; i < n; ++i)
      q.push(i);
  } catch (const boost::sync_queue_is_closed &) {
  }
  q.close();
  consumer.join();
}

// Negative: sync_queue is unbounded.
void unbounded(int n) {
  boost::concurrent::sync_queue<int> q;
  std::thread consumer([&] {
    int item;
    while (q.wait_pull(item) == boost::concurrent::queue_op_status::success)
      if (!process(item))
        return;
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  consumer.join();
}
