// RUN: %check_clang_tidy %s fanout-stranded-producer,fanout-join-before-drain %t -- -- -std=c++20 -isystem %S/Inputs

// Waits that are not join() calls: a std::jthread or an async future waits
// in its destructor at the end of its scope, and a latch the workers count
// down waits for them too. The notes name the place that hangs.
#include "queues.h"

#include <future>
#include <latch>
#include <thread>
#include <vector>

bool process(int item);
int work(int i);

void jthreadScope(int n) {
  BoundedQueue<int> q(4);
  std::jthread producer([&] {
    for (int i = 0; i < n; ++i)
      q.push(i);
    q.close();
  });
  std::vector<std::jthread> consumers;
  for (int w = 0; w < 2; ++w)
    consumers.emplace_back([&] {
      int v;
      while (q.pop(v))
        if (!process(v))
          return;
    });
}
// CHECK-NOTES: :[[@LINE-12]]:9: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-16]]:21: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-5]]:11: note: consumer returns here without closing 'q'
// CHECK-NOTES: :[[@LINE-10]]:5: note: consumer threads spawned here in a loop
// CHECK-NOTES: :[[@LINE-18]]:16: note: producer thread spawned here
// CHECK-NOTES: :[[@LINE-6]]:1: note: the producer is waited for here, at the end of its handle's scope; this never returns once it is stuck
// CHECK-NOTES: :[[@LINE-10]]:25: note: fix: close 'q' on each consumer exit, so that a producer blocked in 'push' wakes up

void latchBeforeDrain(int n) {
  BoundedQueue<int> results(4);
  std::latch done(3);
  std::vector<std::thread> workers;
  for (int w = 0; w < 3; ++w)
    workers.emplace_back([&] {
      for (int i = 0; i < n; ++i)
        results.push(work(i));
      done.count_down();
    });
  done.wait();
  results.close();
  int r;
  while (results.pop(r))
    ;
  for (auto &t : workers)
    t.join();
}
// CHECK-NOTES: :[[@LINE-8]]:3: warning: this wait can block forever: workers push into bounded queue 'results' (BoundedQueue<int>, capacity 4), which is drained only after it; once the queue is full they block in 'push' [fanout-join-before-drain]
// CHECK-NOTES: :[[@LINE-18]]:21: note: queue 'results' declared here
// CHECK-NOTES: :[[@LINE-13]]:17: note: workers block here once 'results' is full
// CHECK-NOTES: :[[@LINE-16]]:5: note: worker threads spawned here in a loop
// CHECK-NOTES: :[[@LINE-9]]:18: note: 'results' is drained only here, after the wait
// CHECK-NOTES: :[[@LINE-13]]:3: note: fix: join the workers and close the queue on a joiner thread while this thread drains it
// CHECK-FIXES: {{^}}      if (!q.push(i)) break;{{$}}
// CHECK-FIXES: {{^}}          q.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}          return;{{$}}
// CHECK-FIXES-NEXT: {{^}}        }{{$}}
// CHECK-FIXES: {{^}}  std::thread joiner([&] {{[{]$}}
// CHECK-FIXES-NEXT: {{^}}    done.wait();{{$}}
// CHECK-FIXES-NEXT: {{^}}    results.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}  });{{$}}
// CHECK-FIXES: {{^}}  joiner.join();{{$}}
