// RUN: %run_fix_test %s %t -- -- -I%S/../checks/Inputs
//
// std::async consumers end when a helper throws: the exception waits in the
// future, and the producer (this thread) sleeps in push() on the full queue
// before it ever reaches get(). The fix gives each consumer a guard that
// closes the queue as the exception leaves; the producer stops, and get()
// hands the exception over, which main reports.
#include "queues.h"

#include <cstdio>
#include <future>
#include <stdexcept>
#include <vector>

static int parse(int raw) {
  if (raw >= 0)
    throw std::runtime_error("bad record"); // Every record is bad.
  return raw;
}

static void consumeAll() {
  BoundedQueue<int> q(2);
  std::vector<std::future<void>> consumers;
  for (int w = 0; w < 2; ++w)
    consumers.push_back(std::async(std::launch::async, [&] {
      int raw;
      while (q.pop(raw))
        parse(raw);
    }));
  for (int i = 0; i < 100; ++i)
    q.push(i);
  q.close();
  for (auto &f : consumers)
    f.get();
}

int main() {
  try {
    consumeAll();
  } catch (const std::exception &e) {
    std::printf("consumer failed: %s\n", e.what());
  }
  return 0;
}
// CHECK-FIXES: {{^}}      struct CloseOnExit { decltype(q) &queue; ~CloseOnExit() { queue.close(); } } closeOnExit{q};{{$}}
// CHECK-FIXES: {{^}}    if (!q.push(i)) break;{{$}}
