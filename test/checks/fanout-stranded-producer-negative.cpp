// RUN: %check_clang_tidy %s fanout-stranded-producer %t -- -- -std=c++20 -isystem %S/Inputs

// Correct fan-outs the check must stay silent on: each is a way real code
// wakes or never strands its producer.

#include "queues.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <future>
#include <thread>
#include <vector>

bool process(int item);

// The consumer closes the queue on its error path.
void closesOnError(int n) {
  BoundedQueue<int> q(4);
  std::thread producer([&] {
    for (int i = 0; i < n; ++i)
      if (!q.push(i))
        break;
    q.close();
  });
  std::thread consumer([&] {
    int item;
    while (q.pop(item))
      if (!process(item)) {
        q.close();
        return;
      }
  });
  consumer.join();
  producer.join();
}

// The consumer keeps draining after an error.
void drainsAfterError(int n) {
  BoundedQueue<int> q(4);
  std::thread producer([&] {
    for (int i = 0; i < n; ++i)
      q.push(i);
    q.close();
  });
  std::vector<std::thread> pool;
  for (int w = 0; w < 4; ++w)
    pool.emplace_back([&] {
      int item;
      int errors = 0;
      while (q.pop(item)) {
        if (!process(item)) {
          ++errors;
          continue;
        }
      }
    });
  for (auto &t : pool)
    t.join();
  producer.join();
}

// A non-blocking push in a loop that watches a stop flag set on every exit.
void tryPushWithStopFlag(int n) {
  BoundedQueue<int> q(4);
  std::atomic<bool> stop{false};
  std::thread producer([&] {
    for (int i = 0; i < n; ++i) {
      while (!q.try_push(i)) {
        if (stop)
          return;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    q.close();
  });
  std::thread consumer([&] {
    int item;
    while (q.pop(item))
      if (!process(item)) {
        stop = true;
        return;
      }
  });
  consumer.join();
  producer.join();
}

// An unbounded queue never blocks its producer.
void unbounded(int n) {
  UnboundedQueue<int> q;
  std::thread consumer([&] {
    int item;
    while (q.pop(item))
      if (!process(item))
        return;
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  consumer.join();
}

// Closed by the joining side after the consumers and before the producer.
void closedAfterJoin(int n) {
  BoundedQueue<int> q(4);
  std::thread producer([&] {
    for (int i = 0; i < n; ++i)
      if (!q.push(i))
        break;
    q.close();
  });
  std::vector<std::thread> pool;
  for (int w = 0; w < 2; ++w)
    pool.emplace_back([&] {
      int item;
      while (q.pop(item))
        if (!process(item))
          return;
    });
  for (auto &t : pool)
    t.join();
  q.close();
  producer.join();
}

// Suppressed.
void suppressed(int n) {
  BoundedQueue<int> q(4);
  std::thread consumer([&] {
    int item;
    while (q.pop(item))
      if (!process(item))
        return;
  });
  for (int i = 0; i < n; ++i)
    q.push(i); // NOLINT(fanout-stranded-producer)
  q.close();
  consumer.join();
}

// An RAII guard closes the queue on every exit.
struct CloseOnExit {
  BoundedQueue<int> &queue;
  ~CloseOnExit() { queue.close(); }
};

void guardCloses(int n) {
  BoundedQueue<int> q(4);
  std::thread consumer([&] {
    CloseOnExit guard{q};
    int item;
    while (q.pop(item))
      if (!process(item))
        return;
  });
  for (int i = 0; i < n; ++i)
    if (!q.push(i))
      break;
  q.close();
  consumer.join();
}

// A scope guard holding a lambda that closes.
template <typename F> struct ScopeExit {
  F f;
  ~ScopeExit() { f(); }
};
template <typename F> ScopeExit(F) -> ScopeExit<F>;

void scopeExitCloses(int n) {
  BoundedQueue<int> q(4);
  std::thread consumer([&] {
    ScopeExit closer{[&] { q.close(); }};
    int item;
    while (q.pop(item))
      if (!process(item))
        return;
  });
  for (int i = 0; i < n; ++i)
    if (!q.push(i))
      break;
  consumer.join();
}

// One of the consumers always drains, so the producer always progresses.
void oneConsumerDrains(int n) {
  BoundedQueue<int> q(4);
  std::thread quitter([&] {
    int item;
    while (q.pop(item))
      if (!process(item))
        return;
  });
  std::thread drainer([&] {
    int item;
    while (q.pop(item))
      process(item);
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  quitter.join();
  drainer.join();
}

// The capacity holds every item pushed.
void capacityHoldsAll() {
  BoundedQueue<int> q(16);
  std::thread consumer([&] {
    int item;
    while (q.pop(item))
      if (!process(item))
        return;
  });
  for (int i = 0; i < 16; ++i)
    q.push(i);
  q.close();
  consumer.join();
}

// A consumer that pops a known number of items is no draining consumer.
void countedConsumer(int n) {
  BoundedQueue<int> q(4);
  std::thread consumer([&] {
    int item;
    for (int k = 0; k < n; ++k) {
      q.pop(item);
      process(item);
    }
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  consumer.join();
}

// The producer sends a sentinel; consumers stop on it.
void sentinel(int n) {
  BoundedQueue<int> q(4);
  std::thread consumer([&] {
    int item;
    while (q.pop(item)) {
      if (item == -1)
        break;
      process(item);
    }
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.push(-1);
  consumer.join();
}

// The error path calls a helper that closes.
void helperCloses(int n) {
  BoundedQueue<int> q(4);
  std::thread consumer([&] {
    auto fail = [&] { q.close(); };
    int item;
    while (q.pop(item))
      if (!process(item)) {
        fail();
        return;
      }
  });
  for (int i = 0; i < n; ++i)
    if (!q.push(i))
      break;
  q.close();
  consumer.join();
}

// The consumer ends the process on error: nothing is left waiting.
void abortsOnError(int n) {
  BoundedQueue<int> q(4);
  std::thread consumer([&] {
    int item;
    while (q.pop(item))
      if (!process(item))
        std::abort();
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  consumer.join();
}

// Exceptions are caught and turned into a close before leaving.
void catchAndClose(int n) {
  BoundedQueue<int> q(4);
  std::thread consumer([&] {
    int item;
    try {
      while (q.pop(item))
        if (!process(item))
          throw 1;
    } catch (...) {
      q.close();
    }
  });
  for (int i = 0; i < n; ++i)
    if (!q.push(i))
      break;
  q.close();
  consumer.join();
}

// Different queues: the consumer that quits reads another queue.
void differentQueues(int n) {
  BoundedQueue<int> a(4), b(4);
  std::thread consumer([&] {
    int item;
    while (b.pop(item))
      if (!process(item))
        return;
  });
  std::thread drainer([&] {
    int item;
    while (a.pop(item))
      process(item);
  });
  for (int i = 0; i < n; ++i)
    a.push(i);
  a.close();
  b.close();
  consumer.join();
  drainer.join();
}

// The same thread produces and consumes: no fan-out.
void noThreads(int n) {
  BoundedQueue<int> q(4);
  for (int i = 0; i < n; ++i) {
    q.push(i);
    int item;
    if (!q.pop(item) || !process(item))
      return;
  }
}

// A helper that closes the queue it is given, by reference or by pointer
// (found on real code: the helper was followed, its parameter was not).
static void stopQueue(BoundedQueue<int> &queue) { queue.close(); }
static void stopQueueAt(BoundedQueue<int> *queue) { queue->close(); }
void closesThroughParameter(int n) {
  BoundedQueue<int> q(8);
  std::thread producer([&] {
    for (int i = 0; i < n; ++i)
      q.push(i);
    q.close();
  });
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w)
    workers.emplace_back([&] {
      int v;
      while (q.pop(v)) {
        if (!process(v)) {
          stopQueue(q);
          return;
        }
        if (v < 0) {
          stopQueueAt(&q);
          break;
        }
      }
    });
  for (auto &t : workers)
    t.join();
  producer.join();
}
