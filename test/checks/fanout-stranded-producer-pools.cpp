// REQUIRES: boost, tbb
// RUN: %check_clang_tidy %s fanout-stranded-producer %t -- -- -std=c++20 -isystem %S/Inputs

// Consumers run as tasks of a Boost.Asio thread pool or a tbb task group.
#include "queues.h"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <oneapi/tbb/task_group.h>

bool process(int item);

void asioPool(int n) {
  BoundedQueue<int> q(4);
  boost::asio::thread_pool pool(4);
  for (int w = 0; w < 4; ++w)
    boost::asio::post(pool, [&] {
      int v;
      while (q.pop(v))
        if (!process(v))
          return;
    });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  pool.join();
}
// CHECK-NOTES: :[[@LINE-4]]:7: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-15]]:21: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-9]]:11: note: consumer returns here without closing 'q'
// CHECK-NOTES: :[[@LINE-14]]:5: note: consumer threads spawned here in a loop
// CHECK-NOTES: :[[@LINE-12]]:25: note: fix: close 'q' on each consumer exit, so that a producer blocked in 'push' wakes up

void taskGroup(int n) {
  BoundedQueue<int> q(4);
  tbb::task_group group;
  group.run([&] {
    for (int i = 0; i < n; ++i)
      q.push(i);
    q.close();
  });
  group.run([&] {
    int v;
    while (q.pop(v))
      if (!process(v))
        break;
  });
  group.wait();
}
// CHECK-NOTES: :[[@LINE-11]]:9: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-16]]:21: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-6]]:9: note: consumer breaks out of its pop loop here without closing 'q'
// CHECK-NOTES: :[[@LINE-11]]:3: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-17]]:3: note: producer thread spawned here
// CHECK-NOTES: :[[@LINE-7]]:3: note: this wait never returns once the producer is stuck
// CHECK-NOTES: :[[@LINE-11]]:23: note: fix: close 'q' on each consumer exit, so that a producer blocked in 'push' wakes up
// CHECK-FIXES: {{^}}          q.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}          return;{{$}}
// CHECK-FIXES-NEXT: {{^}}        }{{$}}
// CHECK-FIXES: {{^}}    if (!q.push(i)) break;{{$}}
// CHECK-FIXES: {{^}}      if (!q.push(i)) break;{{$}}
// CHECK-FIXES: {{^}}        q.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}        break;{{$}}
// CHECK-FIXES-NEXT: {{^}}      }{{$}}
