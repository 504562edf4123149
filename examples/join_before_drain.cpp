// fanout-join-before-drain: workers push one result per item into a bounded
// queue that main drains only after joining them; with more results than
// room, the workers block in push() and the joins never return.
#include "bounded_queue.h"

#include <cstdio>
#include <thread>
#include <vector>

static int square(int i) { return i * i; }

int main() {
  const int items = 100;
  BoundedQueue<int> results(8);
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w)
    workers.emplace_back([&, w] {
      for (int i = w; i < items; i += 4)
        results.push(square(i));
    });
  for (auto &t : workers)
    t.join();
  results.close();
  long total = 0;
  int r;
  while (results.pop(r))
    total += r;
  std::printf("total %ld\n", total);
  return 0;
}
