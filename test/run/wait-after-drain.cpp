// RUN: %run_fix_test %s %t -- -- -isystem %S/../checks/Inputs
//
// Workers scan chunks and push what they find into a bounded queue; the
// main thread waits on a latch the workers count down, and only then takes
// the results, one per chunk. Once four results wait in the queue the
// workers block in push(), never count down, and the wait never returns.
// The fix moves the wait after the drain: the loop reads only the queue
// and its own variables, so it can run while the workers do.
#include "queues.h"

#include <cstdio>
#include <latch>
#include <thread>
#include <vector>

static int scanChunk(int chunk) { return chunk % 7 == 0 ? 1 : 0; }

int main() {
  constexpr int kWorkers = 3;
  constexpr int kChunks = 60;
  BoundedQueue<int> found(4);
  std::latch scanned(kWorkers);
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w)
    workers.emplace_back([&, w] {
      for (int chunk = w; chunk < kChunks; chunk += kWorkers)
        found.push(scanChunk(chunk));
      scanned.count_down();
    });
  scanned.wait();
  int hits = 0;
  for (int i = 0; i < kChunks; ++i) {
    int v = 0;
    if (found.pop(v))
      hits += v;
  }
  for (auto &t : workers)
    t.join();
  std::printf("%d of %d chunks matched\n", hits, kChunks);
  return 0;
}
// CHECK-FIXES: {{^}}      hits += v;{{$}}
// CHECK-FIXES-NEXT: {{^}}  }{{$}}
// CHECK-FIXES-NEXT: {{^}}  scanned.wait();{{$}}
// CHECK-FIXES-NEXT: {{^}}  for (auto &t : workers){{$}}
