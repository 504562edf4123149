// REQUIRES: readerwriterqueue
// RUN: %run_fix_test %s %t
//
// A cache fills a moodycamel ring (no close) on its own thread while a flag
// allows; its callers take one entry a call and stop when they like. The
// destructor lowers the flag and joins, but the filler is asleep in
// wait_enqueue on the full ring and never sees the flag. The fix retries a
// timed enqueue that also gives up once the flag is lowered.
#include <readerwriterqueue/readerwritercircularbuffer.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

static void fillTable(std::atomic<bool> &running,
                      moodycamel::BlockingReaderWriterCircularBuffer<long> &ring) {
  long n = 0;
  while (running) {
    long block[16];
    for (long &v : block)
      v = n++ * 3;
    for (int i = 0; i < 16; ++i)
      ring.wait_enqueue(block[i]);
  }
}

class TableCache {
public:
  TableCache()
      : ring_(8), filler_(fillTable, std::ref(running_), std::ref(ring_)) {}
  ~TableCache() {
    running_ = false;
    filler_.join();
  }
  long next() {
    long v = 0;
    ring_.wait_dequeue(v);
    return v;
  }

private:
  std::atomic<bool> running_{true};
  moodycamel::BlockingReaderWriterCircularBuffer<long> ring_;
  std::thread filler_;
};

int main() {
  long sum = 0;
  {
    TableCache cache;
    for (int i = 0; i < 5; ++i)
      sum += cache.next();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::printf("sum %ld\n", sum);
  return 0;
}
