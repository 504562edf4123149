// REQUIRES: boost, boost-fiber
// RUN: %check_clang_tidy %s fanout-stranded-consumer %t -- -- -std=c++20 -isystem %S/Inputs

// fanout-stranded-consumer over library queues and other spawners. Queues
// without a permanent close (tbb's abort(), folly, moodycamel) are not
// reported: their consumers stop on sentinels.
#include "queues.h"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/fiber/buffered_channel.hpp>
#include <boost/thread/concurrent_queues/sync_bounded_queue.hpp>
#include <future>
#include <pthread.h>
#include <thread>

bool produce(int i, int &out);
bool process(int item);

// Boost.Thread: pull() throws once the queue is closed and empty.
void boostQueue(int n) {
  boost::concurrent::sync_bounded_queue<int> q(8);
  std::jthread consumer([&] {
    try {
      for (;;)
        process(q.pull());
    } catch (const boost::sync_queue_is_closed &) {
    }
  });
  std::jthread producer([&] {
    for (int i = 0; i < n; ++i) {
      int v;
      if (!produce(i, v))
        return;
      q.push(v);
    }
    q.close();
  });
}
// CHECK-NOTES: :[[@LINE-14]]:19: warning: consumers can block forever in 'pull' on queue 'q' (boost::concurrent::sync_bounded_queue<int>, capacity 8): the producer can finish without closing it [fanout-stranded-consumer]
// CHECK-NOTES: :[[@LINE-19]]:46: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-8]]:9: note: producer returns here without closing 'q'
// CHECK-NOTES: :[[@LINE-13]]:16: note: producer thread spawned here
// CHECK-NOTES: :[[@LINE-21]]:16: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-6]]:1: note: the consumers are waited for here, at the end of their handle's scope; this never returns once they are stuck
// CHECK-NOTES: :[[@LINE-11]]:9: note: fix: close 'q' on every way out of the producer with a guard declared first in its body
// CHECK-FIXES: {{^}}    struct CloseOnExit { decltype(q) &queue; ~CloseOnExit() { queue.close(); } } closeOnExit{q};{{$}}

// Boost.Fiber: pop() reports closed with a status; consumers in a pool; the
// producer's exception goes into its future.
void fiberChannel(int n) {
  boost::fibers::buffered_channel<int> ch(8);
  boost::asio::thread_pool pool(2);
  for (int w = 0; w < 2; ++w)
    boost::asio::post(pool, [&] {
      int v;
      while (ch.pop(v) == boost::fibers::channel_op_status::success)
        process(v);
    });
  auto producer = std::async(std::launch::async, [&] {
    for (int i = 0; i < n; ++i) {
      int v;
      if (!produce(i, v))
        throw i;
      ch.push(v);
    }
    ch.close();
  });
  producer.wait();
  pool.join();
}
// CHECK-NOTES: :[[@LINE-15]]:17: warning: consumers can block forever in 'pop' on queue 'ch' (boost::fibers::buffered_channel<int>, capacity 8): the producer can finish without closing it [fanout-stranded-consumer]
// CHECK-NOTES: :[[@LINE-21]]:40: note: queue 'ch' declared here
// CHECK-NOTES: :[[@LINE-10]]:9: note: producer throws here without closing 'ch'
// CHECK-NOTES: :[[@LINE-15]]:19: note: producer thread spawned here
// CHECK-NOTES: :[[@LINE-21]]:5: note: consumer threads spawned here in a loop
// CHECK-NOTES: :[[@LINE-7]]:3: note: this wait never returns once the consumers are stuck
// CHECK-NOTES: :[[@LINE-13]]:10: note: fix: close 'ch' on every way out of the producer with a guard declared first in its body
// CHECK-FIXES: {{^}}    struct CloseOnExit { decltype(ch) &queue; ~CloseOnExit() { queue.close(); } } closeOnExit{ch};{{$}}

// POSIX threads drain a hand-written queue the producer never closes.
void *drain(void *arg) {
  auto *q = static_cast<BoundedQueue<int> *>(arg);
  int v;
  while (q->pop(v))
    process(v);
  return nullptr;
}
// CHECK-NOTES: :[[@LINE-4]]:13: warning: consumers can block forever in 'pop' on queue 'q' (BoundedQueue<int>, capacity 4): the producer can finish without closing it (it never closes it) [fanout-stranded-consumer]
// CHECK-NOTES: :[[@LINE+8]]:21: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE+13]]:3: note: producer finishes here without closing 'q'
// CHECK-NOTES: :[[@LINE+9]]:15: note: producer thread spawned here
// CHECK-NOTES: :[[@LINE+7]]:3: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE+12]]:3: note: this wait never returns once the consumers are stuck
// CHECK-NOTES: :[[@LINE+8]]:9: note: fix: close 'q' on every way out of the producer with a guard declared first in its body

void posixConsumers(int n) {
  BoundedQueue<int> q(4);
  pthread_t consumer;
  pthread_create(&consumer, nullptr, drain, &q);
  std::thread producer([&] {
    for (int i = 0; i < n; ++i)
      q.push(i);
  });
  producer.join();
  pthread_join(consumer, nullptr);
}
// CHECK-FIXES: {{^}}    struct CloseOnExit { decltype(q) &queue; ~CloseOnExit() { queue.close(); } } closeOnExit{q};{{$}}

// Negative: the Boost.Thread producer closes on its error path too.
void boostCloses(int n) {
  boost::concurrent::sync_bounded_queue<int> q(8);
  std::jthread consumer([&] {
    int v;
    while (q.wait_pull_front(v) == boost::concurrent::queue_op_status::success)
      process(v);
  });
  std::jthread producer([&] {
    for (int i = 0; i < n; ++i) {
      int v;
      if (!produce(i, v)) {
        q.close();
        return;
      }
      q.push(v);
    }
    q.close();
  });
}
