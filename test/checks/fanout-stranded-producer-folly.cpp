// RUN: %check_clang_tidy %s fanout-stranded-producer %t -- -- -std=c++20 -isystem %S/Inputs

// folly's bounded queues have no close: a consumer that leaves strands a
// producer in blockingWrite / enqueue. The fix raises a flag on the exits and
// turns each blocking write into a timed write that gives up once it is
// raised.
#include <atomic>
#include <folly/DynamicBoundedQueue.h>
#include <folly/MPMCQueue.h>
#include <thread>
#include <vector>

bool process(int item);

void mpmc(int n) {
  folly::MPMCQueue<int> q(64);
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r)
    readers.emplace_back([&] {
      for (;;) {
        int v;
        q.blockingRead(v);
        if (v < 0)
          break;
        if (!process(v))
          return;
      }
    });
  for (int i = 0; i < n; ++i)
    q.blockingWrite(i);
  q.blockingWrite(-1);
  q.blockingWrite(-1);
  for (auto &t : readers)
    t.join();
}
// CHECK-NOTES: :[[@LINE-6]]:7: warning: producer can block forever in 'blockingWrite' on bounded queue 'q' (folly::MPMCQueue<int>, capacity 64): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-21]]:25: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-12]]:11: note: consumer returns here without closing 'q'
// CHECK-NOTES: :[[@LINE-20]]:5: note: consumer threads spawned here in a loop
// CHECK-NOTES: :[[@LINE-24]]:31: note: fix: 'q' cannot be closed reliably; count the consumers (2) down in 'qReaders' as each leaves, and push with 'tryWriteUntil' until there is room or every consumer has left
// CHECK-FIXES: {{^}}#include <atomic>{{$}}
// CHECK-FIXES: {{^}}#include <vector>{{$}}
// CHECK-FIXES-NEXT: {{^}}#include <chrono>{{$}}
// CHECK-FIXES-NOT: #include <chrono>
// CHECK-FIXES: {{^}}  folly::MPMCQueue<int> q(64);{{$}}
// CHECK-FIXES-NEXT: {{^}}  std::atomic<int> qReaders{2};{{$}}
// CHECK-FIXES: {{^}}    readers.emplace_back([&] {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}      struct LeaveCount {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}        std::atomic<int> &left;{{$}}
// CHECK-FIXES-NEXT: {{^}}        ~LeaveCount() { --left; }{{$}}
// CHECK-FIXES-NEXT: {{^}}      } leaveCount{qReaders};{{$}}
// CHECK-FIXES: {{^}}  for (int i = 0; i < n; ++i) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}    while (!q.tryWriteUntil(std::chrono::steady_clock::now() + std::chrono::milliseconds(10), i) && qReaders > 0) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}    }{{$}}
// CHECK-FIXES-NEXT: {{^}}    if (qReaders == 0){{$}}
// CHECK-FIXES-NEXT: {{^}}      break;{{$}}
// CHECK-FIXES-NEXT: {{^}}  }{{$}}
// CHECK-FIXES-NEXT: {{^}}  while (!q.tryWriteUntil(std::chrono::steady_clock::now() + std::chrono::milliseconds(10), -1) && qReaders > 0) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}  }{{$}}
// CHECK-FIXES-NEXT: {{^}}  while (!q.tryWriteUntil(std::chrono::steady_clock::now() + std::chrono::milliseconds(10), -1) && qReaders > 0) {{[{]}}{{$}}

void dynamic(int n) {
  folly::DMPMCQueue<int, true> q(16);
  std::thread reader([&] {
    int v;
    for (;;) {
      q.dequeue(v);
      if (v == -1 || !process(v))
        break;
    }
  });
  for (int i = 0; i < n; ++i)
    q.enqueue(i);
  q.enqueue(-1);
  reader.join();
}
// CHECK-NOTES: :[[@LINE-4]]:7: warning: producer can block forever in 'enqueue' on bounded queue 'q' (folly::DMPMCQueue<int, true>, capacity 16): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-15]]:32: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-10]]:9: note: consumer breaks out of its pop loop here without closing 'q'
// CHECK-NOTES: :[[@LINE-16]]:15: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-18]]:38: note: fix: 'q' cannot be closed reliably; raise 'qClosed' on each consumer exit, and push with 'try_enqueue_for' until there is room or 'qClosed' is raised
// CHECK-FIXES: {{^}}      if (v == -1 || !process(v)) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}        qClosed = true;{{$}}
// CHECK-FIXES-NEXT: {{^}}        break;{{$}}
// CHECK-FIXES: {{^}}    while (!q.try_enqueue_for(i, std::chrono::milliseconds(10)) && !qClosed) {{[{]}}{{$}}

// Negative: the producer writes with a deadline and watches a stop flag.
void timedWrite(int n) {
  folly::MPMCQueue<int> q(64);
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    int v;
    for (;;) {
      q.blockingRead(v);
      if (v < 0 || !process(v)) {
        stop = true;
        return;
      }
    }
  });
  for (int i = 0; i < n && !stop; ++i)
    while (!q.tryWriteUntil(std::chrono::steady_clock::now() +
                                std::chrono::milliseconds(10),
                            i))
      if (stop)
        break;
  reader.join();
}
