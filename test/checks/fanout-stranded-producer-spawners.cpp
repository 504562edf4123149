// RUN: %check_clang_tidy %s fanout-stranded-producer %t -- -- -std=c++20 -isystem %S/Inputs

// Spawners other than std::thread: POSIX threads, Boost.Asio thread pools and
// tbb task groups run consumers too.
#include "queues.h"

#include <pthread.h>
#include <thread>

bool process(int item);

void *consume(void *arg) {
  auto *q = static_cast<BoundedQueue<int> *>(arg);
  int v;
  while (q->pop(v))
    if (!process(v))
      return nullptr;
  return nullptr;
}

void posixThreads(int n) {
  BoundedQueue<int> q(4);
  pthread_t consumer;
  pthread_create(&consumer, nullptr, consume, &q);
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  pthread_join(consumer, nullptr);
}
// CHECK-NOTES: :[[@LINE-4]]:7: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-9]]:21: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-15]]:7: note: consumer returns here without closing 'q'
// CHECK-NOTES: :[[@LINE-9]]:3: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-18]]:21: note: fix: close 'q' on each consumer exit, so that a producer blocked in 'push' wakes up
// CHECK-FIXES: {{^}}      q->close();{{$}}
// CHECK-FIXES-NEXT: {{^}}      return nullptr;{{$}}
// CHECK-FIXES-NEXT: {{^}}    }{{$}}
// CHECK-FIXES: {{^}}    if (!q.push(i)) break;{{$}}
