// RUN: %check_clang_tidy %s fanout-stranded-consumer %t -- -- -std=c++20 -isystem %S/Inputs

// Consumers that wait in pop for a close the producer can skip.
#include "queues.h"

#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

bool produce(int i, int &out);
bool process(int item);

// The producer returns on its first failure, before closing.
void returnsEarly(int n) {
  BoundedQueue<int> q(8);
  std::thread producer([&] {
    for (int i = 0; i < n; ++i) {
      int item;
      if (!produce(i, item))
        return;
      q.push(item);
    }
    q.close();
  });
  std::vector<std::thread> consumers;
  for (int w = 0; w < 3; ++w)
    consumers.emplace_back([&] {
      int item;
      while (q.pop(item))
        process(item);
    });
  producer.join();
  for (auto &t : consumers)
    t.join();
}
// CHECK-NOTES: :[[@LINE-7]]:16: warning: consumers can block forever in 'pop' on queue 'q' (BoundedQueue<int>, capacity 8): the producer can finish without closing it [fanout-stranded-consumer]
// CHECK-NOTES: :[[@LINE-22]]:21: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-18]]:9: note: producer returns here without closing 'q'
// CHECK-NOTES: :[[@LINE-23]]:15: note: producer thread spawned here
// CHECK-NOTES: :[[@LINE-13]]:5: note: consumer threads spawned here in a loop
// CHECK-NOTES: :[[@LINE-7]]:5: note: this wait never returns once the consumers are stuck
// CHECK-NOTES: :[[@LINE-21]]:9: note: fix: close 'q' on every way out of the producer with a guard declared first in its body
// CHECK-FIXES: {{^}}    struct CloseOnExit { decltype(q) &queue; ~CloseOnExit() { queue.close(); } } closeOnExit{q};{{$}}
// CHECK-FIXES-NEXT: {{^}}    for (int i = 0; i < n; ++i) {{[{]$}}

// The producer throws before closing; the exception goes into its future.
void throwsEarly(int n) {
  Ring<int, 4> ring;
  auto producer = std::async(std::launch::async, [&] {
    for (int i = 0; i < n; ++i) {
      int item;
      if (!produce(i, item))
        throw std::runtime_error("cannot produce");
      ring.send(item);
    }
    ring.shutdown();
  });
  std::thread consumer([&] {
    while (auto item = ring.receive())
      process(*item);
  });
  consumer.join();
  producer.wait();
}
// CHECK-NOTES: :[[@LINE-6]]:29: warning: consumers can block forever in 'receive' on queue 'ring' (Ring<int, 4>): the producer can finish without closing it [fanout-stranded-consumer]
// CHECK-NOTES: :[[@LINE-18]]:16: note: queue 'ring' declared here
// CHECK-NOTES: :[[@LINE-14]]:9: note: producer throws here without closing 'ring'
// CHECK-NOTES: :[[@LINE-19]]:19: note: producer thread spawned here
// CHECK-NOTES: :[[@LINE-11]]:15: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-8]]:3: note: this wait never returns once the consumers are stuck
// CHECK-NOTES: :[[@LINE-17]]:12: note: fix: close 'ring' on every way out of the producer with a guard declared first in its body
// CHECK-FIXES: {{^}}    struct CloseOnExit { decltype(ring) &queue; ~CloseOnExit() { queue.shutdown(); } } closeOnExit{ring};{{$}}

// The producer never closes; the spawning function waits on async
// consumers (a future from std::async waits in its destructor).
void neverCloses(int n) {
  BoundedQueue<int> q(8);
  auto consumer = std::async(std::launch::async, [&] {
    int item;
    while (q.pop(item))
      process(item);
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  consumer.get();
}
// CHECK-NOTES: :[[@LINE-7]]:14: warning: consumers can block forever in 'pop' on queue 'q' (BoundedQueue<int>, capacity 8): the producer can finish without closing it (it never closes it) [fanout-stranded-consumer]
// CHECK-NOTES: :[[@LINE-11]]:21: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-3]]:1: note: producer finishes here without closing 'q'
// CHECK-NOTES: :[[@LINE-12]]:19: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-6]]:3: note: this wait never returns once the consumers are stuck
// CHECK-NOTES: :[[@LINE-8]]:7: note: fix: close 'q' once the producer is done, before waiting on the consumers
// CHECK-FIXES: {{^}}    q.push(i);{{$}}
// CHECK-FIXES-NEXT: {{^}}  q.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}  consumer.get();{{$}}

// Negative: every way out of the producer closes.
void closesEverywhere(int n) {
  BoundedQueue<int> q(8);
  std::thread producer([&] {
    for (int i = 0; i < n; ++i) {
      int item;
      if (!produce(i, item)) {
        q.close();
        return;
      }
      q.push(item);
    }
    q.close();
  });
  std::thread consumer([&] {
    int item;
    while (q.pop(item))
      process(item);
  });
  producer.join();
  consumer.join();
}

// Negative: a guard closes on every way out, exceptions included.
struct Closer {
  BoundedQueue<int> &q;
  ~Closer() { q.close(); }
};
void guardCloses(int n) {
  BoundedQueue<int> q(8);
  std::thread producer([&] {
    Closer closer{q};
    for (int i = 0; i < n; ++i) {
      int item;
      if (!produce(i, item))
        throw std::runtime_error("cannot produce");
      q.push(item);
    }
  });
  std::thread consumer([&] {
    int item;
    while (q.pop(item))
      process(item);
  });
  producer.join();
  consumer.join();
}

// Negative: the spawning function closes once the producer is done.
void closedAfterJoin(int n) {
  BoundedQueue<int> q(8);
  std::thread producer([&] {
    for (int i = 0; i < n; ++i) {
      int item;
      if (!produce(i, item))
        return;
      q.push(item);
    }
  });
  std::thread consumer([&] {
    int item;
    while (q.pop(item))
      process(item);
  });
  producer.join();
  q.close();
  consumer.join();
}

// Negative: consumers stop on the producer's sentinel.
void sentinel(int n) {
  BoundedQueue<int> q(8);
  std::thread producer([&] {
    for (int i = 0; i < n; ++i)
      q.push(i);
    q.push(-1);
  });
  std::thread consumer([&] {
    int item;
    while (q.pop(item)) {
      if (item == -1)
        break;
      process(item);
    }
  });
  producer.join();
  consumer.join();
}

// Negative: the consumer pops with a timeout and watches a flag.
void timedPop(int n) {
  Mailbox<int> box(8);
  std::atomic<bool> done{false};
  std::thread producer([&] {
    for (int i = 0; i < n; ++i)
      box.put(i);
    done = true;
  });
  std::thread consumer([&] {
    while (!done)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  producer.join();
  consumer.join();
}
