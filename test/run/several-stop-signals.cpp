// REQUIRES: readerwriterqueue, tbb
// RUN: %run_fix_test %s %t -- -- -ltbb
//
// Two queues that cannot be closed in one function, each stranding its own
// producer: both fixes apply together, the flags get their own names and
// the headers are added once.
#include <readerwriterqueue/readerwritercircularbuffer.h>
#include <tbb/concurrent_queue.h>
#include <thread>

static bool process(int item) { return item > 100; } // The first one fails.

int main() {
  moodycamel::BlockingReaderWriterCircularBuffer<int> ring(4);
  tbb::concurrent_bounded_queue<int> jobs;
  jobs.set_capacity(4);
  std::thread ringReader([&] {
    int v;
    while (true) {
      ring.wait_dequeue(v);
      if (!process(v))
        return;
    }
  });
  std::thread jobRunner([&] {
    int v;
    do
      jobs.pop(v);
    while (process(v));
  });
  std::thread jobMaker([&] {
    for (int i = 0; i < 1000; ++i)
      jobs.push(i);
  });
  for (int i = 0; i < 1000; ++i)
    ring.wait_enqueue(i);
  ringReader.join();
  jobRunner.join();
  jobMaker.join();
  return 0;
}
// CHECK-FIXES: {{^}}#include <atomic>{{$}}
// CHECK-FIXES-NEXT: {{^}}#include <chrono>{{$}}
// CHECK-FIXES-NOT: #include <atomic>
// CHECK-FIXES: {{^}}  std::atomic<bool> ringClosed{false};{{$}}
// CHECK-FIXES: {{^}}  std::atomic<bool> jobsClosed{false};{{$}}
