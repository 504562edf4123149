// RUN: %check_clang_tidy %s fanout-stranded-producer %t -- -- -std=c++20 -isystem %S/Inputs

// A queue handed to a thread inside a struct (`job->out`, `ctx.q`): the
// member is followed to the queue the struct was given, so the producer and
// the consumers meet on the same queue.

#include "queues.h"

#include <atomic>
#include <pthread.h>
#include <thread>

bool process(int item);

struct Job {
  BoundedQueue<int> *out;
  int id;
};

void consume(Job *job) {
  int v;
  while (job->out->pop(v))
    if (!process(v))
      return;
}

// A pointer to a struct that points at the queue.
void byPointer(int n) {
  BoundedQueue<int> q(4);
  Job job{&q, 1};
  std::thread consumer(consume, &job);
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  consumer.join();
}
// CHECK-NOTES: :[[@LINE-4]]:7: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-9]]:21: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-15]]:7: note: consumer returns here without closing 'q'
// CHECK-NOTES: :[[@LINE-9]]:15: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-18]]:21: note: fix: close 'q' on each consumer exit, so that a producer blocked in 'push' wakes up

struct Ctx {
  BoundedQueue<int> &q;
  std::atomic<bool> &failed;
};

void *worker(void *arg) {
  auto *ctx = static_cast<Ctx *>(arg);
  int v;
  while (ctx->q.pop(v)) {
    if (!process(v)) {
      ctx->failed = true;
      break;
    }
  }
  return nullptr;
}

// A reference member, through pthread_create's void *.
void throughVoidPointer(int n) {
  BoundedQueue<int> q(8);
  std::atomic<bool> failed{false};
  Ctx ctx{q, failed};
  pthread_t t;
  pthread_create(&t, nullptr, worker, &ctx);
  for (int i = 0; i < n && !failed; ++i)
    q.push(i);
  q.close();
  pthread_join(t, nullptr);
}
// CHECK-NOTES: :[[@LINE-4]]:7: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 8): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-11]]:21: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-20]]:7: note: consumer breaks out of its pop loop here without closing 'q'
// CHECK-NOTES: :[[@LINE-9]]:3: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-22]]:7: note: fix: close 'q' on each consumer exit, so that a producer blocked in 'push' wakes up

// Negatives.

void consumeAndClose(Job *job) {
  int v;
  while (job->out->pop(v))
    if (!process(v)) {
      job->out->close();
      return;
    }
}

// The consumer closes the queue it was given on its early exit.
void closedThroughStruct(int n) {
  BoundedQueue<int> q(4);
  Job job{&q, 1};
  std::thread consumer(consumeAndClose, &job);
  for (int i = 0; i < n; ++i)
    if (!q.push(i))
      break;
  q.close();
  consumer.join();
}

void drainAll(Job *job) {
  int v;
  while (job->out->pop(v))
    process(v);
}

// Two jobs, two queues: the consumer that gives up reads the other queue,
// and the queue the producer fills is always drained.
void twoQueues(int n) {
  BoundedQueue<int> first(4), second(4);
  Job a{&first, 1}, b{&second, 2};
  std::thread quitter(consume, &a);
  std::thread drainer(drainAll, &b);
  for (int i = 0; i < n; ++i)
    second.push(i);
  second.close();
  first.close();
  quitter.join();
  drainer.join();
}

// The fixes, in file order.
// CHECK-FIXES: {{^}}      job->out->close();{{$}}
// CHECK-FIXES-NEXT: {{^}}      return;{{$}}
// CHECK-FIXES-NEXT: {{^}}    }{{$}}
// CHECK-FIXES: {{^}}    if (!q.push(i)) break;{{$}}
// CHECK-FIXES: {{^}}      ctx->q.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}      break;{{$}}
// CHECK-FIXES: {{^}}    if (!q.push(i)) break;{{$}}
