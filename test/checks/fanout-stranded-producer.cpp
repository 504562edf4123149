// RUN: %check_clang_tidy %s fanout-stranded-producer %t -- -- -std=c++20 -isystem %S/Inputs

// Producers stranded by consumers that leave without closing: every exit kind,
// spawner and queue style, with the notes that explain each and the fixes.

#include "queues.h"

#include <atomic>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

bool process(int item);

// break out of the pop loop; producer is the spawning function itself.
void breakOut(int n) {
  BoundedQueue<int> q(4);
  std::vector<std::thread> workers;
  for (int w = 0; w < 3; ++w)
    workers.emplace_back([&q] {
      int item;
      while (q.pop(item)) {
        if (!process(item))
          break;
      }
    });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  for (auto &t : workers)
    t.join();
}
// CHECK-NOTES: :[[@LINE-5]]:7: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-17]]:21: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-11]]:11: note: consumer breaks out of its pop loop here without closing 'q'
// CHECK-NOTES: :[[@LINE-16]]:5: note: consumer threads spawned here in a loop
// CHECK-NOTES: :[[@LINE-14]]:28: note: fix: close 'q' on each consumer exit, so that a producer blocked in 'push' wakes up
// CHECK-FIXES: {{^}}          q.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}          break;{{$}}
// CHECK-FIXES-NEXT: {{^}}        }{{$}}
// CHECK-FIXES: {{^}}    if (!q.push(i)) break;{{$}}

// throw out of the consumer (std::async keeps the exception in the future).
void throwOut(int n) {
  BoundedQueue<int> q(8);
  std::thread producer([&] {
    for (int i = 0; i < n; ++i)
      q.push(i);
    q.close();
  });
  auto consumer = std::async(std::launch::async, [&] {
    int item;
    while (q.pop(item))
      if (!process(item))
        throw std::runtime_error("bad item");
  });
  consumer.wait();
  producer.join();
}
// CHECK-NOTES: :[[@LINE-12]]:9: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 8): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-16]]:21: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-7]]:9: note: consumer throws here without closing 'q'
// CHECK-NOTES: :[[@LINE-12]]:19: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-18]]:15: note: producer thread spawned here
// CHECK-NOTES: :[[@LINE-7]]:3: note: this wait never returns once the producer is stuck
// CHECK-NOTES: :[[@LINE-8]]:3: note: fix: close 'q' once the consumers are joined, so that a producer blocked in 'push' wakes up
// CHECK-NOTES: :[[@LINE-13]]:26: note: alternatively, close 'q' on each consumer exit
// CHECK-FIXES: {{^}}      if (!q.push(i)) break;{{$}}
// CHECK-FIXES: {{^}}  q.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}  producer.join();{{$}}

// the loop condition has a second conjunct.
void conditionExit(int n) {
  Ring<int, 16> ring;
  std::atomic<bool> failed{false};
  std::thread producer([&] {
    for (int i = 0; i < n; ++i)
      ring.send(i);
    ring.shutdown();
  });
  std::thread consumer([&] {
    std::optional<int> item;
    while ((item = ring.receive()) && !failed) {
      if (!process(*item))
        failed = true;
    }
  });
  consumer.join();
  producer.join();
}
// CHECK-NOTES: :[[@LINE-13]]:12: warning: producer can block forever in 'send' on bounded queue 'ring' (Ring<int, 16>): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-18]]:17: note: queue 'ring' declared here
// CHECK-NOTES: :[[@LINE-10]]:12: note: consumer's loop condition ends the pop loop here before 'ring' is closed
// CHECK-NOTES: :[[@LINE-13]]:15: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-19]]:15: note: producer thread spawned here
// CHECK-NOTES: :[[@LINE-7]]:3: note: this wait never returns once the producer is stuck
// CHECK-NOTES: :[[@LINE-8]]:3: note: fix: close 'ring' once the consumers are joined, so that a producer blocked in 'send' wakes up
// CHECK-NOTES: :[[@LINE-12]]:6: note: alternatively, close 'ring' on each consumer exit
// CHECK-FIXES: {{^}}    try {{[{]$}}
// CHECK-FIXES-NEXT: {{^}}      for (int i = 0; i < n; ++i){{$}}
// CHECK-FIXES-NEXT: {{^}}        ring.send(i);{{$}}
// CHECK-FIXES-NEXT: {{^}}    } catch (const ChannelClosed &) {{[{]$}}
// CHECK-FIXES-NEXT: {{^}}      // The consumers are gone.{{$}}
// CHECK-FIXES-NEXT: {{^}}    }{{$}}
// CHECK-FIXES-NEXT: {{^}}    ring.shutdown();{{$}}
// CHECK-FIXES: {{^}}  ring.shutdown();{{$}}
// CHECK-FIXES-NEXT: {{^}}  producer.join();{{$}}

// a free function consumer bound to the queue through std::ref.
void drainUntilError(BoundedQueue<int> &q) {
  int item;
  while (q.pop(item)) {
    if (!process(item))
      return;
  }
}

void freeFunction(int n) {
  BoundedQueue<int> q(2);
  std::thread a(drainUntilError, std::ref(q));
  std::thread b(drainUntilError, std::ref(q));
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  a.join();
  b.join();
}
// CHECK-NOTES: :[[@LINE-5]]:7: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 2): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-10]]:21: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-16]]:7: note: consumer returns here without closing 'q'
// CHECK-NOTES: :[[@LINE-11]]:15: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-19]]:24: note: fix: close 'q' on each consumer exit, so that a producer blocked in 'push' wakes up
// CHECK-FIXES: {{^}}      q.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}      return;{{$}}
// CHECK-FIXES-NEXT: {{^}}    }{{$}}
// CHECK-FIXES: {{^}}    if (!q.push(i)) break;{{$}}

// a member function run on a member queue.
class Pipeline {
public:
  void run(int n) {
    std::jthread consumer(&Pipeline::consume, this);
    for (int i = 0; i < n; ++i)
      box_.put(i);
    box_.stop();
  }

private:
  void consume() {
    int v;
    while (box_.take(v))
      if (v > 100 && !process(v))
        goto fail;
    return;
  fail:
    report();
  }
  void report();
  Mailbox<int> box_{8};
};
// CHECK-NOTES: :[[@LINE-17]]:12: warning: producer can block forever in 'put' on bounded queue 'box_' (Mailbox<int>, capacity 8): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-3]]:16: note: queue 'box_' declared here
// CHECK-NOTES: :[[@LINE-10]]:9: note: consumer jumps out of its pop loop here without closing 'box_'
// CHECK-NOTES: :[[@LINE-22]]:18: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-13]]:34: note: fix: close 'box_' on each consumer exit, so that a producer blocked in 'put' wakes up
// CHECK-FIXES: {{^}}      box_.put(i);{{$}}
// CHECK-FIXES: {{^}}        box_.stop();{{$}}
// CHECK-FIXES-NEXT: {{^}}        goto fail;{{$}}
// CHECK-FIXES-NEXT: {{^}}      }{{$}}

// close() exists but does not wake a writer asleep in push().
void closeDoesNotWake(int n) {
  ReaderCloseQueue<int> q(4);
  std::thread consumer([&] {
    int item;
    while (q.pop(item))
      if (!process(item)) {
        q.close();
        return;
      }
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  consumer.join();
}
// CHECK-NOTES: :[[@LINE-4]]:7: warning: producer can block forever in 'push' on bounded queue 'q' (ReaderCloseQueue<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-15]]:25: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-10]]:9: note: consumer returns here without closing 'q'
// CHECK-NOTES: :[[@LINE-16]]:15: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-8]]:7: note: no automatic fix: 'close' does not wake a producer blocked in 'push'; use a timed or non-blocking push in a loop that also stops when a flag set on every consumer exit is raised
// CHECK-FIXES: {{^}}    q.push(i);{{$}}

// a stop flag checked only before a blocking push is not enough.
void flagBeforePush(int n) {
  BoundedQueue<int> q(4);
  std::atomic<bool> stop{false};
  std::thread producer([&] {
    for (int i = 0; i < n && !stop; ++i)
      q.push(i);
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
// CHECK-NOTES: :[[@LINE-14]]:9: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-19]]:21: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-8]]:9: note: consumer returns here without closing 'q'
// CHECK-NOTES: :[[@LINE-14]]:15: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-20]]:15: note: producer thread spawned here
// CHECK-NOTES: :[[@LINE-7]]:3: note: this wait never returns once the producer is stuck
// CHECK-NOTES: :[[@LINE-8]]:3: note: fix: close 'q' once the consumers are joined, so that a producer blocked in 'push' wakes up
// CHECK-NOTES: :[[@LINE-13]]:9: note: alternatively, close 'q' on each consumer exit
// CHECK-FIXES: {{^}}      if (!q.push(i)) break;{{$}}
// CHECK-FIXES: {{^}}  q.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}  producer.join();{{$}}

// A helper that closes its parameter, given another queue: still stranded.
static void stopOther(BoundedQueue<int> &queue) { queue.close(); }
void closesTheWrongQueue(int n) {
  BoundedQueue<int> q(8), log(8);
  std::thread consumer([&] {
    int v;
    while (q.pop(v))
      if (!process(v)) {
        stopOther(log);
        return;
      }
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  consumer.join();
}
// CHECK-NOTES: :[[@LINE-4]]:7: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 8): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-15]]:21: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-10]]:9: note: consumer returns here without closing 'q'
// CHECK-NOTES: :[[@LINE-16]]:15: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-12]]:9: note: fix: close 'q' on each consumer exit, so that a producer blocked in 'push' wakes up
