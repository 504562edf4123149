// The C++ shape of the DeleteCollection leak, as in docs/mission.md: when
// every worker returns on its first failure, nobody pops any more and the
// producer sleeps in push() forever, so producer.join() never returns.
#include "bounded_queue.h"

#include <thread>
#include <vector>

static bool remove(int item) { return item < 0; } // etcd is down: all fail.

int main() {
  const int n = 1000, workers = 4;
  std::vector<int> items(n, 1);
  BoundedQueue<int> q(2 * workers);
  std::thread producer([&] {
    for (int i = 0; i < n; ++i)
      q.push(i);
    q.close();
  });
  std::vector<std::thread> pool;
  for (int w = 0; w < workers; ++w)
    pool.emplace_back([&] {
      int i;
      while (q.pop(i))
        if (!remove(items[i]))
          return;
    });
  for (auto &t : pool)
    t.join();
  producer.join();
  return 0;
}
