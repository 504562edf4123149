// RUN: %check_clang_tidy %s fanout-stranded-producer %t -- -- -std=c++20 -isystem %S/Inputs
// RUN: %clang_tidy_plugin -checks='-*,fanout-*' --dump-config %s -- -std=c++20 \
// RUN:   | FileCheck %s -check-prefix=DUMP
// DUMP-DAG: fanout-stranded-producer.InferQueues: 'true'
// DUMP-DAG: fanout-stranded-producer.QueueTypes: ''

// An exit spelled by a macro: editing a macro's expansion would change every
// use of it, so the check explains the fix in a note instead.
#include "queues.h"
#include <thread>

bool process(int item);

#define RETURN_IF_FAILED(call)                                                 \
  if (!(call))                                                                 \
  return

void exitInMacro(int n) {
  BoundedQueue<int> q(4);
  std::thread consumer([&] {
    int v;
    while (q.pop(v))
      RETURN_IF_FAILED(process(v));
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  consumer.join();
}
// CHECK-NOTES: :[[@LINE-4]]:7: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-12]]:21: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-9]]:7: note: consumer returns here without closing 'q'
// CHECK-NOTES: :[[@LINE-17]]:3: note: expanded from macro 'RETURN_IF_FAILED'
// CHECK-NOTES: :[[@LINE-14]]:15: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-9]]:7: note: no automatic fix is certain here; call 'q.close()' on each consumer exit above (or once after the consumers are joined), and stop the producer when 'push' reports the queue closed
// CHECK-FIXES: {{^}}    q.push(i);{{$}}
