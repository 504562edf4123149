// RUN: %check_clang_tidy %s fanout-stranded-producer %t -- -- -std=c++20 -isystem %S/Inputs

// Thread bodies that only call a helper: the helper is the consumer, and a
// note says where the thread enters it.
#include "queues.h"

#include <thread>
#include <vector>

bool process(int item);

void drain(BoundedQueue<int> &in) {
  int v;
  while (in.pop(v))
    if (!process(v))
      return;
}

void viaHelper(int n) {
  BoundedQueue<int> q(4);
  std::vector<std::thread> pool;
  for (int w = 0; w < 2; ++w)
    pool.emplace_back([&] { drain(q); });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  for (auto &t : pool)
    t.join();
}
// CHECK-NOTES: :[[@LINE-5]]:7: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-11]]:21: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-16]]:7: note: consumer returns here without closing 'q'
// CHECK-NOTES: :[[@LINE-10]]:29: note: the consumer stops popping 'q' when 'drain' returns early here
// CHECK-NOTES: :[[@LINE-11]]:5: note: consumer threads spawned here in a loop
// CHECK-NOTES: :[[@LINE-20]]:21: note: fix: close 'q' on each consumer exit, so that a producer blocked in 'push' wakes up
// CHECK-FIXES: {{^}}      in.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}      return;{{$}}
// CHECK-FIXES-NEXT: {{^}}    }{{$}}
// CHECK-FIXES: {{^}}    if (!q.push(i)) break;{{$}}

class Service {
public:
  void start(int n) {
    std::thread worker([this] { run(); });
    for (int i = 0; i < n; ++i)
      queue_.push(i);
    queue_.close();
    worker.join();
  }

private:
  void run() {
    int v;
    while (queue_.pop(v)) {
      if (!process(v))
        break;
    }
  }
  BoundedQueue<int> queue_{8};
};
// CHECK-NOTES: :[[@LINE-15]]:14: warning: producer can block forever in 'push' on bounded queue 'queue_' (BoundedQueue<int>, capacity 8): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-3]]:21: note: queue 'queue_' declared here
// CHECK-NOTES: :[[@LINE-7]]:9: note: consumer breaks out of its pop loop here without closing 'queue_'
// CHECK-NOTES: :[[@LINE-20]]:33: note: the consumer stops popping 'queue_' when 'run' returns early here
// CHECK-NOTES: :[[@LINE-21]]:17: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-11]]:23: note: fix: close 'queue_' on each consumer exit, so that a producer blocked in 'push' wakes up
// CHECK-FIXES: {{^}}      if (!queue_.push(i)) break;{{$}}
// CHECK-FIXES: {{^}}        queue_.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}        break;{{$}}
// CHECK-FIXES-NEXT: {{^}}      }{{$}}

// Negative: the helper closes on its way out.
void drainAndClose(BoundedQueue<int> &in) {
  int v;
  while (in.pop(v))
    if (!process(v)) {
      in.close();
      return;
    }
}

void viaClosingHelper(int n) {
  BoundedQueue<int> q(4);
  std::thread t([&] { drainAndClose(q); });
  for (int i = 0; i < n; ++i)
    if (!q.push(i))
      break;
  q.close();
  t.join();
}

// A chain of helpers that only call the next (found missing on generated
// code): followed up to three calls, each named in a note.
static void drainInner(BoundedQueue<int> &in) {
  int v;
  while (in.pop(v))
    if (!process(v))
      return;
}
static void drainMiddle(BoundedQueue<int> &in) { drainInner(in); }
void chainOfTwo(int n) {
  BoundedQueue<int> q(4);
  std::thread consumer([&] { drainMiddle(q); });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  consumer.join();
}
// CHECK-NOTES: :[[@LINE-4]]:7: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-8]]:21: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-13]]:7: note: consumer returns here without closing 'q'
// CHECK-NOTES: :[[@LINE-12]]:50: note: the consumer stops popping 'q' when 'drainInner' returns early here
// CHECK-NOTES: :[[@LINE-10]]:30: note: the consumer stops popping 'q' when 'drainMiddle' returns early here
// CHECK-NOTES: :[[@LINE-11]]:15: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-18]]:21: note: fix: close 'q' on each consumer exit, so that a producer blocked in 'push' wakes up
// CHECK-NOTES: :[[@LINE+19]]:7: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE+15]]:21: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-20]]:7: note: consumer returns here without closing 'q'
// CHECK-NOTES: :[[@LINE-19]]:50: note: the consumer stops popping 'q' when 'drainInner' returns early here
// CHECK-NOTES: :[[@LINE+9]]:50: note: the consumer stops popping 'q' when 'drainMiddle' returns early here
// CHECK-NOTES: :[[@LINE+9]]:50: note: the consumer stops popping 'q' when 'drainLevel3' returns early here
// CHECK-NOTES: :[[@LINE+11]]:30: note: the consumer stops popping 'q' when 'drainLevel4' returns early here
// CHECK-NOTES: :[[@LINE+10]]:15: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-27]]:21: note: fix: close 'q' on each consumer exit, so that a producer blocked in 'push' wakes up
// CHECK-FIXES: {{^}}    if (!process(v)) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}      in.close();{{$}}

// Four calls deep is within the bound (eight).
static void drainLevel3(BoundedQueue<int> &in) { drainMiddle(in); }
static void drainLevel4(BoundedQueue<int> &in) { drainLevel3(in); }
void chainOfFour(int n) {
  BoundedQueue<int> q(4);
  std::thread consumer([&] { drainLevel4(q); });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  consumer.join();
}
