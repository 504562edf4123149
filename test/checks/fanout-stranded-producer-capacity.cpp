// RUN: %check_clang_tidy %s fanout-stranded-producer %t -- -- -std=c++20 -isystem %S/Inputs

// A producer that pushes a known number of items: besides the close, a
// queue with room for all of them is offered as an alternative note.
#include "queues.h"
#include <thread>
bool process(int);
void knownCount() {
  BoundedQueue<int> q(8);
  std::thread c([&] { int v; while (q.pop(v)) if (!process(v)) return; });
  for (int i = 0; i < 100; ++i)
    q.push(i);
  q.close();
  c.join();
}
// CHECK-NOTES: :[[@LINE-4]]:7: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 8): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-8]]:21: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-8]]:64: note: consumer returns here without closing 'q'
// CHECK-NOTES: :[[@LINE-9]]:15: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-10]]:64: note: fix: close 'q' on each consumer exit, so that a producer blocked in 'push' wakes up
// CHECK-NOTES: :[[@LINE-12]]:23: note: alternatively, give 'q' room for all 100 items
// CHECK-FIXES: {{^}}  std::thread c([&] { int v; while (q.pop(v)) if (!process(v)) { q.close(); return; } });{{$}}
// CHECK-FIXES: {{^}}    if (!q.push(i)) break;{{$}}
