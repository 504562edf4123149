// REQUIRES: readerwriterqueue
// RUN: %run_fix_test %s %t
//
// std::jthread threads on a queue without close: the fix uses the producer
// thread's own stop token. The consumer requests stop on its early exit and
// the producer, now taking a std::stop_token, pushes with a timed push until
// there is room or stop is requested. (At the end of main the jthreads are
// joined in reverse order: the consumer, then the stuck producer.)
#include <readerwriterqueue/readerwritercircularbuffer.h>
#include <thread>

static bool process(int item) { return item > 100; } // The first one fails.

int main() {
  moodycamel::BlockingReaderWriterCircularBuffer<int> q(8);
  std::jthread producer([&] {
    for (int i = 0; i < 1000; ++i)
      q.wait_enqueue(i);
  });
  std::jthread consumer([&] {
    int item;
    while (true) {
      q.wait_dequeue(item);
      if (!process(item))
        return;
    }
  });
  return 0;
}
// CHECK-FIXES: {{^}}  std::jthread producer([&](std::stop_token stopToken) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}    for (int i = 0; i < 1000; ++i) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}      while (!q.wait_enqueue_timed(i, std::chrono::milliseconds(10)) && !stopToken.stop_requested()) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}      }{{$}}
// CHECK-FIXES-NEXT: {{^}}      if (stopToken.stop_requested()){{$}}
// CHECK-FIXES-NEXT: {{^}}        break;{{$}}
// CHECK-FIXES-NEXT: {{^}}    }{{$}}
// CHECK-FIXES: {{^}}      if (!process(item)) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}        producer.request_stop();{{$}}
// CHECK-FIXES-NEXT: {{^}}        return;{{$}}
