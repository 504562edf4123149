// REQUIRES: readerwriterqueue
// RUN: %check_clang_tidy %s fanout-stranded-producer %t -- -- -std=c++20

// moodycamel's blocking SPSC ring (Debian libreaderwriterqueue-dev) has no
// close; its unbounded queues never strand a producer.
#include <readerwriterqueue/readerwritercircularbuffer.h>
#include <readerwriterqueue/readerwriterqueue.h>
#include <thread>

bool process(int item);

void ring(int n) {
  moodycamel::BlockingReaderWriterCircularBuffer<int> q(32);
  std::thread consumer([&] {
    int v;
    for (;;) {
      q.wait_dequeue(v);
      if (v < 0)
        break;
      if (!process(v))
        return;
    }
  });
  for (int i = 0; i < n; ++i)
    q.wait_enqueue(i);
  q.wait_enqueue(-1);
  consumer.join();
}
// CHECK-NOTES: :[[@LINE-4]]:7: warning: producer can block forever in 'wait_enqueue' on bounded queue 'q' (moodycamel::BlockingReaderWriterCircularBuffer<int>, capacity 32): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-17]]:55: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-10]]:9: note: consumer returns here without closing 'q'
// CHECK-NOTES: :[[@LINE-18]]:15: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-20]]:61: note: fix: 'q' cannot be closed reliably; raise 'qClosed' on each consumer exit, and push with 'wait_enqueue_timed' until there is room or 'qClosed' is raised
// CHECK-FIXES: {{^}}#include <atomic>{{$}}
// CHECK-FIXES-NEXT: {{^}}#include <chrono>{{$}}
// CHECK-FIXES: {{^}}  moodycamel::BlockingReaderWriterCircularBuffer<int> q(32);{{$}}
// CHECK-FIXES-NEXT: {{^}}  std::atomic<bool> qClosed{false};{{$}}
// CHECK-FIXES: {{^}}      if (!process(v)) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}        qClosed = true;{{$}}
// CHECK-FIXES-NEXT: {{^}}        return;{{$}}
// CHECK-FIXES-NEXT: {{^}}      }{{$}}
// CHECK-FIXES: {{^}}  for (int i = 0; i < n; ++i) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}    while (!q.wait_enqueue_timed(i, std::chrono::milliseconds(10)) && !qClosed) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}    }{{$}}
// CHECK-FIXES-NEXT: {{^}}    if (qClosed){{$}}
// CHECK-FIXES-NEXT: {{^}}      break;{{$}}
// CHECK-FIXES-NEXT: {{^}}  }{{$}}
// CHECK-FIXES-NEXT: {{^}}  while (!q.wait_enqueue_timed(-1, std::chrono::milliseconds(10)) && !qClosed) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}  }{{$}}

// Negative: unbounded.
void unbounded(int n) {
  moodycamel::BlockingReaderWriterQueue<int> q;
  std::thread consumer([&] {
    int v;
    for (;;) {
      q.wait_dequeue(v);
      if (v < 0 || !process(v))
        return;
    }
  });
  for (int i = 0; i < n; ++i)
    q.enqueue(i);
  q.enqueue(-1);
  consumer.join();
}
