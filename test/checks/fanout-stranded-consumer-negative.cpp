// REQUIRES: tbb, readerwriterqueue
// RUN: %check_clang_tidy %s fanout-stranded-consumer %t -- -- -std=c++20 -isystem %S/Inputs

// Not reported by fanout-stranded-consumer: queues without a close that
// stays in force (their consumers stop on sentinels), timed pops, producers
// that close on every way out, and exits the consumers asked for.
#include "queues.h"

#include <atomic>
#include <folly/MPMCQueue.h>
#include <oneapi/tbb/concurrent_queue.h>
#include <oneapi/tbb/task_group.h>
#include <readerwriterqueue/readerwritercircularbuffer.h>
#include <thread>

bool produce(int i, int &out);
bool process(int item);

void tbbSentinel(int n) {
  tbb::concurrent_bounded_queue<int> q;
  q.set_capacity(4);
  tbb::task_group group;
  group.run([&] {
    int v;
    for (;;) {
      q.pop(v);
      if (v < 0)
        break;
      process(v);
    }
  });
  for (int i = 0; i < n; ++i) {
    int v;
    if (!produce(i, v))
      break;
    q.push(v);
  }
  q.push(-1);
  group.wait();
}

void follySentinel(int n) {
  folly::MPMCQueue<int> q(16);
  std::thread consumer([&] {
    int v;
    for (;;) {
      q.blockingRead(v);
      if (v == -1)
        return;
      process(v);
    }
  });
  for (int i = 0; i < n; ++i)
    q.blockingWrite(i);
  q.blockingWrite(-1);
  consumer.join();
}

void moodycamelSentinel(int n) {
  moodycamel::BlockingReaderWriterCircularBuffer<int> q(8);
  std::thread consumer([&] {
    int v;
    for (;;) {
      q.wait_dequeue(v);
      if (v < 0)
        break;
      process(v);
    }
  });
  for (int i = 0; i < n; ++i)
    q.wait_enqueue(i);
  q.wait_enqueue(-1);
  consumer.join();
}

// The producer stops because the consumer asked it to.
void stopRequestedByConsumer(int n) {
  BoundedQueue<int> q(4);
  std::atomic<bool> stop{false};
  std::thread producer([&] {
    for (int i = 0; i < n; ++i) {
      if (stop)
        return;
      q.push(i);
    }
    q.close();
  });
  std::thread consumer([&] {
    int v;
    while (q.pop(v))
      if (!process(v)) {
        stop = true;
        q.close();
        return;
      }
  });
  consumer.join();
  producer.join();
}
