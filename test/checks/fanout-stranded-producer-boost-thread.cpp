// REQUIRES: boost
// RUN: %check_clang_tidy %s fanout-stranded-producer %t -- -- -std=c++20 -isystem %S/Inputs

// Boost.Thread spawns: boost::thread alone, in a vector, and
// boost::thread_group::create_thread with join_all().
#include "queues.h"

#include <boost/thread/thread.hpp>
#include <vector>

bool process(int item);

void single(int n) {
  BoundedQueue<int> q(4);
  boost::thread consumer([&q] {
    int v;
    while (q.pop(v))
      if (!process(v))
        return;
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  consumer.join();
}
// CHECK-NOTES: :[[@LINE-4]]:7: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-13]]:21: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-9]]:9: note: consumer returns here without closing 'q'
// CHECK-NOTES: :[[@LINE-14]]:17: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-12]]:23: note: fix: close 'q' on each consumer exit, so that a producer blocked in 'push' wakes up

void drain(BoundedQueue<int> *q) {
  int v;
  while (q->pop(v))
    if (!process(v))
      break;
}

void group(int n) {
  BoundedQueue<int> q(8);
  boost::thread_group consumers;
  for (int w = 0; w < 4; ++w)
    consumers.create_thread([&q] { drain(&q); });
  boost::thread producer([&] {
    for (int i = 0; i < n; ++i)
      q.push(i);
    q.close();
  });
  consumers.join_all();
  producer.join();
}
// CHECK-NOTES: :[[@LINE-6]]:9: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 8): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-13]]:21: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-18]]:7: note: consumer breaks out of its pop loop here without closing 'q'
// CHECK-NOTES: :[[@LINE-12]]:36: note: the consumer stops popping 'q' when 'drain' returns early here
// CHECK-NOTES: :[[@LINE-13]]:5: note: consumer threads spawned here in a loop
// CHECK-NOTES: :[[@LINE-13]]:17: note: producer thread spawned here
// CHECK-NOTES: :[[@LINE-8]]:3: note: this wait never returns once the producer is stuck
// CHECK-NOTES: :[[@LINE-9]]:3: note: fix: close 'q' once the consumers are joined, so that a producer blocked in 'push' wakes up
// CHECK-NOTES: :[[@LINE-25]]:21: note: alternatively, close 'q' on each consumer exit

// Negatives.

// Each consumer closes the queue when it gives up.
void closesOnExit(int n) {
  BoundedQueue<int> q(4);
  std::vector<boost::thread> consumers;
  for (int w = 0; w < 2; ++w)
    consumers.emplace_back([&q] {
      int v;
      while (q.pop(v))
        if (!process(v)) {
          q.close();
          return;
        }
    });
  for (int i = 0; i < n; ++i)
    if (!q.push(i))
      break;
  q.close();
  for (auto &t : consumers)
    t.join();
}

// The spawner closes the queue once the group is joined, before it waits on
// the producer.
void closedAfterJoinAll(int n) {
  BoundedQueue<int> q(8);
  boost::thread_group consumers;
  for (int w = 0; w < 4; ++w)
    consumers.create_thread([&q] { drain(&q); });
  boost::thread producer([&] {
    for (int i = 0; i < n; ++i)
      if (!q.push(i))
        return;
    q.close();
  });
  consumers.join_all();
  q.close();
  producer.join();
}

// The fixes, in file order.
// CHECK-FIXES: {{^}}        q.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}        return;{{$}}
// CHECK-FIXES-NEXT: {{^}}      }{{$}}
// CHECK-FIXES: {{^}}    if (!q.push(i)) break;{{$}}
// CHECK-FIXES: {{^}}      if (!q.push(i)) break;{{$}}
// CHECK-FIXES: {{^}}  consumers.join_all();{{$}}
// CHECK-FIXES-NEXT: {{^}}  q.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}  producer.join();{{$}}
