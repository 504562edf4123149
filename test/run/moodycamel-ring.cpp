// REQUIRES: readerwriterqueue
// RUN: %run_fix_test %s %t
//
// The real moodycamel::BlockingReaderWriterCircularBuffer has no close: the
// fix raises a flag on the consumer's exit and turns both blocking pushes
// (the items and the sentinel) into timed pushes that give up once it is
// raised.
#include <readerwriterqueue/readerwritercircularbuffer.h>
#include <thread>

static bool process(int item) { return item > 100; } // The first one fails.

int main() {
  moodycamel::BlockingReaderWriterCircularBuffer<int> q(8);
  std::thread consumer([&] {
    int item;
    for (;;) {
      q.wait_dequeue(item);
      if (item < 0)
        break;
      if (!process(item))
        return;
    }
  });
  for (int i = 0; i < 1000; ++i)
    q.wait_enqueue(i);
  q.wait_enqueue(-1);
  consumer.join();
  return 0;
}
// CHECK-FIXES: {{^}}  std::atomic<bool> qClosed{false};{{$}}
// CHECK-FIXES: {{^}}        qClosed = true;{{$}}
// CHECK-FIXES: {{^}}    while (!q.wait_enqueue_timed(i, std::chrono::milliseconds(10)) && !qClosed) {{[{]}}{{$}}
