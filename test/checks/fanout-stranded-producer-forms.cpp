// RUN: %check_clang_tidy %s fanout-stranded-producer %t -- -- -std=c++20 -isystem %S/Inputs

// The other queue implementations and thread-body forms real code uses.
#include "queues.h"

#include <memory>
#include <thread>
#include <vector>

bool process(int item);

// POSIX condition variables.
void posix(int n) {
  PosixQueue q(8);
  std::thread consumer([&] {
    int v;
    while (q.dequeue(v))
      if (!process(v))
        return;
  });
  for (int i = 0; i < n; ++i)
    q.enqueue(i);
  q.close();
  consumer.join();
}
// CHECK-NOTES: :[[@LINE-4]]:7: warning: producer can block forever in 'enqueue' on bounded queue 'q' (PosixQueue): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-13]]:14: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-9]]:9: note: consumer returns here without closing 'q'
// CHECK-NOTES: :[[@LINE-14]]:15: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-12]]:23: note: fix: close 'q' on each consumer exit, so that a producer blocked in 'enqueue' wakes up
// CHECK-FIXES: {{^}}        q.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}        return;{{$}}
// CHECK-FIXES-NEXT: {{^}}      }{{$}}
// CHECK-FIXES: {{^}}    if (!q.enqueue(i)) break;{{$}}

// A sleep-poll push, and a body that is a lambda held in a variable.
void polling(int n) {
  PollingQueue<int> q(4);
  auto work = [&q] {
    int v;
    while (q.pop(v)) {
      if (v == -1)
        break;
      if (!process(v))
        return;
    }
  };
  std::thread a(work), b(work);
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.push(-1);
  q.push(-1);
  a.join();
  b.join();
}
// CHECK-NOTES: :[[@LINE-6]]:7: warning: producer can block forever in 'push' on bounded queue 'q' (PollingQueue<int>): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-19]]:21: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-13]]:9: note: consumer returns here without closing 'q'
// CHECK-NOTES: :[[@LINE-11]]:15: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-10]]:7: note: no automatic fix: 'q' cannot be closed; use a timed or non-blocking push in a loop that also stops when a flag set on every consumer exit is raised

// A semaphore ring with a sentinel, consumed by a function object.
struct Drain {
  SemaphoreRing<int, 8> *ring;
  void operator()() const {
    for (;;) {
      int v = ring->take();
      if (v < 0)
        break;
      if (!process(v))
        return;
    }
  }
};

void semaphore(int n) {
  SemaphoreRing<int, 8> ring;
  std::thread consumer(Drain{&ring});
  for (int i = 0; i < n; ++i)
    ring.put(i);
  ring.put(-1);
  consumer.join();
}
// CHECK-NOTES: :[[@LINE-4]]:10: warning: producer can block forever in 'put' on bounded queue 'ring' (SemaphoreRing<int, 8>): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-8]]:25: note: queue 'ring' declared here
// CHECK-NOTES: :[[@LINE-15]]:9: note: consumer returns here without closing 'ring'
// CHECK-NOTES: :[[@LINE-9]]:15: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-8]]:10: note: no automatic fix: 'ring' cannot be closed; use a timed or non-blocking push in a loop that also stops when a flag set on every consumer exit is raised

// Shared ownership and an init-capture.
void sharedQueue(int n) {
  auto q = std::make_shared<BoundedQueue<int>>(16);
  std::thread producer([q, n] {
    for (int i = 0; i < n; ++i)
      q->push(i);
    q->close();
  });
  std::thread consumer([&in = *q] {
    int v;
    while (in.pop(v))
      if (!process(v))
        break;
  });
  consumer.join();
  producer.join();
}
// CHECK-NOTES: :[[@LINE-12]]:10: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 16): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-16]]:8: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-7]]:9: note: consumer breaks out of its pop loop here without closing 'q'
// CHECK-NOTES: :[[@LINE-12]]:15: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-18]]:15: note: producer thread spawned here
// CHECK-NOTES: :[[@LINE-7]]:3: note: this wait never returns once the producer is stuck
// CHECK-NOTES: :[[@LINE-8]]:3: note: fix: close 'q' once the consumers are joined, so that a producer blocked in 'push' wakes up
// CHECK-NOTES: :[[@LINE-13]]:23: note: alternatively, close 'q' on each consumer exit
// CHECK-FIXES: {{^}}      if (!q->push(i)) break;{{$}}
// CHECK-FIXES: {{^}}  q->close();{{$}}
// CHECK-FIXES-NEXT: {{^}}  producer.join();{{$}}
