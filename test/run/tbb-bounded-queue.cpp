// REQUIRES: tbb
// RUN: %run_fix_test %s %t -- -- -ltbb
//
// The real tbb::concurrent_bounded_queue: abort() only wakes the callers
// already asleep, so the fix does not rely on it. Every worker fails and
// leaves; the producer then sleeps in push() forever. After the fix it
// retries try_push() until there is room or every worker has left (each
// counts itself out with a guard as it leaves, however it leaves).
#include <tbb/concurrent_queue.h>
#include <thread>
#include <vector>

static bool process(int item) { return item < 0; } // Every item fails.

int main() {
  tbb::concurrent_bounded_queue<int> q;
  q.set_capacity(4);
  std::thread producer([&] {
    for (int i = 0; i < 1000; ++i)
      q.push(i);
  });
  std::vector<std::thread> workers;
  for (int w = 0; w < 3; ++w)
    workers.emplace_back([&] {
      int item;
      while (true) {
        q.pop(item);
        if (!process(item))
          return;
      }
    });
  for (auto &t : workers)
    t.join();
  producer.join();
  return 0;
}
// CHECK-FIXES: {{^}}  std::atomic<int> qReaders{3};{{$}}
// CHECK-FIXES: {{^}}      while (!q.try_push(i) && qReaders > 0){{$}}
